/**
 * The HTTP side of the Jira stand-in: replies, Jira's error envelope
 * `{ errorMessages: [...], errors: { <field>: <message> } }` (wire-formats.md §4.3), body reading
 * and the rolling 60-second window behind its rate limit.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

import {
  json,
  readBody as readBodyUpTo,
  send as sendReply,
  type RateDecision,
  type Reply,
} from '../http/wire.ts';
export {
  json,
  parseJson,
  isObject,
  RateWindow,
  type Reply,
  type RateDecision,
} from '../http/wire.ts';

/** Jira Cloud refuses request bodies over about 10 MB; the stand-in caps at 1 MB. */
const MAX_BODY_BYTES = 1024 * 1024;

/** The raw body as text; undefined when it is over the cap. */
export function readBody(req: IncomingMessage) {
  return readBodyUpTo(req, MAX_BODY_BYTES);
}

export function send(res: ServerResponse, reply: Reply): void {
  sendReply(res, reply, 'application/json;charset=UTF-8');
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
