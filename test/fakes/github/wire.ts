/**
 * The HTTP side of the GitHub stand-in: replies, GitHub's error body `{ message,
 * documentation_url, status }` (wire-formats.md §4.4), body reading and JSON parsing.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

import { json, readBody as readBodyUpTo, send as sendReply, type Reply } from '../http/wire.ts';
export { json, parseJson, isObject, type Reply } from '../http/wire.ts';

/** One entry of a 422's `errors` list. */
export interface ValidationError {
  resource: string;
  field: string;
  code: 'missing_field' | 'invalid' | 'missing' | 'already_exists' | 'custom';
}

/** GitHub caps REST request bodies well above this; 1 MB is plenty for an incident bot. */
const MAX_BODY_BYTES = 1024 * 1024;

/** The raw body as text; undefined when it is over the cap. */
export function readBody(req: IncomingMessage) {
  return readBodyUpTo(req, MAX_BODY_BYTES);
}

export function send(res: ServerResponse, reply: Reply): void {
  sendReply(res, reply, 'application/json; charset=utf-8');
}
const DOCS = 'https://docs.github.com/rest';

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
