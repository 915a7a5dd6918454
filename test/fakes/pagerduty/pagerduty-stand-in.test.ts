import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

import { api } from '@pagerduty/pdjs';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';

import {
  DEFAULT_API_KEY,
  INCIDENT_EVENT_TYPES,
  PagerDutyStandIn,
  pagerDutySignature,
  type PagerDutyStandInOptions,
  type WebhookEvent,
} from './pagerduty-stand-in.ts';

const BOT_EMAIL = 'firebreak@example.com';
const CHECKOUT = 'PSVC001';
const PAYMENTS = 'PSVC002';
const CHECKOUT_KEY = 'sandbox-integration-key-checkout';
const PAYMENTS_KEY = 'sandbox-integration-key-payments';
const SECRET = 'whsec-test';

interface PdParameters {
  method?: string;
  data?: object;
  headers?: Record<string, string>;
  token?: string;
}

let standIn: PagerDutyStandIn;

/** The real SDK against the stand-in; a 10 ms retryTimeout keeps its 429 retries fast. */
function pd(path: string, parameters: PdParameters = {}, base = standIn.url) {
  return api({ token: DEFAULT_API_KEY, retryTimeout: 10, url: `${base}${path}`, ...parameters });
}

const asBot = { From: BOT_EMAIL };
const newIncident = (fields: Record<string, unknown> = {}) => ({
  incident: {
    type: 'incident',
    title: 'Checkout errors above 5%',
    service: { id: CHECKOUT, type: 'service_reference' },
    ...fields,
  },
});

async function createIncident(fields: Record<string, unknown> = {}): Promise<string> {
  const created = await pd('incidents', {
    method: 'POST',
    data: newIncident(fields),
    headers: asBot,
  });
  expect(created.status).toBe(201);
  return created.data.incident.id as string;
}

function ack(id: string, status = 'acknowledged', from = BOT_EMAIL) {
  const data = { incident: { type: 'incident_reference', status } };
  return pd(`incidents/${id}`, { method: 'PUT', data, headers: { From: from } });
}

