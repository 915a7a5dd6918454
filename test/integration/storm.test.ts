import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Incident, TimelineEntry } from '../../src/core/types.ts';
import { SlackStandIn } from '../fakes/slack/slack-stand-in.ts';
import { startBotProcess, type BotProcess } from '../support/bot-process.ts';
import {
  ALERTS,
  botEnv,
  eventually,
  startHarness,
  TOKEN,
  WEBHOOK_TOKEN,
  type Harness,
} from '../support/harness.ts';
import { sendAll, stormNotifications } from '../support/storm.ts';

const cleanups: Array<() => Promise<unknown>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function poster(url: string, body: unknown) {
  return () =>
    fetch(`${url}/webhooks/alertmanager`, {
      method: 'POST',
      headers: { authorization: `Bearer ${WEBHOOK_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
}

/** Reads the store the way a person would: every file must parse (none torn). */
async function readStore(dataDir: string) {
  const incidents: Incident[] = [];
  for (const name of await readdir(path.join(dataDir, 'incidents'))) {
    if (name.endsWith('.json') && !name.startsWith('.')) {
      incidents.push(
        JSON.parse(await readFile(path.join(dataDir, 'incidents', name), 'utf8')) as Incident,
      );
    }
  }
  const timelines = new Map<string, TimelineEntry[]>();
  for (const incident of incidents) {
    const text = await readFile(path.join(dataDir, 'timeline', `${incident.id}.jsonl`), 'utf8');
    const lines = text.split('\n').filter((line) => line !== '');
    timelines.set(
      incident.id,
      lines.map((line) => JSON.parse(line) as TimelineEntry),
    );
  }
  JSON.parse(await readFile(path.join(dataDir, 'jobs.json'), 'utf8'));
  return { incidents, timelines };
}

function firedSummaries(timelines: Map<string, TimelineEntry[]>) {
  const fired = new Set<string>();
  for (const entries of timelines.values()) {
    for (const e of entries)
      if (e.kind === 'alert.fired') fired.add(e.text.replace(/^Firing: /, ''));
  }
  return fired;
}

describe('an alert storm', () => {
  it('gives 100 groups of 2,000 notifications one post each, few updates, no 429 loop, every alert on the timeline (F08)', async () => {
    const h: Harness = await startHarness({ standIn: { postsPerSecondPerChannel: 20 } });
    cleanups.push(() => h.close());
    const storm = stormNotifications(100, 20);

    const statuses = await sendAll(
      storm.map((n) => poster(h.url, n.body)),
      16,
    );
    await h.bot.queue.idle(60_000);

    expect(statuses.every((s) => s === 202)).toBe(true);
    const incidents = h.bot.incidents.list({ all: true });
    expect(incidents).toHaveLength(100);
    const posts = h.slack.callsTo('chat.postMessage').filter((c) => !c.args.thread_ts);
    const accepted = posts.filter(
      (c) => c.response.ok === true && /^INC-\d+ /.test(String(c.args.text)),
    );
    const limited = posts.filter((c) => c.status === 429);
    expect(accepted).toHaveLength(100);
    expect(
      h.slack.topLevelMessages(ALERTS).filter((m) => /^INC-\d+ /.test(m.text ?? '')),
    ).toHaveLength(100);
    const notices = posts.filter((c) => String(c.args.text).includes('rate-limiting Firebreak'));
    expect(notices.filter((c) => c.response.ok === true)).toHaveLength(limited.length > 0 ? 1 : 0);
    expect(posts.length).toBeLessThanOrEqual(accepted.length + limited.length + notices.length);
    const updatesPer = new Map<string, number>();
    for (const c of h.slack.callsTo('chat.update'))
      updatesPer.set(String(c.args.ts), (updatesPer.get(String(c.args.ts)) ?? 0) + 1);
    expect(Math.max(...updatesPer.values())).toBeLessThanOrEqual(20);
    expect(h.slack.callsTo('chat.update').length).toBeLessThan(storm.length / 2);
    const fired = new Set<string>();
    for (const incident of incidents) {
      for (const e of await h.bot.incidents.timeline(incident.id))
        if (e.kind === 'alert.fired') fired.add(e.text);
    }
    expect(fired.size).toBe(new Set(storm.flatMap((n) => n.firing)).size);
  }, 120_000);
});

describe('kill -9 in the middle of a storm', () => {
  it('keeps every alert answered 2xx, gives every incident exactly one message, and resumes the queue', async () => {
    const slack = await SlackStandIn.start({ token: TOKEN });
    const dataDir = await mkdtemp(path.join(tmpdir(), 'firebreak-storm-'));
    cleanups.push(async () => {
      await slack.close();
      await rm(dataDir, { recursive: true, force: true, maxRetries: 5 });
    });
    const env = { ...botEnv(slack.url, dataDir), SLACK_POST_INTERVAL_MS: '20' };
    const start = async () => {
      const bot: BotProcess = await startBotProcess(env);
      cleanups.push(() => bot.stop());
      return bot;
    };
    const storm = stormNotifications(120, 8);
    const first = await start();

    let answered = 0;
    const killAt = 300 + Math.floor(Math.random() * 300);
    const requests = storm.map((n) => async () => {
      const res = await poster(first.url, n.body)();
      answered += 1;
      if (answered === killAt) void first.kill9();
      return res;
    });
    const statuses = await sendAll(requests, 12);
    await first.kill9();
    const second = await start();
    const { incidents: stored } = await readStore(dataDir);
    await eventually(
      () =>
        slack.topLevelMessages(ALERTS).filter((m) => /^INC-\d+ /.test(m.text ?? '')).length >=
        stored.length,
      30_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    await second.stop();

    const acceptedFiring = new Set(
      storm.filter((_, i) => statuses[i] === 202).flatMap((n) => n.firing),
    );
    const { incidents, timelines } = await readStore(dataDir);
    const fired = firedSummaries(timelines);
    expect(acceptedFiring.size).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === 202).length).toBeGreaterThanOrEqual(killAt - 12);
    expect([...acceptedFiring].filter((s) => !fired.has(s))).toEqual([]);
    const ids = slack
      .topLevelMessages(ALERTS)
      .map((m) => /^(INC-\d+) /.exec(m.text ?? '')?.[1])
      .filter(Boolean);
    expect(ids).toHaveLength(incidents.length);
    expect(new Set(ids).size).toBe(incidents.length);
  }, 120_000);
});

describe('SIGTERM', () => {
  it('finishes in-flight work, exits 0, and the next start posts what was still queued, once', async () => {
    const slack = await SlackStandIn.start({ token: TOKEN });
    const dataDir = await mkdtemp(path.join(tmpdir(), 'firebreak-term-'));
    cleanups.push(async () => {
      await slack.close();
      await rm(dataDir, { recursive: true, force: true, maxRetries: 5 });
    });
    const env = { ...botEnv(slack.url, dataDir), SLACK_POST_INTERVAL_MS: '200' };
    const first = await startBotProcess(env);
    const storm = stormNotifications(20, 1);

    const statuses = await sendAll(
      storm.map((n) => poster(first.url, n.body)),
      4,
    );
    const exit = new Promise<number | null>((resolve) =>
      first.child.once('exit', (code) => resolve(code)),
    );
    first.child.kill('SIGTERM');
    const code = await exit;
    const postedBeforeStop = slack.topLevelMessages(ALERTS).length;
    const second = await startBotProcess(env);
    cleanups.push(() => second.stop());
    await eventually(() => slack.topLevelMessages(ALERTS).length >= 20, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 500));

    expect(statuses.every((s) => s === 202)).toBe(true);
    expect(code).toBe(0);
    expect(postedBeforeStop).toBeLessThan(20);
    expect(slack.topLevelMessages(ALERTS)).toHaveLength(20);
    expect(first.output()).toContain('"msg":"stopped"');
  }, 60_000);
});
