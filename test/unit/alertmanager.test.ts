import { describe, expect, it } from 'vitest';

import type { AlertBatch } from '../../src/core/types.ts';
import { normalizeGroupKey, parseAlertmanager } from '../../src/sources/alertmanager.ts';
import type { ParseResult } from '../../src/sources/parse-result.ts';
import { fixtureFiles, readFixture } from './fixtures.ts';

interface RawAlert {
  status: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint?: string;
}

interface RawPayload {
  version: string;
  groupKey: string;
  receiver: string;
  externalURL: string;
  alerts: RawAlert[];
}

const ZERO_TIME = '0001-01-01T00:00:00Z';

function raw(path: string): RawPayload {
  return readFixture(path) as RawPayload;
}

/** A fixture with some of its fields replaced, as a fresh object. */
function variant(path: string, change: (payload: RawPayload) => void): RawPayload {
  const payload = structuredClone(raw(path));
  change(payload);
  return payload;
}

function batchOf(result: ParseResult): AlertBatch {
  if (!result.ok) throw new Error(`did not parse: ${result.field} ${result.message}`);
  return result.batch;
}

const groupFixtures = [
  'alertmanager/firing-group.json',
  'alertmanager/partially-resolved.json',
  'alertmanager/resolved-group.json',
];

describe('parseAlertmanager on the sample payloads', () => {
  it.each(fixtureFiles('alertmanager'))('parses %s', (path) => {
    const body = raw(path);

    const result = parseAlertmanager(body);

    expect(result.ok).toBe(true);
    expect(batchOf(result).source).toBe('alertmanager');
  });

  it.each(groupFixtures)('keys the alerts of %s by their fingerprints', (path) => {
    const body = raw(path);

    const batch = batchOf(parseAlertmanager(body));

    expect(batch.alerts.map((a) => a.key)).toEqual(body.alerts.map((a) => a.fingerprint));
  });

  it('gives the three group payloads one group key', () => {
    const bodies = groupFixtures.map(raw);

    const keys = bodies.map((body) => batchOf(parseAlertmanager(body)).groupKey);

    expect(new Set(keys).size).toBe(1);
  });

  it('reads partially-resolved as 3 resolved and 2 firing, alert by alert', () => {
    const body = raw('alertmanager/partially-resolved.json');

    const batch = batchOf(parseAlertmanager(body));

    const statuses = batch.alerts.map((a) => a.status);
    expect(statuses).toEqual(body.alerts.map((a) => a.status));
    expect(statuses.filter((s) => s === 'resolved')).toHaveLength(3);
    expect(statuses.filter((s) => s === 'firing')).toHaveLength(2);
  });

  it('turns the zero endsAt into undefined', () => {
    const body = raw('alertmanager/firing-group.json');

    const batch = batchOf(parseAlertmanager(body));

    expect(body.alerts.every((a) => a.endsAt === ZERO_TIME)).toBe(true);
    for (const alert of batch.alerts) expect(alert.endsAt).toBeUndefined();
  });

  it('keeps a real endsAt of a resolved alert', () => {
    const body = raw('alertmanager/partially-resolved.json');

    const batch = batchOf(parseAlertmanager(body));

    const expected = body.alerts.map((a) => (a.endsAt === ZERO_TIME ? undefined : a.endsAt));
    expect(batch.alerts.map((a) => a.endsAt)).toEqual(expected);
  });

  it('links each alert to its generator (Source) and its runbook', () => {
    const body = raw('alertmanager/firing-single.json');
    const [alert] = body.alerts;

    const batch = batchOf(parseAlertmanager(body));

    expect(batch.alerts[0]!.links).toEqual(
      expect.arrayContaining([
        { title: 'Source', url: alert!.generatorURL, kind: 'generator' },
        { title: 'Runbook', url: alert!.annotations.runbook_url, kind: 'runbook' },
      ]),
    );
  });

  it('links the batch to Alertmanager at its externalURL', () => {
    const body = raw('alertmanager/firing-single.json');

    const batch = batchOf(parseAlertmanager(body));

    expect(batch.links).toContainEqual({
      title: 'Alertmanager',
      url: body.externalURL,
      kind: 'source',
    });
  });

  it('drops a link that is not http(s)', () => {
    const body = variant('alertmanager/firing-single.json', (p) => {
      p.alerts[0]!.generatorURL = 'javascript:alert(1)';
      p.externalURL = 'file:///etc/passwd';
    });

    const batch = batchOf(parseAlertmanager(body));

    const urls = [...batch.links, ...batch.alerts.flatMap((a) => a.links)].map((l) => l.url);
    expect(urls).not.toContain('javascript:alert(1)');
    expect(urls).not.toContain('file:///etc/passwd');
  });

  it('accepts a startsAt with nanoseconds and a zone offset, as RFC 3339 allows', () => {
    const body = variant('alertmanager/firing-single.json', (p) => {
      p.alerts[0]!.startsAt = '2026-03-14T03:58:43.211412345+02:00';
    });

    const result = parseAlertmanager(body);

    expect(result.ok).toBe(true);
  });
});

