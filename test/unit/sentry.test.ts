import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AlertBatch, NormalizedAlert } from '../../src/core/types.ts';
import type { ParseResult } from '../../src/sources/parse-result.ts';
import {
  parseSentry,
  sentryIgnored,
  sentryResourceOf,
  verifySentrySignature,
} from '../../src/sources/sentry.ts';
import { readFixture } from './fixtures.ts';

const SECRET = 'sentry-secret-test';

/** Field report F02's body, byte for byte: spaces after colons, a \u escape, escaped slashes. */
const F02 = Buffer.from(
  String.raw`{"action": "triggered", "data": {"event": {"title": "TypeError: \u00e9l\u00e9ment undefined", "web_url": "https:\/\/sentry.test\/issues\/1\/"}}, "installation": {"uuid": "inst-0001"}}`,
);

const sign = (raw: Buffer, secret = SECRET) =>
  createHmac('sha256', secret).update(raw).digest('hex');

function batchOf(result: ParseResult): AlertBatch {
  if (!result.ok) throw new Error(`did not parse: ${result.field} ${result.message}`);
  return result.batch;
}

function soleAlert(batch: AlertBatch): NormalizedAlert {
  expect(batch.alerts).toHaveLength(1);
  return batch.alerts[0] as NormalizedAlert;
}

interface EventAlert {
  action: string;
  data: { event: Record<string, unknown>; triggered_rule?: string };
}

function issueAlert(change: (body: EventAlert) => void = () => {}): EventAlert {
  const body = structuredClone(readFixture('sentry/issue-alert-triggered.json')) as EventAlert;
  change(body);
  return body;
}

function issueDelivery(action: string, issue: Record<string, unknown> = {}) {
  return {
    action,
    installation: { uuid: 'inst-0001' },
    data: {
      issue: {
        id: '48213',
        shortId: 'CHECKOUT-API-3F',
        title: "TypeError: Cannot read properties of undefined (reading 'amount')",
        level: 'error',
        culprit: 'chargeCard(src/payments/charge)',
        status: action === 'resolved' ? 'resolved' : 'unresolved',
        web_url: 'https://sentry.example.test/organizations/example-corp/issues/48213/',
        project: { id: '6', name: 'checkout-api', slug: 'checkout-api' },
        ...issue,
      },
    },
    actor: { type: 'user', id: '1', name: 'Pat' },
  };
}

describe('verifySentrySignature', () => {
  it('accepts the F02 bytes signed with the test secret', () => {
    expect(verifySentrySignature(sign(F02), F02, SECRET)).toBe(true);
  });

  it('refuses the F02 signature once one byte of the body changed', () => {
    const changed = Buffer.from(F02);
    changed[changed.indexOf('inst-0001') + 8] = '2'.charCodeAt(0);

    expect(verifySentrySignature(sign(F02), changed, SECRET)).toBe(false);
  });

  it('refuses the signature of the re-serialised JSON (F02)', () => {
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(F02.toString('utf8'))));

    expect(verifySentrySignature(sign(reserialised), F02, SECRET)).toBe(false);
  });

  it('accepts upper-case hex and surrounding spaces', () => {
    expect(verifySentrySignature(` ${sign(F02).toUpperCase()} `, F02, SECRET)).toBe(true);
  });

  it.each([
    ['a missing header', undefined],
    ['an empty header', ''],
    ['another secret', sign(F02, 'someone-else')],
    ['a prefixed value', `sha256=${sign(F02)}`],
    ['hex that is too short', sign(F02).slice(0, 62)],
    ['not hex at all', 'z'.repeat(64)],
  ])('refuses %s', (_what, header) => {
    expect(verifySentrySignature(header, F02, SECRET)).toBe(false);
  });

  it('refuses everything when no secret is configured', () => {
    expect(verifySentrySignature(sign(F02, ''), F02, '')).toBe(false);
  });
});

