import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';

import {
  StatuspageClient,
  type StatuspageClientOptions,
} from '../../src/integrations/statuspage/statuspage-client.ts';
import { outboundFailure } from '../support/outbound-failure.ts';
import {
  DEFAULT_API_KEY,
  DEFAULT_PAGE_ID,
  StatuspageStandIn,
} from '../fakes/statuspage/statuspage-stand-in.ts';
import type { StatuspageStandInOptions } from '../fakes/statuspage/statuspage-stand-in.ts';
import { memoryLogger, type LogLine } from '../support/memory-logger.ts';

const INCIDENTS = `/pages/${DEFAULT_PAGE_ID}/incidents`;

let sp: StatuspageStandIn;
let client: StatuspageClient;
let lines: LogLine[];
let now: number;

async function start(
  standIn: StatuspageStandInOptions = {},
  options: Partial<StatuspageClientOptions> = {},
): Promise<void> {
  await sp?.close();
  sp = await StatuspageStandIn.start({ clock: () => now, ...standIn });
  lines = [];
  client = new StatuspageClient({
    apiUrl: sp.url,
    apiKey: DEFAULT_API_KEY,
    pageId: DEFAULT_PAGE_ID,
    logger: memoryLogger(lines),
    ...options,
  });
}

function id(name: string): string {
  const found = sp.component(name);
  if (!found) throw new Error(`no component ${name}`);
  return found.id;
}

function open(marker?: string) {
  return client.createIncident({
    name: 'Checkout errors',
    status: 'investigating',
    body: 'We are looking into failed checkouts.',
    components: { [id('Checkout API')]: 'major_outage', [id('Payments')]: 'degraded_performance' },
    ...(marker ? { marker } : {}),
  });
}

beforeEach(async () => {
  now = Date.parse('2026-03-14T03:00:00Z');
  await start();
});

afterEach(async () => {
  await sp.close();
});

describe('StatuspageClient against the Statuspage stand-in', () => {
  it('lists components across pages, naming their group and leaving groups out', async () => {
    const seeds = Array.from({ length: 120 }, (_, i) => ({
      name: `Service ${i + 1}`,
      ...(i < 2 ? { group: 'Core services' } : {}),
    }));
    await start({ components: seeds });

    const components = await client.components();

    expect(components).toHaveLength(120);
    expect(components[0]).toEqual({
      id: expect.any(String),
      name: 'Service 1',
      status: 'operational',
      group: 'Core services',
    });
    expect(components[2]).not.toHaveProperty('group');
    expect(sp.callsTo(`GET /pages/${DEFAULT_PAGE_ID}/components`).map((c) => c.query)).toEqual([
      { page: '1', per_page: '100' },
      { page: '2', per_page: '100' },
    ]);
  });

  it('opens an incident with component statuses and returns its shortlink', async () => {
    const created = await open('fb-INC-42-3k2j9a');

    const [incident] = sp.incidents();
    expect(created).toEqual({
      id: incident?.id,
      url: incident?.shortlink,
      status: 'investigating',
    });
    expect(incident?.metadata).toEqual({ firebreak: { marker: 'fb-INC-42-3k2j9a' } });
    expect(incident?.updates[0]?.body).toBe('We are looking into failed checkouts.');
    expect(sp.component('Checkout API')?.status).toBe('major_outage');
    expect(sp.component('Payments')?.status).toBe('degraded_performance');
    expect(sp.component('Search')?.status).toBe('operational');
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'info', msg: 'statuspage incident opened' }),
    );
  });

  it('updates status, text and components, then resolves', async () => {
    const { id: incidentId } = await open();

    const identified = await client.updateIncident(incidentId, {
      status: 'identified',
      body: 'A bad deploy; rolling back.',
      components: { [id('Payments')]: 'operational' },
    });
    const resolved = await client.updateIncident(incidentId, {
      status: 'resolved',
      body: 'Checkouts work again.',
      components: { [id('Checkout API')]: 'operational' },
    });
    const read = await client.getIncident(incidentId);

    expect(identified).toEqual({ id: incidentId, status: 'identified' });
    expect(resolved).toEqual({ id: incidentId, status: 'resolved' });
    expect(read).toMatchObject({
      id: incidentId,
      name: 'Checkout errors',
      status: 'resolved',
      resolvedAt: '2026-03-14T03:00:00.000Z',
      components: { [id('Checkout API')]: 'operational', [id('Payments')]: 'operational' },
    });
    expect(sp.incident(incidentId)?.updates.map((u) => u.status)).toEqual([
      'investigating',
      'identified',
      'resolved',
    ]);
    const patch = sp.callsTo(`PATCH ${INCIDENTS}/*`)[0];
    expect(patch?.body).toEqual({
      incident: {
        status: 'identified',
        body: 'A bad deploy; rolling back.',
        components: { [id('Payments')]: 'operational' },
        component_ids: [id('Payments')],
      },
    });
  });

  it('sends only what changes: a status alone leaves components as they are', async () => {
    const { id: incidentId } = await open();

    await client.updateIncident(incidentId, { status: 'monitoring' });

    expect(sp.callsTo(`PATCH ${INCIDENTS}/*`)[0]?.body).toEqual({
      incident: { status: 'monitoring' },
    });
    expect(sp.component('Checkout API')?.status).toBe('major_outage');
  });

  it('finds an unresolved incident by its marker after a lost answer', async () => {
    sp.failNext(`POST ${INCIDENTS}`, { loseAnswer: true });
    const lost = await outboundFailure(open('fb-INC-7-abc'));

    const found = await client.findByMarker('fb-INC-7-abc');
    const other = await client.findByMarker('fb-INC-8-def');

    expect(lost).toMatchObject({ service: 'statuspage', code: 'request_error', retryable: true });
    expect(found).toMatchObject({ id: sp.incidents()[0]?.id, status: 'investigating' });
    expect(other).toBeUndefined();
    expect(sp.callsTo(`GET ${INCIDENTS}/unresolved`)).toHaveLength(2);
  });

  it('does not find a resolved incident by its marker', async () => {
    const { id: incidentId } = await open('fb-INC-9-xyz');
    await client.updateIncident(incidentId, { status: 'resolved' });

    expect(await client.findByMarker('fb-INC-9-xyz')).toBeUndefined();
  });
});

