import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ALERTS,
  eventually,
  fixture,
  json,
  PAT,
  startHarness,
  type Harness,
} from '../support/harness.ts';

let h: Harness | undefined;

afterEach(async () => {
  await h?.close();
  h = undefined;
});

function blocksOf(harness: Harness, id: string) {
  const ts = harness.bot.incidents.get(id)?.refs.slack?.ts;
  const message = harness.slack.topLevelMessages(ALERTS).find((m) => m.ts === ts);
  return JSON.stringify(message?.blocks ?? []);
}

describe('metrics', () => {
  it('counts alerts by source and outcome, incidents by state, Slack calls and ack time', async () => {
    h = await startHarness();
    await h.postAlert('alertmanager', await fixture('alertmanager/firing-group.json'));
    await h.postAlert('generic', { title: 'missing its key' });
    await h.command('ack INC-1');
    await h.settle();

    const scrape = async () => {
      const res = await fetch(`${h?.url}/metrics`);
      return { res, text: await res.text() };
    };
    const { res, text } = await eventually(async () => {
      const result = await scrape();
      return result.text.includes('firebreak_outbound_queue_depth 0') ? result : undefined;
    });

    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(text).toContain(
      'firebreak_alerts_received_total{source="alertmanager",outcome="accepted"} 1',
    );
    expect(text).toContain(
      'firebreak_alerts_received_total{source="generic",outcome="refused_400"} 1',
    );
    expect(text).toContain('firebreak_incidents{state="acknowledged"} 1');
    expect(text).toMatch(
      /firebreak_outbound_calls_total\{service="slack",method="chat.postMessage",outcome="ok"\} 1/,
    );
    expect(text).toContain('firebreak_outbound_call_duration_seconds_bucket');
    expect(text).toMatch(/firebreak_slack_ack_seconds_count [1-9]/);
    expect(text).toContain('firebreak_outbound_queue_depth 0');
    expect(text).toContain('firebreak_outbound_oldest_job_age_seconds');
  });
});

describe('readiness and logs', () => {
  it('is ready while the store takes writes, and says why not when it cannot', async () => {
    h = await startHarness();
    const ready = await fetch(`${h.url}/readyz`);

    await rm(h.dataDir, { recursive: true, force: true });
    const broken = await fetch(`${h.url}/readyz`);

    expect(ready.status).toBe(200);
    expect(broken.status).toBe(503);
    expect(String((await json(broken)).reason)).toContain('store unavailable');
  });

  it('logs one line per request with a request ID, and no token', async () => {
    h = await startHarness();

    const res = await h.postAlert('generic', await fixture('generic/firing.json'), {
      'x-request-id': 'req-123',
    });

    const lines = h.logs.filter((l) => l.msg === 'request' && l.fields.requestId === 'req-123');
    expect(res.headers.get('x-request-id')).toBe('req-123');
    expect(lines).toHaveLength(1);
    expect(lines[0]?.fields).toMatchObject({
      method: 'POST',
      path: '/webhooks/generic',
      status: 202,
    });
    expect(JSON.stringify(h.logs)).not.toContain('test-alert-webhook-token');
  });
});

