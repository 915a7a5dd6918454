import { readFile } from 'node:fs/promises';
import type { Adapter } from 'lowdb';
import { Writer } from 'steno';

/**
 * A lowdb adapter like lowdb's JSONFile, but writes that arrive in the same turn of the event
 * loop share one serialisation and one file write: under load, one write serves many callers.
 * Each `write()` resolves once a write holding its data is on disk. Files are written through
 * a temporary file and a rename (steno), so they are never torn.
 */
export class CoalescingJSONFile<T> implements Adapter<T> {
  readonly #filename: string;
  readonly #writer: Writer;
  #pending: T | undefined;
  #flush: Promise<void> | undefined;

  constructor(filename: string) {
    this.#filename = filename;
    this.#writer = new Writer(filename);
  }

  async read(): Promise<T | null> {
    try {
      return JSON.parse(await readFile(this.#filename, 'utf8')) as T;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  write(data: T): Promise<void> {
    this.#pending = data;
    this.#flush ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      const text = JSON.stringify(this.#pending, null, 2);
      this.#flush = undefined;
      return this.#writer.write(text);
    });
    return this.#flush;
  }
}
