import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFirebreak } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { SlackStandIn } from '../fakes/slack/slack-stand-in.ts';
import {
  ALERTS,
  botEnv,
  eventually,
  fixture,
  json,
  startHarness,
  TOKEN,
  type Harness,
} from '../support/harness.ts';
import { memoryLogger } from '../support/memory-logger.ts';

let h: Harness | undefined;
let cleanupStandIn: SlackStandIn | undefined;

afterEach(async () => {
  await h?.close();
  await cleanupStandIn?.close();
  h = undefined;
  cleanupStandIn = undefined;
});

async function health(harness: Harness) {
  return json(await fetch(`${harness.url}/healthz`));
}

describe('when Slack refuses or fails', () => {
  it('joins a public alerts channel it is not in and posts once (F06)', async () => {
    h = await startHarness({
      standIn: { channels: [{ id: ALERTS, name: 'alerts', isMember: false }] },
    });

    await h.postAlert('alertmanager', await fixture('alertmanager/firing-single.json'));
    await h.settle();

    expect(h.slack.callsTo('conversations.join')).toHaveLength(1);
    expect(h.slack.topLevelMessages(ALERTS)).toHaveLength(1);
    expect((await health(h)).status).toBe('ok');
  });

  it('keeps the incident, reports the channel problem in /healthz, on the timeline and to the declarer (F06)', async () => {
    h = await startHarness({
      standIn: { channels: [{ id: 'C0OTHER01', name: 'other', isMember: true }] },
    });

    const res = await h.postAlert('alertmanager', await fixture('alertmanager/firing-single.json'));
    await h.settle();
    const declared = await h.command('declare Payments are down');
    await h.settle();

    expect(res.status).toBe(202);
    expect(h.bot.incidents.get('INC-1')).toBeDefined();
    const report = await health(h);
    expect(report.status).toBe('degraded');
    expect(JSON.stringify(report.problems)).toContain('channel_not_found');
    const timeline = await h.bot.incidents.timeline('INC-1');
    expect(timeline.at(-1)).toMatchObject({ kind: 'delivery.failed' });
    expect(declared.body.text).toContain('invite the bot');
    const givenUp = h.logs.filter((l) => l.level === 'error' && l.msg === 'outbound job given up');
    // Only the incident messages fail (once per change); nothing else gives up or crashes.
    expect(givenUp.length).toBeGreaterThanOrEqual(2);
    expect(givenUp.every((l) => l.fields.job === 'slack.incident-message')).toBe(true);
  });

  it('falls back to a minimal message when Slack refuses the blocks, and logs Slack’s reasons (F03)', async () => {
    h = await startHarness();
    h.slack.failNext('chat.postMessage', {
      error: 'invalid_blocks',
      body: {
        response_metadata: { messages: ['[ERROR] unsupported type [json-pointer:/blocks/3]'] },
      },
    });

    await h.postAlert('alertmanager', await fixture('alertmanager/firing-group.json'));
    await h.settle();

    const posted = h.slack.topLevelMessages(ALERTS);
    expect(posted).toHaveLength(1);
    expect(posted[0]?.text).toContain('INC-1');
    expect(JSON.stringify(posted[0]?.blocks)).toContain('incident_ack');
    const logged = h.logs.find((l) => l.msg.startsWith('slack refused the incident message'));
    expect(String((logged?.fields.err as Error | undefined)?.message)).toContain(
      'json-pointer:/blocks/3',
    );
  });

  it('waits out a 429 with Retry-After, posts exactly once, and says once that Slack slows it (F08)', async () => {
    h = await startHarness();
    h.slack.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    const incidentPosts = () =>
      h?.slack
        .callsTo('chat.postMessage')
        .filter((c) => String(c.args.text).startsWith('INC-1 ')) ?? [];

    const started = Date.now();
    await h.postAlert('alertmanager', await fixture('alertmanager/firing-single.json'));
    await eventually(() => incidentPosts().some((c) => c.response.ok === true), 5_000);
    await h.settle();

    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(incidentPosts().map((c) => c.status)).toEqual([429, 200]);
    const messages = h.slack.topLevelMessages(ALERTS);
    expect(messages.filter((m) => m.text?.startsWith('INC-1 '))).toHaveLength(1);
    expect(messages.filter((m) => m.text?.includes('rate-limiting Firebreak'))).toHaveLength(1);
  });

  it('retries a 5xx with backoff and then succeeds', async () => {
    h = await startHarness();
    h.slack.failNext('chat.postMessage', { status: 503, times: 2 });

    await h.postAlert('alertmanager', await fixture('alertmanager/firing-single.json'));
    await eventually(() => h?.slack.topLevelMessages(ALERTS).length === 1, 5_000);

    expect(h.slack.callsTo('chat.postMessage')).toHaveLength(3);
    expect(h.logs.filter((l) => l.msg === 'outbound job failed, retrying')).toHaveLength(2);
  });

  it('sends only the latest state when updates pile up behind a slow Slack', async () => {
    h = await startHarness();
    await h.postAlert('alertmanager', await fixture('alertmanager/firing-group.json'));
    await h.settle();
    h.slack.setLatency('chat.update', 300);

    for (let i = 0; i < 10; i += 1)
      await h.postAlert('alertmanager', await fixture('alertmanager/firing-group.json'));
    await h.settle();

    const updates = h.slack.callsTo('chat.update');
    expect(updates.length).toBeLessThanOrEqual(3);
    expect(JSON.stringify(updates.at(-1)?.args.blocks)).toContain('11 notifications');
  });
});

