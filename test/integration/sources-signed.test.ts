import { createHmac, createSign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IncidentService } from '../../src/core/incident-service.ts';
import { Health } from '../../src/health.ts';
import { snsStringToSign, type SnsEnvelope } from '../../src/sources/cloudwatch.ts';
import { cloudWatchWebhookRoute } from '../../src/sources/cloudwatch-webhook-route.ts';
import { sentryWebhookRoute } from '../../src/sources/sentry-webhook-route.ts';
import { LowdbStore } from '../../src/store/lowdb-store.ts';
import { memoryLogger, type LogLine } from '../support/memory-logger.ts';

/*
 * The two routes run here on an app of our own (the bot itself is in alert-sources.test.ts), so
 * that F02 can mount app-wide body parsers beside them; with the real IncidentService and store
 * on a temporary folder, over real HTTP on loopback. Every outbound fetch goes to `fetchText`, a
 * stand-in that fails on any URL it does not know.
 */

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures');
const CERT = readFileSync(path.join(FIXTURES, 'cloudwatch', 'sns-test-signing-cert.pem'), 'utf8');
const KEY = readFileSync(path.join(FIXTURES, 'cloudwatch', 'sns-test-signing-key.pem'), 'utf8');
const CERT_URL =
  'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-2fa560267aff7849704eaaa72e572734.pem';
const SENTRY_SECRET = 'sentry-secret-test';
const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:alarms';
const F10_SUBSCRIBE_URL =
  'https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&Token=tok-test';

/** Field report F10, step 1, byte for byte. */
const F10_CONFIRMATION = `{"Type":"SubscriptionConfirmation","MessageId":"00000000-0000-0000-0000-000000000001","Token":"tok-test","TopicArn":"arn:aws:sns:eu-west-1:111122223333:alarms","Message":"confirm","SubscribeURL":"https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&Token=tok-test","Timestamp":"2024-06-01T10:00:00.000Z"}`;
/** Field report F10, step 2: the alarm as a JSON string inside Message. */
const F10_ALARM =
  '{"AlarmName":"HighCPU-api","NewStateValue":"ALARM","StateChangeTime":"2024-06-01T10:01:00.000+0000"}';

/** Field report F02, byte for byte. */
const F02 = String.raw`{"action": "triggered", "data": {"event": {"title": "TypeError: \u00e9l\u00e9ment undefined", "web_url": "https:\/\/sentry.test\/issues\/1\/"}}, "installation": {"uuid": "inst-0001"}}`;

let dir: string;
let store: LowdbStore;
let incidents: IncidentService;
let lines: LogLine[];
let fetched: string[];
let server: ReturnType<express.Express['listen']> | undefined;
let url: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'firebreak-sources-'));
  store = await LowdbStore.open(dir);
  lines = [];
  incidents = new IncidentService({
    store,
    clock: { now: () => new Date() },
    logger: memoryLogger(lines),
    reopenWindowMs: 60 * 60 * 1000,
  });
  await incidents.load();
  fetched = [];
});

afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

/** Answers the signing certificate and confirmation URLs; anything else is a test failure. */
async function fetchText(target: string) {
  fetched.push(target);
  if (target === CERT_URL) return CERT;
  if (target.startsWith('https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription'))
    return '<ConfirmSubscriptionResponse/>';
  throw new Error(`unexpected fetch of ${target}`);
}

/**
 * Our app: body parsers for everything but the webhooks, mounted before the webhook routes, the
 * way an app with a JSON API next to them would (F02).
 */
