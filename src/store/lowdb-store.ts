import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import type { IncidentStore, StoredDocument } from '../core/ports.ts';
import { lockDataDir } from './data-dir-lock.ts';
import type { Incident, NewTimelineEntry, TimelineEntry } from '../core/types.ts';

/**
 * Timeline entries per chunk file: appending rewrites only the last chunk, whatever the history.
 */
export const TIMELINE_CHUNK_SIZE = 500;

interface TimelineChunk {
  entries: TimelineEntry[];
}

interface TimelineState {
  chunkNumber: number;
  current: Low<TimelineChunk>;
  count: number;
}

/**
 * The embedded default store: lowdb JSON files under DATA_DIR, one per incident, the timeline
 * in chunks of TIMELINE_CHUNK_SIZE entries, and one file per named document. lowdb writes
 * through a temporary file and a rename, so a file is never torn, even on `kill -9`; writes to
 * one file that overlap are coalesced into one.
 *
 *   incidents/INC-42.json          the incident, its alerts and adapter refs
 *   timeline/INC-42/000001.json    entries 1..500, then 000002.json, ...
 *   <name>.json                    documents (jobs, seen deliveries)
 */
export class LowdbStore implements IncidentStore {
  readonly #dir: string;
  readonly #incidentFiles = new Map<string, Low<Incident>>();
  readonly #timelines = new Map<string, Promise<TimelineState>>();
  readonly #unlock: () => Promise<void>;

  private constructor(dir: string, unlock: () => Promise<void>) {
    this.#dir = dir;
    this.#unlock = unlock;
  }

  /** Opens (creating) the store in `dir` and claims the folder for this process. */
  static async open(dir: string) {
    await mkdir(path.join(dir, 'incidents'), { recursive: true });
    await mkdir(path.join(dir, 'timeline'), { recursive: true });
    return new LowdbStore(dir, await lockDataDir(dir));
  }

  /** Resolves when a file can be written in the folder (for /readyz); rejects with the reason. */
  async check() {
    const probe = path.join(this.#dir, '.ready-probe');
    await writeFile(`${probe}.tmp`, String(Date.now()));
    await rename(`${probe}.tmp`, probe);
  }

  /** Releases the folder; writes already awaited are on disk. */
  async close() {
    await this.#unlock();
  }

  async loadIncidents() {
    const dir = path.join(this.#dir, 'incidents');
    const names = (await readdir(dir)).filter((n) => n.endsWith('.json') && !n.startsWith('.'));
    const incidents: Incident[] = [];
    for (const name of names) {
      const incident = JSON.parse(await readFile(path.join(dir, name), 'utf8')) as Incident;
      this.#incidentFiles.set(incident.id, new Low(new JSONFile(path.join(dir, name)), incident));
      incidents.push(incident);
    }
    return incidents;
  }

  async saveIncident(incident: Incident) {
    let file = this.#incidentFiles.get(incident.id);
    if (!file) {
      const filename = path.join(this.#dir, 'incidents', `${safeName(incident.id)}.json`);
      file = new Low(new JSONFile(filename), incident);
      this.#incidentFiles.set(incident.id, file);
    }
    file.data = incident;
    await file.write();
  }

  async appendTimeline(incidentId: string, entries: NewTimelineEntry[]) {
    const state = await this.#timelineState(incidentId);
    const touched = new Set<Low<TimelineChunk>>();
    const numbered = entries.map((entry) => {
      if (state.current.data.entries.length >= TIMELINE_CHUNK_SIZE) {
        state.chunkNumber += 1;
        state.current = this.#chunkFile(incidentId, state.chunkNumber, { entries: [] });
      }
      state.count += 1;
      const stored: TimelineEntry = { seq: state.count, incidentId, ...entry };
      state.current.data.entries.push(stored);
      touched.add(state.current);
      return stored;
    });
    await Promise.all([...touched].map((file) => file.write()));
    return numbered;
  }

  async readTimeline(incidentId: string) {
    const state = await this.#timelineState(incidentId);
    const entries: TimelineEntry[] = [];
    for (let n = 1; n < state.chunkNumber; n += 1) {
      const text = await readFile(this.#chunkPath(incidentId, n), 'utf8');
      entries.push(...(JSON.parse(text) as TimelineChunk).entries);
    }
    entries.push(...state.current.data.entries);
    return entries;
  }

  async openDocument<T extends object>(name: string, defaults: T): Promise<StoredDocument<T>> {
    const db = new Low<T>(new JSONFile(path.join(this.#dir, `${safeName(name)}.json`)), defaults);
    await db.read();
    return db;
  }

  /** Loads an incident's last chunk once; concurrent callers share the promise, in call order. */
  #timelineState(incidentId: string) {
    let state = this.#timelines.get(incidentId);
    if (!state) {
      state = this.#loadTimelineState(incidentId);
      this.#timelines.set(incidentId, state);
    }
    return state;
  }

  async #loadTimelineState(incidentId: string): Promise<TimelineState> {
    const dir = path.join(this.#dir, 'timeline', safeName(incidentId));
    await mkdir(dir, { recursive: true });
    const chunks = (await readdir(dir)).filter((n) => /^\d{6}\.json$/.test(n)).sort();
    const chunkNumber = chunks.length === 0 ? 1 : Number.parseInt(chunks.at(-1) ?? '1', 10);
    const current = this.#chunkFile(incidentId, chunkNumber, { entries: [] });
    await current.read();
    const count = current.data.entries.at(-1)?.seq ?? (chunkNumber - 1) * TIMELINE_CHUNK_SIZE;
    return { chunkNumber, current, count };
  }

  #chunkFile(incidentId: string, n: number, defaults: TimelineChunk) {
    return new Low<TimelineChunk>(new JSONFile(this.#chunkPath(incidentId, n)), defaults);
  }

  #chunkPath(incidentId: string, n: number) {
    const name = `${String(n).padStart(6, '0')}.json`;
    return path.join(this.#dir, 'timeline', safeName(incidentId), name);
  }
}

/** File names come from our own IDs, but never let one leave its folder. */
function safeName(name: string) {
  return name.replace(/[^A-Za-z0-9_-]/g, '_');
}
