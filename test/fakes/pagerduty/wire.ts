/**
 * The HTTP side of the PagerDuty stand-in: replies, PagerDuty's error envelope
 * `{ error: { message, code, errors? } }` (wire-formats.md §4.2), body reading and the rolling
 * 60-second windows behind its rate limits.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

import { json, readBody as readBodyUpTo, send as sendReply, type Reply } from '../http/wire.ts';
export {
  json,
  parseJson,
  isObject,
  RateWindow,
  type Reply,
  type RateDecision,
} from '../http/wire.ts';

import type { WebhookEvent } from './webhook-events.ts';

/** A reply and the webhook events the change behind it produces, sent after the reply. */
export interface Outcome {
  reply: Reply;
  events: WebhookEvent[];
}

/** A checked input: its value, or the reply that refuses it. */
export type Checked<T> = { value: T } | { refused: Reply };

/** Payloads over 512 KB are refused by the Events API (§4.1); the same cap serves REST. */
const MAX_BODY_BYTES = 512 * 1024;

/** The raw body as text; undefined when it is over the cap. */
export function readBody(req: IncomingMessage) {
  return readBodyUpTo(req, MAX_BODY_BYTES);
}

export function send(res: ServerResponse, reply: Reply): void {
  sendReply(res, reply, 'application/json');
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