async function start(options: { topicArns?: string[]; parsers?: 'scoped' | 'global' } = {}) {
  const app = express();
  const health = new Health();
  const logger = memoryLogger(lines);
  const notWebhooks = /^(?!\/webhooks\/)/;
  if (options.parsers === 'global') app.use(express.json(), express.urlencoded());
  else app.use(notWebhooks, express.json(), express.urlencoded());
  app.post('/api/echo', (req, res) => {
    res.json({ parsed: req.body as unknown });
  });
  app.use(sentryWebhookRoute({ secret: SENTRY_SECRET, incidents, health, logger }));
  app.use(cloudWatchWebhookRoute({ incidents, health, logger, fetchText, ...options }));
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server?.once('listening', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function signSns(fields: Record<string, string>, version: '1' | '2' = '1') {
  const envelope = { SignatureVersion: version, SigningCertURL: CERT_URL, ...fields };
  const text = snsStringToSign(envelope as SnsEnvelope);
  const signature = createSign(version === '1' ? 'RSA-SHA1' : 'RSA-SHA256')
    .update(text)
    .sign(KEY, 'base64');
  return { ...envelope, Signature: signature };
}

let sequence = 0;

function notification(message: string, fields: Record<string, string> = {}) {
  sequence += 1;
  return signSns({
    Type: 'Notification',
    MessageId: `00000000-0000-0000-0000-${String(sequence).padStart(12, '0')}`,
    TopicArn: TOPIC,
    Message: message,
    Timestamp: '2024-06-01T10:01:00.100Z',
    ...fields,
  });
}

function confirmation(subscribeUrl: string) {
  const f10 = JSON.parse(F10_CONFIRMATION) as Record<string, string>;
  return signSns({ ...f10, SubscribeURL: subscribeUrl });
}

/** Posts an SNS message as SNS does: JSON labelled text/plain (F10). */
function postSns(body: unknown) {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const type = (JSON.parse(raw) as { Type?: string }).Type ?? 'Notification';
  return fetch(`${url}/webhooks/cloudwatch`, {
    method: 'POST',
    headers: {
      'content-type': 'text/plain; charset=UTF-8',
      'x-amz-sns-message-type': type,
      'user-agent': 'Amazon Simple Notification Service Agent',
    },
    body: raw,
  });
}

function fixtureBytes(file: string) {
  return readFileSync(path.join(FIXTURES, file), 'utf8');
}

function postSentry(raw: string, headers: Record<string, string> = {}) {
  return fetch(`${url}/webhooks/sentry`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'sentry-hook-signature': createHmac('sha256', SENTRY_SECRET).update(raw).digest('hex'),
      ...headers,
    },
    body: raw,
  });
}

async function kinds(id: string) {
  return (await incidents.timeline(id)).map((e) => e.kind);
}

describe('CloudWatch via SNS: subscription confirmation (F10)', () => {
  it('refuses the unsigned F10 confirmation naming Signature, and fetches nothing', async () => {
    await start();

    const res = await postSns(F10_CONFIRMATION);

    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_payload', field: 'Signature' });
    expect(fetched).toEqual([]);
  });

  it('confirms the signed F10 confirmation (text/plain), fetching SubscribeURL once', async () => {
    await start();

    const res = await postSns(confirmation(F10_SUBSCRIBE_URL));

    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ status: 'confirmed' });
    expect(fetched.filter((u) => u === F10_SUBSCRIBE_URL)).toHaveLength(1);
    expect(fetched).toEqual([CERT_URL, F10_SUBSCRIBE_URL]);
  });

  it('confirms the fixture confirmation as SNS signed it', async () => {
    await start();

    const res = await postSns(fixtureBytes('cloudwatch/sns-subscription-confirmation.json'));

    expect(res.status).toBe(202);
    expect(fetched.filter((u) => u.includes('Action=ConfirmSubscription'))).toHaveLength(1);
  });

  it('refuses a SubscribeURL off SNS with 400, logs it for a person, fetches nothing', async () => {
    await start();
    const lookAlike = 'https://sns.eu-west-1.amazonaws.com.evil.test/?Action=ConfirmSubscription';

    const res = await postSns(confirmation(lookAlike));

    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ field: 'SubscribeURL' });
    expect(fetched).toEqual([]);
    expect(lines.find((l) => l.msg === 'sns confirm by hand')?.fields.url).toBe(lookAlike);
  });

  it('answers 502 once when SubscribeURL cannot be fetched, without trying again', async () => {
    await start();
    const failing = 'https://sns.eu-west-1.amazonaws.com/?Action=Unknown';

    const res = await postSns(confirmation(failing));

    expect(res.status).toBe(502);
    expect(fetched.filter((u) => u === failing)).toHaveLength(1);
  });
});