function enqueue(body: Record<string, unknown>, url = standIn.eventsUrl) {
  return fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

const trigger = (fields: Record<string, unknown> = {}) => ({
  routing_key: CHECKOUT_KEY,
  event_action: 'trigger',
  dedup_key: 'alertmanager:checkout-5xx',
  payload: { summary: 'Checkout 5xx above 5%', source: 'prometheus', severity: 'critical' },
  ...fields,
});

interface Received {
  headers: IncomingHttpHeaders;
  raw: string;
  event: WebhookEvent;
}

/** A local webhook receiver answering `statuses` in turn, then 202; closed after the test. */
async function startReceiver(statuses: number[] = []) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      received.push({ headers: req.headers, raw, event: JSON.parse(raw).event });
      res.writeHead(statuses.shift() ?? 202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/pagerduty`, received };
}

async function restart(options: PagerDutyStandInOptions): Promise<void> {
  await standIn.close();
  standIn = await PagerDutyStandIn.start(options);
}

beforeEach(async () => {
  standIn = await PagerDutyStandIn.start();
});

afterEach(async () => {
  await standIn.close();
});

describe('REST authentication', () => {
  it('answers the configured key and records the call without it', async () => {
    const response = await pd('services');

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(standIn.calls[0]).toMatchObject({
      api: 'rest',
      method: 'GET',
      path: '/services',
      status: 200,
      headers: {
        authorization: 'Token token=[redacted]',
        accept: 'application/vnd.pagerduty+json;version=2',
      },
    });
    expect(JSON.stringify(standIn.calls)).not.toContain(DEFAULT_API_KEY);
  });

  it('refuses another key with 401 code 2006, which pdjs resolves rather than throws', async () => {
    const response = await pd('services', { token: 'someone-elses-key' });

    expect(response.status).toBe(401);
    expect(response.data).toEqual({ error: { message: 'Authentication failed', code: 2006 } });
  });
});

describe('services and paging', () => {
  it('lists services with references and the classic paging fields', async () => {
    const { data } = await pd('services');

    expect(data).toMatchObject({ limit: 25, offset: 0, more: false, total: null });
    expect(data.services.map((s: { name: string }) => s.name)).toEqual([
      'Checkout API',
      'Payments Gateway',
      'Search Indexer',
    ]);
    expect(data.services[0]).toMatchObject({
      id: CHECKOUT,
      type: 'service',
      summary: 'Checkout API',
      html_url: expect.stringMatching(/^https:\/\/sandbox\.pagerduty\.invalid\//),
      escalation_policy: { id: 'PEP0001', type: 'escalation_policy_reference' },
    });
  });

  it('filters by query and counts only with total=true', async () => {
    const { data } = await pd('services', { data: { query: 'pay', total: 'true' } });

    expect(data.services.map((s: { id: string }) => s.id)).toEqual([PAYMENTS]);
    expect(data.total).toBe(1);
  });

  it('walks offset pages with pdjs all() under pdjsUrl', async () => {
    await restart({ extraServices: 120 });

    const client = api({ token: DEFAULT_API_KEY, retryTimeout: 10 });
    const all = await client.all('services', {
      url: `${standIn.pdjsUrl}services`,
      data: { limit: '50' },
    });

    expect(all.resource).toHaveLength(123);
    expect(standIn.callsTo('GET /services').map((call) => call.query.offset ?? '0')).toEqual([
      '0',
      '50',
      '100',
    ]);
  });

  it('pins a pdjs quirk: all() over several pages fails at a URL without .com/', async () => {
    await restart({ extraServices: 30 });

    const client = api({ token: DEFAULT_API_KEY, retryTimeout: 10 });
    const all = client.all('services', { url: `${standIn.url}services` });

    await expect(all).rejects.toThrow(TypeError);
  });

  it('caps limit at 100 and refuses offset + limit over 10,000 with code 2001', async () => {
    await restart({ extraServices: 150 });

    const capped = await pd('services', { data: { limit: '500' } });
    const tooFar = await pd('services', { data: { limit: '100', offset: '9901' } });

    expect(capped.data).toMatchObject({ limit: 100, more: true });
    expect(capped.data.services).toHaveLength(100);
    expect(tooFar.status).toBe(400);
    expect(tooFar.data.error).toMatchObject({ code: 2001, message: 'Invalid Input Provided' });
  });
});

describe('users and on-calls', () => {
  it('lists users, reads one, and answers 404 for an unknown one', async () => {
    const list = await pd('users');
    const bot = await pd('users/PBOTUSR');
    const unknown = await pd('users/PNOBODY');

    expect(list.data.users.map((u: { email: string }) => u.email)).toEqual([
      'alex@example.com',
      'firebreak@example.com',
      'pat@example.com',
      'sam@example.com',
    ]);
    expect(bot.data.user).toMatchObject({ id: 'PBOTUSR', name: 'Firebreak', email: BOT_EMAIL });
    expect(unknown.status).toBe(404);
    expect(unknown.data.error.code).toBe(2100);
  });

  it('lists on-calls of a schedule as user refs; emails only with include[]=users', async () => {
    const plain = await pd('oncalls', { data: { 'schedule_ids[]': ['PSCH001'] } });
    const withUsers = await pd('oncalls', {
      data: { 'schedule_ids[]': ['PSCH001'], 'include[]': ['users'] },
    });

    expect(plain.data.oncalls).toHaveLength(1);
    expect(plain.data.oncalls[0]).toMatchObject({
      user: { id: 'PPAT001', type: 'user_reference', summary: 'Pat Example' },
      schedule: { id: 'PSCH001', summary: 'Checkout primary' },
      escalation_policy: { id: 'PEP0001' },
      escalation_level: 1,
      start: expect.stringMatching(/Z$/),
    });
    expect(plain.data.oncalls[0].user).not.toHaveProperty('email');
    expect(withUsers.data.oncalls[0].user).toMatchObject({
      type: 'user',
      email: 'pat@example.com',
    });
  });

  it('answers every level of an escalation policy; a direct entry has no schedule', async () => {
    const { data } = await pd('oncalls', { data: { 'escalation_policy_ids[]': ['PEP0001'] } });

    expect(data.oncalls).toHaveLength(2);
    expect(data.oncalls[1]).toMatchObject({
      user: { id: 'PSAM001' },
      escalation_level: 2,
      schedule: null,
      start: null,
      end: null,
    });
    expect(data).toMatchObject({ limit: 25, offset: 0, more: false });
  });
});

describe('creating incidents', () => {
  it('creates a triggered incident with From and answers 201 with PagerDuty fields', async () => {
    const created = await pd('incidents', {
      method: 'POST',
      data: newIncident({ urgency: 'low', incident_key: 'INC-42' }),
      headers: asBot,
    });

    expect(created.status).toBe(201);
    expect(created.data.incident).toMatchObject({
      id: expect.stringMatching(/^P[A-Z0-9]{6}$/),
      type: 'incident',
      incident_number: 1,
      title: 'Checkout errors above 5%',
      status: 'triggered',
      urgency: 'low',
      incident_key: 'INC-42',
      html_url: `https://sandbox.pagerduty.invalid/incidents/${created.data.incident.id}`,
      service: { id: CHECKOUT, type: 'service_reference', summary: 'Checkout API' },
      assignments: [{ assignee: { id: 'PPAT001', type: 'user_reference' } }],
      last_status_change_by: { id: 'PBOTUSR', type: 'user_reference' },
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    });
    expect(standIn.incidents()).toHaveLength(1);
  });

  it('refuses a write without From (2011) or with an unknown email (1008)', async () => {
    const missing = await pd('incidents', { method: 'POST', data: newIncident() });
    const unknown = await pd('incidents', {
      method: 'POST',
      data: newIncident(),
      headers: { From: 'stranger@example.com' },
    });

    expect(missing.status).toBe(400);
    expect(missing.data.error.code).toBe(2011);
    expect(unknown.status).toBe(400);
    expect(unknown.data.error).toEqual({ message: 'Requester User Not Found', code: 1008 });
    expect(standIn.incidents()).toEqual([]);
  });

  it('refuses an unknown service, an empty title and a bad urgency with code 2001', async () => {
    const answers = await Promise.all(
      [
        { service: { id: 'PNOSUCH', type: 'service_reference' } },
        { title: '  ' },
        { urgency: 'urgent' },
      ].map((fields) =>
        pd('incidents', { method: 'POST', data: newIncident(fields), headers: asBot }),
      ),
    );

    expect(answers.map((answer) => [answer.status, answer.data.error.code])).toEqual([
      [400, 2001],
      [400, 2001],
      [400, 2001],
    ]);
    expect(answers[1]?.data.error.errors).toEqual(['Title cannot be empty.']);
  });

  it('refuses a second open incident with one incident_key until it is resolved', async () => {
    const first = await createIncident({ incident_key: 'INC-42' });

    const duplicate = await pd('incidents', {
      method: 'POST',
      data: newIncident({ incident_key: 'INC-42' }),
      headers: asBot,
    });
    await ack(first, 'resolved');
    const again = await createIncident({ incident_key: 'INC-42' });

    expect(duplicate.status).toBe(400);
    expect(duplicate.data.error).toMatchObject({
      code: 2001,
      errors: [expect.stringContaining('Open incident with key')],
    });
    expect(again).not.toBe(first);
  });
});

