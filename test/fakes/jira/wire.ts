/**
 * The HTTP side of the Jira stand-in: replies, Jira's error envelope
 * `{ errorMessages: [...], errors: { <field>: <message> } }` (wire-formats.md §4.3), body reading
 * and the rolling 60-second window behind its rate limit.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface Reply {
  status: number;
  headers: Record<string, string>;
  /** An object is sent as JSON; a string as text/plain; undefined sends no body (204). */
  body: object | string | undefined;
}

/** Jira Cloud refuses request bodies over about 10 MB; the stand-in caps at 1 MB. */
const MAX_BODY_BYTES = 1024 * 1024;

export function json(status: number, body: object, headers: Record<string, string> = {}): Reply {
  return { status, headers, body };
}

export function noContent(): Reply {
  return { status: 204, headers: {}, body: undefined };
}

/** Jira's error envelope; `errors` names fields, `errorMessages` is for the rest. */
export function jiraError(
  status: number,
  errorMessages: string[],
  errors: Record<string, string> = {},
): Reply {
  return json(status, { errorMessages, errors });
}

export function unauthorized(): Reply {
  return jiraError(401, ['Client must be authenticated to access this resource.']);
}

export function issueNotFound(): Reply {
  return jiraError(404, ['Issue does not exist or you do not have permission to see it.']);
}

export function notFound(): Reply {
  return jiraError(404, ['null for uri: the resource does not exist']);
}

export function send(res: ServerResponse, reply: Reply): void {
  if (reply.body === undefined) {
    res.writeHead(reply.status, reply.headers);
    res.end();
    return;
  }
  const isText = typeof reply.body === 'string';
  res.writeHead(reply.status, {
    ...reply.headers,
    'Content-Type': isText ? 'text/plain; charset=utf-8' : 'application/json;charset=UTF-8',
  });
  res.end(isText ? reply.body : JSON.stringify(reply.body));
}

/** The raw body as text; undefined when it is over the cap. */
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
    return {
      allowed: true,
      limit: this.limit,
      remaining: this.limit - recent.length,
      resetSeconds,
    };
  }

  clear(): void {
    this.times.clear();
  }
}

/**
 * Jira's 429 (wire-formats.md §4.3): `Retry-After` in seconds, `X-RateLimit-Reset` as an
 * ISO-8601 time (Atlassian's documented form), and `RateLimit-Reason` 'jira-burst-based'.
 */
export function rateLimited(decision: RateDecision, now: number): Reply {
  const reset = new Date(now + decision.resetSeconds * 1000).toISOString().slice(0, 16) + 'Z';
  return {
    status: 429,
    headers: {
      'Retry-After': String(decision.resetSeconds),
      'X-RateLimit-Limit': String(decision.limit),
      'X-RateLimit-Remaining': '0',
      'X-RateLimit-Reset': reset,
      'RateLimit-Reason': 'jira-burst-based',
    },
    body: { errorMessages: ['Rate limit exceeded.'], errors: {} },
  };
}