describe('CloudWatch via SNS: alarms', () => {
  it('opens an incident on the F10 ALARM and resolves it on the same alarm going OK', async () => {
    await start();

    const fired = await postSns(notification(F10_ALARM));
    const ok = await postSns(notification(F10_ALARM.replace('"ALARM"', '"OK"')));

    expect(fired.status).toBe(202);
    expect(await fired.json()).toEqual({ status: 'accepted', incident: 'INC-1', created: true });
    expect(ok.status).toBe(202);
    expect(await ok.json()).toMatchObject({ status: 'accepted', incident: 'INC-1' });
    expect(incidents.get('INC-1')?.status).toBe('resolved');
    expect(await kinds('INC-1')).toEqual([
      'incident.opened',
      'alert.fired',
      'alert.resolved',
      'incident.resolved',
    ]);
  });

  it('counts the same ALARM again as a repeat, then resolves on the OK fixture', async () => {
    await start();
    const alarm = fixtureBytes('cloudwatch/sns-alarm.json');

    await postSns(alarm);
    const again = await postSns(alarm);
    await postSns(fixtureBytes('cloudwatch/sns-ok.json'));

    expect(again.status).toBe(202);
    expect(await again.json()).toMatchObject({ incident: 'INC-1', created: false });
    expect(await kinds('INC-1')).toEqual([
      'incident.opened',
      'alert.fired',
      'alert.repeated',
      'alert.resolved',
      'incident.resolved',
    ]);
    expect(incidents.get('INC-1')?.severity).toBe('error');
  });

  it('refuses a Message that is not JSON with 400, logs why, and stores nothing', async () => {
    await start();

    const res = await postSns(notification('{"AlarmName": "HighCPU-api", '));
    const next = await postSns(notification(F10_ALARM));

    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_message', field: 'Message' });
    expect(lines.find((l) => l.msg === 'sns message is not json')?.fields.reason).toBeTruthy();
    expect(next.status).toBe(202);
    expect(incidents.list({ all: true })).toHaveLength(1);
  });

  it('refuses an alarm missing a field, naming it inside Message', async () => {
    await start();

    const res = await postSns(notification('{"NewStateValue":"ALARM"}'));

    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ field: 'Message.AlarmName' });
    expect(incidents.list({ all: true })).toEqual([]);
  });

  it('answers an UnsubscribeConfirmation 202 ignored, fetching only the certificate', async () => {
    await start();
    const f10 = JSON.parse(F10_CONFIRMATION) as Record<string, string>;

    const res = await postSns(signSns({ ...f10, Type: 'UnsubscribeConfirmation' }));

    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ status: 'ignored' });
    expect(fetched).toEqual([CERT_URL]);
  });
});

