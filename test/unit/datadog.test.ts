import { afterEach, describe, expect, it } from 'vitest';

import type { AlertBatch } from '../../src/core/types.ts';
import { parseDatadog } from '../../src/sources/datadog.ts';
import type { ParseResult } from '../../src/sources/parse-result.ts';
import { tempIncidentService } from '../support/temp-service.ts';
import { readFixture } from './fixtures.ts';

type Body = Record<string, unknown>;

function fixture(name: string): Body {
  return readFixture(`datadog/${name}`) as Body;
}

/** The triggered fixture with some fields replaced (undefined removes a field). */
function triggeredWith(changes: Body): Body {
  const body: Body = { ...fixture('triggered.json'), ...changes };
  for (const [key, value] of Object.entries(changes)) if (value === undefined) delete body[key];
  return body;
}

function batchOf(result: ParseResult): AlertBatch {
  if (!result.ok) throw new Error(`did not parse: ${result.field} ${result.message}`);
  return result.batch;
}

function soleAlert(body: unknown) {
  const batch = batchOf(parseDatadog(body));
  expect(batch.alerts).toHaveLength(1);
  return batch.alerts[0]!;
}

describe('parseDatadog on the sample payloads', () => {
  it('reads triggered.json as firing and recovered.json as resolved', () => {
    const bodies = [fixture('triggered.json'), fixture('recovered.json')];

    const statuses = bodies.map((body) => soleAlert(body).status);

    expect(statuses).toEqual(['firing', 'resolved']);
  });

  it('gives the trigger, its recovery and a repeat the same alert key and group key', () => {
    const bodies = ['triggered.json', 'recovered.json', 'triggered.json'].map(fixture);

    const batches = bodies.map((body) => batchOf(parseDatadog(body)));

    expect(new Set(batches.map((b) => b.groupKey))).toEqual(new Set(['datadog:1029384:48213377']));
    expect(new Set(batches.map((b) => b.alerts[0]!.key))).toEqual(
      new Set(['48213377:env:prod,service:api']),
    );
  });

  it('names the batch and the alert after the monitor, without Datadog prefixes', () => {
    const body = fixture('triggered.json');

    const batch = batchOf(parseDatadog(body));

    expect(batch.title).toBe('API error rate above 5%');
    expect(batch.alerts[0]!.title).toBe('API error rate above 5%');
    expect(batch.alerts[0]!.summary).toBe('API error rate above 5% (env:prod, service:api)');
  });

  it('reads priority P1 as critical', () => {
    const body = fixture('triggered.json');

    const alert = soleAlert(body);

    expect(alert.severity).toBe('critical');
  });

  it('turns tags into labels', () => {
    const body = fixture('triggered.json');

    const alert = soleAlert(body);

    expect(alert.labels).toEqual({ env: 'prod', service: 'api' });
  });

  it('describes the alert with the message, without the %%% wrapper or @webhook mention', () => {
    const body = fixture('triggered.json');

    const alert = soleAlert(body);

    expect(alert.description).toMatch(/^API 5xx error rate is 8\.6% for service:api/);
    expect(alert.description).not.toContain('%%%');
    expect(alert.description).not.toContain('@webhook-incident-bot');
  });

  it('links the monitor, the runbook, the event and the snapshot', () => {
    const body = fixture('triggered.json');

    const alert = soleAlert(body);

    expect(alert.links).toEqual([
      {
        title: 'Monitor',
        url: 'https://app.datadog.example.test/monitors/48213377',
        kind: 'generator',
      },
      { title: 'Runbook', url: 'https://runbooks.example.test/api/error-rate', kind: 'runbook' },
      { title: 'Datadog event', url: body.link, kind: 'source' },
      { title: 'Graph snapshot', url: body.snapshot, kind: 'dashboard' },
    ]);
  });

  it('starts the triggered alert at $DATE and ends the recovered one at its $DATE', () => {
    const bodies = [fixture('triggered.json'), fixture('recovered.json')];

    const [firing, resolved] = bodies.map(soleAlert);

    expect(firing).toMatchObject({ startsAt: '2026-03-14T03:05:12.000Z', endsAt: undefined });
    expect(resolved).toMatchObject({ startsAt: undefined, endsAt: '2026-03-14T03:27:42.000Z' });
  });
});