describe('parseSentry on an issue alert', () => {
  it('reads the F02 body without a resource header, keyed by the issue in its web_url', () => {
    const body: unknown = JSON.parse(F02.toString('utf8'));

    const batch = batchOf(parseSentry(body, undefined));

    const alert = soleAlert(batch);
    expect(alert).toMatchObject({
      key: '1',
      status: 'firing',
      title: 'TypeError: élément undefined',
      severity: 'error',
    });
    expect(alert.links).toEqual([
      { title: 'Sentry', url: 'https://sentry.test/issues/1/', kind: 'generator' },
    ]);
  });

  it('maps the sample issue alert to one firing alert of issue 48213', () => {
    const batch = batchOf(parseSentry(issueAlert(), 'event_alert'));

    const alert = soleAlert(batch);
    expect(batch).toMatchObject({
      source: 'sentry',
      groupKey: 'issue:48213',
      title: "TypeError: Cannot read properties of undefined (reading 'amount')",
    });
    expect(alert).toMatchObject({ key: '48213', status: 'firing', severity: 'error' });
    expect(alert.labels).toEqual({
      project: '6',
      environment: 'production',
      level: 'error',
      release: 'checkout-api@4.18.2',
      culprit: 'chargeCard(src/payments/charge)',
      platform: 'node',
      rule: 'Checkout: new unhandled error in production',
    });
    expect(alert.links[0]?.url).toBe(
      'https://sentry.example.test/organizations/example-corp/issues/48213/events/2044d2cdf761b67a10f92df8b36b0680/',
    );
    expect(alert.description).toContain('Rule: Checkout: new unhandled error in production');
  });

  it.each([
    ['fatal', 'critical'],
    ['error', 'error'],
    ['warning', 'warning'],
    ['info', 'info'],
    ['debug', 'info'],
    [undefined, 'error'],
  ])('reads level %j as severity %s', (level, severity) => {
    const body = issueAlert((b) => {
      b.data.event.level = level;
    });

    const alert = soleAlert(batchOf(parseSentry(body, 'event_alert')));

    expect(alert.severity).toBe(severity);
  });

  it('takes environment and release from the tags when the event lacks them', () => {
    const body = issueAlert((b) => {
      delete b.data.event.environment;
      delete b.data.event.release;
    });

    const alert = soleAlert(batchOf(parseSentry(body, 'event_alert')));

    expect(alert.labels).toMatchObject({
      environment: 'production',
      release: 'checkout-api@4.18.2',
    });
  });

  it('drops a web_url that is not http(s)', () => {
    const body = issueAlert((b) => {
      b.data.event.web_url = 'javascript:alert(1)';
    });

    const alert = soleAlert(batchOf(parseSentry(body, 'event_alert')));

    expect(alert.links).toEqual([]);
  });

  it('says data.event.issue_id is required when neither it nor an issue URL is there', () => {
    const body = issueAlert((b) => {
      delete b.data.event.issue_id;
      delete b.data.event.web_url;
    });

    const result = parseSentry(body, 'event_alert');

    expect(result).toEqual({ ok: false, field: 'data.event.issue_id', message: 'is required' });
  });

  it('says data.event.title is required when it is missing', () => {
    const body = issueAlert((b) => {
      delete b.data.event.title;
    });

    const result = parseSentry(body, 'event_alert');

    expect(result).toEqual({ ok: false, field: 'data.event.title', message: 'is required' });
  });
});

describe('parseSentry on issue deliveries', () => {
  it.each([
    ['resolved', 'resolved'],
    ['unresolved', 'firing'],
    ['archived', 'resolved'],
    ['ignored', 'resolved'],
  ])('maps action %s to a %s alert of the same issue as its issue alert', (action, status) => {
    const batch = batchOf(parseSentry(issueDelivery(action), 'issue'));

    const alert = soleAlert(batch);
    expect(batch.groupKey).toBe('issue:48213');
    expect(alert).toMatchObject({ key: '48213', status });
    expect(alert.labels).toMatchObject({ project: 'checkout-api', issue: 'CHECKOUT-API-3F' });
  });

  it('accepts a numeric issue id', () => {
    const alert = soleAlert(
      batchOf(parseSentry(issueDelivery('resolved', { id: 48213 }), 'issue')),
    );

    expect(alert.key).toBe('48213');
  });

  it('says data.issue.id is required when it is missing', () => {
    const result = parseSentry(issueDelivery('resolved', { id: undefined }), 'issue');

    expect(result).toEqual({ ok: false, field: 'data.issue.id', message: 'is required' });
  });
});

describe('resources', () => {
  it('refuses a resource nobody documents, naming the header', () => {
    const result = parseSentry(issueAlert(), 'made_up');

    expect(result).toMatchObject({ ok: false, field: 'Sentry-Hook-Resource' });
    expect(result.ok || result.message).toMatch(/^is not handled/);
  });

  it.each([
    ['installation', 'created', true],
    ['comment', 'created', true],
    ['metric_alert', 'critical', true],
    ['error', 'created', true],
    ['issue', 'assigned', true],
    ['issue', 'created', true],
    ['issue', 'some_future_action', true],
    ['event_alert', 'some_future_action', true],
    ['event_alert', 'triggered', false],
    ['issue', 'resolved', false],
    ['issue', 'unresolved', false],
    ['made_up', 'triggered', true],
    [undefined, 'triggered', false],
  ])('treats %s %s as ignored: %s', (resource, action, ignored) => {
    expect(sentryIgnored(resource, action)).toBe(ignored);
  });

  it('infers the resource from the body when the header is missing', () => {
    expect(sentryResourceOf(undefined, issueAlert())).toBe('event_alert');
    expect(sentryResourceOf(undefined, issueDelivery('resolved'))).toBe('issue');
    expect(sentryResourceOf(undefined, { action: 'created', data: {} })).toBeUndefined();
    expect(sentryResourceOf('Issue', issueAlert())).toBe('issue');
  });
});