describe('updating incidents', () => {
  it('acknowledges, answers 200 again without change, then resolves with a note', async () => {
    const id = await createIncident();

    const acked = await ack(id);
    const again = await ack(id);
    const resolved = await pd(`incidents/${id}`, {
      method: 'PUT',
      data: { incident: { type: 'incident', status: 'resolved', resolution: 'Rolled back' } },
      headers: { From: 'pat@example.com' },
    });

    expect(acked.status).toBe(200);
    expect(acked.data.incident).toMatchObject({
      status: 'acknowledged',
      acknowledgements: [{ acknowledger: { id: 'PBOTUSR', type: 'user_reference' } }],
    });
    expect(again.status).toBe(200);
    expect(again.data.incident.acknowledgements).toHaveLength(1);
    expect(resolved.data.incident).toMatchObject({
      status: 'resolved',
      last_status_change_by: { id: 'PPAT001' },
    });
    expect(standIn.incident(id)).toMatchObject({ status: 'resolved', resolution: 'Rolled back' });
  });

  it('refuses to acknowledge a resolved incident (1001) and an invalid status (1003)', async () => {
    const id = await createIncident();

    const invalid = await ack(id, 'snoozed');
    await ack(id, 'resolved');
    const late = await ack(id);

    expect(invalid.status).toBe(400);
    expect(invalid.data.error).toEqual({ message: 'Invalid Status Provided', code: 1003 });
    expect(late.status).toBe(400);
    expect(late.data.error).toEqual({ message: 'Incident Already Resolved', code: 1001 });
  });

  it('answers 404 code 5001 for an unknown incident', async () => {
    const read = await pd('incidents/PNOSUCH');
    const update = await ack('PNOSUCH');

    expect([read.status, read.data.error.code]).toEqual([404, 5001]);
    expect([update.status, update.data.error.code]).toEqual([404, 5001]);
  });

  it('adds notes as the From user and lists them', async () => {
    const id = await createIncident();

    const added = await pd(`incidents/${id}/notes`, {
      method: 'POST',
      data: { note: { content: 'Rolling back deploy 1234' } },
      headers: asBot,
    });
    const empty = await pd(`incidents/${id}/notes`, {
      method: 'POST',
      data: { note: { content: '' } },
      headers: asBot,
    });
    const listed = await pd(`incidents/${id}/notes`);

    expect(added.status).toBe(201);
    expect(added.data.note).toMatchObject({
      id: expect.stringMatching(/^P[A-Z0-9]{6}$/),
      content: 'Rolling back deploy 1234',
      user: { id: 'PBOTUSR', summary: 'Firebreak' },
    });
    expect(empty.status).toBe(400);
    expect(listed.data.notes).toHaveLength(1);
    expect(standIn.notes(id)).toMatchObject([{ content: 'Rolling back deploy 1234' }]);
  });

  it('finds incidents by incident_key and status', async () => {
    await createIncident({ incident_key: 'INC-1' });
    const second = await createIncident({ incident_key: 'INC-2' });
    await ack(second);

    const byKey = await pd('incidents', { data: { incident_key: 'INC-2' } });
    const triggered = await pd('incidents', { data: { 'statuses[]': ['triggered'] } });

    expect(byKey.data.incidents.map((i: { id: string }) => i.id)).toEqual([second]);
    expect(triggered.data.incidents.map((i: { incident_key: string }) => i.incident_key)).toEqual([
      'INC-1',
    ]);
  });
});