describe('transitions and priorities', () => {
  it.each([
    ['Triggered', 'firing'],
    ['Re-Triggered', 'firing'],
    ['Warn', 'firing'],
    ['Re-Warn', 'firing'],
    ['No Data', 'firing'],
    ['Re-No Data', 'firing'],
    ['Renotify', 'firing'],
    ['Recovered', 'resolved'],
  ])('reads transition %j as %s', (transition, expected) => {
    const body = triggeredWith({ transition });

    const alert = soleAlert(body);

    expect(alert.status).toBe(expected);
  });

  it.each([
    ['P1', 'critical'],
    ['P2', 'error'],
    ['P3', 'warning'],
    ['P4', 'info'],
    ['P5', 'info'],
  ])('reads priority %j as %s', (priority, expected) => {
    const body = triggeredWith({ priority });

    const alert = soleAlert(body);

    expect(alert.severity).toBe(expected);
  });

  it.each([
    ['P1', 'warning'],
    ['P5', 'info'],
  ])('reads a Warn of a %s monitor as %s', (priority, expected) => {
    const body = triggeredWith({ transition: 'Warn', priority });

    const alert = soleAlert(body);

    expect(alert.severity).toBe(expected);
  });

  it('takes the severity from alert_type when the monitor has no priority', () => {
    const body = triggeredWith({ priority: '' });

    const alert = soleAlert(body);

    expect(alert.severity).toBe('error');
  });

  it('does not restart the alert on a renotification', () => {
    const body = triggeredWith({ transition: 'Renotify', date: '1773461112000' });

    const alert = soleAlert(body);

    expect(alert.startsAt).toBeUndefined();
  });
});

describe('variables Datadog left empty or unrendered', () => {
  it('accepts a test notification with an empty transition and hostname, as firing', () => {
    const body = triggeredWith({ transition: '', hostname: '' });

    const alert = soleAlert(body);

    expect(alert.status).toBe('firing');
    expect(alert.labels.host).toBeUndefined();
  });

  it('reads an empty transition with alert_type success as resolved', () => {
    const body = triggeredWith({ transition: '', alert_type: 'success' });

    const alert = soleAlert(body);

    expect(alert.status).toBe('resolved');
  });

  it('treats $VARIABLE text left in place as absent', () => {
    const body = triggeredWith({
      tags: '$TAGS',
      scope: '$ALERT_SCOPE',
      priority: '$ALERT_PRIORITY',
      link: '$LINK',
      snapshot: '$SNAPSHOT',
      hostname: '$HOSTNAME',
      date: '$DATE',
      org: { id: '$ORG_ID', name: '$ORG_NAME' },
    });

    const batch = batchOf(parseDatadog(body));

    const alert = batch.alerts[0]!;
    expect(batch.groupKey).toBe('datadog::48213377');
    expect(alert.key).toBe('48213377');
    expect(alert.labels).toEqual({});
    expect(alert.startsAt).toBeUndefined();
    expect(alert.links.map((l) => l.title)).toEqual(['Runbook']);
  });

  it('keeps a body with only the monitor ID', () => {
    const body = { alert_id: '48213377' };

    const batch = batchOf(parseDatadog(body));

    expect(batch.title).toBe('Datadog monitor 48213377');
    expect(batch.alerts[0]).toMatchObject({ key: '48213377', status: 'firing' });
  });

  it('keys by the alert cycle key when the monitor ID is empty', () => {
    const body = triggeredWith({ alert_id: '' });

    const alert = soleAlert(body);

    expect(alert.key).toBe(fixture('triggered.json').alert_cycle_key);
  });

  it('accepts values a template left unquoted as numbers', () => {
    const body = triggeredWith({ alert_id: 48213377, date: 1773457512000 });

    const alert = soleAlert(body);

    expect(alert.key).toBe('48213377:env:prod,service:api');
    expect(alert.startsAt).toBe('2026-03-14T03:05:12.000Z');
  });

  it('takes the host label from hostname when tags lack it', () => {
    const body = triggeredWith({ hostname: 'ip-10-0-0-12' });

    const alert = soleAlert(body);

    expect(alert.labels.host).toBe('ip-10-0-0-12');
  });
});

describe('tags', () => {
  it('makes a bare tag a label with value "true"', () => {
    const body = triggeredWith({ tags: 'env:prod,canary' });

    const alert = soleAlert(body);

    expect(alert.labels).toEqual({ env: 'prod', canary: 'true', service: 'api' });
  });

  it('keeps both values of a tag key given twice, and the colons inside a value', () => {
    const body = triggeredWith({ tags: 'team:a, team:b,url:https://x.test:8443' });

    const alert = soleAlert(body);

    expect(alert.labels).toMatchObject({ team: 'a,b', url: 'https://x.test:8443' });
  });

  it('gives the same key whatever the order of the scope tags', () => {
    const bodies = [
      triggeredWith({ scope: 'env:prod, service:api' }),
      triggeredWith({ scope: 'service:api,env:prod' }),
    ];

    const keys = bodies.map((body) => soleAlert(body).key);

    expect(keys[0]).toBe(keys[1]);
  });

  it('keys two groups of one monitor apart but groups them in one batch key', () => {
    const bodies = [
      triggeredWith({ scope: 'env:prod, service:api' }),
      triggeredWith({ scope: 'env:prod, service:web' }),
    ];

    const batches = bodies.map((body) => batchOf(parseDatadog(body)));

    expect(batches[0]!.alerts[0]!.key).not.toBe(batches[1]!.alerts[0]!.key);
    expect(batches[0]!.groupKey).toBe(batches[1]!.groupKey);
  });
});

