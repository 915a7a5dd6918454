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

    expect(declared.id).toBe('INC-2');
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