describe('rate limits and injected failures', () => {
  it('answers 429 past requestsPerMinute with ratelimit-* and Retry-After headers', async () => {
    let now = Date.parse('2024-06-01T10:00:00Z');
    await restart({ requestsPerMinute: 2, clock: () => now });
    const get = () =>
      fetch(`${standIn.url}services`, {
        headers: { Authorization: `Token token=${DEFAULT_API_KEY}` },
      });

    const first = await get();
    await get();
    now += 20_000;
    const throttled = await get();
    now += 40_000;
    const later = await get();

    expect(first.headers.get('ratelimit-remaining')).toBe('1');
    expect(throttled.status).toBe(429);
    expect(Object.fromEntries(throttled.headers)).toMatchObject({
      'ratelimit-limit': '2',
      'ratelimit-remaining': '0',
      'ratelimit-reset': '40',
      'retry-after': '40',
    });
    expect(await throttled.json()).toEqual({
      error: { message: 'Rate Limit Exceeded', code: 2020 },
    });
    expect(later.status).toBe(200);
  });

  it('lets pdjs retry an injected 429 after retryTimeout and get the answer', async () => {
    standIn.failNext('GET /services', { status: 429, times: 2 });

    const response = await pd('services');

    expect(response.status).toBe(200);
    expect(standIn.callsTo('GET /services').map((call) => call.status)).toEqual([429, 429, 200]);
  });

  it('has pdjs give up after three retries and resolve with the 429, headers absent', async () => {
    standIn.failNext('GET /services', { status: 429, times: 5 });

    const response = await pd('services');

    expect(response.status).toBe(429);
    expect(response.headers.get('ratelimit-reset')).toBeNull();
    expect(standIn.calls).toHaveLength(4);
  });

  it('fails only requests matching method and wildcard path, then recovers', async () => {
    const id = await createIncident();
    standIn.failNext('PUT /incidents/*', { status: 503 });

    const read = await pd(`incidents/${id}`);
    const failed = await ack(id);
    const retried = await ack(id);

    expect(read.status).toBe(200);
    expect(failed.status).toBe(503);
    expect(failed.data.error.code).toBe(2000);
    expect(retried.status).toBe(200);
  });

  it('answers a text body when told, which pdjs rejects with the response', async () => {
    standIn.failNext('GET /services', { status: 502, body: '<html>Bad Gateway</html>' });

    const failing = pd('services');

    await expect(failing).rejects.toMatchObject({ status: 502 });
    expect(standIn.calls[0]?.response).toBe('<html>Bad Gateway</html>');
  });

  it('drops the connection when told, which pdjs reports as a rejection', async () => {
    standIn.failNext('/services', { disconnect: true });

    await expect(pd('services')).rejects.toThrow();
    expect(standIn.calls[0]?.status).toBe(0);
  });
});

