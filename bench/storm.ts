/**
 * 3. Storm: 10,000 Alertmanager notifications over 300 groups, against a stand-in that limits
 * posts like Slack (scaled 20x), then
 * 2. slash-command acknowledgement on the bot with that outbound backlog vs a bare Bolt 5 app.
 */
import type { RecordedCall } from '../test/fakes/slack/slack-stand-in.ts';
import { ALERTS, SIGNING_SECRET, WEBHOOK_TOKEN } from '../test/support/harness.ts';
import type { TimelineEntry } from '../src/core/types.ts';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { medianOf, runLoad, summarize } from './load.ts';
import { alertSummary, fingerprint, stormPlan } from './payloads.ts';
import { ratio, type Row } from './report.ts';
import { startBareBolt, startBot, startStandIn } from './servers.ts';
import { round } from './stats.ts';

export const STORM = {
  notifications: 10_000,
  groups: 300,
  /** Target sending time; the run reports the actual one. */
  targetSeconds: 20,
  concurrency: 32,
  /** Real Slack: 1 post/s per channel. Scaled 20x so 300 posts take ~15 s, not ~300 s. */
  slackPostIntervalMs: 50,
  standInPostsPerSecond: 20,
  drainTimeoutMs: 60_000,
};
export const SLASH = {
  concurrency: 4,
  warmup: 100,
  /** Open loop at a steady rate: each command's own ack time, as Slack would see it. */
  paced: { ratePerSecond: 200, requests: 500, rounds: 2 },
  /** Closed loop, as fast as answered: shows throughput limits more than ack time. */
  saturated: { requests: 1_500, rounds: 3 },
  texts: ['list', 'help'],
};

async function measureSlash(url: string, requests: number, ratePerSecond?: number) {
  return summarize(
    await runLoad({
      url,
      path: '/slack/events',
      headers: {},
      signingSecret: SIGNING_SECRET,
      workload: { kind: 'slash', texts: SLASH.texts },
      concurrency: SLASH.concurrency,
      warmup: SLASH.warmup,
      requests,
      ratePerSecond,
    }),
  );
}

/**
 * Paced rounds, then saturated rounds; each figure is the median across rounds. The delay of
 * this thread's event loop (where the server under test runs) is recorded meanwhile.
 */
async function slashRounds(url: string, queue?: () => { waiting: number; running: number }) {
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const depth = () => (queue ? queue().waiting + queue().running : 0);
  const queueDepth: number[] = [depth()];
  const paced = [];
  for (let r = 0; r < SLASH.paced.rounds; r += 1) {
    paced.push(await measureSlash(url, SLASH.paced.requests, SLASH.paced.ratePerSecond));
    queueDepth.push(depth());
  }
  const saturated = [];
  for (let r = 0; r < SLASH.saturated.rounds; r += 1) {
    saturated.push(await measureSlash(url, SLASH.saturated.requests));
    queueDepth.push(depth());
  }
  loop.disable();
  return {
    paced: medianOf(paced),
    saturated: medianOf(saturated),
    eventLoopDelay: { p99Ms: loop.percentile(99) / 1e6, maxMs: loop.max / 1e6 },
    queueDepth: queue ? queueDepth : undefined,
  };
}

const incidentOfPost = (call: RecordedCall) =>
  (call.args.metadata as { event_payload?: { incident_id?: string } } | undefined)?.event_payload
    ?.incident_id;

