import { appendFile, mkdir, open, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Low } from 'lowdb';
import type { IncidentStore, StoredDocument } from '../core/ports.ts';
import type { Incident, NewTimelineEntry, TimelineEntry } from '../core/types.ts';
import { CoalescingJSONFile } from './coalescing-json-file.ts';
import { lockDataDir } from './data-dir-lock.ts';
import { Journal, parseLines } from './journal.ts';

interface JournalRecord {
  incident: Incident;
  entries?: TimelineEntry[];
}

/** How often changes are copied from the journal into the incident and timeline files. */
const CHECKPOINT_MS = 1_000;
/** Files a checkpoint writes at once. */
const CHECKPOINT_BATCH = 16;

/**
 * The embedded default store, plain files under DATA_DIR that a person can read:
 *
 *   incidents/INC-42.json     the incident, its alerts and adapter refs (a lowdb document)
 *   timeline/INC-42.jsonl     its timeline, one JSON entry per line, append-only
 *   journal-000042.jsonl      changes not yet copied into the files above
 *   <name>.json               documents for adapters (jobs, seen deliveries), lowdb too
 *
 * A change is durable once its line is in the journal (one write for all changes of an event
 * loop turn); a checkpoint every second copies changes into the incident and timeline files and
 * drops the journal files it has copied. At start-up what the journal holds is replayed first.
 * Documents are written through a temporary file and a rename, so no file is ever torn, even on
 * `kill -9`; the cost of recording a timeline entry does not grow with the history kept.
 */
export class LowdbStore implements IncidentStore {
  readonly #dir: string;
  readonly #unlock: () => Promise<void>;
  readonly #journal: Journal<JournalRecord>;
  readonly #incidentFiles = new Map<string, Low<Incident>>();
  readonly #dirty = new Map<string, Incident>();
  /** Entries in the journal but not yet in their timeline file, by incident, in order. */
  readonly #unwritten = new Map<string, TimelineEntry[]>();
  readonly #lastSeq = new Map<string, Promise<number>>();
  /** The last seq known to be in each timeline file (read once, then kept up to date). */
  readonly #storedSeq = new Map<string, number>();
  #replayed: string[] = [];
  #checkpoint: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;

  private constructor(dir: string, unlock: () => Promise<void>) {
    this.#dir = dir;
    this.#unlock = unlock;
    this.#journal = new Journal<JournalRecord>(dir);
  }

  /** Opens (creating) the store in `dir`, claims the folder, and replays the journal. */
  static async open(dir: string) {
    await mkdir(path.join(dir, 'incidents'), { recursive: true });
    await mkdir(path.join(dir, 'timeline'), { recursive: true });
    const store = new LowdbStore(dir, await lockDataDir(dir));
    await store.#replay();
    return store;
  }