describe('StatuspageClient failures', () => {
  it('names STATUSPAGE_API_KEY on 401, final', async () => {
    await start({}, { apiKey: 'wrong-key' });

    const error = await outboundFailure(client.components());

    expect(error).toMatchObject({ service: 'statuspage', code: '401', retryable: false });
    expect(error.message).toContain('Could not authenticate');
    expect(error.message).toContain('STATUSPAGE_API_KEY');
  });

  it('names STATUSPAGE_PAGE_ID on 404 for the page, and the incident on 404 for one', async () => {
    await start({}, { pageId: 'nosuchpage00' });
    const page = await outboundFailure(client.components());
    await start();
    const incident = await outboundFailure(client.getIncident('nosuchincid0'));

    expect(page).toMatchObject({ code: '404', retryable: false });
    expect(page.message).toContain('STATUSPAGE_PAGE_ID');
    expect(incident.message).toContain('no incident nosuchincid0');
    expect(incident.message).not.toContain('STATUSPAGE_PAGE_ID');
  });

  it('waits what Retry-After says on 429, not counted as a failure', async () => {
    await start({ requestsPerMinute: 1 });
    await client.components();
    now += 15_000;

    const error = await outboundFailure(open());

    expect(error).toMatchObject({ code: '429', retryable: false, retryAfterMs: 45_000 });
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'warn', msg: 'statuspage rate limit' }),
    );
    expect(sp.incidents()).toEqual([]);
  });

  it('treats 420 like 429 and waits a minute when no Retry-After is sent', async () => {
    sp.failNext(`POST ${INCIDENTS}`, { status: 420, headers: {} });

    const error = await outboundFailure(open());

    expect(error).toMatchObject({ code: '420', retryAfterMs: 60_000 });
  });

  it('retries 5xx and network failures; 422 is final with Statuspage’s message', async () => {
    sp.failNext(`POST ${INCIDENTS}`, { status: 502, body: '<html>Bad gateway</html>' });
    sp.failNext(`POST ${INCIDENTS}`, { disconnect: true });
    sp.failNext(`POST ${INCIDENTS}`, { status: 422, body: { error: ['Name is too long'] } });

    const gateway = await outboundFailure(open());
    const network = await outboundFailure(open());
    const invalid = await outboundFailure(open());

    expect(gateway).toMatchObject({ code: '502', retryable: true });
    expect(gateway.message).toContain('Bad gateway');
    expect(network).toMatchObject({ code: 'request_error', retryable: true });
    expect(invalid).toMatchObject({ code: '422', retryable: false });
    expect(invalid.message).toContain('Name is too long');
  });

  it('gives up after timeoutMs as unreachable', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => {
      silent.closeAllConnections();
      silent.close();
    });
    const { port } = silent.address() as AddressInfo;
    const slow = new StatuspageClient({
      apiUrl: `http://127.0.0.1:${port}/v1`,
      apiKey: DEFAULT_API_KEY,
      pageId: DEFAULT_PAGE_ID,
      logger: memoryLogger(),
      timeoutMs: 100,
    });

    const error = await outboundFailure(slow.components());

    expect(error).toMatchObject({ code: 'request_error', retryable: true });
  });

  it('never records or logs the API key', async () => {
    await open('fb-INC-1-k');
    await client.components();
    const accepted = JSON.stringify(sp.calls);
    await start({}, { apiKey: 'wrong-key' });
    await outboundFailure(client.components());

    expect(accepted).not.toContain(DEFAULT_API_KEY);
    expect(JSON.stringify(sp.calls)).not.toContain('wrong-key');
    expect(JSON.stringify(lines)).not.toContain('wrong-key');
    expect(JSON.stringify(lines)).not.toContain(DEFAULT_API_KEY);
    expect(sp.calls[0]?.headers.authorization).toBe('OAuth [redacted]');
  });
});
