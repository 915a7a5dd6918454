/** 4. Store cost: recording one timeline event with 1,000 vs 100,000 events stored. */
import { performance } from 'node:perf_hooks';
import type { Incident, NewTimelineEntry } from '../src/core/types.ts';
import { LowdbStore } from '../src/store/lowdb-store.ts';
import { ratio, type Row } from './report.ts';
import { tempDir } from './servers.ts';
import { median, quantile, round } from './stats.ts';

export const STORE = { small: 1_000, large: 100_000, spreadIncidents: 200, appends: 2_000 };
const BULK = 500;
/** Records timed right after the bulk load, before the store is reopened. */
const HOT_RECORDS = 200;

function entry(n: number): NewTimelineEntry {
  return {
    at: new Date(Date.UTC(2026, 2, 14, 2, 41, 13) + n * 1000).toISOString(),
    kind: 'alert.repeated',
    actor: { kind: 'source', id: 'alertmanager' },
    origin: 'alertmanager',
    text: `Repeated notification: ${n % 5} of 5 alerts firing`,
  };
}

/**
 * The store's call that records timeline entries: `appendTimeline(id, entries)`, or, in a store
 * that records an incident and its entries together, `commit(incident, entries)`.
 */
interface Recording {
  appendTimeline?: (incidentId: string, entries: NewTimelineEntry[]) => Promise<unknown>;
  commit?: (incident: Incident, entries: NewTimelineEntry[]) => Promise<unknown>;
}

export function recordingMethod() {
  const proto = LowdbStore.prototype as unknown as Recording;
  return typeof proto.appendTimeline === 'function' ? 'appendTimeline' : 'commit';
}

function incidentFor(id: string): Incident {
  const at = '2026-03-14T02:41:13.000Z';
  return {
    id,
    number: Number(id.replace(/\D/g, '')),
    title: 'Bench incident',
    severity: 'warning',
    status: 'triggered',
    source: 'alertmanager',
    createdAt: at,
    updatedAt: at,
    version: 1,
    startedAt: at,
    notifications: 0,
    alerts: {},
    links: [],
    refs: {},
  };
}

function recorder(store: LowdbStore) {
  const s = store as unknown as Recording;
  if (typeof s.appendTimeline === 'function') {
    const append = s.appendTimeline.bind(store);
    return (id: string, entries: NewTimelineEntry[]) => append(id, entries);
  }
  if (typeof s.commit !== 'function') throw new Error('LowdbStore records no timeline entries');
  const commit = s.commit.bind(store);
  const incidents = new Map<string, Incident>();
  return (id: string, entries: NewTimelineEntry[]) => {
    let incident = incidents.get(id);
    if (!incident) incidents.set(id, (incident = incidentFor(id)));
    return commit(incident, entries);
  };
}

interface Preloaded {
  dir: string;
  store: LowdbStore;
  record: ReturnType<typeof recorder>;
  ids: string[];
  each: number;
  preloadSeconds: number;
  /** Entries recorded after the preload, for numbering their text. */
  next: number;
}

/** A fresh store holding `total` events over `incidents` incidents, recorded in bulk. */
async function preloaded(total: number, incidents: number): Promise<Preloaded> {
  const dir = await tempDir(`store-${total}-${incidents}`);
  const store = await LowdbStore.open(dir);
  const record = recorder(store);
  const ids = Array.from({ length: incidents }, (_, i) => `INC-${i + 1}`);
  const each = Math.floor(total / incidents);
  const started = performance.now();
  for (let start = 0; start < ids.length; start += 50) {
    await Promise.all(
      ids.slice(start, start + 50).map(async (id) => {
        for (let n = 0; n < each; n += BULK) {
          const size = Math.min(BULK, each - n);
          await record(
            id,
            Array.from({ length: size }, (_, j) => entry(n + j)),
          );
        }
      }),
    );
  }
  const preloadSeconds = (performance.now() - started) / 1000;
  return { dir, store, record, ids, each, preloadSeconds, next: 0 };
}

/** Closes the store and opens it again, as a restarted bot would: all of it is on disk. */
async function reopen(p: Preloaded) {
  await p.store.close();
  p.store = await LowdbStore.open(p.dir);
  p.record = recorder(p.store);
}

async function timedRecord(p: Preloaded, id: string) {
  const started = performance.now();
  await p.record(id, [entry(p.each + p.next++)]);
  return performance.now() - started;
}

/** Single-entry records alternated between the two stores, round robin over the incidents. */
async function alternate(small: Preloaded, large: Preloaded, count: number) {
  const times = { small: [] as number[], large: [] as number[] };
  for (let j = 0; j < count; j += 1) {
    const order = j % 2 === 0 ? (['small', 'large'] as const) : (['large', 'small'] as const);
    for (const which of order) {
      const p = which === 'small' ? small : large;
      times[which].push(await timedRecord(p, p.ids[j % p.ids.length] as string));
    }
  }
  return times;
}

const stats = (times: number[]) => ({ medianMs: median(times), p90Ms: quantile(times, 0.9) });

/** Records per timed block in the steady phase; a block's mean smooths the VM's timer noise. */
const BLOCK = 50;

/**
 * Blocks of BLOCK single-entry records, the stores taking turns block by block (ABBA), each
 * block timed as a whole: the per-record mean of each block, for a median over blocks.
 */
