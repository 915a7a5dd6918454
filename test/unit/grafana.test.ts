import { afterEach, describe, expect, it } from 'vitest';

import type { AlertBatch } from '../../src/core/types.ts';
import { parseGrafana } from '../../src/sources/grafana.ts';
import type { ParseResult } from '../../src/sources/parse-result.ts';
import { tempIncidentService } from '../support/temp-service.ts';
import { readFixture } from './fixtures.ts';

interface RawAlert {
  status: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  fingerprint?: string;
  generatorURL?: string;
  silenceURL?: string;
  dashboardURL?: string;
  panelURL?: string;
  imageURL?: string;
  values?: Record<string, number>;
  valueString?: string;
}

interface RawPayload {
  orgId?: number;
  groupKey: string;
  externalURL: string;
  commonAnnotations: Record<string, string>;
  alerts: RawAlert[];
}

function raw(name: string): RawPayload {
  return readFixture(`grafana/${name}`) as RawPayload;
}

/** A fixture with some of its fields replaced, as a fresh object. */
function variant(name: string, change: (payload: RawPayload) => void): RawPayload {
  const payload = structuredClone(raw(name));
  change(payload);
  return payload;
}

function batchOf(result: ParseResult): AlertBatch {
  if (!result.ok) throw new Error(`did not parse: ${result.field} ${result.message}`);
  return result.batch;
}

const firstAlert = (body: unknown) => batchOf(parseGrafana(body)).alerts[0]!;

