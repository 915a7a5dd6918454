/** The bench's rows, the table printed at the end, and bench/results.json. */
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { format, resolveConfig } from 'prettier';
import { round } from './stats.ts';

export interface Row {
  /** What is measured, with its unit. */
  figure: string;
  bot: number | string;
  /** What the bot is compared with (a bare app, an expected count, or the start value). */
  baseline: number | string | null;
  /** bot / baseline, when that means something. */
  ratio: number | null;
  goal: string;
  /** null: informational, no goal. */
  pass: boolean | null;
}

export function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    memoryGb: round(os.totalmem() / 1024 ** 3, 1),
    date: new Date().toISOString(),
    code: revision(),
  };
}

/** The commit measured, and whether src/ had uncommitted changes. */
function revision() {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim();
    const commit = git('rev-parse', '--short', 'HEAD');
    const dirty = git('status', '--porcelain', '--', 'src').split('\n').filter(Boolean).length;
    return dirty > 0 ? `${commit} + uncommitted changes in ${dirty} src/ file(s)` : commit;
  } catch {
    return 'unknown';
  }
}

export function ratio(bot: number, baseline: number, digits = 2) {
  return baseline === 0 || !Number.isFinite(bot) || !Number.isFinite(baseline)
    ? null
    : round(bot / baseline, digits);
}

function cell(value: number | string | null | boolean) {
  if (value === null) return '–';
  if (typeof value === 'boolean') return value ? 'PASS' : 'FAIL';
  if (typeof value === 'number') return String(value);
  return value;
}

/** A plain-text table that reads well in a terminal and in a log. */
export function table(rows: Row[]) {
  const header = ['Figure', 'Bot', 'Baseline', 'Ratio', 'Goal', 'Result'];
  const lines = rows.map((r) => [
    r.figure,
    cell(r.bot),
    cell(r.baseline),
    r.ratio === null ? '–' : r.ratio.toFixed(2),
    r.goal || '–',
    r.pass === null ? 'info' : cell(r.pass),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const fmt = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [fmt(header), rule, ...lines.map(fmt)].join('\n');
}

/** Writes the results as JSON, formatted the way the repository's prettier check wants it. */
export async function writeResults(file: URL, results: unknown) {
  const text = JSON.stringify(results, (_key, value: unknown) =>
    typeof value === 'number' && !Number.isFinite(value) ? null : value,
  );
  const options = (await resolveConfig(file)) ?? {};
  await writeFile(file, await format(text, { ...options, parser: 'json' }));
}
