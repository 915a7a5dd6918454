import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IncidentService } from '../../src/core/incident-service.ts';
import type { Actor, AlertBatch, NormalizedAlert } from '../../src/core/types.ts';
import { LowdbStore } from '../../src/store/lowdb-store.ts';
import { memoryLogger } from '../support/memory-logger.ts';

const HOUR = 60 * 60 * 1000;
const PAT: Actor = { kind: 'user', id: 'U0PAT0001', name: 'pat' };

let dir: string;
let now: Date;
const clock = { now: () => now };

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'firebreak-core-'));
  now = new Date('2026-03-14T02:47:00Z');
});

const stores: LowdbStore[] = [];

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  await rm(dir, { recursive: true, force: true });
});

async function service() {
  // A new service is a restart: the previous one's store is closed first, as a stopping bot's is.
  for (const previous of stores.splice(0)) await previous.close();
  const store = await LowdbStore.open(dir);
  stores.push(store);
  const incidents = new IncidentService({
    store,
    clock,
    logger: memoryLogger(),
    reopenWindowMs: HOUR,
  });
  await incidents.load();
  return incidents;
}

function alert(
  key: string,
  status: 'firing' | 'resolved' = 'firing',
  startsAt = '2026-03-14T02:40:00Z',
): NormalizedAlert {
  return {
    key,
    status,
    title: 'HighLatency',
    summary: `latency high on ${key}`,
    severity: 'critical',
    labels: {},
    links: [],
    startsAt,
  };
}

function batch(...alerts: NormalizedAlert[]): AlertBatch {
  return { source: 'alertmanager', groupKey: 'checkout', title: 'HighLatency', links: [], alerts };
}

function later(ms: number) {
  now = new Date(now.getTime() + ms);
}

async function kinds(incidents: IncidentService, id: string) {
  return (await incidents.timeline(id)).map((e) => e.kind);
}

describe('grouping alerts into incidents', () => {
  it('opens one incident for a group and records each firing alert', async () => {
    const incidents = await service();

    const result = await incidents.ingest(batch(alert('a'), alert('b')));

    expect(result).toEqual({ incidentId: 'INC-1', created: true, ignored: false });
    expect(await kinds(incidents, 'INC-1')).toEqual([
      'incident.opened',
      'alert.fired',
      'alert.fired',
    ]);
    expect(incidents.get('INC-1')).toMatchObject({
      status: 'triggered',
      severity: 'critical',
      notifications: 1,
    });
  });

  it('treats a repeated notification as a repeat: same incident, one "repeated" entry', async () => {
    const incidents = await service();
    await incidents.ingest(batch(alert('a'), alert('b')));

    const result = await incidents.ingest(batch(alert('a'), alert('b')));

    expect(result).toMatchObject({ incidentId: 'INC-1', created: false });
    expect((await kinds(incidents, 'INC-1')).at(-1)).toBe('alert.repeated');
    expect(incidents.get('INC-1')?.notifications).toBe(2);
  });

  it('stays open while some alerts fire and resolves, by its source, when all have resolved', async () => {
    const incidents = await service();
    await incidents.ingest(batch(alert('a'), alert('b')));

    await incidents.ingest(batch(alert('a', 'resolved'), alert('b')));
    const midway = incidents.get('INC-1')?.status;
    await incidents.ingest(batch(alert('a', 'resolved'), alert('b', 'resolved')));

    expect(midway).toBe('triggered');
    expect(incidents.get('INC-1')).toMatchObject({
      status: 'resolved',
      resolvedBy: { kind: 'source', id: 'alertmanager' },
    });
    expect((await kinds(incidents, 'INC-1')).slice(-2)).toEqual([
      'alert.resolved',
      'incident.resolved',
    ]);
  });

  it('ignores resolved alerts of no known incident', async () => {
    const incidents = await service();

    const result = await incidents.ingest(batch(alert('a', 'resolved')));

    expect(result).toEqual({ created: false, ignored: true });
    expect(incidents.list({ all: true })).toEqual([]);
  });

  it('opens a single incident when two deliveries of a new group arrive at once', async () => {
    const incidents = await service();

    const [first, second] = await Promise.all([
      incidents.ingest(batch(alert('a'))),
      incidents.ingest(batch(alert('a'))),
    ]);

    expect(first.incidentId).toBe('INC-1');
    expect(second.incidentId).toBe('INC-1');
    expect(incidents.list({ all: true })).toHaveLength(1);
  });
});

