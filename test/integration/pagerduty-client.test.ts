import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PagerDutyClient } from '../../src/integrations/pagerduty/pagerduty-client.ts';
import { outboundFailure } from '../support/outbound-failure.ts';
import { DEFAULT_API_KEY, PagerDutyStandIn } from '../fakes/pagerduty/pagerduty-stand-in.ts';
import { memoryLogger } from '../support/memory-logger.ts';

let pd: PagerDutyStandIn;
let client: PagerDutyClient;

beforeEach(async () => {
  pd = await PagerDutyStandIn.start({ extraServices: 230 });
  client = new PagerDutyClient({
    token: DEFAULT_API_KEY,
    fromEmail: 'firebreak@example.com',
    apiUrl: pd.url,
    logger: memoryLogger(),
    sdkRetryMs: 10,
  });
});

afterEach(async () => {
  await pd.close();
});

describe('PagerDutyClient against the PagerDuty stand-in', () => {
  it('follows every page of services (offset, limit, more)', async () => {
    const services = await client.listServices();

    expect(services).toHaveLength(233);
    expect(services[0]).toMatchObject({ id: 'PSVC001', name: 'Checkout API' });
    expect(pd.callsTo('GET /services').length).toBe(3);
  });

  it('opens, acknowledges and resolves an incident as the From user, with a note', async () => {
    const opened = await client.createIncident({
      serviceId: 'PSVC001',
      title: 'INC-7 Checkout error rate above 5%',
      urgency: 'high',
      details: 'Opened from Slack by @pat',
      incidentKey: 'firebreak-INC-7',
    });
    await client.setStatus(opened.id, 'acknowledged');
    await client.addNote(opened.id, 'rolled back v2.3');
    const resolved = await client.setStatus(opened.id, 'resolved');

    expect(opened).toMatchObject({ status: 'triggered', url: expect.stringMatching(/^https:/) });
    expect(resolved.status).toBe('resolved');
    expect(pd.notes(opened.id).map((n) => n.content)).toEqual(['rolled back v2.3']);
    const writes = pd.calls.filter((c) => c.method !== 'GET');
    expect(writes.every((c) => c.headers.from === 'firebreak@example.com')).toBe(true);
    expect(pd.calls.every((c) => !JSON.stringify(c).includes(DEFAULT_API_KEY))).toBe(true);
  });

  it('turns a refusal into a final error with PagerDuty’s words', async () => {
    const opened = await client.createIncident({
      serviceId: 'PSVC001',
      title: 'x',
      urgency: 'low',
      details: 'x',
      incidentKey: 'k1',
    });
    await client.setStatus(opened.id, 'resolved');

    const error = await outboundFailure(client.setStatus(opened.id, 'acknowledged'));

    expect(error).toMatchObject({ service: 'pagerduty', code: '1001', retryable: false });
    expect(error.message).toContain('HTTP 400');
  });

  it('waits what a 429 asks (ratelimit-reset), and retries 5xx', async () => {
    pd.failNext('GET /services', {
      status: 429,
      headers: { 'ratelimit-reset': '7' },
      body: { error: { message: 'Rate Limit Exceeded', code: 2020 } },
      times: 4,
    });
    const limited = await outboundFailure(client.listServices());
    pd.failNext('GET /services', { status: 503, body: { error: { message: 'down' } } });
    const down = await outboundFailure(client.listServices());

    expect(limited).toMatchObject({ code: '429', retryAfterMs: 7_000 });
    expect(down).toMatchObject({ retryable: true });
  });

  it('lists who is on call with their emails, and finds the bot’s own user', async () => {
    const oncalls = await client.onCalls({ scheduleIds: ['PSCH001'] });
    const bot = await client.userIdByEmail('firebreak@example.com');

    expect(oncalls.length).toBeGreaterThan(0);
    expect(oncalls[0]).toMatchObject({ email: expect.stringContaining('@example.com') });
    expect(bot).toBe('PBOTUSR');
  });

  it('refuses a wrong token with a clear final error', async () => {
    const wrong = new PagerDutyClient({
      token: 'not-the-key',
      fromEmail: 'firebreak@example.com',
      apiUrl: pd.url,
      logger: memoryLogger(),
    });

    const error = await outboundFailure(wrong.listServices());

    expect(error).toMatchObject({ retryable: false });
    expect(error.message).toContain('HTTP 401');
  });
});
