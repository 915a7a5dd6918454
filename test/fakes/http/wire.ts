/**
 * The HTTP plumbing the vendor stand-ins (PagerDuty, GitHub, Jira) share: replies, body
 * reading, JSON parsing and the rolling windows behind their rate limits. Each stand-in's own
 * `wire.ts` adds its vendor's error envelope.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface Reply {
  status: number;
  headers: Record<string, string>;
  /** An object is sent as JSON; a string as text/plain; undefined sends no body (204). */
  body: object | string | undefined;
}

export function json(status: number, body: object, headers: Record<string, string> = {}): Reply {
  return { status, headers, body };
}

/** Sends a reply; `jsonType` is the vendor's exact JSON content type. */
export function send(res: ServerResponse, reply: Reply, jsonType = 'application/json'): void {
  if (reply.body === undefined) {
    res.writeHead(reply.status, reply.headers);
    res.end();
    return;
  }
  const isText = typeof reply.body === 'string';
  res.writeHead(reply.status, {
    ...reply.headers,
    'Content-Type': isText ? 'text/plain; charset=utf-8' : jsonType,
  });
  res.end(isText ? reply.body : JSON.stringify(reply.body));
}

/** The raw body as text; undefined when it is over `maxBytes`. */
export async function readBody(
  req: IncomingMessage,
  maxBytes: number,
): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The parsed JSON body: undefined when empty, `{ invalid: true }` when it does not parse. */
export function parseJson(raw: string): { value: unknown; invalid: boolean } {
  if (raw.trim() === '') return { value: undefined, invalid: false };
  try {
    return { value: JSON.parse(raw) as unknown, invalid: false };
  } catch {
    return { value: raw, invalid: true };
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the oldest counted request leaves the window (at least 1). */
  resetSeconds: number;
}

/** Counts accepted requests per key over a rolling window; refused ones do not count. */
export class RateWindow {
  private readonly times = new Map<string, number[]>();

  constructor(
    readonly limit: number,
    private readonly now: () => number,
    private readonly windowMs = 60_000,
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`RateWindow: bad limit ${limit}`);
  }

  take(key: string): RateDecision {
    const now = this.now();
    const recent = (this.times.get(key) ?? []).filter((at) => now - at < this.windowMs);
    const oldest = recent[0] ?? now;
    const resetSeconds = Math.max(1, Math.ceil((oldest + this.windowMs - now) / 1000));
    if (recent.length >= this.limit) {
      this.times.set(key, recent);
      return { allowed: false, limit: this.limit, remaining: 0, resetSeconds };
    }

    recent.push(now);
    this.times.set(key, recent);
    const remaining = this.limit - recent.length;
    return { allowed: true, limit: this.limit, remaining, resetSeconds };
  }

  clear(): void {
    this.times.clear();
  }
}
