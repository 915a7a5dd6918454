/** 1. Alert intake: POST /webhooks/alertmanager on the bot vs a bare Express 5 app. */
import { WEBHOOK_TOKEN } from '../test/support/harness.ts';
import { medianOf, runLoad, summarize, type LoadSpec, type Summary } from './load.ts';
import { ratio, type Row } from './report.ts';
import { startBareExpress, startBot, startStandIn } from './servers.ts';
import { round } from './stats.ts';

export const INTAKE = { groups: 300, concurrency: 32, warmup: 300, requests: 4_000, rounds: 3 };

export async function benchIntake(log: (line: string) => void) {
  const spec = (url: string): LoadSpec => ({
    url,
    path: '/webhooks/alertmanager',
    headers: { authorization: `Bearer ${WEBHOOK_TOKEN}`, 'content-type': 'application/json' },
    workload: { kind: 'alertmanager-intake', groups: INTAKE.groups, seed: 42 },
    concurrency: INTAKE.concurrency,
    warmup: INTAKE.warmup,
    requests: INTAKE.requests,
  });

  const bare = await startBareExpress();
  // The bot as deployed: Slack pacing at its default (1 post/s), the stand-in limiting like Slack.
  const standIn = await startStandIn({ postsPerSecondPerChannel: 1 });
  const running = await startBot(standIn.url, 'intake');
  // Rounds alternate bare and bot, so both see the same machine; each figure is the median.
  const bareRuns: Summary[] = [];
  const botRuns: Summary[] = [];
  for (let r = 1; r <= INTAKE.rounds; r += 1) {
    log(`round ${r}/${INTAKE.rounds}: bare Express 5 (express.json, 202)…`);
    bareRuns.push(summarize(await runLoad(spec(bare.url))));
    log(
      `round ${r}/${INTAKE.rounds}: the bot (createFirebreak, stand-in at 1 post/s per channel)…`,
    );
    botRuns.push(summarize(await runLoad(spec(running.url))));
  }
  await bare.close();
  const bareRun = medianOf(bareRuns);
  const botRun = medianOf(botRuns);
  const incidents = running.bot.incidents.list({ all: true }).length;
  const queue = running.bot.queue.stats();
  await running.close();
  await standIn.close();

  const botOk = botRun.statusCounts['202'] ?? 0;
  const throughputRatio = ratio(botRun.throughput, bareRun.throughput);
  const rows: Row[] = [
    {
      figure: 'Intake throughput (req/s)',
      bot: round(botRun.throughput, 0),
      baseline: round(bareRun.throughput, 0),
      ratio: throughputRatio,
      goal: 'ratio ≥ 0.5',
      pass: throughputRatio !== null && throughputRatio >= 0.5 && botOk === botRun.requests,
    },
    {
      figure: 'Intake latency p50 (ms)',
      bot: round(botRun.p50Ms),
      baseline: round(bareRun.p50Ms),
      ratio: ratio(botRun.p50Ms, bareRun.p50Ms),
      goal: '',
      pass: null,
    },
    {
      figure: 'Intake latency p99 (ms)',
      bot: round(botRun.p99Ms),
      baseline: round(bareRun.p99Ms),
      ratio: ratio(botRun.p99Ms, bareRun.p99Ms),
      goal: '',
      pass: null,
    },
  ];
  const notes = [
    `Intake: ${INTAKE.rounds} alternating rounds each of ${INTAKE.requests} requests after ${INTAKE.warmup} warm-up, ${INTAKE.concurrency} in flight (keep-alive), ${INTAKE.groups} Alertmanager groups; figures are medians of the rounds; the bot paces Slack at its default 1 post/s.`,
  ];
  return {
    rows,
    notes,
    details: {
      settings: { ...INTAKE, keepAlive: true, loadGenerator: 'node:http in a worker thread' },
      bot: { ...botRun, incidentsCreated: incidents, queueAtEnd: queue },
      bare: bareRun,
    },
  };
}