export async function benchStormAndSlash(log: (line: string) => void) {
  log('slash commands on a bare Bolt 5 app…');
  const bare = await startBareBolt();
  const bareSet = await slashRounds(bare.url);
  const bareSlash = bareSet.paced;
  await bare.close();

  const standIn = await startStandIn({ postsPerSecondPerChannel: STORM.standInPostsPerSecond });
  const running = await startBot(standIn.url, 'storm', STORM.slackPostIntervalMs);
  const { bot } = running;

  log('slash commands on the idle bot (before the storm, no backlog; for reference)…');
  const idleSlash = await measureSlash(
    running.url,
    SLASH.paced.requests,
    SLASH.paced.ratePerSecond,
  );

  log(
    `storm: ${STORM.notifications} notifications over ${STORM.groups} groups, paced to ~${STORM.targetSeconds} s…`,
  );
  const progress: Array<Record<string, number>> = [];
  const stormStarted = Date.now();
  const sampler = setInterval(() => {
    const s = round((Date.now() - stormStarted) / 1000, 1);
    const incidentsNow = bot.incidents.list({ all: true }).length;
    const queueNow = bot.queue.stats();
    void standIn.counts().then((counts) =>
      progress.push({
        s,
        incidents: incidentsNow,
        posted: counts['chat.postMessage 200'] ?? 0,
        rateLimited: counts['chat.postMessage 429'] ?? 0,
        updates: counts['chat.update 200'] ?? 0,
        history: counts['conversations.history 200'] ?? 0,
        ...queueNow,
      }),
    );
  }, 2_000);
  const storm = await runLoad({
    url: running.url,
    path: '/webhooks/alertmanager',
    headers: { authorization: `Bearer ${WEBHOOK_TOKEN}`, 'content-type': 'application/json' },
    workload: {
      kind: 'alertmanager-storm',
      total: STORM.notifications,
      groups: STORM.groups,
      seed: 7,
    },
    concurrency: STORM.concurrency,
    warmup: 0,
    requests: STORM.notifications,
    ratePerSecond: STORM.notifications / STORM.targetSeconds,
  });
  const queueAfterStorm = bot.queue.stats();
  const postsAfterStorm = (await standIn.counts())['chat.postMessage 200'] ?? 0;

  log('slash commands on the bot right after the storm, outbound backlog not drained…');
  const busy = await slashRounds(running.url, () => bot.queue.stats());
  const busySlash = busy.paced;
  const queueAfterSlash = bot.queue.stats();

  log(`waiting (at most ${STORM.drainTimeoutMs / 1000} s) for the outbound queue to drain…`);
  const drainStarted = Date.now();
  await bot.queue.idle(STORM.drainTimeoutMs);
  clearInterval(sampler);
  const drainSeconds = (Date.now() - drainStarted) / 1000;
  const queueAtCount = bot.queue.stats();
  const drained = queueAtCount.waiting === 0 && queueAtCount.running === 0;

  // What was sent and accepted, per group: a group's alerts join it one at a time.
  const plan = stormPlan(STORM.notifications, STORM.groups, 7);
  const alertsSent = new Map<number, number>();
  let accepted = 0;
  storm.statuses.forEach((status, i) => {
    if (status < 200 || status >= 300) return;
    accepted += 1;
    const n = plan[i];
    if (n) alertsSent.set(n.group, Math.max(alertsSent.get(n.group) ?? 0, n.alerts));
  });

  const incidents = bot.incidents.list({ all: true });
  const incidentOf = new Map<string, string>();
  for (const incident of incidents) {
    for (const key of Object.keys(incident.alerts)) incidentOf.set(key, incident.id);
  }
  const timelines = new Map<string, TimelineEntry[]>();
  let fingerprintsSent = 0;
  let missingFromIncident = 0;
  let missingFromTimeline = 0;
  let groupsSplit = 0;
  for (const [group, count] of alertsSent) {
    const ids = new Set<string>();
    for (let k = 0; k < count; k += 1) {
      fingerprintsSent += 1;
      const id = incidentOf.get(fingerprint(group, k));
      if (!id) {
        missingFromIncident += 1;
        continue;
      }
      ids.add(id);
      let timeline = timelines.get(id);
      if (!timeline) {
        timeline = await bot.incidents.timeline(id);
        timelines.set(id, timeline);
      }
      const text = `Firing: ${alertSummary(group, k)}`;
      if (!timeline.some((e) => e.kind === 'alert.fired' && e.text === text))
        missingFromTimeline += 1;
    }
    if (ids.size > 1) groupsSplit += 1;
  }

  const calls = await standIn.calls();
  const callsTo = (method: string) => calls.filter((c) => c.method === method);
  const postCalls = callsTo('chat.postMessage');
  const okPosts = postCalls.filter((c) => c.status === 200 && c.response.ok === true);
  // Incident messages carry the incident in their metadata; notices and thread replies do not.
  const posts = okPosts.filter((c) => incidentOfPost(c) !== undefined && !c.args.thread_ts);
  const otherPosts = okPosts.filter((c) => !posts.includes(c));
  const rateLimited = postCalls.filter((c) => c.status === 429).length;
  const updateCalls = callsTo('chat.update');
  const tsToIncident = new Map(posts.map((c) => [String(c.response.ts), incidentOfPost(c) ?? '?']));
  const updatesPer = new Map<string, number>();
  for (const call of updateCalls) {
    const id = tsToIncident.get(String(call.args.ts)) ?? '?';
    updatesPer.set(id, (updatesPer.get(id) ?? 0) + 1);
  }
  const maxUpdates = Math.max(0, ...updatesPer.values());
  const topLevel = await standIn.topLevelMessages(ALERTS);
  const postedIncidents = new Set(
    topLevel
      .filter((m) => m.metadata !== undefined)
      .map(
        (m) =>
          (m.metadata as { event_payload?: { incident_id?: string } } | undefined)?.event_payload
            ?.incident_id,
      ),
  );
  const behind = incidents.filter((i) => i.refs.slack?.version !== String(i.version)).length;
  const otherCalls: Record<string, number> = {};
  for (const call of calls) {
    if (call.method === 'chat.postMessage' || call.method === 'chat.update') continue;
    otherCalls[call.method] = (otherCalls[call.method] ?? 0) + 1;
  }
  const firstPost = posts[0]?.at ?? stormStarted;
  const lastPost = posts.at(-1)?.at ?? stormStarted;

  await running.close();
  await standIn.close();

  const stormRun = summarize(storm);
  const allFingerprints = missingFromIncident === 0 && missingFromTimeline === 0;
  const p99Ratio = ratio(busySlash.p99Ms, bareSlash.p99Ms);
  const pacedLabel = `${SLASH.paced.ratePerSecond}/s`;
  const scaled = '(pacing scaled down 20x)';
  const rows: Row[] = [
    {
      figure: `Slash ack p50 (ms), ${pacedLabel}, bot with outbound backlog`,
      bot: round(busySlash.p50Ms),
      baseline: round(bareSlash.p50Ms),
      ratio: ratio(busySlash.p50Ms, bareSlash.p50Ms),
      goal: '',
      pass: null,
    },
    {
      figure: `Slash ack p99 (ms), ${pacedLabel}, bot with outbound backlog`,
      bot: round(busySlash.p99Ms),
      baseline: round(bareSlash.p99Ms),
      ratio: p99Ratio,
      goal: 'ratio ≤ 1.5',
      pass:
        p99Ratio !== null &&
        p99Ratio <= 1.5 &&
        busySlash.statusCounts['200'] === busySlash.requests &&
        busy.saturated.statusCounts['200'] === busy.saturated.requests,
    },
    {
      figure: 'Slash ack p99 (ms), saturated (4 in flight), bot with backlog',
      bot: round(busy.saturated.p99Ms),
      baseline: round(bareSet.saturated.p99Ms),
      ratio: ratio(busy.saturated.p99Ms, bareSet.saturated.p99Ms),
      goal: '',
      pass: null,
    },
    {
      figure: 'Slash: event-loop delay max (ms) while measured, bot with backlog',
      bot: round(busy.eventLoopDelay.maxMs),
      baseline: round(bareSet.eventLoopDelay.maxMs),
      ratio: ratio(busy.eventLoopDelay.maxMs, bareSet.eventLoopDelay.maxMs),
      goal: '',
      pass: null,
    },
    {
      figure: `Slash ack p99 (ms), ${pacedLabel}, idle bot (reference)`,
      bot: round(idleSlash.p99Ms),
      baseline: round(bareSlash.p99Ms),
      ratio: ratio(idleSlash.p99Ms, bareSlash.p99Ms),
      goal: '',
      pass: null,
    },
    {
      figure: 'Storm: notifications accepted (2xx)',
      bot: accepted,
      baseline: STORM.notifications,
      ratio: ratio(accepted, STORM.notifications),
      goal: 'all',
      pass: accepted === STORM.notifications,
    },
    {
      figure: 'Storm: send duration (s)',
      bot: round(stormRun.durationS, 1),
      baseline: STORM.targetSeconds,
      ratio: null,
      goal: '≤ ~60',
      pass: stormRun.durationS <= 65,
    },
    {
      figure: 'Storm: webhook latency p99 (ms)',
      bot: round(stormRun.p99Ms),
      baseline: null,
      ratio: null,
      goal: '',
      pass: null,
    },
    {
      figure: 'Storm: incidents created',
      bot: incidents.length,
      baseline: STORM.groups,
      ratio: ratio(incidents.length, STORM.groups),
      goal: '= groups',
      pass: incidents.length === STORM.groups && groupsSplit === 0,
    },
    {
      figure: `Storm: chat.postMessage, incident messages ${scaled}`,
      bot: posts.length,
      baseline: incidents.length,
      ratio: ratio(posts.length, incidents.length),
      goal: '= incidents',
      pass: posts.length === incidents.length && postedIncidents.size === incidents.length,
    },
    {
      figure: `Storm: chat.postMessage, other (notices, threads)`,
      bot: otherPosts.length,
      baseline: null,
      ratio: null,
      goal: '',
      pass: null,
    },
    {
      figure: `Storm: chat.update calls ${scaled}`,
      bot: updateCalls.length,
      baseline: null,
      ratio: null,
      goal: '',
      pass: null,
    },
    {
      figure: `Storm: 429s received ${scaled}`,
      bot: rateLimited,
      baseline: null,
      ratio: null,
      goal: '',
      pass: null,
    },
    {
      figure: 'Storm: max chat.update for one incident',
      bot: maxUpdates,
      baseline: null,
      ratio: null,
      goal: '',
      pass: null,
    },
    {
      figure: 'Storm: every fingerprint on its incident + timeline',
      bot: allFingerprints ? 'yes' : 'no',
      baseline: `${fingerprintsSent} sent`,
      ratio: null,
      goal: 'yes',
      pass: allFingerprints,
    },
    {
      figure: `Storm: queue drained after storm+slash (s) ${scaled}`,
      bot: drained ? round(drainSeconds, 1) : `> ${STORM.drainTimeoutMs / 1000}`,
      baseline: null,
      ratio: null,
      goal: `≤ ${STORM.drainTimeoutMs / 1000}`,
      pass: drained && behind === 0,
    },
  ];
  const backlog = (q: { waiting: number; running: number }) => q.waiting + q.running;
  const notes = [
    `Slash commands (signed /incident list and help, at most ${SLASH.concurrency} in flight; ${SLASH.paced.rounds} rounds of ${SLASH.paced.requests} paced at ${SLASH.paced.ratePerSecond}/s, then ${SLASH.saturated.rounds} rounds of ${SLASH.saturated.requests} as fast as answered; medians of the rounds) were measured on the bot right after the storm, without waiting for its outbound queue: ${backlog(queueAfterStorm)} jobs queued when they started, ${backlog(queueAfterSlash)} when they ended (after each round: ${busy.queueDepth?.slice(1).join(', ')}).`,
    `Storm: Slack pacing scaled down 20x (the bot posts every ${STORM.slackPostIntervalMs} ms; the stand-in allows ${STORM.standInPostsPerSecond} posts/s per channel; real Slack: 1/s). ${STORM.notifications} notifications sent in ${round(stormRun.durationS, 1)} s (target ${STORM.targetSeconds} s).`,
  ];
  return {
    rows,
    notes,
    details: {
      storm: {
        settings: { ...STORM, pacingNote: 'Slack pacing scaled down 20x (real: 1 post/s/channel)' },
        load: { ...stormRun, achievedRatePerSecond: stormRun.throughput },
        accepted,
        incidentsCreated: incidents.length,
        groupsSplitOverIncidents: groupsSplit,
        fingerprintsSent,
        fingerprintsMissingFromIncident: missingFromIncident,
        fingerprintsMissingFromTimeline: missingFromTimeline,
        slack: {
          incidentMessagesPosted: posts.length,
          otherPostsOk: otherPosts.length,
          otherPostTexts: [...new Set(otherPosts.map((c) => String(c.args.text).slice(0, 120)))],
          postMessage429: rateLimited,
          postMessageOtherFailures: postCalls.length - okPosts.length - rateLimited,
          distinctIncidentsPosted: postedIncidents.size,
          chatUpdate: updateCalls.length,
          chatUpdateFailed: updateCalls.filter((c) => c.response.ok !== true).length,
          maxUpdatesOneIncident: maxUpdates,
          meanUpdatesPerIncident: round(updateCalls.length / Math.max(1, incidents.length), 1),
          otherCalls,
          postsDoneWhenStormEnded: postsAfterStorm,
          secondsFromStormStartToFirstPost: round((firstPost - stormStarted) / 1000, 1),
          secondsFromStormStartToLastPost: round((lastPost - stormStarted) / 1000, 1),
        },
        queueAfterStorm,
        queueAfterSlash,
        queueAtCount,
        drained,
        drainSeconds: round(drainSeconds, 1),
        incidentsWithMessageBehind: behind,
        progress,
      },
      slash: {
        settings: { ...SLASH, commands: SLASH.texts.map((t) => `/incident ${t}`) },
        note: 'bot measured right after the storm, without waiting for the outbound queue to drain',
        bare: bareSet,
        botWithBacklog: { ...busy, queueBefore: queueAfterStorm, queueAfter: queueAfterSlash },
        botIdle: idleSlash,
      },
    },
  };
}
