import { open, readdir, readFile, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

const PATTERN = /^journal-(\d{6})\.jsonl$/;

/**
 * The write-ahead journal: every change is appended here first, as one JSON line, and a caller
 * is answered once its line is written. All appends made in one turn of the event loop go out
 * in a single write, so under load one file write serves many requests. The store copies the
 * changes into its readable files later (a checkpoint), then drops the journal files it no
 * longer needs. A line cut short by a crash was never acknowledged and is skipped on replay.
 */
export class Journal<T> {
  readonly #dir: string;
  #number = 0;
  #handle: FileHandle | undefined;
  #pending: string[] = [];
  #flush: Promise<void> | undefined;
  #tail: Promise<void> = Promise.resolve();

  constructor(dir: string) {
    this.#dir = dir;
  }

  /** Reads what earlier runs left (oldest first) and opens a new file for this run. */
  async open(): Promise<{ records: T[]; files: string[] }> {
    const files = (await readdir(this.#dir)).filter((n) => PATTERN.test(n)).sort();
    const records: T[] = [];
    for (const file of files)
      records.push(...parseLines<T>(await readFile(path.join(this.#dir, file), 'utf8')));
    this.#number = files.length > 0 ? Number(PATTERN.exec(files.at(-1) ?? '')?.[1] ?? 0) : 0;
    await this.rotate();
    return { records, files };
  }

  append(record: T): Promise<void> {
    this.#pending.push(JSON.stringify(record));
    this.#flush ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      const text = `${this.#pending.join('\n')}\n`;
      this.#pending = [];
      this.#flush = undefined;
      return this.#write(text);
    });
    return this.#flush;
  }

  /**
   * Starts a new journal file; returns the name of the one it ends, whose records are all
   * written once this resolves. Everything appended later goes to the new file.
   */
  async rotate() {
    await this.#flush;
    const previous = this.#handle;
    const previousName = this.#name(this.#number);
    this.#number += 1;
    const next = await open(path.join(this.#dir, this.#name(this.#number)), 'a');
    this.#tail = this.#tail
      .catch(() => undefined)
      .then(async () => {
        await previous?.close();
      });
    await this.#tail;
    this.#handle = next;
    return previousName;
  }

  /** Deletes journal files whose changes are all in the store's files. */
  async remove(files: string[]) {
    await Promise.all(files.map((f) => rm(path.join(this.#dir, f), { force: true })));
  }

  async close() {
    await this.#flush;
    await this.#tail.catch(() => undefined);
    await this.#handle?.close();
    this.#handle = undefined;
  }

  #write(text: string) {
    // Writes go out in order: each waits for the one before it.
    this.#tail = this.#tail
      .catch(() => undefined)
      .then(async () => {
        if (!this.#handle) throw new Error('the journal is closed');
        await this.#handle.write(text);
      });
    return this.#tail;
  }

  #name(n: number) {
    return `journal-${String(n).padStart(6, '0')}.jsonl`;
  }
}

/** JSON Lines, skipping lines that do not parse (a write cut short by a crash). */
export function parseLines<T>(text: string): T[] {
  const values: T[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    try {
      values.push(JSON.parse(line) as T);
    } catch {
      // A partial line from a crash mid-write: it was never acknowledged.
    }
  }
  return values;
}