describe('re-firing after resolution (the documented rule)', () => {
  it('reopens the incident when an alert fires again within the reopen window', async () => {
    const incidents = await service();
    await incidents.ingest(batch(alert('a')));
    await incidents.ingest(batch(alert('a', 'resolved')));

    later(HOUR / 2);
    const result = await incidents.ingest(batch(alert('a', 'firing', '2026-03-14T03:10:00Z')));

    expect(result).toMatchObject({ incidentId: 'INC-1', created: false });
    expect(incidents.get('INC-1')).toMatchObject({ status: 'triggered' });
    expect(incidents.get('INC-1')?.resolvedAt).toBeUndefined();
    expect(await kinds(incidents, 'INC-1')).toContain('incident.reopened');
  });

  it('opens a new incident when it fires again after the window', async () => {
    const incidents = await service();
    await incidents.ingest(batch(alert('a')));
    await incidents.ingest(batch(alert('a', 'resolved')));

    later(2 * HOUR);
    const result = await incidents.ingest(batch(alert('a', 'firing', '2026-03-14T05:00:00Z')));

    expect(result).toMatchObject({ incidentId: 'INC-2', created: true });
    expect(incidents.get('INC-1')?.status).toBe('resolved');
  });

  it('keeps an incident a person resolved closed while its alerts merely repeat', async () => {
    const incidents = await service();
    await incidents.ingest(batch(alert('a')));
    await incidents.resolve('INC-1', PAT, 'slack', 'fixed');

    later(60_000);
    await incidents.ingest(batch(alert('a')));

    expect(incidents.get('INC-1')).toMatchObject({
      status: 'resolved',
      resolvedBy: PAT,
      resolution: 'fixed',
    });
    expect((await kinds(incidents, 'INC-1')).at(-1)).toBe('alert.repeated');
  });
});

describe("people's commands", () => {
  it('acknowledges once and reports who did when asked again', async () => {
    const incidents = await service();
    await incidents.ingest(batch(alert('a')));

    const first = await incidents.acknowledge('INC-1', PAT, 'slack');
    const second = await incidents.acknowledge('INC-1', { kind: 'user', id: 'U0SAM0001' }, 'slack');

    expect(first.outcome).toBe('done');
    expect(second).toMatchObject({ outcome: 'already', incident: { acknowledgedBy: PAT } });
    expect(
      (await kinds(incidents, 'INC-1')).filter((k) => k === 'incident.acknowledged'),
    ).toHaveLength(1);
  });

  it('does not reopen a resolved incident on a late acknowledgement', async () => {
    const incidents = await service();
    await incidents.ingest(batch(alert('a')));
    await incidents.ingest(batch(alert('a', 'resolved')));

    const result = await incidents.acknowledge('INC-1', PAT, 'slack');

    expect(result.outcome).toBe('resolved');
    expect(incidents.get('INC-1')?.status).toBe('resolved');
  });

  it('answers not_found for an unknown ID and stores nothing', async () => {
    const incidents = await service();

    const result = await incidents.addNote('INC-9', PAT, 'slack', 'hello');

    expect(result.outcome).toBe('not_found');
    expect(await incidents.timeline('INC-9')).toEqual([]);
  });
});

describe('durability', () => {
  it('keeps incidents, numbering and the timeline across a reload', async () => {
    const first = await service();
    await first.ingest(batch(alert('a')));
    await first.acknowledge('INC-1', PAT, 'slack');

    const second = await service();
    const declared = await second.declare({
      title: 'By hand',
      severity: 'error',
      actor: PAT,
      origin: 'slack',
    });

    expect(declared.outcome === 'done' && declared.incident.id).toBe('INC-2');
    expect(second.get('INC-1')?.status).toBe('acknowledged');
    expect(await kinds(second, 'INC-1')).toEqual([
      'incident.opened',
      'alert.fired',
      'incident.acknowledged',
    ]);
  });

  it('reads a long timeline in order after a reload, numbering on from where it stopped', async () => {
    const NOTES = 1_005;
    const first = await service();
    await first.ingest(batch(alert('a')));
    const notes = Array.from({ length: NOTES }, (_, i) =>
      first.addNote('INC-1', PAT, 'slack', `note ${i}`),
    );
    await Promise.all(notes);
    const second = await service();
    await second.addNote('INC-1', PAT, 'slack', 'after the reload');

    const entries = await second.timeline('INC-1');

    expect(entries).toHaveLength(NOTES + 3);
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
    expect(entries.at(-2)?.text).toBe(`note ${NOTES - 1}`);
    expect(entries.at(-1)?.text).toBe('after the reload');
  });
});

