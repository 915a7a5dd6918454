import type { StoredDocument } from '../core/ports.ts';

export interface SeenDocument {
  /** Delivery ID → epoch ms after which it may be forgotten. */
  seen: Record<string, number>;
}

/**
 * Remembers delivery IDs (Slack `event_id`, webhook delivery IDs) for `ttlMs`, across restarts,
 * so a redelivered request is applied once.
 */
export class SeenDeliveries {
  readonly #doc: StoredDocument<SeenDocument>;
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(doc: StoredDocument<SeenDocument>, ttlMs: number, now: () => number = Date.now) {
    this.#doc = doc;
    this.#ttlMs = ttlMs;
    this.#now = now;
  }

  /**
   * True the first time an ID is seen. The answer is immediate (so handling keeps the order in
   * which requests came); the record is written in the background, and a redelivery that
   * arrives meanwhile is already caught in memory.
   */
  async firstTime(id: string) {
    const now = this.#now();
    const seen = this.#doc.data.seen;
    const expires = seen[id];
    if (expires !== undefined && expires > now) return false;

    for (const [key, until] of Object.entries(seen)) if (until <= now) delete seen[key];
    seen[id] = now + this.#ttlMs;
    this.#doc.write().catch(() => undefined);
    return true;
  }

  /** Forgets an ID whose delivery could not be applied, so its redelivery is. */
  forget(id: string) {
    delete this.#doc.data.seen[id];
    this.#doc.write().catch(() => undefined);
  }
}