describe('when Slack slows the bot down', () => {
  it('keeps posting new incidents while updates are rate-limited, and says so once (F08)', async () => {
    h = await startHarness();
    await h.postAlert('alertmanager', await fixture('alertmanager/firing-group.json'));
    await h.settle();
    h.slack.failNext('chat.update', { status: 429, retryAfter: 3 });

    await h.postAlert('alertmanager', await fixture('alertmanager/partially-resolved.json'));
    await eventually(() => h?.slack.callsTo('chat.update').some((c) => c.status === 429));
    await h.postAlert('alertmanager', await fixture('alertmanager/partially-resolved.json'));
    await h.postAlert('generic', await fixture('generic/firing.json'));
    const posted = await eventually(() => h?.bot.incidents.get('INC-2')?.refs.slack?.ts, 2_000);

    expect(posted).toBeTruthy();
    expect(h.slack.callsTo('chat.update').filter((c) => c.status === 429)).toHaveLength(1);
    const notices = h.slack
      .topLevelMessages(ALERTS)
      .filter((m) => m.text?.includes('rate-limiting Firebreak'));
    expect(notices).toHaveLength(1);
    await eventually(() => h?.slack.callsTo('chat.update').some((c) => c.status === 200), 6_000);
    expect(blocksOf(h, 'INC-1')).toContain('2 of 5 firing');
  });

  it('answers clicks and commands within 3 s while Slack hangs and the queue is backed up', async () => {
    h = await startHarness();
    await h.postAlert('generic', await fixture('generic/firing.json'));
    await h.settle();
    h.slack.setLatency('chat.postMessage', 15_000);
    h.slack.setLatency('chat.update', 15_000);
    for (let i = 0; i < 20; i += 1)
      await h.postAlert('generic', { title: `Backlog ${i}`, dedup_key: `backlog-${i}` });

    const started = Date.now();
    const click = await h.click('incident_ack', 'INC-1', PAT);
    const clickMs = Date.now() - started;
    const list = await h.command('list');
    const totalMs = Date.now() - started;

    expect(click.status).toBe(200);
    expect(clickMs).toBeLessThan(3_000);
    expect(list.body.text).toContain('Open incidents (21)');
    expect(totalMs - clickMs).toBeLessThan(3_000);
    expect(h.bot.queue.stats().waiting + h.bot.queue.stats().running).toBeGreaterThan(10);
    h.slack.setLatency('chat.postMessage', 0);
    h.slack.setLatency('chat.update', 0);
  });
});

describe('given-up work', () => {
  it('shows it on the incident message with a Retry button, tells the thread, and retries on a click', async () => {
    h = await startHarness();
    const inThread = (args: Record<string, unknown>) => Boolean(args.thread_ts);
    h.slack.failNext('chat.postMessage', { error: 'restricted_action', when: inThread });

    await h.postAlert('generic', {
      title: 'Crash loop',
      dedup_key: 'crash',
      description: 'x'.repeat(5_000),
    });
    await h.settle();
    await eventually(() => blocksOf(h as Harness, 'INC-1').includes('outbound_retry'));
    const failedView = blocksOf(h, 'INC-1');
    const jobId = /"action_id":"outbound_retry".*?"value":"([^"]+)"/.exec(failedView)?.[1] ?? '';
    const ts = h.bot.incidents.get('INC-1')?.refs.slack?.ts ?? '';
    const notice = await eventually(() =>
      h?.slack.replies(ALERTS, ts).find((r) => r.text?.includes('Gave up')),
    );

    await h.click('outbound_retry', jobId, PAT);
    await eventually(() =>
      h?.slack.replies(ALERTS, ts).some((r) => r.text?.startsWith('Full alert text')),
    );
    await eventually(() => !blocksOf(h as Harness, 'INC-1').includes('outbound_retry'));

    expect(failedView).toContain('Gave up on the full alert text in the thread after 1 attempt(s)');
    expect(failedView).toContain('restricted_action');
    expect(notice?.text).toContain('Press Retry');
    const kinds = await eventually(async () => {
      const all = (await h?.bot.incidents.timeline('INC-1'))?.map((e) => e.kind) ?? [];
      return all.includes('delivery.recovered') ? all : undefined;
    });
    expect(kinds).toEqual(
      expect.arrayContaining(['delivery.failed', 'delivery.retried', 'delivery.recovered']),
    );
  });

  it('tells the clicker when the work is no longer waiting for a retry', async () => {
    h = await startHarness();
    await h.postAlert('generic', await fixture('generic/firing.json'));
    await h.settle();

    await h.click('outbound_retry', 'no-such-job', PAT);

    const note = await eventually(() => h?.slack.ephemerals[0]);
    expect(note.text).toContain('no longer waiting for a retry');
  });
});
