/**
 * The HTTP side of the Statuspage stand-in: replies and Statuspage's error body (wire-formats.md
 * §4.5). The API's OpenAPI spec names an `ErrorEntity` with `message`; the answers integrators
 * quote carry `error`, a string, or a list of strings for validation failures. The stand-in
 * sends `error` [M]; the client reads either.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

import { json, readBody as readBodyUpTo, send as sendReply, type Reply } from '../http/wire.ts';
export { json, parseJson, isObject, type Reply } from '../http/wire.ts';

/** Statuspage caps an update body at 25,000 characters; 1 MB is plenty for a request. */
const MAX_BODY_BYTES = 1024 * 1024;

export function readBody(req: IncomingMessage) {
  return readBodyUpTo(req, MAX_BODY_BYTES);
}

export function send(res: ServerResponse, reply: Reply): void {
  sendReply(res, reply, 'application/json; charset=utf-8');
}

/** Statuspage's error body: `{ error }`, a list for validation failures (422). */
export function spError(status: number, error: string | string[]): Reply {
  return json(status, { error });
}

export function unauthorized(): Reply {
  return spError(401, 'Could not authenticate');
}

export function notFound(): Reply {
  return spError(404, 'The requested resource could not be found.');
}

export function invalid(...problems: string[]): Reply {
  return spError(422, problems);
}
