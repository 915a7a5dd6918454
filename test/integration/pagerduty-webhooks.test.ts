import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALERTS, eventually, fixture, startHarness, type Harness } from '../support/harness.ts';

const SECRET = 'pagerduty-webhook-secret-0123456789';
let h: Harness;

beforeEach(async () => {
  h = await startHarness({
    env: { PAGERDUTY_WEBHOOK_SECRET: SECRET, PAGERDUTY_INBOUND_SERVICES: 'PSVC001' },
  });
});

afterEach(async () => {
  await h.close();
});

function event(input: {
  id: string;
  type: string;
  at: string;
  agent?: { id: string; summary: string } | null;
  data?: Record<string, unknown>;
}) {
  return {
    event: {
      id: input.id,
      event_type: input.type,
      resource_type: 'incident',
      occurred_at: input.at,
      agent:
        input.agent === undefined
          ? null
          : input.agent && { ...input.agent, type: 'user_reference' },
      client: null,
      data: { id: 'PABC123', type: 'incident', status: 'acknowledged', ...input.data },
    },
  };
}

function deliver(body: unknown, secrets: string[] = [SECRET]) {
  const raw = JSON.stringify(body);
  const signature = secrets
    .map((s) => `v1=${createHmac('sha256', s).update(raw).digest('hex')}`)
    .join(',');
  return fetch(`${h.url}/webhooks/pagerduty`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-pagerduty-signature': signature },
    body: raw,
  });
}

const SAM = { id: 'PSAM001', summary: 'Sam Example' };

/** An alert's incident linked to PagerDuty incident PABC123, as paging it would leave it. */
async function linkedIncident() {
  await h.postAlert('alertmanager', await fixture('alertmanager/firing-group.json'));
  await h.settle();
  await h.bot.incidents.setRef('INC-1', 'pagerduty', { id: 'PABC123' });
  return 'INC-1';
}

async function timeline(id: string) {
  return h.bot.incidents.timeline(id);
}