describe('Events API v2', () => {
  it('accepts a trigger with 202 and opens an incident keyed by the dedup_key', async () => {
    const response = await enqueue(trigger());
    const found = await pd('incidents', { data: { incident_key: 'alertmanager:checkout-5xx' } });

    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({
      status: 'success',
      message: 'Event processed',
      dedup_key: 'alertmanager:checkout-5xx',
    });
    expect(found.data.incidents).toHaveLength(1);
    expect(found.data.incidents[0]).toMatchObject({
      title: 'Checkout 5xx above 5%',
      service: { id: CHECKOUT },
      last_status_change_by: { id: CHECKOUT, type: 'service_reference' },
    });
    expect(standIn.calls[0]).toMatchObject({ api: 'events', path: '/v2/enqueue', status: 202 });
  });

  it('folds a repeated trigger into the open incident; opens anew after resolve', async () => {
    await enqueue(trigger());
    await enqueue(trigger());
    expect(standIn.incidents()).toHaveLength(1);

    await enqueue({
      routing_key: CHECKOUT_KEY,
      event_action: 'resolve',
      dedup_key: 'alertmanager:checkout-5xx',
    });
    await enqueue(trigger());

    expect(standIn.incidents().map((incident) => incident.status)).toEqual([
      'resolved',
      'triggered',
    ]);
  });

  it('acknowledges and resolves by dedup_key and drops unknown keys with 202', async () => {
    await enqueue(trigger());
    const follow = (event_action: string, dedup_key = 'alertmanager:checkout-5xx') =>
      enqueue({ routing_key: CHECKOUT_KEY, event_action, dedup_key });

    const acked = await follow('acknowledge');
    const stray = await follow('resolve', 'never-triggered');
    expect(standIn.incidents()[0]?.status).toBe('acknowledged');
    await follow('resolve');

    expect([acked.status, stray.status]).toEqual([202, 202]);
    expect(standIn.incidents()).toMatchObject([{ status: 'resolved' }]);
  });

  it('applies follow-ups only through the routing key that triggered', async () => {
    await enqueue(trigger());

    await enqueue({
      routing_key: PAYMENTS_KEY,
      event_action: 'resolve',
      dedup_key: 'alertmanager:checkout-5xx',
    });

    expect(standIn.incidents()[0]?.status).toBe('triggered');
  });

  it('generates a dedup_key for a trigger without one', async () => {
    const response = await enqueue(trigger({ dedup_key: undefined }));

    const { dedup_key } = (await response.json()) as { dedup_key: string };
    expect(dedup_key).toMatch(/^[0-9a-f]{32}$/);
    expect(standIn.incidents()[0]?.incidentKey).toBe(dedup_key);
  });

  it('refuses bad routing keys and incomplete events with 400 invalid event', async () => {
    const cases = [
      trigger({ routing_key: 'short' }),
      trigger({ routing_key: 'x'.repeat(32) }),
      trigger({ event_action: 'snooze' }),
      trigger({ payload: { summary: 'x', source: 'y', severity: 'fatal' } }),
      trigger({ payload: { summary: 'x'.repeat(1025), source: 'y', severity: 'info' } }),
      trigger({ payload: { severity: 'info' } }),
      { routing_key: CHECKOUT_KEY, event_action: 'acknowledge' },
    ];

    const answers = await Promise.all(cases.map((body) => enqueue(body)));
    const bodies = (await Promise.all(answers.map((answer) => answer.json()))) as {
      errors: string[];
    }[];

    expect(answers.map((answer) => answer.status)).toEqual(cases.map(() => 400));
    expect(bodies[0]).toEqual({
      status: 'invalid event',
      message: 'Event object is invalid',
      errors: [expect.stringContaining('32 characters')],
    });
    expect(bodies[5]?.errors).toHaveLength(2);
    expect(standIn.incidents()).toEqual([]);
  });

  it('throttles past eventsPerMinute with 429 and ingests nothing', async () => {
    await restart({ eventsPerMinute: 1 });

    await enqueue(trigger());
    const throttled = await enqueue(trigger({ dedup_key: 'another' }));
    const otherKey = await enqueue(trigger({ routing_key: PAYMENTS_KEY, dedup_key: 'another' }));

    expect(throttled.status).toBe(429);
    expect([otherKey.status, standIn.incidents().length]).toEqual([202, 2]);
  });

  it('serves events on a port of its own with separateEventsServer', async () => {
    await restart({ separateEventsServer: true });

    const onEvents = await enqueue(trigger());
    const onRest = await enqueue(trigger(), `${standIn.url}v2/enqueue`);

    expect(new URL(standIn.eventsUrl).port).not.toBe(new URL(standIn.url).port);
    expect([onEvents.status, onRest.status]).toEqual([202, 404]);
  });
});