describe('hostile text in a Datadog notification', () => {
  it('keeps mrkdwn, mentions and markup as data, unescaped', () => {
    const text = '[P1] cc <!channel> <@U0VICTIM> *bold* & <https://evil.test|runbook>';
    const body = triggeredWith({ alert_title: text, tags: `note:${text}` });

    const alert = soleAlert(body);

    expect(alert.title).toBe('cc <!channel> <@U0VICTIM> *bold* & <https://evil.test|runbook>');
    expect(alert.labels.note).toBe(text);
  });

  it('drops links that are not http(s)', () => {
    const body = triggeredWith({
      link: 'javascript:alert(1)',
      snapshot: 'file:///etc/passwd',
      body: 'Runbook: javascript:alert(2)',
    });

    const alert = soleAlert(body);

    expect(alert.links).toEqual([]);
  });
});

describe('parseDatadog on bodies that are not the template', () => {
  it("says alert_id is required for Datadog's default template", () => {
    const body = {
      body: 'text',
      last_updated: '1773457512000',
      event_type: 'query_alert_monitor',
      title: '[Triggered] API error rate above 5%',
      date: '1773457512000',
      org: { id: '1029384', name: 'Example Corp' },
      id: '7742918350216634889',
    };

    const result = parseDatadog(body);

    expect(result).toEqual({ ok: false, field: 'alert_id', message: 'is required' });
  });

  it('names alert_id when no identity variable was rendered', () => {
    const body = triggeredWith({ alert_id: '$ALERT_ID', alert_cycle_key: '', aggregation_key: '' });

    const result = parseDatadog(body);

    expect(result).toMatchObject({ ok: false, field: 'alert_id' });
  });

  it('names date when it is not epoch milliseconds', () => {
    const body = triggeredWith({ date: '2026-03-14T03:05:12Z' });

    const result = parseDatadog(body);

    expect(result).toEqual({
      ok: false,
      field: 'date',
      message: 'must be epoch milliseconds ($DATE)',
    });
  });

  it('names tags when they come as a list', () => {
    const body = triggeredWith({ tags: ['env:prod'] });

    const result = parseDatadog(body);

    expect(result).toMatchObject({ ok: false, field: 'tags' });
  });

  it('names org when it is not an object', () => {
    const body = triggeredWith({ org: 'Example Corp' });

    const result = parseDatadog(body);

    expect(result).toMatchObject({ ok: false, field: 'org' });
  });

  it.each([[null], ['text'], [42], [[]]])('refuses the body %j with a message', (body) => {
    const input = body;

    const result = parseDatadog(input);

    expect(result).toMatchObject({ ok: false, field: '(body)' });
  });
});

describe('Datadog deliveries through IncidentService', () => {
  let closers: (() => Promise<void>)[] = [];

  afterEach(async () => {
    await Promise.all(closers.map((close) => close()));
    closers = [];
  });

  async function service() {
    const { incidents, close } = await tempIncidentService('2026-03-14T03:10:00Z');
    closers.push(close);
    return incidents;
  }

  it('counts a renotification as a repeat and resolves on the recovery', async () => {
    const incidents = await service();
    const bodies = [
      fixture('triggered.json'),
      triggeredWith({ transition: 'Re-Triggered', date: '1773461112000' }),
      fixture('recovered.json'),
    ];

    const results = [];
    for (const body of bodies) results.push(await incidents.ingest(batchOf(parseDatadog(body))));

    expect(results.map((r) => r.incidentId)).toEqual(['INC-1', 'INC-1', 'INC-1']);
    const kinds = (await incidents.timeline('INC-1')).map((e) => e.kind);
    expect(kinds).toEqual([
      'incident.opened',
      'alert.fired',
      'alert.repeated',
      'alert.resolved',
      'incident.resolved',
    ]);
    expect(incidents.get('INC-1')).toMatchObject({ status: 'resolved', severity: 'critical' });
  });
});
