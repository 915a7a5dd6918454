import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ALERTS,
  eventually,
  fixture,
  fixtureJson,
  json,
  startHarness,
  type Harness,
} from '../support/harness.ts';

let h: Harness;

beforeEach(async () => {
  h = await startHarness();
});

afterEach(async () => {
  await h.close();
});

/** Incidents on disk: in their files, or still only in the journal. */
async function storedIncidents() {
  const ids = new Set<string>();
  for (const name of await readdir(path.join(h.dataDir, 'incidents'))) {
    if (name.endsWith('.json')) ids.add(name.replace(/\.json$/, ''));
  }
  for (const name of await readdir(h.dataDir)) {
    if (!name.startsWith('journal-')) continue;
    const text = await readFile(path.join(h.dataDir, name), 'utf8');
    for (const line of text.split('\n').filter(Boolean)) {
      ids.add((JSON.parse(line) as { incident: { id: string } }).incident.id);
    }
  }
  return [...ids];
}

function incidentMessages() {
  return h.slack.topLevelMessages(ALERTS);
}

function allText(message: { text?: string; blocks?: unknown[] }) {
  return `${message.text ?? ''}\n${JSON.stringify(message.blocks ?? [])}`;
}

describe('refused alert webhooks', () => {
  it('answers 401 without the bearer token, or with a wrong one, and stores nothing', async () => {
    const body = await fixture('alertmanager/firing-single.json');

    const missing = await h.postAlert('alertmanager', body, { authorization: '' });
    const wrong = await h.postAlert('alertmanager', body, {
      authorization: 'Bearer not-the-token-at-all',
    });

    expect(missing.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect((await json(wrong)).error).toBe('unauthorized');
    expect(await storedIncidents()).toEqual([]);
    expect(h.slack.calls.filter((c) => c.method !== 'auth.test')).toEqual([]);
  });

  it('answers 415 to a body that is not declared as JSON', async () => {
    const res = await h.postAlert('generic', await fixture('generic/firing.json'), {
      'content-type': 'text/plain',
    });

    expect(res.status).toBe(415);
    expect((await json(res)).error).toBe('unsupported_media_type');
    expect(await storedIncidents()).toEqual([]);
  });

  it('answers 413 to a body over 1 MiB', async () => {
    const huge = JSON.stringify({
      title: 'x',
      dedup_key: 'k',
      description: 'y'.repeat(1024 * 1024),
    });

    const res = await h.postAlert('generic', huge);

    expect(res.status).toBe(413);
    expect((await json(res)).error).toBe('payload_too_large');
    expect(await storedIncidents()).toEqual([]);
  });

  it('answers 400 naming the body when the JSON is malformed', async () => {
    const res = await h.postAlert('alertmanager', '{"version": "4", "alerts": [');

    expect(res.status).toBe(400);
    expect(await json(res)).toMatchObject({ error: 'invalid_json', field: '(body)' });
  });

  it('answers 400 naming the missing or invalid field, logs it once and changes nothing', async () => {
    const payload = await fixtureJson('alertmanager/firing-group.json');
    const alerts = payload.alerts as Array<Record<string, unknown>>;
    delete alerts[2]?.status;

    const res = await h.postAlert('alertmanager', payload);

    expect(res.status).toBe(400);
    expect(await json(res)).toMatchObject({ error: 'invalid_payload', field: 'alerts[2].status' });
    expect(h.logs.filter((l) => l.msg === 'alert webhook refused')).toHaveLength(1);
    expect(await storedIncidents()).toEqual([]);
    expect(h.slack.callsTo('chat.postMessage')).toEqual([]);
  });
});

describe('accepted alerts', () => {
  it('answers 202 with the incident ID and posts one message with the buttons', async () => {
    const res = await h.postAlert('alertmanager', await fixture('alertmanager/firing-group.json'));
    await h.settle();

    expect(res.status).toBe(202);
    expect(await json(res)).toMatchObject({ status: 'accepted', incident: 'INC-1', created: true });
    const [message] = incidentMessages();
    expect(incidentMessages()).toHaveLength(1);
    const text = allText(message ?? {});
    expect(text).toContain('INC-1');
    expect(text).toContain('5 of 5 firing');
    expect(text).toContain('p99 latency is 2.31s on checkout-api-1');
    expect(text).toContain('https://runbooks.example.test/checkout/high-request-latency');
    expect(text).toContain('incident_ack');
    expect(text).toContain('incident_resolve');
  });

  it('updates the same message on repeats and partial resolution, and shows it resolved at the end', async () => {
    await h.postAlert('alertmanager', await fixture('alertmanager/firing-group.json'));
    await h.settle();

    await h.postAlert('alertmanager', await fixture('alertmanager/firing-group.json'));
    await h.settle();
    const afterRepeat = allText(incidentMessages()[0] ?? {});
    await h.postAlert('alertmanager', await fixture('alertmanager/partially-resolved.json'));
    await h.settle();
    const afterPartial = allText(incidentMessages()[0] ?? {});
    const last = await h.postAlert(
      'alertmanager',
      await fixture('alertmanager/resolved-group.json'),
    );
    await h.settle();

    expect(last.status).toBe(202);
    expect(incidentMessages()).toHaveLength(1);
    expect(h.slack.callsTo('chat.postMessage')).toHaveLength(1);
    expect(afterRepeat).toContain('2 notifications');
    expect(afterPartial).toContain('2 of 5 firing');
    const final = allText(incidentMessages()[0] ?? {});
    expect(final).toContain('RESOLVED');
    expect(final).toContain('0 of 5 firing');
    expect(final).not.toContain('incident_ack');
  });

  it('keeps separate incidents for separate groups and dedup keys', async () => {
    await h.postAlert('alertmanager', await fixture('alertmanager/firing-single.json'));
    await h.postAlert('alertmanager', await fixture('alertmanager/firing-group.json'));
    await h.postAlert('generic', await fixture('generic/firing.json'));
    const resolved = await h.postAlert('generic', await fixture('generic/resolved.json'));
    await h.settle();

    expect(await json(resolved)).toMatchObject({ incident: 'INC-3', created: false });
    expect(incidentMessages()).toHaveLength(3);
    expect(await storedIncidents()).toHaveLength(3);
  });

  it('answers 202 "ignored" to a resolved alert of no known incident, and posts nothing', async () => {
    const res = await h.postAlert('generic', await fixture('generic/resolved.json'));

    expect(res.status).toBe(202);
    expect(await json(res)).toMatchObject({ status: 'ignored' });
    expect(await storedIncidents()).toEqual([]);
  });

  it('merges one alert sent under two differently ordered group keys by two Alertmanagers (F09)', async () => {
    const alert = {
      status: 'firing',
      labels: { alertname: 'GraphiteIngestionDelay', env: 'prod' },
      annotations: { summary: 'Graphite ingestion is 5 minutes behind' },
      startsAt: '2026-03-14T01:00:00Z',
      endsAt: '0001-01-01T00:00:00Z',
      fingerprint: '9f8e7d6c5b4a3921',
    };
    const webhook = (groupKey: string, externalURL: string) => ({
      version: '4',
      status: 'firing',
      receiver: 'incident-bot',
      groupKey,
      groupLabels: { alertname: 'GraphiteIngestionDelay' },
      commonLabels: alert.labels,
      commonAnnotations: {},
      externalURL,
      alerts: [alert],
    });
    const first = webhook(
      '{}/{severity=~"^(?:page)$",alertname=~"^(?:Graphite.*)$"}:{alertname="GraphiteIngestionDelay"}',
      'http://am-1.test:9093',
    );
    const second = webhook(
      '{}/{alertname=~"^(?:Graphite.*)$",severity=~"^(?:page)$"}:{alertname="GraphiteIngestionDelay"}',
      'http://am-2.test:9093',
    );

    await h.postAlert('alertmanager', first);
    await h.postAlert('alertmanager', second);
    const repeat = await h.postAlert('alertmanager', first);
    await h.settle();

    expect(await json(repeat)).toMatchObject({ incident: 'INC-1', created: false });
    expect(incidentMessages()).toHaveLength(1);
    expect(allText(incidentMessages()[0] ?? {})).toContain('3 notifications');
  });

  it('shows hostile alert text literally: no ping, no planted link, & escaped once (F04)', async () => {
    await h.postAlert('generic', await fixture('hostile/generic-mrkdwn-injection.json'));
    await h.settle();

    const post = h.slack.callsTo('chat.postMessage')[0];
    const sent = `${String(post?.args.text)}\n${JSON.stringify(post?.args.blocks)}`;
    expect(post?.response.ok).toBe(true);
    for (const token of [
      '<!channel>',
      '<!here>',
      '<!everyone>',
      '<@U0VICTIM>',
      '<https://evil.test',
    ]) {
      expect(sent).not.toContain(token);
    }
    expect(sent).toContain(
      'Latency &gt; 500ms &amp; errors &lt; 1% in map&lt;string,string&gt; parser',
    );
    expect(sent).not.toContain('&amp;amp;');
  });

  it('posts a 6,000-character description cut to fit, with the full text in a thread (F03)', async () => {
    await h.postAlert('alertmanager', await fixture('hostile/alertmanager-long-description.json'));
    await h.settle();

    const [message] = incidentMessages();
    expect(message).toBeDefined();
    expect(allText(message ?? {})).toContain('…');
    const replies = await eventually(() => {
      const r = h.slack.replies(ALERTS, message?.ts ?? '');
      return r.length > 0 ? r : undefined;
    });
    const sections = replies.flatMap((r) => (r.blocks ?? []) as Array<{ text: { text: string } }>);
    const threadText = sections.map((b) => b.text.text).join('');
    expect(threadText.split('Charge.java:123').length - 1).toBe(120);
  });

  it('shows a group of 60 alerts with unicode as one message, capped with "and N more"', async () => {
    const payload = await fixtureJson<{ alerts: Array<{ status: string }> }>(
      'hostile/alertmanager-60-unicode-alerts.json',
    );
    const firing = payload.alerts.filter((a) => a.status === 'firing').length;

    await h.postAlert('alertmanager', payload);
    await h.settle();

    const text = allText(incidentMessages()[0] ?? {});
    expect(text).toContain(`${firing} of 60 firing`);
    expect(text).toContain('and 50 more');
    expect(text).toContain('Zürich');
    expect(text).not.toContain('<!channel>');
  });
});