describe('when a message or the connection goes away', () => {
  it('posts the message again when it was deleted in Slack, and keeps it current after', async () => {
    h = await startHarness();
    await h.postAlert('alertmanager', await fixture('alertmanager/firing-group.json'));
    await h.settle();
    h.slack.failNext('chat.update', { error: 'message_not_found' });

    await h.postAlert('alertmanager', await fixture('alertmanager/partially-resolved.json'));
    await h.settle();
    await h.postAlert('alertmanager', await fixture('alertmanager/resolved-group.json'));
    await h.settle();

    const posts = h.slack.callsTo('chat.postMessage');
    expect(posts).toHaveLength(2);
    const latest = h.bot.incidents.get('INC-1')?.refs.slack?.ts;
    expect(latest).toBe(posts[1]?.response.ts);
    expect(h.slack.callsTo('chat.update').at(-1)?.args.ts).toBe(latest);
  });

  it('posts a 100,000-character description in full, over several thread replies Slack accepts', async () => {
    h = await startHarness();
    const description = Array.from(
      { length: 2_000 },
      (_, i) => `frame ${String(i).padStart(4, '0')} at svc.handler (app.js:${i})`,
    )
      .join('\n')
      .slice(0, 100_000);

    await h.postAlert('generic', { title: 'Crash loop', dedup_key: 'crash', description });
    await h.settle();

    const [message] = h.slack.topLevelMessages(ALERTS);
    const replies = h.slack.replies(ALERTS, message?.ts ?? '');
    expect(replies.length).toBeGreaterThan(1);
    expect(h.slack.calls.filter((c) => c.response.ok === false)).toEqual([]);
    const sections = replies.flatMap((r) => (r.blocks ?? []) as Array<{ text: { text: string } }>);
    expect(sections.map((b) => b.text.text).join('')).toBe(description);
  });

  it('refuses to start with a token Slack rejects, naming SLACK_BOT_TOKEN', async () => {
    const slack = await SlackStandIn.start({ token: 'xoxb-the-real-one' });
    const dataDir = await mkdtemp(path.join(tmpdir(), 'firebreak-token-'));
    const config = loadConfig(botEnv(slack.url, dataDir));
    const bot = await createFirebreak(config, { logger: memoryLogger() });

    const started = bot.listen(0, '127.0.0.1');

    await expect(started).rejects.toThrow(/SLACK_BOT_TOKEN was refused by Slack \(invalid_auth\)/);
    await slack.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('takes alerts while Slack cannot be reached and says so in /healthz', async () => {
    const slack = await SlackStandIn.start({ token: TOKEN });
    const url = slack.url;
    await slack.close();
    h = await startHarness({ env: { SLACK_API_URL: url } });

    const res = await h.postAlert('alertmanager', await fixture('alertmanager/firing-single.json'));
    const report = await health(h);

    expect(res.status).toBe(202);
    expect(report.status).toBe('degraded');
    expect(JSON.stringify(report.problems)).toContain('cannot reach the Slack API');
    expect(h.bot.queue.stats().waiting + h.bot.queue.stats().running).toBeGreaterThan(0);
  });

  it('notices Slack going away after start-up, says so in /healthz, and posts what is behind once it is back', async () => {
    h = await startHarness();
    const port = Number(new URL(h.slack.url).port);
    await h.slack.close();

    await h.postAlert('generic', await fixture('generic/firing.json'));
    const degraded = await eventually(async () => {
      const report = await health(h as Harness);
      return report.status === 'degraded' ? report : undefined;
    });
    const back = await SlackStandIn.start({ token: TOKEN, port });
    cleanupStandIn = back;
    const posted = await eventually(() => back.topLevelMessages(ALERTS)[0], 8_000);

    expect(JSON.stringify(degraded.problems)).toContain('cannot reach the Slack API');
    expect(posted.text).toContain('INC-1');
    await eventually(async () => (await health(h as Harness)).status === 'ok');
  });
});