describe('F09: normalizeGroupKey', () => {
  const first =
    '{}/{severity=~"^(?:page)$",alertname=~"^(?:Graphite.*)$"}:{alertname="GraphiteIngestionDelay"}';
  const second =
    '{}/{alertname=~"^(?:Graphite.*)$",severity=~"^(?:page)$"}:{alertname="GraphiteIngestionDelay"}';

  it('reads the same matchers in another order as the same key', () => {
    const keys = [first, second];

    const normalized = keys.map(normalizeGroupKey);

    expect(normalized[0]).toBe(normalized[1]);
  });

  it('ignores the space Alertmanager writes after a comma', () => {
    const spaced = '{}:{alertname="A", cluster="prod"}';
    const tight = '{}:{cluster="prod",alertname="A"}';

    const normalized = [spaced, tight].map(normalizeGroupKey);

    expect(normalized[0]).toBe(normalized[1]);
  });

  it('keeps different matchers apart', () => {
    const other =
      '{}/{severity=~"^(?:ticket)$",alertname=~"^(?:Graphite.*)$"}:{alertname="GraphiteIngestionDelay"}';

    const normalized = [first, other].map(normalizeGroupKey);

    expect(normalized[0]).not.toBe(normalized[1]);
  });

  it('keeps matchers of the route and of the group apart', () => {
    const inRoute = '{}/{team="a"}:{alertname="X"}';
    const inGroup = '{}/{alertname="X"}:{team="a"}';

    const normalized = [inRoute, inGroup].map(normalizeGroupKey);

    expect(normalized[0]).not.toBe(normalized[1]);
  });

  it('keeps a matcher with a comma inside its quotes whole', () => {
    const key = '{}:{job="x", instance="a,b"}';

    const normalized = normalizeGroupKey(key);

    expect(normalized).toContain('instance="a,b"');
    expect(normalized).toBe(normalizeGroupKey('{}:{instance="a,b",job="x"}'));
    expect(normalized).not.toBe(normalizeGroupKey('{}:{instance="a",b",job="x"}'));
  });

  it('keeps a matcher with a brace or an escaped quote inside its quotes whole', () => {
    const key = '{}:{job="x", msg="a}\\",b"}';

    const normalized = normalizeGroupKey(key);

    expect(normalized).toContain('msg="a}\\",b"');
    expect(normalized).toBe(normalizeGroupKey('{}:{msg="a}\\",b",job="x"}'));
  });

  it('gives two replicas of one group, with different externalURLs, one batch group key', () => {
    const one = variant('alertmanager/firing-single.json', (p) => {
      p.groupKey = first;
      p.externalURL = 'http://am-1.test:9093';
    });
    const two = variant('alertmanager/firing-single.json', (p) => {
      p.groupKey = second;
      p.externalURL = 'http://am-2.test:9093';
    });

    const keys = [one, two].map((body) => batchOf(parseAlertmanager(body)).groupKey);

    expect(keys[0]).toBe(keys[1]);
  });
});

describe('parseAlertmanager on invalid input', () => {
  const base = 'alertmanager/firing-single.json';

  it('names version when it is missing', () => {
    const body = variant(base, (p) => {
      delete (p as Partial<RawPayload>).version;
    });

    const result = parseAlertmanager(body);

    expect(result).toMatchObject({ ok: false, field: 'version' });
  });

  it('names version when it is not "4"', () => {
    const body = variant(base, (p) => {
      p.version = '1';
    });

    const result = parseAlertmanager(body);

    expect(result).toMatchObject({ ok: false, field: 'version' });
  });

  it('names alerts when there are none', () => {
    const body = variant(base, (p) => {
      p.alerts = [];
    });

    const result = parseAlertmanager(body);

    expect(result).toMatchObject({ ok: false, field: 'alerts' });
  });

  it('says alerts[0].status is required when an alert has no status', () => {
    const body = variant(base, (p) => {
      delete (p.alerts[0] as Partial<RawAlert>).status;
    });

    const result = parseAlertmanager(body);

    expect(result).toEqual({ ok: false, field: 'alerts[0].status', message: 'is required' });
  });

  it('says alerts[0].startsAt is required when an alert has no startsAt', () => {
    const body = variant(base, (p) => {
      delete (p.alerts[0] as Partial<RawAlert>).startsAt;
    });

    const result = parseAlertmanager(body);

    expect(result).toEqual({ ok: false, field: 'alerts[0].startsAt', message: 'is required' });
  });

  it('names alerts[0].startsAt when it is no time', () => {
    const body = variant(base, (p) => {
      p.alerts[0]!.startsAt = 'yesterday';
    });

    const result = parseAlertmanager(body);

    expect(result).toMatchObject({ ok: false, field: 'alerts[0].startsAt' });
  });

  it.each([null, 'text', 42, []])('refuses the body %j with a message', (body) => {
    const input = body;

    const result = parseAlertmanager(input);

    expect(result.ok).toBe(false);
    expect(result.ok === false && result.message).toBeTruthy();
  });
});

describe('an alert without fingerprint', () => {
  function withoutFingerprint(labels: Record<string, string>) {
    return variant('alertmanager/firing-single.json', (p) => {
      delete p.alerts[0]!.fingerprint;
      p.alerts[0]!.labels = labels;
    });
  }

  const keyOf = (body: unknown) => batchOf(parseAlertmanager(body)).alerts[0]!.key;

  it('gets a non-empty key from its labels', () => {
    const body = withoutFingerprint({ alertname: 'A', instance: 'x' });

    const key = keyOf(body);

    expect(key).toMatch(/\S/);
  });

  it('gets the same key for the same labels, whatever their order', () => {
    const one = withoutFingerprint({ alertname: 'A', instance: 'x', job: 'j' });
    const two = withoutFingerprint({ job: 'j', instance: 'x', alertname: 'A' });

    const keys = [one, two].map(keyOf);

    expect(keys[0]).toBe(keys[1]);
  });

  it('gets another key when a label value differs', () => {
    const one = withoutFingerprint({ alertname: 'A', instance: 'x' });
    const two = withoutFingerprint({ alertname: 'A', instance: 'y' });

    const keys = [one, two].map(keyOf);

    expect(keys[0]).not.toBe(keys[1]);
  });
});