describe('webhooks', () => {
  it('computes the v1 signature as HMAC-SHA256 of the raw body, one per secret', () => {
    const body = '{"event":{"id":"01EVTTEST0001"}}';

    expect(pagerDutySignature(SECRET, body)).toBe(
      'v1=129f83315606af0afaa6b08b811205a83b30abf04d65be94fb3e4db84ce88164',
    );
    expect(pagerDutySignature(['old', SECRET], body).split(',')).toHaveLength(2);
  });

  it('sends a signed V3 envelope with PagerDuty headers', async () => {
    const receiver = await startReceiver();
    const { incident } = standIn.openIncident({ serviceId: CHECKOUT, title: 'Disk full' });
    const event = standIn.webhookEvent('incident.triggered', incident.id);

    const [delivery] = await standIn.sendWebhook(receiver.url, event, { secret: SECRET });

    const got = receiver.received[0]!;
    const expected = createHmac('sha256', SECRET).update(got.raw).digest('hex');
    expect(delivery?.status).toBe(202);
    expect(got.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': 'PagerDuty-Webhook/V3.0',
      'x-webhook-id': delivery?.webhookId,
      'x-webhook-subscription': expect.any(String),
      'x-pagerduty-signature': `v1=${expected}`,
    });
    expect(got.event).toMatchObject({
      event_type: 'incident.triggered',
      resource_type: 'incident',
      occurred_at: expect.stringMatching(/\.\d{3}Z$/),
      agent: { id: CHECKOUT, type: 'service_reference' },
      client: null,
      data: { id: incident.id, type: 'incident', number: 1, status: 'triggered' },
    });
  });

  it('signs with every secret during rotation', async () => {
    const receiver = await startReceiver();
    const { event } = standIn.openIncident({ serviceId: CHECKOUT, title: 'Disk full' });

    await standIn.sendWebhook(receiver.url, event, { secrets: ['retired-secret', SECRET] });

    const { headers, raw } = receiver.received[0]!;
    const values = String(headers['x-pagerduty-signature']).split(',');
    expect(values).toHaveLength(2);
    expect(values[1]).toBe(`v1=${createHmac('sha256', SECRET).update(raw).digest('hex')}`);
  });

  it('re-sends the same webhook with the same ids and bytes when asked (F11)', async () => {
    const receiver = await startReceiver();
    const { event } = standIn.openIncident({ serviceId: CHECKOUT, title: 'Disk full' });

    await standIn.sendWebhook(receiver.url, event, {
      secret: SECRET,
      eventId: '01EVTTEST0001',
      times: 2,
    });

    const [first, second] = receiver.received;
    expect(first?.event.id).toBe('01EVTTEST0001');
    expect(second?.raw).toBe(first?.raw);
    expect(second?.headers['x-webhook-id']).toBe(first?.headers['x-webhook-id']);
  });

  it('echoes the bot own acknowledge back with the bot as agent (F11)', async () => {
    const receiver = await startReceiver();
    const id = await createIncident();
    standIn.subscribe(receiver.url, SECRET);

    await ack(id);
    await standIn.webhooksSettled();

    expect(receiver.received.map((r) => r.event)).toMatchObject([
      {
        event_type: 'incident.acknowledged',
        agent: { id: 'PBOTUSR', type: 'user_reference', summary: 'Firebreak' },
        data: { id, status: 'acknowledged' },
      },
    ]);
    expect(receiver.received[0]?.headers['x-webhook-subscription']).toBe('PSUB001');
  });

  it('sends webhooks for Events API triggers, notes and changes made by people', async () => {
    const receiver = await startReceiver();
    standIn.subscribe(receiver.url, { secret: SECRET });

    await enqueue(trigger());
    const [incident] = standIn.incidents();
    await pd(`incidents/${incident!.id}/notes`, {
      method: 'POST',
      data: { note: { content: 'Looking' } },
      headers: { From: 'sam@example.com' },
    });
    const returned = standIn.setIncidentStatus(incident!.id, 'resolved', 'PPAT001');
    await standIn.webhooksSettled();

    const events = receiver.received.map((r) => r.event);
    expect(events.map((e) => [e.event_type, e.agent?.id])).toEqual([
      ['incident.triggered', CHECKOUT],
      ['incident.annotated', 'PSAM001'],
      ['incident.resolved', 'PPAT001'],
    ]);
    expect(events[1]?.data).toMatchObject({
      type: 'incident_note',
      content: 'Looking',
      incident: { id: incident!.id, type: 'incident_reference' },
    });
    expect(events[2]).toEqual(returned);
  });

  it('refuses a status change that PagerDuty would not make', () => {
    const { incident } = standIn.openIncident({ serviceId: CHECKOUT, title: 'Disk full' });

    expect(() => standIn.setIncidentStatus(incident.id, 'triggered', 'PPAT001')).toThrow(
      /already triggered/,
    );
    expect(() => standIn.setIncidentStatus(incident.id, 'acknowledged', 'PNOBODY')).toThrow(
      /unknown user/,
    );
  });

  it('retries a webhook on 5xx and 429 with one X-Webhook-Id, and drops it on 400', async () => {
    const flaky = await startReceiver([500, 429]);
    const refusing = await startReceiver([400]);
    standIn.subscribe(flaky.url, SECRET);
    standIn.subscribe(refusing.url, SECRET);

    standIn.openIncident({ serviceId: CHECKOUT, title: 'Disk full' });
    await standIn.webhooksSettled();

    const ids = flaky.received.map((r) => r.headers['x-webhook-id']);
    expect(flaky.received).toHaveLength(3);
    expect(new Set(ids).size).toBe(1);
    expect(refusing.received).toHaveLength(1);
    expect(standIn.webhookDeliveries.map((d) => d.status).sort()).toEqual([202, 400, 429, 500]);
  });

  it('filters subscriptions by event type and service', async () => {
    const receiver = await startReceiver();
    standIn.subscribe(receiver.url, {
      secret: SECRET,
      events: ['incident.triggered'],
      serviceIds: [PAYMENTS],
    });

    const { incident } = standIn.openIncident({ serviceId: CHECKOUT, title: 'Checkout down' });
    standIn.openIncident({ serviceId: PAYMENTS, title: 'Payments down' });
    standIn.setIncidentStatus(incident.id, 'acknowledged', 'PPAT001');
    await standIn.webhooksSettled();

    expect(receiver.received.map((r) => r.event.data.title)).toEqual(['Payments down']);
  });

  it('builds every incident event type from the incident as it stands', () => {
    const { incident } = standIn.openIncident({ serviceId: CHECKOUT, title: 'Disk full' });
    standIn.addNote(incident.id, 'First note', 'PALX001');

    const events = INCIDENT_EVENT_TYPES.map((type) =>
      standIn.webhookEvent(type, incident.id, { agentUserId: 'PSAM001', id: `evt-${type}` }),
    );

    expect(events.map((event) => event.data.type)).toEqual(
      INCIDENT_EVENT_TYPES.map((type) =>
        type === 'incident.annotated' ? 'incident_note' : 'incident',
      ),
    );
    expect(events.every((event) => event.agent?.id === 'PSAM001')).toBe(true);
    expect(events[0]?.data).toMatchObject({
      assignees: [{ id: 'PPAT001' }],
      escalation_policy: { id: 'PEP0001' },
      priority: null,
    });
  });

  it('sends webhooks nowhere but this machine', async () => {
    const { event } = standIn.openIncident({ serviceId: CHECKOUT, title: 'Disk full' });

    await expect(
      standIn.sendWebhook('https://example.com/hook', event, { secret: SECRET }),
    ).rejects.toThrow(/127\.0\.0\.1 only/);
    expect(() => standIn.subscribe('http://10.0.0.1/hook', SECRET)).toThrow(/127\.0\.0\.1 only/);
  });
});

describe('stand-in state for tests', () => {
  it('reset forgets incidents, calls and failures; keeps account and subscriptions', async () => {
    const receiver = await startReceiver();
    standIn.subscribe(receiver.url, SECRET);
    await createIncident();
    standIn.failNext('GET /services', { status: 500 });

    standIn.reset();
    const services = await pd('services');
    const id = await createIncident();
    await standIn.webhooksSettled();

    expect(services.status).toBe(200);
    expect(id).toBe('PI00001');
    expect(standIn.incidents()).toHaveLength(1);
    expect(receiver.received.map((r) => r.event.event_type)).toEqual([
      'incident.triggered',
      'incident.triggered',
    ]);
  });

  it('refuses an account that names things it does not have', async () => {
    await expect(
      PagerDutyStandIn.start({ integrationKeys: { 'too-short': CHECKOUT } }),
    ).rejects.toThrow(/32 characters/);
    await expect(PagerDutyStandIn.start({ fromEmails: ['nobody@example.com'] })).rejects.toThrow(
      /not a user/,
    );
  });
});