async function alternateBlocks(small: Preloaded, large: Preloaded, count: number) {
  const times = { small: [] as number[], large: [] as number[] };
  for (let b = 0; b < count / BLOCK; b += 1) {
    const order = b % 2 === 0 ? (['small', 'large'] as const) : (['large', 'small'] as const);
    for (const which of order) {
      const p = which === 'small' ? small : large;
      const started = performance.now();
      for (let i = 0; i < BLOCK; i += 1) {
        const id = p.ids[(b * BLOCK + i) % p.ids.length] as string;
        await p.record(id, [entry(p.each + p.next++)]);
      }
      times[which].push((performance.now() - started) / BLOCK);
    }
  }
  return times;
}

/**
 * A store holding 1,000 events and one holding 100,000, over `incidents` incidents:
 * - hot: right after the bulk load, in the same process;
 * - cold: the first record per incident after closing and reopening the store;
 * - steady (the figure with the goal): the records after that.
 */
async function compare(incidents: number) {
  const small = await preloaded(STORE.small, incidents);
  const large = await preloaded(STORE.large, incidents);
  const hot = await alternate(small, large, HOT_RECORDS);
  await reopen(small);
  await reopen(large);
  const cold = { small: [] as number[], large: [] as number[] };
  for (const id of small.ids) {
    cold.small.push(await timedRecord(small, id));
    cold.large.push(await timedRecord(large, id));
  }
  const steady = await alternateBlocks(small, large, STORE.appends);
  await small.store.close();
  await large.store.close();
  const summary = (p: Preloaded, which: 'small' | 'large') => ({
    stored: p.each * p.ids.length,
    incidents: p.ids.length,
    preloadSeconds: round(p.preloadSeconds, 2),
    ...stats(steady[which]),
    hotAfterBulkLoad: stats(hot[which]),
    coldFirstRecordAfterReopen: stats(cold[which]),
  });
  return { small: summary(small, 'small'), large: summary(large, 'large') };
}

export async function benchStoreCost(log: (line: string) => void) {
  log('warming up…');
  await compare(10);
  log(`one incident, ${STORE.small} vs ${STORE.large} events stored…`);
  const same = await compare(1);
  log(`spread over ${STORE.spreadIncidents} incidents, ${STORE.small} vs ${STORE.large}…`);
  const spread = await compare(STORE.spreadIncidents);
  const [sameSmall, sameLarge] = [same.small, same.large];
  const [spreadSmall, spreadLarge] = [spread.small, spread.large];

  const sameRatio = ratio(sameLarge.medianMs, sameSmall.medianMs);
  const spreadRatio = ratio(spreadLarge.medianMs, spreadSmall.medianMs);
  const rows: Row[] = [
    {
      figure: `Store ${recordingMethod()}, one incident (median ms; 100k vs 1k stored)`,
      bot: round(sameLarge.medianMs, 3),
      baseline: round(sameSmall.medianMs, 3),
      ratio: sameRatio,
      goal: 'ratio ≤ 1.5',
      pass: sameRatio !== null && sameRatio <= 1.5,
    },
    {
      figure: `Store ${recordingMethod()}, ${STORE.spreadIncidents} incidents (median ms; 100k vs 1k)`,
      bot: round(spreadLarge.medianMs, 3),
      baseline: round(spreadSmall.medianMs, 3),
      ratio: spreadRatio,
      goal: 'ratio ≤ 1.5',
      pass: spreadRatio !== null && spreadRatio <= 1.5,
    },
    ...(
      [
        ['one incident', same],
        [`${STORE.spreadIncidents} incidents`, spread],
      ] as const
    ).map(([what, pair]) => ({
      figure: `Store first ${recordingMethod()} per incident after reopen, ${what} (median ms)`,
      bot: round(pair.large.coldFirstRecordAfterReopen.medianMs, 3),
      baseline: round(pair.small.coldFirstRecordAfterReopen.medianMs, 3),
      ratio: ratio(
        pair.large.coldFirstRecordAfterReopen.medianMs,
        pair.small.coldFirstRecordAfterReopen.medianMs,
      ),
      goal: '',
      pass: null,
    })),
    ...(
      [
        ['one incident', same],
        [`${STORE.spreadIncidents} incidents`, spread],
      ] as const
    ).map(([what, pair]) => ({
      figure: `Store ${recordingMethod()} right after the bulk load, ${what} (median ms)`,
      bot: round(pair.large.hotAfterBulkLoad.medianMs, 3),
      baseline: round(pair.small.hotAfterBulkLoad.medianMs, 3),
      ratio: ratio(pair.large.hotAfterBulkLoad.medianMs, pair.small.hotAfterBulkLoad.medianMs),
      goal: '',
      pass: null,
    })),
  ];
  return {
    rows,
    notes: [
      `Store: ${STORE.small} vs ${STORE.large} events recorded in bulk, the store closed and reopened (so everything is on disk), one warm-up record per incident, then ${STORE.appends} single-entry LowdbStore.${recordingMethod()} calls per store in blocks of ${BLOCK}, the stores taking turns block by block; the figure is the median over blocks of the per-record mean (single records are tens of microseconds and bimodal on this VM). results.json has the p90s.`,
    ],
    details: {
      settings: { ...STORE, preloadBatch: BULK },
      oneIncident: same,
      spread,
      call: `LowdbStore.${recordingMethod()}`,
      method: 'single-entry appends alternated between the two stores, round robin over incidents',
    },
  };
}