describe('parseGrafana on the sample payloads', () => {
  it.each(['firing.json', 'resolved.json'])('parses %s as a grafana batch', (name) => {
    const body = raw(name);

    const batch = batchOf(parseGrafana(body));

    expect(batch.source).toBe('grafana');
    expect(batch.alerts).toHaveLength(body.alerts.length);
  });

  it('keys each alert by its fingerprint', () => {
    const body = raw('firing.json');

    const batch = batchOf(parseGrafana(body));

    expect(batch.alerts.map((a) => a.key)).toEqual(body.alerts.map((a) => a.fingerprint));
  });

  it('gives the firing and the resolved delivery the same alert keys and group key', () => {
    const bodies = [raw('firing.json'), raw('resolved.json'), raw('firing.json')];

    const batches = bodies.map((body) => batchOf(parseGrafana(body)));

    expect(new Set(batches.map((b) => b.groupKey)).size).toBe(1);
    expect(new Set(batches.map((b) => b.alerts.map((a) => a.key).join())).size).toBe(1);
  });

  it('prefixes the group key with grafana and the organisation', () => {
    const body = raw('firing.json');

    const batch = batchOf(parseGrafana(body));

    expect(batch.groupKey).toMatch(/^grafana:1:\{\}\//);
  });

  it('keeps two organisations with the same group key apart', () => {
    const other = variant('firing.json', (p) => {
      p.orgId = 2;
    });

    const keys = [raw('firing.json'), other].map((body) => batchOf(parseGrafana(body)).groupKey);

    expect(keys[0]).not.toBe(keys[1]);
  });

  it('reads the firing file as firing and the resolved file as resolved, alert by alert', () => {
    const bodies = [raw('firing.json'), raw('resolved.json')];

    const statuses = bodies.map((body) => batchOf(parseGrafana(body)).alerts.map((a) => a.status));

    expect(statuses).toEqual([
      ['firing', 'firing'],
      ['resolved', 'resolved'],
    ]);
  });

  it('keeps the endsAt of a resolved alert and drops the zero time of a firing one', () => {
    const bodies = [raw('firing.json'), raw('resolved.json')];

    const ends = bodies.map((body) => firstAlert(body).endsAt);

    expect(ends).toEqual([undefined, raw('resolved.json').alerts[0]!.endsAt]);
  });

  it('titles and summarises an alert by its summary annotation', () => {
    const body = raw('firing.json');

    const alert = firstAlert(body);

    expect(alert.title).toBe(body.alerts[0]!.annotations.summary);
    expect(alert.summary).toBe(body.alerts[0]!.annotations.summary);
  });

  it('reads severity from the severity label', () => {
    const body = raw('firing.json');

    const alert = firstAlert(body);

    expect(alert.severity).toBe('critical');
  });

  it('puts the valueString after the description', () => {
    const body = raw('firing.json');
    const [sent] = body.alerts;

    const alert = firstAlert(body);

    expect(alert.description).toBe(
      `${sent!.annotations.description}\n\nValues: ${sent!.valueString}`,
    );
  });

  it('links the alert to its source, runbook, dashboard, panel and silence', () => {
    const body = raw('firing.json');
    const [sent] = body.alerts;

    const alert = firstAlert(body);

    expect(alert.links).toEqual([
      { title: 'Source', url: sent!.generatorURL, kind: 'generator' },
      { title: 'Runbook', url: sent!.annotations.runbook_url, kind: 'runbook' },
      { title: 'Dashboard', url: sent!.dashboardURL, kind: 'dashboard' },
      { title: 'Panel', url: sent!.panelURL, kind: 'dashboard' },
      { title: 'Silence', url: sent!.silenceURL, kind: 'other' },
    ]);
  });

  it('links the batch to Grafana at its externalURL', () => {
    const body = raw('firing.json');

    const batch = batchOf(parseGrafana(body));

    expect(batch.links).toEqual([{ title: 'Grafana', url: body.externalURL, kind: 'source' }]);
  });
});

describe('optional Grafana fields', () => {
  it('formats values when there is no valueString, as Grafana 10+ sends', () => {
    const body = variant('firing.json', (p) => {
      delete p.alerts[0]!.valueString;
    });

    const alert = firstAlert(body);

    expect(alert.description).toMatch(/\n\nValues: B=7\.42, C=1$/);
  });

  it('keeps the bare description without values or valueString, as Grafana 9 may send', () => {
    const body = variant('firing.json', (p) => {
      delete p.alerts[0]!.values;
      delete p.alerts[0]!.valueString;
    });

    const alert = firstAlert(body);

    expect(alert.description).toBe(body.alerts[0]!.annotations.description);
  });

  it('leaves out the links Grafana sends as empty strings', () => {
    const body = variant('firing.json', (p) => {
      p.alerts[0]!.dashboardURL = '';
      p.alerts[0]!.panelURL = '';
      p.alerts[0]!.silenceURL = '';
    });

    const alert = firstAlert(body);

    expect(alert.links.map((l) => l.title)).toEqual(['Source', 'Runbook']);
  });

  it('links a screenshot when the alert has an imageURL', () => {
    const body = variant('firing.json', (p) => {
      p.alerts[0]!.imageURL = 'https://grafana.example.test/public/img/attachments/abc.png';
    });

    const alert = firstAlert(body);

    expect(alert.links).toContainEqual({
      title: 'Screenshot',
      url: 'https://grafana.example.test/public/img/attachments/abc.png',
      kind: 'other',
    });
  });

  it('titles an alert by its alertname when it has no summary annotation', () => {
    const body = variant('firing.json', (p) => {
      p.alerts[0]!.annotations = {};
    });

    const alert = firstAlert(body);

    expect(alert.title).toBe('CheckoutErrorRate');
    expect(alert.summary).toMatch(/cluster=prod-eu-1/);
    expect(alert.description).toMatch(/^Values: /);
  });

  it('reads severity from a priority label when there is no severity label', () => {
    const body = variant('firing.json', (p) => {
      delete p.alerts[0]!.labels.severity;
      p.alerts[0]!.labels.priority = 'P3';
    });

    const alert = firstAlert(body);

    expect(alert.severity).toBe('warning');
  });

  it('keys an alert without fingerprint by its labels, whatever their order', () => {
    const one = variant('firing.json', (p) => {
      delete p.alerts[0]!.fingerprint;
      p.alerts[0]!.labels = { alertname: 'A', instance: 'x', job: 'j' };
    });
    const two = variant('firing.json', (p) => {
      p.alerts[0]!.fingerprint = '';
      p.alerts[0]!.labels = { job: 'j', instance: 'x', alertname: 'A' };
    });

    const keys = [one, two].map((body) => firstAlert(body).key);

    expect(keys[0]).toMatch(/\S/);
    expect(keys[0]).toBe(keys[1]);
  });

  it('accepts a body without orgId', () => {
    const body = variant('firing.json', (p) => {
      delete p.orgId;
    });

    const batch = batchOf(parseGrafana(body));

    expect(batch.groupKey).toMatch(/^grafana::/);
  });
});

describe('hostile text in a Grafana alert', () => {
  it('keeps mrkdwn, mentions and markup as data, unescaped', () => {
    const text = 'cc <!channel> <@U0VICTIM> *bold* & <https://evil.test|runbook>';
    const body = variant('firing.json', (p) => {
      p.alerts[0]!.annotations.summary = text;
      p.alerts[0]!.labels.team = text;
    });

    const alert = firstAlert(body);

    expect(alert.summary).toBe(text);
    expect(alert.labels.team).toBe(text);
  });

  it('drops links that are not http(s)', () => {
    const body = variant('firing.json', (p) => {
      p.alerts[0]!.generatorURL = 'javascript:alert(1)';
      p.alerts[0]!.annotations.runbook_url = 'file:///etc/passwd';
      p.externalURL = 'data:text/html,<script>1</script>';
    });

    const batch = batchOf(parseGrafana(body));

    const urls = [...batch.links, ...batch.alerts[0]!.links].map((l) => l.url);
    const sent = body.alerts[0]!;
    expect(urls).toEqual([sent.dashboardURL, sent.panelURL, sent.silenceURL]);
  });
});

describe('parseGrafana on invalid input', () => {
  it('says groupKey is required when it is missing', () => {
    const body = variant('firing.json', (p) => {
      delete (p as Partial<RawPayload>).groupKey;
    });

    const result = parseGrafana(body);

    expect(result).toEqual({ ok: false, field: 'groupKey', message: 'is required' });
  });

  it('names alerts when there are none', () => {
    const body = variant('firing.json', (p) => {
      p.alerts = [];
    });

    const result = parseGrafana(body);

    expect(result).toMatchObject({ ok: false, field: 'alerts' });
  });

  it('names alerts[1].status when it is neither firing nor resolved', () => {
    const body = variant('firing.json', (p) => {
      p.alerts[1]!.status = 'alerting';
    });

    const result = parseGrafana(body);

    expect(result).toMatchObject({ ok: false, field: 'alerts[1].status' });
  });

  it('names alerts[0].startsAt when it is no time', () => {
    const body = variant('firing.json', (p) => {
      p.alerts[0]!.startsAt = 'yesterday';
    });

    const result = parseGrafana(body);

    expect(result).toEqual({
      ok: false,
      field: 'alerts[0].startsAt',
      message: 'must be an RFC 3339 time',
    });
  });

  it('names alerts[0].labels.team when a label is not a string', () => {
    const body = variant('firing.json', (p) => {
      (p.alerts[0]!.labels as Record<string, unknown>).team = 7;
    });

    const result = parseGrafana(body);

    expect(result).toEqual({
      ok: false,
      field: 'alerts[0].labels.team',
      message: 'must be a string',
    });
  });

  it('refuses a legacy Grafana alert (ruleName, evalMatches) naming groupKey', () => {
    const legacy = { ruleName: 'CPU', state: 'alerting', evalMatches: [], title: '[Alerting] CPU' };

    const result = parseGrafana(legacy);

    expect(result).toEqual({ ok: false, field: 'groupKey', message: 'is required' });
  });

  it.each([[null], ['text'], [42], [[]]])('refuses the body %j with a message', (body) => {
    const input = body;

    const result = parseGrafana(input);

    expect(result).toMatchObject({ ok: false, field: '(body)' });
  });
});

describe('Grafana deliveries through IncidentService', () => {
  let closers: (() => Promise<void>)[] = [];

  afterEach(async () => {
    await Promise.all(closers.map((close) => close()));
    closers = [];
  });

  async function service() {
    const { incidents, close } = await tempIncidentService('2026-03-14T02:50:00Z');
    closers.push(close);
    return incidents;
  }

  it('counts a repeated firing delivery as a repeat and resolves on the resolved one', async () => {
    const incidents = await service();
    const deliveries = ['firing.json', 'firing.json', 'resolved.json'].map((name) =>
      batchOf(parseGrafana(raw(name))),
    );

    const results = [];
    for (const batch of deliveries) results.push(await incidents.ingest(batch));

    expect(results.map((r) => r.incidentId)).toEqual(['INC-1', 'INC-1', 'INC-1']);
    const kinds = (await incidents.timeline('INC-1')).map((e) => e.kind);
    expect(kinds.filter((k) => k === 'alert.repeated')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'alert.resolved')).toHaveLength(2);
    expect(incidents.get('INC-1')).toMatchObject({ status: 'resolved', severity: 'critical' });
  });
});