  /** Resolves when a file can be written in the folder (for /readyz); rejects with the reason. */
  async check() {
    const probe = path.join(this.#dir, '.ready-probe');
    await writeFile(`${probe}.tmp`, String(Date.now()));
    await rename(`${probe}.tmp`, probe);
  }

  /** Copies what the journal holds into the files, closes the journal and releases the folder. */
  async close() {
    clearTimeout(this.#timer);
    await this.checkpoint();
    await this.#journal.close();
    await this.#unlock();
  }

  async loadIncidents() {
    const dir = path.join(this.#dir, 'incidents');
    const names = (await readdir(dir)).filter((n) => n.endsWith('.json') && !n.startsWith('.'));
    const incidents: Incident[] = [];
    for (const name of names) {
      incidents.push(JSON.parse(await readFile(path.join(dir, name), 'utf8')) as Incident);
    }
    return incidents;
  }

  async saveIncident(incident: Incident) {
    await this.commit(incident, []);
  }

  async commit(incident: Incident, entries: NewTimelineEntry[]) {
    const last = this.#lastSeq.get(incident.id) ?? this.#readLastSeq(incident.id);
    const numbering = last.then((seq) => seq + entries.length);
    this.#lastSeq.set(incident.id, numbering);
    const first = (await last) + 1;

    const numbered = entries.map((entry, i) => ({
      seq: first + i,
      incidentId: incident.id,
      ...entry,
    }));
    this.#dirty.set(incident.id, incident);
    if (numbered.length > 0) {
      const unwritten = this.#unwritten.get(incident.id);
      if (unwritten) unwritten.push(...numbered);
      else this.#unwritten.set(incident.id, [...numbered]);
    }
    await this.#journal.append(
      numbered.length > 0 ? { incident, entries: numbered } : { incident },
    );
    this.#schedule();
    return numbered;
  }

  async readTimeline(incidentId: string) {
    const stored = await this.#readTimelineFile(incidentId);
    const lastStored = stored.at(-1)?.seq ?? 0;
    const unwritten = (this.#unwritten.get(incidentId) ?? []).filter((e) => e.seq > lastStored);
    return [...stored, ...unwritten];
  }

  async openDocument<T extends object>(name: string, defaults: T): Promise<StoredDocument<T>> {
    const filename = path.join(this.#dir, `${safeName(name)}.json`);
    const db = new Low<T>(new CoalescingJSONFile<T>(filename), defaults);
    await db.read();
    return db;
  }

  /**
   * Copies changes from the journal into the incident and timeline files, then drops the
   * journal files that hold nothing else. Runs one at a time.
   */
  checkpoint() {
    this.#checkpoint = this.#checkpoint.catch(() => undefined).then(() => this.#copy());
    return this.#checkpoint;
  }

  async #copy() {
    if (this.#dirty.size === 0 && this.#unwritten.size === 0 && this.#replayed.length === 0) return;

    const sealed = [...this.#replayed, await this.#journal.rotate()];
    const incidents = [...this.#dirty.values()];
    this.#dirty.clear();
    const timelines = [...this.#unwritten].map(([id, entries]) => [id, entries.length] as const);

    // In small batches, yielding between them, so a big checkpoint never stalls the event loop.
    for (let i = 0; i < incidents.length; i += CHECKPOINT_BATCH) {
      const batch = incidents.slice(i, i + CHECKPOINT_BATCH);
      await Promise.all(batch.map((incident) => this.#writeIncident(incident)));
    }
    for (let i = 0; i < timelines.length; i += CHECKPOINT_BATCH) {
      const batch = timelines.slice(i, i + CHECKPOINT_BATCH);
      await Promise.all(batch.map(([id, count]) => this.#writeTimeline(id, count)));
    }
    await this.#journal.remove(sealed);
    this.#replayed = [];
  }

  #schedule() {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.checkpoint().catch(() => this.#schedule());
    }, CHECKPOINT_MS);
    this.#timer.unref();
  }

  /** Brings what an earlier run left in the journal into the files, before anything reads them. */
  async #replay() {
    const { records, files } = await this.#journal.open();
    for (const record of records) {
      this.#dirty.set(record.incident.id, record.incident);
      if (record.entries?.length) {
        const unwritten = this.#unwritten.get(record.incident.id);
        if (unwritten) unwritten.push(...record.entries);
        else this.#unwritten.set(record.incident.id, [...record.entries]);
      }
    }
    this.#replayed = files;
    await this.checkpoint();
  }

  async #writeIncident(incident: Incident) {
    let file = this.#incidentFiles.get(incident.id);
    if (!file) {
      const filename = path.join(this.#dir, 'incidents', `${safeName(incident.id)}.json`);
      file = new Low<Incident>(new CoalescingJSONFile<Incident>(filename), incident);
      this.#incidentFiles.set(incident.id, file);
    }
    file.data = incident;
    await file.write();
  }

  /** Appends the first `count` unwritten entries of an incident, skipping any already there. */
  async #writeTimeline(incidentId: string, count: number) {
    const entries = (this.#unwritten.get(incidentId) ?? []).slice(0, count);
    const lastStored = await this.#storedSeqOf(incidentId);
    const fresh = entries.filter((e) => e.seq > lastStored);
    if (fresh.length > 0) {
      const text = fresh.map((e) => JSON.stringify(e)).join('\n');
      await appendFile(this.#timelinePath(incidentId), `${text}\n`);
      this.#storedSeq.set(incidentId, fresh.at(-1)?.seq ?? lastStored);
    }

    const rest = (this.#unwritten.get(incidentId) ?? []).slice(count);
    if (rest.length > 0) this.#unwritten.set(incidentId, rest);
    else this.#unwritten.delete(incidentId);
  }

  async #storedSeqOf(incidentId: string) {
    const known = this.#storedSeq.get(incidentId);
    if (known !== undefined) return known;
    const seq = (await lastLine<TimelineEntry>(this.#timelinePath(incidentId)))?.seq ?? 0;
    this.#storedSeq.set(incidentId, seq);
    return seq;
  }

  async #readLastSeq(incidentId: string) {
    const unwritten = this.#unwritten.get(incidentId)?.at(-1)?.seq;
    if (unwritten !== undefined) return unwritten;
    return this.#storedSeqOf(incidentId);
  }

  async #readTimelineFile(incidentId: string) {
    try {
      return parseLines<TimelineEntry>(await readFile(this.#timelinePath(incidentId), 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  #timelinePath(incidentId: string) {
    return path.join(this.#dir, 'timeline', `${safeName(incidentId)}.jsonl`);
  }
}

/** The last complete line of a JSON Lines file, reading only its end, whatever its size. */
async function lastLine<T>(filename: string): Promise<T | undefined> {
  let handle;
  try {
    handle = await open(filename, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    for (let span = 64 * 1024; ; span *= 4) {
      const start = Math.max(0, size - span);
      const buffer = Buffer.alloc(size - start);
      await handle.read(buffer, 0, buffer.length, start);
      const lines = parseLines<T>(buffer.toString('utf8'));
      // The first line of a window may be cut short; trust the last one unless it is the only one.
      if (lines.length > 1 || start === 0) return lines.at(-1);
    }
  } finally {
    await handle.close();
  }
}

/** File names come from our own IDs, but never let one leave its folder. */
function safeName(name: string) {
  return name.replace(/[^A-Za-z0-9_-]/g, '_');
}
