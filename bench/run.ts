/**
 * `npm run bench`: Firebreak's performance figures from one run on this machine, each next to
 * its baseline. Everything listens and connects on 127.0.0.1 only; every server started here
 * is stopped at the end. See the scenario files for what each figure means.
 */
import { performance } from 'node:perf_hooks';
import { benchIntake } from './intake.ts';
import { benchMemory } from './memory.ts';
import { machine, table, writeResults, type Row } from './report.ts';
import { cleanupAll } from './servers.ts';
import { benchStoreCost } from './store-cost.ts';
import { benchStormAndSlash } from './storm.ts';
import { round } from './stats.ts';

const RESULTS = new URL('./results.json', import.meta.url);

async function main() {
  const started = performance.now();
  const host = machine();
  console.log('Firebreak bench');
  console.log(`  date:    ${host.date}`);
  console.log(`  machine: ${host.cpu}, ${host.cores} cores, ${host.memoryGb} GB, ${host.platform}`);
  console.log(`  node:    ${host.node}`);
  console.log(`  code:    ${host.code}`);
  console.log('  (everything on 127.0.0.1; load generator in a worker thread, keep-alive)\n');

  const step = (name: string) => (line: string) =>
    console.log(`[${round((performance.now() - started) / 1000, 1)} s] ${name}: ${line}`);

  const rows: Row[] = [];
  const notes: string[] = [
    'Everything ran on 127.0.0.1. The load generator and the Slack stand-in each run in their own worker thread, so only the server under test runs on the main event loop.',
  ];
  const details: Record<string, unknown> = {};
  const sections = [
    ['intake', '1. alert intake', benchIntake],
    ['stormAndSlash', '2+3. storm, then slash commands', benchStormAndSlash],
    ['store', '4. store cost', benchStoreCost],
    ['memory', '5. memory', benchMemory],
  ] as const;
  for (const [key, name, bench] of sections) {
    const result = await bench(step(name));
    rows.push(...result.rows);
    notes.push(...result.notes);
    details[key] = result.details;
  }
  await cleanupAll();

  const seconds = round((performance.now() - started) / 1000, 1);
  console.log('\nNotes:');
  for (const note of notes) console.log(`  - ${note}`);
  console.log(
    `\nResults (${host.date}, ${host.cpu}, ${host.cores} cores, node ${host.node}, code ${host.code}):\n`,
  );
  console.log(table(rows));
  const failed = rows.filter((r) => r.pass === false).length;
  console.log(
    `\n${failed === 0 ? 'All goals met' : `${failed} goal(s) not met`}; run took ${seconds} s.`,
  );

  await writeResults(RESULTS, { machine: host, durationSeconds: seconds, rows, notes, details });
  console.log(`Written: bench/results.json`);
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    console.error(`\n${signal}: stopping every server the bench started…`);
    void cleanupAll().finally(() => process.exit(130));
  });
}

main().then(
  () => process.exit(0),
  async (error: unknown) => {
    console.error('bench failed:', error);
    await cleanupAll();
    process.exit(1);
  },
);
