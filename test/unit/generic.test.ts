import { describe, expect, it } from 'vitest';

import type { AlertBatch } from '../../src/core/types.ts';
import { parseGeneric } from '../../src/sources/generic.ts';
import type { ParseResult } from '../../src/sources/parse-result.ts';
import { readFixture } from './fixtures.ts';

type Body = Record<string, unknown>;

function fixture(name: string): Body {
  return readFixture(`generic/${name}`) as Body;
}

/** The firing fixture with some fields replaced (undefined removes a field). */
function firingWith(changes: Body): Body {
  const body: Body = { ...fixture('firing.json'), ...changes };
  for (const [key, value] of Object.entries(changes)) if (value === undefined) delete body[key];
  return body;
}

function batchOf(result: ParseResult): AlertBatch {
  if (!result.ok) throw new Error(`did not parse: ${result.field} ${result.message}`);
  return result.batch;
}

function soleAlert(batch: AlertBatch) {
  expect(batch.alerts).toHaveLength(1);
  return batch.alerts[0]!;
}

describe('parseGeneric on the sample payloads', () => {
  it('keys the firing and the resolved alert by their shared dedup_key', () => {
    const firing = fixture('firing.json');
    const resolved = fixture('resolved.json');

    const keys = [firing, resolved].map((body) => soleAlert(batchOf(parseGeneric(body))).key);

    expect(firing.dedup_key).toBe(resolved.dedup_key);
    expect(keys).toEqual([firing.dedup_key, resolved.dedup_key]);
  });

  it('reads status firing and resolved from the two files', () => {
    const bodies = [fixture('firing.json'), fixture('resolved.json')];

    const statuses = bodies.map((body) => soleAlert(batchOf(parseGeneric(body))).status);

    expect(statuses).toEqual(bodies.map((body) => body.status));
  });

  it('keeps the fixture links with their titles and URLs', () => {
    const body = fixture('firing.json');

    const alert = soleAlert(batchOf(parseGeneric(body)));

    const expected = (body.links as Array<{ title: string; url: string }>).map((l) => ({
      title: l.title,
      url: l.url,
    }));
    expect(alert.links.map((l) => ({ title: l.title, url: l.url }))).toEqual(expected);
  });

  it('treats a missing status as firing', () => {
    const body = firingWith({ status: undefined });

    const alert = soleAlert(batchOf(parseGeneric(body)));

    expect(alert.status).toBe('firing');
  });
});

describe('severity', () => {
  it.each([
    ['P1', 'critical'],
    ['warn', 'warning'],
    ['CRITICAL', 'critical'],
    ['error', 'error'],
    ['info', 'info'],
  ])('reads %j as %s', (given, expected) => {
    const body = firingWith({ severity: given });

    const alert = soleAlert(batchOf(parseGeneric(body)));

    expect(alert.severity).toBe(expected);
  });

  it('refuses the unknown severity urgent, naming the field', () => {
    const body = firingWith({ severity: 'urgent' });

    const result = parseGeneric(body);

    expect(result).toMatchObject({ ok: false, field: 'severity' });
  });
});

describe('invalid input', () => {
  it('says title is required when it is missing', () => {
    const body = firingWith({ title: undefined });

    const result = parseGeneric(body);

    expect(result).toEqual({ ok: false, field: 'title', message: 'is required' });
  });

  it('refuses a blank title, naming the field', () => {
    const body = firingWith({ title: '   ' });

    const result = parseGeneric(body);

    expect(result).toMatchObject({ ok: false, field: 'title' });
  });

  it('says dedup_key is required when it is missing', () => {
    const body = firingWith({ dedup_key: undefined });

    const result = parseGeneric(body);

    expect(result).toEqual({ ok: false, field: 'dedup_key', message: 'is required' });
  });

  it('refuses a javascript: link URL, naming links[0].url', () => {
    const body = firingWith({ links: [{ title: 'Runbook', url: 'javascript:alert(1)' }] });

    const result = parseGeneric(body);

    expect(result).toMatchObject({ ok: false, field: 'links[0].url' });
  });

  it('names the index of the bad link among good ones', () => {
    const links = [
      { title: 'Runbook', url: 'https://runbooks.example.test/a' },
      { title: 'Mail', url: 'mailto:oncall@example.com' },
    ];
    const body = firingWith({ links });

    const result = parseGeneric(body);

    expect(result).toMatchObject({ ok: false, field: 'links[1].url' });
  });

  it('refuses a started_at that is no time, naming the field', () => {
    const body = firingWith({ started_at: 'yesterday' });

    const result = parseGeneric(body);

    expect(result).toMatchObject({ ok: false, field: 'started_at' });
  });
});

describe('labels', () => {
  it('turns numeric and boolean label values into strings', () => {
    const body = firingWith({ labels: { retries: 3, ratio: 0.5, canary: true, env: 'prod' } });

    const alert = soleAlert(batchOf(parseGeneric(body)));

    expect(alert.labels).toMatchObject({ retries: '3', ratio: '0.5', canary: 'true', env: 'prod' });
  });

  it('keeps the source as a label', () => {
    const body = fixture('firing.json');

    const alert = soleAlert(batchOf(parseGeneric(body)));

    expect(alert.labels.source).toBe(body.source);
  });
});

describe('group key', () => {
  it('uses group_key as the batch groupKey when given', () => {
    const body = firingWith({ group_key: 'payments/psp' });

    const batch = batchOf(parseGeneric(body));

    expect(batch.groupKey).toBe('payments/psp');
    expect(soleAlert(batch).key).toBe(body.dedup_key);
  });

  it('falls back to dedup_key as the batch groupKey', () => {
    const body = fixture('firing.json');

    const batch = batchOf(parseGeneric(body));

    expect(body.group_key).toBeUndefined();
    expect(batch.groupKey).toBe(body.dedup_key);
  });
});
