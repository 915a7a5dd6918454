import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';

import {
  DEFAULT_API_KEY,
  DEFAULT_PAGE_ID,
  StatuspageStandIn,
  type StatuspageStandInOptions,
} from './statuspage-stand-in.ts';

const PAGE = `/pages/${DEFAULT_PAGE_ID}`;

let standIn: StatuspageStandIn;
let now: number;

async function startStandIn(options: StatuspageStandInOptions): Promise<StatuspageStandIn> {
  const started = await StatuspageStandIn.start({ clock: () => now, ...options });
  onTestFinished(() => started.close());
  return started;
}

/** A plain fetch to the stand-in: the answer's status, headers and parsed body. */
async function call(
  method: string,
  path: string,
  body?: object,
  key: string | null = DEFAULT_API_KEY,
  target: StatuspageStandIn = standIn,
) {
  const headers: Record<string, string> = {};
  if (key !== null) headers.Authorization = `OAuth ${key}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`${target.url}${path}`, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  const data = text === '' ? undefined : (JSON.parse(text) as unknown);
  return { status: res.status, headers: res.headers, data: data as Record<string, unknown> };
}

function componentId(name: string): string {
  const found = standIn.component(name);
  if (!found) throw new Error(`no component ${name}`);
  return found.id;
}

async function createIncident(fields: Record<string, unknown> = {}) {
  return call('POST', `${PAGE}/incidents`, {
    incident: {
      name: 'Checkout errors',
      status: 'investigating',
      body: 'We are looking into failed checkouts.',
      components: { [componentId('Checkout API')]: 'major_outage' },
      deliver_notifications: false,
      ...fields,
    },
  });
}

beforeEach(async () => {
  now = Date.parse('2026-03-14T03:00:00Z');
  standIn = await StatuspageStandIn.start({ clock: () => now });
});

afterEach(async () => {
  await standIn.close();
});

describe('the page and its components', () => {
  it('answers the page with its id, name and URL', async () => {
    const { status, data } = await call('GET', PAGE);

    expect(status).toBe(200);
    expect(data).toMatchObject({
      id: DEFAULT_PAGE_ID,
      name: 'Acme Status',
      url: 'https://acme-status.statuspage.io',
    });
  });

  it('lists components with the group container before its members', async () => {
    const { status, data } = await call('GET', `${PAGE}/components`);

    const list = data as unknown as Record<string, unknown>[];
    expect(status).toBe(200);
    expect(list.map((item) => [item.name, item.group])).toEqual([
      ['Core services', true],
      ['Checkout API', false],
      ['Payments', false],
      ['Search', false],
    ]);
    const [group, checkout, payments, search] = list;
    expect(group?.components).toEqual([checkout?.id, payments?.id]);
    expect(checkout).toMatchObject({ group_id: group?.id, status: 'operational' });
    expect(search).toMatchObject({ group_id: null, page_id: DEFAULT_PAGE_ID });
  });

  it('pages components with page and per_page, at most 100 a page', async () => {
    const seeds = Array.from({ length: 105 }, (_, i) => ({ name: `Service ${i + 1}` }));
    const big = await startStandIn({ components: seeds });

    const first = await call(
      'GET',
      `${PAGE}/components?per_page=2`,
      undefined,
      DEFAULT_API_KEY,
      big,
    );
    const third = await call(
      'GET',
      `${PAGE}/components?per_page=2&page=3`,
      undefined,
      DEFAULT_API_KEY,
      big,
    );
    const all = await call(
      'GET',
      `${PAGE}/components?per_page=500`,
      undefined,
      DEFAULT_API_KEY,
      big,
    );
    const last = await call('GET', `${PAGE}/components?page=2`, undefined, DEFAULT_API_KEY, big);

    const names = (reply: { data: unknown }) =>
      (reply.data as { name: string }[]).map((item) => item.name);
    expect(names(first)).toEqual(['Service 1', 'Service 2']);
    expect(names(third)).toEqual(['Service 5', 'Service 6']);
    expect(names(all)).toHaveLength(100);
    expect(names(last)).toEqual([
      'Service 101',
      'Service 102',
      'Service 103',
      'Service 104',
      'Service 105',
    ]);
  });
});

describe('auth and errors', () => {
  it('refuses a missing or wrong key with 401 and Statuspage’s error body', async () => {
    const missing = await call('GET', `${PAGE}/components`, undefined, null);
    const wrong = await call('GET', `${PAGE}/components`, undefined, 'not-the-key');
    const bearer = await fetch(`${standIn.url}${PAGE}`, {
      headers: { Authorization: `Bearer ${DEFAULT_API_KEY}` },
    });

    expect(missing).toMatchObject({ status: 401, data: { error: 'Could not authenticate' } });
    expect(wrong.status).toBe(401);
    expect(bearer.status).toBe(401);
  });

  it('answers 404 for an unknown page, incident or path', async () => {
    const page = await call('GET', '/pages/nosuchpage0/components');
    const incident = await call('GET', `${PAGE}/incidents/nosuchincid0`);
    const path = await call('GET', `${PAGE}/subscribers`);

    expect(page).toMatchObject({ status: 404, data: { error: expect.any(String) } });
    expect(incident.status).toBe(404);
    expect(path.status).toBe(404);
  });

  it('refuses invalid statuses with 422 naming the value, and changes nothing', async () => {
    const id = componentId('Payments');

    const badStatus = await createIncident({ status: 'on_fire' });
    const badComponent = await createIncident({ components: { [id]: 'broken' } });
    const unknown = await createIncident({ components: { nosuchcompo: 'major_outage' } });
    const noName = await createIncident({ name: '' });
    const noIncident = await call('POST', `${PAGE}/incidents`, { name: 'flat' });

    expect(badStatus.status).toBe(422);
    expect(JSON.stringify(badStatus.data.error)).toContain('on_fire');
    expect(JSON.stringify(badComponent.data.error)).toContain('broken');
    expect(JSON.stringify(unknown.data.error)).toContain('nosuchcompo');
    expect(noName.status).toBe(422);
    expect(noIncident.status).toBe(400);
    expect(standIn.incidents()).toEqual([]);
    expect(standIn.component('Payments')?.status).toBe('operational');
  });
});

describe('incidents', () => {
  it('creates an incident with component statuses and answers 201', async () => {
    const checkout = componentId('Checkout API');

    const { status, data } = await createIncident();

    expect(status).toBe(201);
    expect(data).toMatchObject({
      name: 'Checkout errors',
      status: 'investigating',
      impact: 'critical',
      page_id: DEFAULT_PAGE_ID,
      created_at: '2026-03-14T03:00:00.000Z',
      resolved_at: null,
      components: [{ id: checkout, status: 'major_outage' }],
      incident_updates: [
        {
          status: 'investigating',
          body: 'We are looking into failed checkouts.',
          deliver_notifications: false,
          affected_components: [
            { code: checkout, old_status: 'operational', new_status: 'major_outage' },
          ],
        },
      ],
    });
    expect(data.shortlink).toMatch(/^https:\/\/stspg\.invalid\/\w+$/);
    expect(standIn.component('Checkout API')?.status).toBe('major_outage');
  });

  it('appends an update on PATCH and changes only the components named', async () => {
    const { data: created } = await createIncident();
    const payments = componentId('Payments');
    now += 60_000;

    const { status, data } = await call('PATCH', `${PAGE}/incidents/${String(created.id)}`, {
      incident: {
        status: 'identified',
        body: 'A bad deploy; rolling back.',
        components: { [payments]: 'degraded_performance' },
      },
    });

    expect(status).toBe(200);
    const updates = data.incident_updates as { status: string; body: string }[];
    expect(updates.map((update) => [update.status, update.body])).toEqual([
      ['identified', 'A bad deploy; rolling back.'],
      ['investigating', 'We are looking into failed checkouts.'],
    ]);
    expect(standIn.component('Checkout API')?.status).toBe('major_outage');
    expect(standIn.component('Payments')?.status).toBe('degraded_performance');
    expect(data.updated_at).toBe('2026-03-14T03:01:00.000Z');
  });

  it('sets resolved_at on resolving and leaves components alone unless asked', async () => {
    const { data: created } = await createIncident();
    const path = `${PAGE}/incidents/${String(created.id)}`;
    now += 120_000;

    const resolved = await call('PATCH', path, {
      incident: { status: 'resolved', body: 'Fixed.' },
    });
    const operational = await call('PATCH', path, {
      incident: { components: { [componentId('Checkout API')]: 'operational' } },
    });

    expect(resolved.data).toMatchObject({
      status: 'resolved',
      resolved_at: '2026-03-14T03:02:00.000Z',
      components: [{ status: 'major_outage' }],
    });
    expect(operational.data.components).toMatchObject([{ status: 'operational' }]);
    expect(standIn.incidents()[0]?.updates).toHaveLength(3);
  });

  it('reads an incident back and lists incidents newest first, unresolved and by q', async () => {
    const { data: first } = await createIncident({ name: 'Checkout errors' });
    now += 1000;
    const { data: second } = await createIncident({ name: 'Search slow', components: {} });
    await call('PATCH', `${PAGE}/incidents/${String(first.id)}`, {
      incident: { status: 'resolved' },
    });

    const one = await call('GET', `${PAGE}/incidents/${String(second.id)}`);
    const all = await call('GET', `${PAGE}/incidents`);
    const open = await call('GET', `${PAGE}/incidents/unresolved`);
    const found = await call('GET', `${PAGE}/incidents?q=failed%20checkouts`);

    const ids = (reply: { data: unknown }) => (reply.data as { id: string }[]).map((i) => i.id);
    expect(one.data).toMatchObject({ id: second.id, name: 'Search slow' });
    expect(ids(all)).toEqual([second.id, first.id]);
    expect(ids(open)).toEqual([second.id]);
    expect(ids(found)).toEqual([second.id, first.id]);
  });

  it('keeps metadata and refuses metadata whose values are not objects', async () => {
    const { data } = await createIncident({ metadata: { firebreak: { marker: 'fb-INC-1' } } });
    const bad = await createIncident({ metadata: { firebreak: 'fb-INC-1' } });

    expect(data.metadata).toEqual({ firebreak: { marker: 'fb-INC-1' } });
    expect(bad.status).toBe(422);
  });
});

describe('rate limit and faults', () => {
  it('answers 429 with Retry-After past requestsPerMinute, until the window moves', async () => {
    const limited = await startStandIn({ requestsPerMinute: 2 });
    const get = () => call('GET', PAGE, undefined, DEFAULT_API_KEY, limited);
    await get();
    now += 10_000;
    await get();

    const refused = await get();
    now += 50_000;
    const again = await get();

    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('50');
    expect(refused.data).toEqual({ error: 'Rate limit exceeded' });
    expect(again.status).toBe(200);
  });

  it('answers injected failures before auth, then recovers', async () => {
    standIn.failNext(`POST ${PAGE}/incidents`, { status: 503, times: 2 });
    standIn.failNext('GET /pages/*', { status: 429 });

    const first = await createIncident();
    const second = await createIncident();
    const third = await createIncident();
    const limited = await call('GET', PAGE, undefined, null);

    expect([first.status, second.status, third.status]).toEqual([503, 503, 201]);
    expect(first.data).toEqual({ error: 'Internal Server Error' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(standIn.incidents()).toHaveLength(1);
  });

  it('drops the connection on disconnect, and after doing the work on loseAnswer', async () => {
    standIn.failNext(`POST ${PAGE}/incidents`, { disconnect: true });
    standIn.failNext(`POST ${PAGE}/incidents`, { loseAnswer: true });

    await expect(createIncident()).rejects.toThrow();
    await expect(createIncident()).rejects.toThrow();

    expect(standIn.incidents()).toHaveLength(1);
    expect(standIn.callsTo(`POST ${PAGE}/incidents`).map((c) => c.status)).toEqual([0, 0]);
  });
});

describe('recorded calls', () => {
  it('records calls below /v1 and never the API key', async () => {
    const seen: string[] = [];
    const recorded = await startStandIn({ onCall: (c) => seen.push(`${c.method} ${c.path}`) });

    await call('GET', `${PAGE}/components`, undefined, DEFAULT_API_KEY, recorded);
    await fetch(`${recorded.url}${PAGE}?api_key=${DEFAULT_API_KEY}`);

    const [first, second] = recorded.calls;
    expect(seen).toEqual([`GET ${PAGE}/components`, `GET ${PAGE}`]);
    expect(first?.headers.authorization).toBe('OAuth [redacted]');
    expect(second?.query).toEqual({ api_key: '[redacted]' });
    expect(JSON.stringify(recorded.calls)).not.toContain(DEFAULT_API_KEY);
  });

  it('resets calls, incidents and component statuses', async () => {
    await createIncident();

    standIn.reset();

    expect(standIn.calls).toEqual([]);
    expect(standIn.incidents()).toEqual([]);
    expect(standIn.component('Checkout API')?.status).toBe('operational');
  });
});
