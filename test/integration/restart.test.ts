import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SlackStandIn } from '../fakes/slack/slack-stand-in.ts';
import { slackSignatureHeaders, slashCommandBody } from '../fakes/slack/sign.ts';
import { startBotProcess, type BotProcess } from '../support/bot-process.ts';
import {
  ALERTS,
  botEnv,
  eventually,
  fixture,
  SIGNING_SECRET,
  startHarness,
  TOKEN,
  WEBHOOK_TOKEN,
  type Harness,
} from '../support/harness.ts';

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('after a restart', () => {
  it('keeps incidents and their timeline, numbers on, and updates the same message', async () => {
    const h: Harness = await startHarness();
    cleanups.push(() => h.close());
    await h.postAlert('alertmanager', await fixture('alertmanager/firing-group.json'));
    await h.command('ack INC-1');
    await h.settle();

    await h.restart();
    await h.postAlert('alertmanager', await fixture('alertmanager/resolved-group.json'));
    await h.command('declare Second incident');
    await h.settle();

    const timeline = await h.bot.incidents.timeline('INC-1');
    expect(timeline.map((e) => e.kind)).toContain('incident.acknowledged');
    expect(timeline.at(-1)?.kind).toBe('incident.resolved');
    expect(timeline.map((e) => e.seq)).toEqual(timeline.map((_, i) => i + 1));
    expect(h.bot.incidents.get('INC-2')?.title).toBe('Second incident');
    expect(h.slack.topLevelMessages(ALERTS)).toHaveLength(2);
    const toAlerts = h.slack.callsTo('chat.postMessage').filter((c) => c.args.channel === ALERTS);
    expect(toAlerts).toHaveLength(2);
  });
});

describe('after kill -9', () => {
  async function setUp() {
    const slack = await SlackStandIn.start({ token: TOKEN });
    const dataDir = await mkdtemp(path.join(tmpdir(), 'firebreak-kill-'));
    cleanups.push(async () => {
      await slack.close();
      await rm(dataDir, { recursive: true, force: true, maxRetries: 5 });
    });
    const env = botEnv(slack.url, dataDir);
    const start = async () => {
      const bot = await startBotProcess(env);
      cleanups.push(() => bot.stop());
      return bot;
    };
    return { slack, start };
  }

  function post(bot: BotProcess, route: string, body: unknown) {
    return fetch(`${bot.url}/webhooks/${route}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${WEBHOOK_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  async function command(bot: BotProcess, text: string) {
    const body = slashCommandBody({ text });
    const res = await fetch(`${bot.url}/slack/events`, {
      method: 'POST',
      headers: slackSignatureHeaders(SIGNING_SECRET, body),
      body,
    });
    return ((await res.json()) as { text: string }).text;
  }

  it('loses no alert answered 202 and gives every incident exactly one message', async () => {
    const { slack, start } = await setUp();
    const first = await start();

    const answers: number[] = [];
    for (let i = 1; i <= 12; i += 1) {
      const res = await post(first, 'generic', {
        title: `Queue ${i} is backing up`,
        dedup_key: `queue-${i}`,
        severity: 'warning',
      });
      answers.push(res.status);
    }
    await first.kill9();
    const second = await start();
    await eventually(() => slack.topLevelMessages(ALERTS).length >= 12, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 500));

    expect(answers.every((s) => s === 202)).toBe(true);
    const list = await command(second, 'list');
    expect(list).toContain('Open incidents (12)');
    const posted = slack.topLevelMessages(ALERTS).map((m) => m.text?.split(' ')[0]);
    expect(new Set(posted).size).toBe(12);
    expect(posted).toHaveLength(12);
  });

  it('does not post twice when killed after Slack took the post but before the bot heard back', async () => {
    const { slack, start } = await setUp();
    const first = await start();
    slack.setResponseDelay('chat.postMessage', 5_000);

    const res = await post(first, 'generic', {
      title: 'Payments are failing',
      dedup_key: 'payments',
    });
    await eventually(() => slack.topLevelMessages(ALERTS).length === 1, 5_000);
    await first.kill9();
    slack.setResponseDelay('chat.postMessage', 0);
    const second = await start();
    await eventually(() => slack.callsTo('chat.update').length >= 1, 15_000);

    expect(res.status).toBe(202);
    expect(slack.topLevelMessages(ALERTS)).toHaveLength(1);
    expect(slack.callsTo('conversations.history').length).toBeGreaterThanOrEqual(1);
    expect(await command(second, 'timeline INC-1')).toContain('Opened by generic');
  });

  it.each(['conversations.create', 'bookmarks.add', 'chat.postMessage'])(
    'sets up one channel, one summary and one bookmark when killed while %s is answered',
    async (method) => {
      const { slack, start } = await setUp();
      const first = await start();
      // The summary is a post to the new channel; the alert message (to ALERTS) goes through.
      slack.setResponseDelay(method, 6_000);
      const slowOnlyIn = (channel: unknown) => method !== 'chat.postMessage' || channel !== ALERTS;

      await command(first, 'declare sev2 Checkout is down');
      await eventually(() => {
        const calls = slack.calls.filter((c) => c.method === method && slowOnlyIn(c.args.channel));
        return calls.length > 0 || slack.channels().some((c) => c.name.startsWith('inc-'));
      }, 10_000);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await first.kill9();
      slack.setResponseDelay(method, 0);
      await start();
      const [channel] = await eventually(() => {
        const made = slack.channels().filter((c) => c.name.startsWith('inc-'));
        return made.length > 0 && made[0]!.topic ? made : undefined;
      }, 20_000);
      await new Promise((resolve) => setTimeout(resolve, 1_000));

      expect(slack.channels().filter((c) => c.name.startsWith('inc-'))).toHaveLength(1);
      const summaries = slack
        .messages(channel!.id)
        .filter((m) => m.text?.startsWith('INC-1 · SEV2'));
      expect(summaries).toHaveLength(1);
      expect(slack.channel(channel!.id)!.pins).toHaveLength(1);
      expect(slack.channel(channel!.id)!.bookmarks.length).toBeLessThanOrEqual(1);
    },
  );
});
