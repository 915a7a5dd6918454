import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Incident, TimelineEntry } from '../../src/core/types.ts';
import { eventually, PAT, SAM, startHarness, type Harness } from '../support/harness.ts';

const INCIDENTS = 5_000;
const ENTRIES_EACH = 200;

let dataDir: string;
let h: Harness;

/** Writes a history of 5,000 resolved incidents with 200 timeline entries each (about 80 MB). */
async function preload(dir: string) {
  await mkdir(path.join(dir, 'incidents'), { recursive: true });
  await mkdir(path.join(dir, 'timeline'), { recursive: true });
  const at = '2026-01-01T00:00:00.000Z';
  const padding = 'x'.repeat(300);
  for (let start = 1; start <= INCIDENTS; start += 250) {
    const writes: Array<Promise<void>> = [];
    for (let n = start; n < start + 250 && n <= INCIDENTS; n += 1) {
      const id = `INC-${n}`;
      const incident: Incident = {
        id,
        number: n,
        title: `Old incident ${n}`,
        severity: 'warning',
        status: 'resolved',
        source: 'generic',
        groupKey: `old-${n}`,
        createdAt: at,
        updatedAt: at,
        version: 3,
        startedAt: at,
        notifications: ENTRIES_EACH,
        alerts: {},
        links: [],
        resolvedBy: { kind: 'source', id: 'generic' },
        resolvedAt: at,
        refs: {
          slack: {
            channel: 'C0ALERTS01',
            ts: `1767225600.${String(n).padStart(6, '0')}`,
            version: '3',
          },
        },
      };
      const entries: TimelineEntry[] = Array.from({ length: ENTRIES_EACH }, (_, i) => ({
        seq: i + 1,
        incidentId: id,
        at,
        kind: 'alert.repeated',
        actor: { kind: 'source', id: 'generic' },
        origin: 'generic',
        text: `Repeated notification ${i} ${padding}`,
      }));
      const lines = entries.map((e) => JSON.stringify(e)).join('\n');
      writes.push(writeFile(path.join(dir, 'incidents', `${id}.json`), JSON.stringify(incident)));
      writes.push(writeFile(path.join(dir, 'timeline', `${id}.jsonl`), `${lines}\n`));
    }
    await Promise.all(writes);
  }
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'firebreak-large-'));
  await preload(dataDir);
  h = await startHarness({ dataDir });
}, 120_000);

afterAll(async () => {
  await h.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('with a large history (F15)', () => {
  it('answers 20 quick clicks under 3 s each while 100 webhooks arrive, without stalling', async () => {
    await h.postAlert('generic', { title: 'Checkout is slow', dedup_key: 'checkout-slow' });
    const id = `INC-${INCIDENTS + 1}`;
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();

    const timed = async (request: () => Promise<Response>) => {
      const started = performance.now();
      const res = await request();
      return { status: res.status, ms: performance.now() - started };
    };
    const clicks = Array.from({ length: 20 }, (_, i) =>
      timed(() => h.click('incident_ack', id, i % 2 ? PAT : SAM, `9.${i}`)),
    );
    const webhooks = Array.from({ length: 100 }, (_, i) =>
      timed(() =>
        h.postAlert('generic', { title: `Storm alert ${i % 10}`, dedup_key: `storm-${i % 10}` }),
      ),
    );
    const results = await Promise.all([...clicks, ...webhooks]);
    loop.disable();
    await eventually(() => h.bot.incidents.get(id)?.status === 'acknowledged');

    const clickTimes = results.slice(0, 20).map((r) => r.ms);
    const webhookTimes = results
      .slice(20)
      .map((r) => r.ms)
      .sort((a, b) => a - b);
    expect(results.every((r) => r.status === 200 || r.status === 202)).toBe(true);
    expect(Math.max(...clickTimes)).toBeLessThan(3_000);
    expect(webhookTimes[Math.floor(webhookTimes.length * 0.95)]).toBeLessThan(500);
    expect(loop.max / 1e6).toBeLessThan(1_000);
    const acks = (await h.bot.incidents.timeline(id)).filter(
      (e) => e.kind === 'incident.acknowledged',
    );
    expect(acks).toHaveLength(1);
  });

  it('still reads an old incident’s full timeline', async () => {
    const res = await h.command('timeline INC-17');

    expect(res.body.text).toContain(`(${ENTRIES_EACH} entries)`);
  });
});