describe('PagerDuty webhooks', () => {
  it('refuses a bad signature with 401 and changes nothing', async () => {
    const id = await linkedIncident();

    const res = await deliver(
      event({ id: 'E1', type: 'incident.acknowledged', at: '2026-06-01T10:00:05Z', agent: SAM }),
      ['some-other-secret-0123456789'],
    );

    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'bad_signature' });
    expect(h.bot.incidents.get(id)?.status).toBe('triggered');
  });

  it('takes a signature made with the new secret while PagerDuty rotates it', async () => {
    const id = await linkedIncident();

    const res = await deliver(
      event({ id: 'E1', type: 'incident.acknowledged', at: '2026-06-01T10:00:05Z', agent: SAM }),
      ['previous-secret-0123456789', SECRET],
    );

    expect(res.status).toBe(202);
    expect(h.bot.incidents.get(id)?.status).toBe('acknowledged');
  });

  it('applies an acknowledgement from a phone once, shows who in Slack, and ignores the redelivery (F11)', async () => {
    const id = await linkedIncident();
    const ack = event({
      id: '01EVTTEST0002',
      type: 'incident.acknowledged',
      at: '2026-06-01T10:00:06Z',
      agent: SAM,
    });

    const first = await deliver(ack);
    const again = await deliver(ack);
    await eventually(() =>
      JSON.stringify(h.slack.topLevelMessages(ALERTS)[0]?.blocks).includes(
        'Sam Example (PagerDuty)',
      ),
    );

    expect(first.status).toBe(202);
    expect(await again.json()).toEqual({ status: 'duplicate' });
    const acks = (await timeline(id)).filter((e) => e.kind === 'incident.acknowledged');
    expect(acks).toHaveLength(1);
    expect(acks[0]).toMatchObject({
      origin: 'pagerduty',
      actor: { kind: 'external', id: 'pagerduty:PSAM001', name: 'Sam Example' },
      text: 'Acknowledged by Sam Example (PagerDuty)',
    });
  });

  it('adds a second person’s acknowledgement to the timeline without flapping, and a late triggered moves nothing back (F11)', async () => {
    const id = await linkedIncident();
    await deliver(
      event({ id: 'E1', type: 'incident.acknowledged', at: '2026-06-01T10:00:05Z', agent: SAM }),
    );
    const pat = { id: 'PPAT001', summary: 'Pat Example' };

    await deliver(
      event({ id: 'E2', type: 'incident.acknowledged', at: '2026-06-01T10:00:06Z', agent: pat }),
    );
    const late = await deliver(
      event({
        id: 'E3',
        type: 'incident.triggered',
        at: '2026-06-01T09:59:00Z',
        data: { status: 'triggered' },
      }),
    );

    expect(await late.json()).toEqual({ status: 'stale' });
    expect(h.bot.incidents.get(id)?.status).toBe('acknowledged');
    const kinds = (await timeline(id)).map((e) => e.kind);
    expect(kinds.filter((k) => k === 'incident.acknowledged')).toHaveLength(1);
    expect((await timeline(id)).at(-1)).toMatchObject({
      kind: 'external',
      text: 'Acknowledged in PagerDuty too',
      actor: { name: 'Pat Example' },
    });
  });

  it('does not let an event dated in the far future make every later one stale', async () => {
    const id = await linkedIncident();
    const now = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString();

    await deliver(
      event({ id: 'E1', type: 'incident.acknowledged', at: '2099-01-01T00:00:00Z', agent: SAM }),
    );
    const later = await deliver(
      event({
        id: 'E2',
        type: 'incident.resolved',
        at: iso(now + 60 * 60_000),
        agent: SAM,
        data: { status: 'resolved' },
      }),
    );

    expect(await later.json()).toEqual({ status: 'applied' });
    expect(h.bot.incidents.get(id)?.status).toBe('resolved');
  });

  it('leaves the final state right when resolved arrives before acknowledged', async () => {
    const id = await linkedIncident();

    await deliver(
      event({
        id: 'E2',
        type: 'incident.resolved',
        at: '2026-06-01T10:05:00Z',
        agent: SAM,
        data: { status: 'resolved' },
      }),
    );
    const early = await deliver(
      event({ id: 'E1', type: 'incident.acknowledged', at: '2026-06-01T10:01:00Z', agent: SAM }),
    );

    expect(await early.json()).toEqual({ status: 'stale' });
    expect(h.bot.incidents.get(id)?.status).toBe('resolved');
  });

  it('records unacknowledgements, reassignments, escalations, priorities and notes from PagerDuty', async () => {
    const id = await linkedIncident();
    const at = (s: number) => `2026-06-01T10:00:${String(s).padStart(2, '0')}Z`;
    await deliver(event({ id: 'E1', type: 'incident.acknowledged', at: at(1), agent: SAM }));

    await deliver(
      event({
        id: 'E2',
        type: 'incident.unacknowledged',
        at: at(2),
        agent: null,
        data: { status: 'triggered' },
      }),
    );
    await deliver(
      event({
        id: 'E3',
        type: 'incident.reassigned',
        at: at(3),
        agent: SAM,
        data: { assignees: [{ id: 'P1', summary: 'Alex Example' }] },
      }),
    );
    await deliver(
      event({
        id: 'E4',
        type: 'incident.escalated',
        at: at(4),
        agent: null,
        data: { assignees: [{ id: 'P2', summary: 'Lee Example' }] },
      }),
    );
    await deliver(
      event({
        id: 'E5',
        type: 'incident.priority_updated',
        at: at(5),
        agent: SAM,
        data: { priority: { id: 'PR1', summary: 'P1' } },
      }),
    );
    await deliver({
      event: {
        id: 'E6',
        event_type: 'incident.annotated',
        occurred_at: at(6),
        agent: { ...SAM, type: 'user_reference' },
        data: {
          id: 'PN1',
          type: 'incident_note',
          content: 'DB failover started',
          incident: { id: 'PABC123', type: 'incident_reference' },
        },
      },
    });

    const texts = (await timeline(id)).slice(-5).map((e) => e.text);
    expect(texts).toEqual([
      'Unacknowledged by pagerduty',
      'Reassigned in PagerDuty to Alex Example',
      'Escalated in PagerDuty to Lee Example',
      'Priority in PagerDuty: P1',
      'PagerDuty note: DB failover started',
    ]);
    expect(h.bot.incidents.get(id)?.status).toBe('triggered');
  });

  it('opens an incident for one triggered in a mapped PagerDuty service, and resolves it with PagerDuty', async () => {
    const triggered = event({
      id: 'E1',
      type: 'incident.triggered',
      at: '2026-06-01T10:00:00Z',
      data: {
        id: 'PNEW001',
        status: 'triggered',
        title: 'Checkout API error rate',
        html_url: 'https://acme.pagerduty.com/incidents/PNEW001',
        service: { id: 'PSVC001', summary: 'Checkout API', type: 'service_reference' },
        urgency: 'high',
      },
    });

    const opened = await deliver(triggered);
    const other = await deliver({
      event: {
        ...triggered.event,
        id: 'E2',
        data: {
          ...triggered.event.data,
          id: 'POTHER1',
          service: { id: 'PSVC999', summary: 'Other' },
        },
      },
    });
    const incident = await eventually(() =>
      h.bot.incidents.findByRef('pagerduty', 'id', 'PNEW001'),
    );
    await deliver(
      event({
        id: 'E3',
        type: 'incident.resolved',
        at: '2026-06-01T10:30:00Z',
        agent: SAM,
        data: { id: 'PNEW001', status: 'resolved' },
      }),
    );

    expect(await opened.json()).toEqual({ status: 'applied' });
    expect(await other.json()).toEqual({ status: 'ignored' });
    expect(incident).toMatchObject({ source: 'pagerduty', title: 'Checkout API error rate' });
    expect(h.bot.incidents.get(incident.id)?.status).toBe('resolved');
    await eventually(() =>
      h.slack.topLevelMessages(ALERTS).some((m) => m.text?.includes('Checkout API error rate')),
    );
  });

  it('names the wrong field of a signed but malformed event, and changes nothing', async () => {
    const res = await deliver({ event: { id: 'E1', event_type: 'incident.acknowledged' } });

    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: 'invalid_payload',
      field: 'event.occurred_at',
    });
  });
});
