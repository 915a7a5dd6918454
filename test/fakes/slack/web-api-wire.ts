/**
 * The HTTP side of the Web API: reading arguments the way Slack does and writing replies.
 * Form bodies (what WebClient sends) carry every value as a string, with object arguments
 * JSON-encoded; JSON bodies carry real types (wire-formats.md §3.7).
 */
import { STATUS_CODES } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { Failure } from './slack-stand-in.ts';
import type { ApiBody, Args } from './web-api-args.ts';

export interface Reply {
  status: number;
  headers: Record<string, string>;
  /** A string is sent as text/plain (5xx), an object as JSON. */
  body: ApiBody | string;
}

/** Arguments WebClient JSON-encodes into form fields; decoded before handling. */
const JSON_ENCODED_ARGS = ['blocks', 'attachments', 'metadata', 'view', 'files'];
const MAX_BODY_BYTES = 5 * 1024 * 1024;
const JSON_TYPE = 'application/json; charset=utf-8';

/** 429 → ratelimited + Retry-After; ≥ 500 → plain text; otherwise JSON `{ ok: false, error }`. */
export function failureReply(failure: Required<Failure>): Reply {
  if (failure.status === 429) {
    const headers: Record<string, string> =
      failure.retryAfter === null ? {} : { 'Retry-After': String(failure.retryAfter) };
    return { status: 429, headers, body: { ok: false, error: failure.error, ...failure.body } };
  }
  if (failure.status >= 500) {
    return { status: failure.status, headers: {}, body: failure.error };
  }
  return { ...json({ ok: false, error: failure.error, ...failure.body }), status: failure.status };
}

export function json(body: ApiBody): Reply {
  return { status: 200, headers: {}, body };
}

export function send(res: ServerResponse, reply: Reply): void {
  const isText = typeof reply.body === 'string';
  const contentType = isText ? 'text/plain; charset=utf-8' : JSON_TYPE;
  res.writeHead(reply.status, { ...reply.headers, 'Content-Type': contentType });
  res.end(isText ? reply.body : JSON.stringify(reply.body));
}

export function sendPlain(res: ServerResponse, status: number): void {
  send(res, { status, headers: {}, body: STATUS_CODES[status] ?? 'Error' });
}

export async function readBody(req: IncomingMessage): Promise<string | undefined> {
  return (await readBytes(req))?.toString('utf8');
}

/** The raw request body; undefined when it is over 5 MB. */
export async function readBytes(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * The file bytes POSTed to an upload URL: Slack takes the raw body, whatever its content type,
 * or a multipart form (docs: files.getUploadURLExternal). Of a form's file parts, the one named
 * `file` is taken, else `filename` (`curl -F filename=@report.txt`), else the first (WebClient
 * files.uploadV2 names it `body`); undefined if there is none or the form does not parse.
 */
export async function uploadContent(
  contentType: string | undefined,
  raw: Buffer,
): Promise<Buffer | undefined> {
  if (!contentType?.toLowerCase().startsWith('multipart/form-data')) return raw;

  try {
    const form = await new Response(raw, { headers: { 'Content-Type': contentType } }).formData();
    const parts = [...form.entries()].flatMap(([name, value]) =>
      typeof value === 'string' ? [] : [{ name, value }],
    );
    const part =
      parts.find(({ name }) => name === 'file') ??
      parts.find(({ name }) => name === 'filename') ??
      parts[0];
    return part && Buffer.from(await part.value.arrayBuffer());
  } catch {
    return undefined;
  }
}

/**
 * Query-string and body arguments, as Slack reads them. Form values are strings; fields that
 * WebClient JSON-encodes are decoded (left as the raw string if that fails, so the method
 * answers e.g. invalid_blocks_format).
 */
export function parseArgs(
  contentType: string | undefined,
  raw: string,
  query: URLSearchParams,
): { args: Args; valid: boolean } {
  const args: Args = Object.fromEntries(query);
  if (contentType?.toLowerCase().startsWith('application/json')) {
    try {
      const body: unknown = raw === '' ? {} : JSON.parse(raw);
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error();
      Object.assign(args, body);
    } catch {
      return { args, valid: false };
    }
  } else {
    Object.assign(args, Object.fromEntries(new URLSearchParams(raw)));
  }

  for (const key of JSON_ENCODED_ARGS) {
    if (typeof args[key] !== 'string') continue;
    try {
      args[key] = JSON.parse(args[key] as string);
    } catch {
      // keep the raw string; the method reports the format error
    }
  }
  return { args, valid: true };
}
