/**
 * The HTTP side of the PagerDuty stand-in: replies, PagerDuty's error envelope
 * `{ error: { message, code, errors? } }` (wire-formats.md §4.2), body reading and the rolling
 * 60-second windows behind its rate limits.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { WebhookEvent } from './webhook-events.ts';

export interface Reply {
  status: number;
  headers: Record<string, string>;
  /** An object is sent as JSON; a string as text/plain (an injected non-JSON failure). */
  body: object | string;
}

/** A reply and the webhook events the change behind it produces, sent after the reply. */
export interface Outcome {
  reply: Reply;
  events: WebhookEvent[];
}

/** A checked input: its value, or the reply that refuses it. */
export type Checked<T> = { value: T } | { refused: Reply };

/** Payloads over 512 KB are refused by the Events API (§4.1); the same cap serves REST. */
const MAX_BODY_BYTES = 512 * 1024;

export function json(status: number, body: object, headers: Record<string, string> = {}): Reply {
  return { status, headers, body };
}

export function pdError(status: number, code: number, message: string, errors?: string[]): Reply {
  return json(status, { error: { message, code, ...(errors !== undefined && { errors }) } });
}

/** 400 code 2001, PagerDuty's answer to most bad input (docs: REST-API/14-Errors.md). */
export function invalidInput(...errors: string[]): Reply {
  return pdError(400, 2001, 'Invalid Input Provided', errors);
}

export function notFound(): Reply {
  return pdError(404, 2100, 'Not Found');
}

export function answered(reply: Reply): Outcome {
  return { reply, events: [] };
}

export function send(res: ServerResponse, reply: Reply): void {
  const isText = typeof reply.body === 'string';
  res.writeHead(reply.status, {
    ...reply.headers,
    'Content-Type': isText ? 'text/plain; charset=utf-8' : 'application/json',
  });
  res.end(isText ? reply.body : JSON.stringify(reply.body));
}

/** The raw body as text; undefined when it is over 512 KB. */
export async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
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
