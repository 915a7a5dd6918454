import { afterEach, describe, expect, it } from 'vitest';
import {
  ALERTS,
  eventually,
  fixture,
  json,
  startHarness,
  type Harness,
} from '../support/harness.ts';

let h: Harness | undefined;

afterEach(async () => {
  await h?.close();
  h = undefined;
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
    expect(
      h.logs.filter((l) => l.level === 'error' && l.msg === 'outbound job given up'),
    ).toHaveLength(2);
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

  it('waits out a 429 with Retry-After and posts exactly once (F08)', async () => {
    h = await startHarness();
    h.slack.failNext('chat.postMessage', { status: 429, retryAfter: 1 });

    const started = Date.now();
    await h.postAlert('alertmanager', await fixture('alertmanager/firing-single.json'));
    await eventually(() => h?.slack.topLevelMessages(ALERTS).length === 1, 5_000);

    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(h.slack.callsTo('chat.postMessage')).toHaveLength(2);
    expect(h.slack.topLevelMessages(ALERTS)).toHaveLength(1);
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