describe('CloudWatch via SNS: signatures', () => {
  it('accepts a message signed with the fixture key, SignatureVersion 2 too', async () => {
    await start();
    const v2 = signSns(
      {
        Type: 'Notification',
        MessageId: 'v2-1',
        TopicArn: TOPIC,
        Message: F10_ALARM,
        Timestamp: '2024-06-01T10:01:00.100Z',
      },
      '2',
    );

    const res = await postSns(v2);

    expect(res.status).toBe(202);
  });

  it('refuses a tampered message with 401 and stores nothing', async () => {
    await start();
    const alarm = JSON.parse(fixtureBytes('cloudwatch/sns-alarm.json')) as { Message: string };
    alarm.Message = alarm.Message.replace('checkout-alb-target-5xx-high', 'checkout-alb-other');

    const res = await postSns(alarm);

    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'bad_signature' });
    expect(incidents.list({ all: true })).toEqual([]);
  });

  it.each([
    ['a look-alike host', 'https://sns.eu-west-1.amazonaws.com.evil.test/cert.pem'],
    ['userinfo', 'https://sns.eu-west-1.amazonaws.com@127.0.0.1/cert.pem'],
    ['http', 'http://sns.eu-west-1.amazonaws.com/cert.pem'],
  ])('refuses a certificate URL with %s with 401 without fetching it', async (_what, certUrl) => {
    await start();

    const res = await postSns({ ...notification(F10_ALARM), SigningCertURL: certUrl });

    expect(res.status).toBe(401);
    expect(fetched).toEqual([]);
    expect(incidents.list({ all: true })).toEqual([]);
  });

  it('fetches the signing certificate once for two messages', async () => {
    await start();

    await postSns(fixtureBytes('cloudwatch/sns-alarm.json'));
    await postSns(fixtureBytes('cloudwatch/sns-ok.json'));

    expect(fetched).toEqual([CERT_URL]);
  });

  it('refuses a topic outside topicArns with 403 before fetching anything', async () => {
    await start({ topicArns: ['arn:aws:sns:eu-west-1:123456789012:incident-bot-alarms'] });

    const other = await postSns(notification(F10_ALARM));
    const allowed = await postSns(fixtureBytes('cloudwatch/sns-alarm.json'));

    expect(other.status).toBe(403);
    expect(allowed.status).toBe(202);
    expect(fetched).toEqual([CERT_URL]);
  });

  it('verifies a message that an app-wide JSON parser already read', async () => {
    await start({ parsers: 'global' });

    const res = await fetch(`${url}/webhooks/cloudwatch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: fixtureBytes('cloudwatch/sns-alarm.json'),
    });
    const tampered = await postSns({ ...notification(F10_ALARM), Message: '{}' });

    expect(res.status).toBe(202);
    expect(tampered.status).toBe(401);
  });

  it('refuses a body above 256 KB with 413', async () => {
    await start();

    const res = await postSns(notification('x'.repeat(300 * 1024)));

    expect(res.status).toBe(413);
    expect(fetched).toEqual([]);
  });
});

describe('Sentry (F02)', () => {
  it('accepts the F02 raw bytes while the app parses JSON and forms for other routes', async () => {
    await start();
    const echo = await fetch(`${url}/api/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a": 1}',
    });

    const res = await postSentry(F02);

    expect(await echo.json()).toEqual({ parsed: { a: 1 } });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ status: 'accepted', incident: 'INC-1', created: true });
    const [incident] = incidents.list();
    expect(incident).toMatchObject({ title: 'TypeError: élément undefined', source: 'sentry' });
  });

  it('refuses the F02 bytes with one byte changed with 401 and stores nothing', async () => {
    await start();
    const signature = createHmac('sha256', SENTRY_SECRET).update(F02).digest('hex');

    const res = await postSentry(F02.replace('inst-0001', 'inst-0002'), {
      'sentry-hook-signature': signature,
    });

    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'bad_signature' });
    expect(incidents.list({ all: true })).toEqual([]);
  });

  it('fails closed (401) when a JSON parser ran before the route: none may', async () => {
    await start({ parsers: 'global' });

    const res = await postSentry(F02);

    expect(res.status).toBe(401);
    expect(incidents.list({ all: true })).toEqual([]);
  });

  it('opens on the issue alert fixture and resolves when the issue is resolved', async () => {
    await start();
    const issue = {
      action: 'resolved',
      data: { issue: { id: '48213', title: 'TypeError', level: 'error' } },
    };

    const fired = await postSentry(fixtureBytes('sentry/issue-alert-triggered.json'), {
      'sentry-hook-resource': 'event_alert',
    });
    const resolved = await postSentry(JSON.stringify(issue), { 'sentry-hook-resource': 'issue' });

    expect(fired.status).toBe(202);
    expect(resolved.status).toBe(202);
    expect(incidents.get('INC-1')?.status).toBe('resolved');
    expect(await kinds('INC-1')).toEqual([
      'incident.opened',
      'alert.fired',
      'alert.resolved',
      'incident.resolved',
    ]);
  });

  it('answers 202 ignored to an installation delivery and stores nothing', async () => {
    await start();
    const body = JSON.stringify({ action: 'created', data: { installation: { uuid: 'i-1' } } });

    const res = await postSentry(body, { 'sentry-hook-resource': 'installation' });

    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ status: 'ignored' });
    expect(incidents.list({ all: true })).toEqual([]);
  });

  it('answers a resource it does not know (Sentry adds them) 202 ignored, storing nothing', async () => {
    await start();

    const res = await postSentry(F02, { 'sentry-hook-resource': 'made_up' });

    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ status: 'ignored' });
    expect(incidents.list({ all: true })).toEqual([]);
  });
});
