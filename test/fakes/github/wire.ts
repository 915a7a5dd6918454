/**
 * The HTTP side of the GitHub stand-in: replies, GitHub's error body `{ message,
 * documentation_url, status }` (wire-formats.md §4.4), body reading and JSON parsing.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface Reply {
  status: number;
  headers: Record<string, string>;
  /** An object is sent as JSON; a string as text/plain (an injected non-JSON failure). */
  body: object | string;
}

/** One entry of a 422's `errors` list. */
export interface ValidationError {
  resource: string;
  field: string;
  code: 'missing_field' | 'invalid' | 'missing' | 'already_exists' | 'custom';
}

/** GitHub caps REST request bodies well above this; 1 MB is plenty for an incident bot. */
const MAX_BODY_BYTES = 1024 * 1024;
const DOCS = 'https://docs.github.com/rest';

export function json(status: number, body: object, headers: Record<string, string> = {}): Reply {
  return { status, headers, body };
}

/** GitHub's error body; newer API versions add `status` as a string. */
export function ghError(status: number, message: string, extra: object = {}): Reply {
  return json(status, { message, documentation_url: DOCS, status: String(status), ...extra });
}

export function notFound(): Reply {
  return ghError(404, 'Not Found');
}

export function validationFailed(...errors: ValidationError[]): Reply {
  return ghError(422, 'Validation Failed', { errors });
}

export function send(res: ServerResponse, reply: Reply): void {
  const isText = typeof reply.body === 'string';
  res.writeHead(reply.status, {
    ...reply.headers,
    'Content-Type': isText ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
  });
  res.end(isText ? reply.body : JSON.stringify(reply.body));
}

/** The raw body as text; undefined when it is over MAX_BODY_BYTES. */
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

/** The parsed JSON body: undefined when empty, `invalid` when it does not parse. */
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
