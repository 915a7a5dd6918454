import { safe } from '../slack/mrkdwn.ts';
import type { DoctorResult } from './doctor-check.ts';

const WORD = { pass: 'PASS', fail: 'FAIL', skipped: 'SKIP' } as const;
const EMOJI = { pass: ':white_check_mark:', fail: ':x:', skipped: ':white_circle:' } as const;

/** The doctor's answer for a terminal: one line per check, its fix indented below. */
export function doctorTerminalText(results: DoctorResult[]): string {
  const lines = results.flatMap((r) => [
    `${WORD[r.status]}  ${r.name}: ${r.detail}`,
    ...(r.fix ? [`      fix: ${r.fix}`] : []),
  ]);
  return [...lines, '', summary(results)].join('\n');
}

/** The doctor's answer as Slack mrkdwn; every service-supplied text is escaped. */
export function doctorSlackText(results: DoctorResult[]): string {
  const lines = results.flatMap((r) => [
    `${EMOJI[r.status]} *${safe(r.name, 200)}*: ${safe(r.detail, 600)}`,
    ...(r.fix ? [`      _Fix:_ ${safe(r.fix, 600)}`] : []),
  ]);
  return [`*Firebreak doctor*: ${summary(results)}`, ...lines].join('\n');
}

function summary(results: DoctorResult[]) {
  const failed = results.filter((r) => r.status === 'fail').length;
  const skipped = results.filter((r) => r.status === 'skipped').length;
  const ran = results.length - skipped;
  const notRun = skipped > 0 ? ` (${skipped} skipped)` : '';
  if (failed === 0) return `all ${ran} checks passed${notRun}.`;
  return `${failed} of ${ran} checks failed${notRun}.`;
}