describe('the incident lifecycle', () => {
  const SAM: Actor = { kind: 'user', id: 'U0SAM0001', name: 'sam' };

  it("declares an alert's incident in place: same number and timeline, one declared entry", async () => {
    const incidents = await service();
    await incidents.ingest(batch(alert('a')));

    later(5 * 60_000);
    const result = await incidents.declare({
      title: 'Checkout down',
      severity: 'error',
      incidentId: 'INC-1',
      actor: PAT,
      origin: 'slack',
    });

    expect(result).toMatchObject({ outcome: 'done', incident: { id: 'INC-1', number: 1 } });
    expect(incidents.list({ all: true })).toHaveLength(1);
    expect(await kinds(incidents, 'INC-1')).toEqual([
      'incident.opened',
      'alert.fired',
      'incident.declared',
    ]);
    expect(incidents.get('INC-1')).toMatchObject({
      title: 'Checkout down',
      severity: 'error',
      severityPinned: true,
      status: 'triggered',
      phase: 'investigating',
      declaredBy: PAT,
      declaredAt: '2026-03-14T02:52:00.000Z',
      roles: { lead: PAT },
    });
  });

  it('makes the lead the person named when declaring, not the declarer', async () => {
    const incidents = await service();

    await incidents.declare({
      title: 'Search slow',
      severity: 'warning',
      lead: SAM,
      actor: PAT,
      origin: 'slack',
    });

    expect(incidents.get('INC-1')?.roles).toEqual({ lead: SAM });
  });

  it('answers "already" when a declared incident is declared again, changing nothing', async () => {
    const incidents = await service();
    await incidents.ingest(batch(alert('a')));
    await incidents.declare({
      title: 'Checkout down',
      severity: 'error',
      incidentId: 'INC-1',
      actor: PAT,
      origin: 'slack',
    });
    const version = incidents.get('INC-1')?.version;

    const again = await incidents.declare({
      title: 'Another title',
      severity: 'critical',
      incidentId: 'INC-1',
      actor: SAM,
      origin: 'slack',
    });

    expect(again.outcome).toBe('already');
    expect(incidents.get('INC-1')).toMatchObject({
      title: 'Checkout down',
      severity: 'error',
      declaredBy: PAT,
      version,
    });
    expect((await kinds(incidents, 'INC-1')).filter((k) => k === 'incident.declared')).toHaveLength(
      1,
    );
  });

  it('leaves a declared incident open when all its alerts resolve: people resolve it', async () => {
    const incidents = await service();
    await incidents.ingest(batch(alert('a')));
    await incidents.declare({
      title: 'Checkout down',
      severity: 'error',
      incidentId: 'INC-1',
      actor: PAT,
      origin: 'slack',
    });

    await incidents.ingest(batch(alert('a', 'resolved')));

    expect(incidents.get('INC-1')).toMatchObject({ status: 'triggered', phase: 'investigating' });
    expect((await kinds(incidents, 'INC-1')).at(-1)).toBe('alert.resolved');
  });

  it('still resolves an undeclared incident when its alerts resolve, even with a pinned severity', async () => {
    const incidents = await service();
    await incidents.ingest(batch(alert('a')));
    await incidents.act('INC-1', { type: 'severity', severity: 'error' }, PAT, 'slack');

    await incidents.ingest(batch(alert('a', 'resolved')));

    expect(incidents.get('INC-1')).toMatchObject({
      status: 'resolved',
      resolvedBy: { kind: 'source', id: 'alertmanager' },
    });
  });

  it('keeps a severity a person set when a more severe alert fires later', async () => {
    const incidents = await service();
    await incidents.ingest(batch({ ...alert('a'), severity: 'warning' }));
    await incidents.act('INC-1', { type: 'severity', severity: 'error' }, PAT, 'slack');

    later(60_000);
    await incidents.ingest(batch({ ...alert('a'), severity: 'warning' }, alert('b')));

    expect(incidents.get('INC-1')).toMatchObject({ severity: 'error', severityPinned: true });
    expect((await kinds(incidents, 'INC-1')).at(-1)).toBe('alert.fired');
  });

  it('changes nothing for a refused command and says why', async () => {
    const incidents = await service();
    await incidents.ingest(batch(alert('a')));
    const before = structuredClone(incidents.get('INC-1'));
    const entries = (await incidents.timeline('INC-1')).length;

    later(60_000);
    const result = await incidents.act('INC-1', { type: 'close' }, PAT, 'slack');

    expect(result).toMatchObject({
      outcome: 'refused',
      reason: 'INC-1 is still open; resolve it before closing its channel.',
    });
    expect(incidents.get('INC-1')).toEqual(before);
    expect(await incidents.timeline('INC-1')).toHaveLength(entries);
  });

  it('records a status update as the latest update, with the channel it was posted in', async () => {
    const incidents = await service();
    await incidents.declare({
      title: 'Checkout down',
      severity: 'error',
      actor: PAT,
      origin: 'slack',
    });

    later(10 * 60_000);
    const result = await incidents.act(
      'INC-1',
      { type: 'status', phase: 'identified', text: 'a bad deploy' },
      SAM,
      'slack',
      { channel: 'C0INC0001' },
    );

    expect(incidents.get('INC-1')).toMatchObject({
      phase: 'identified',
      lastUpdate: {
        at: '2026-03-14T02:57:00.000Z',
        phase: 'identified',
        text: 'a bad deploy',
        actor: SAM,
      },
    });
    expect(result.outcome === 'done' && result.entries).toEqual([
      expect.objectContaining({
        kind: 'incident.status',
        text: 'Identified: a bad deploy',
        actor: SAM,
        origin: 'slack',
        source: { channel: 'C0INC0001' },
      }),
    ]);
    expect((await incidents.timeline('INC-1')).at(-1)?.source).toEqual({ channel: 'C0INC0001' });
  });

  it('keeps roles, phase, the latest update, declaration and closing across a restart', async () => {
    const first = await service();
    await first.declare({
      title: 'Checkout down',
      severity: 'error',
      lead: SAM,
      channel: true,
      actor: PAT,
      origin: 'slack',
    });
    await first.act('INC-1', { type: 'role', role: 'comms', user: PAT }, PAT, 'slack');
    later(10 * 60_000);
    await first.act(
      'INC-1',
      { type: 'status', phase: 'monitoring', text: 'fix out' },
      SAM,
      'slack',
    );
    later(10 * 60_000);
    await first.resolve('INC-1', SAM, 'slack', 'error rate normal');
    later(60 * 60_000);
    await first.act('INC-1', { type: 'close' }, PAT, 'slack');

    const second = await service();
    const summary = await second.act(
      'INC-1',
      { type: 'summary', text: 'late words' },
      PAT,
      'slack',
    );

    expect(second.get('INC-1')).toMatchObject({
      status: 'resolved',
      roles: { lead: SAM, comms: PAT },
      phase: 'resolved',
      lastUpdate: {
        at: '2026-03-14T02:57:00.000Z',
        phase: 'monitoring',
        text: 'fix out',
        actor: SAM,
      },
      declaredAt: '2026-03-14T02:47:00.000Z',
      declaredBy: PAT,
      severityPinned: true,
      channelRequested: true,
      resolution: 'error rate normal',
      closedAt: '2026-03-14T04:07:00.000Z',
      closedBy: PAT,
    });
    expect(summary.outcome).toBe('refused');
  });

  it('stores which entry an edit changes', async () => {
    const incidents = await service();
    await incidents.ingest(batch(alert('a')));
    const [note] = await incidents
      .addNote('INC-1', PAT, 'slack', 'rolling back')
      .then((r) => (r.outcome === 'done' ? r.entries : []));

    const recorded = await incidents.record({
      id: 'INC-1',
      kind: 'entry.edited',
      origin: 'slack',
      text: 'rolling back checkout-api',
      actor: PAT,
      ref: note?.seq,
      visible: false,
    });
    const reloaded = await service();

    expect(note?.seq).toBe(3);
    expect(recorded).toEqual([expect.objectContaining({ kind: 'entry.edited', ref: 3 })]);
    expect((await reloaded.timeline('INC-1')).at(-1)).toMatchObject({
      seq: 4,
      kind: 'entry.edited',
      text: 'rolling back checkout-api',
      actor: PAT,
      ref: 3,
    });
  });

  it('does not reopen a closed incident when its alert fires again within the reopen window', async () => {
    const incidents = await service();
    await incidents.ingest(batch(alert('a')));
    await incidents.declare({
      title: 'Checkout down',
      severity: 'error',
      incidentId: 'INC-1',
      actor: PAT,
      origin: 'slack',
    });
    await incidents.resolve('INC-1', PAT, 'slack', 'rolled back');
    await incidents.act('INC-1', { type: 'close' }, PAT, 'slack');

    later(10 * 60_000);
    const result = await incidents.ingest(batch(alert('a', 'firing', '2026-03-14T02:55:00Z')));

    // A closed incident takes nothing but notes, so nobody could resolve it again: the alert
    // belongs in a new incident, as it does once the reopen window has passed.
    expect(incidents.get('INC-1')).toMatchObject({ status: 'resolved', resolution: 'rolled back' });
    expect(result).toMatchObject({ created: true });
    expect(result.incidentId).not.toBe('INC-1');
  });
});
