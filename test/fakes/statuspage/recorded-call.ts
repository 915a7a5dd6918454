/**
 * A request to the Statuspage stand-in as tests read it back, with the API key taken out of the
 * `Authorization` header and of an `api_key` query parameter.
 */
import type { IncomingMessage } from 'node:http';

import { headerRecord as redacted, queryRecord as record } from '../http/recorded-call.ts';
import type { RecordedRequest } from '../http/recorded-call.ts';

export type RecordedCall = RecordedRequest;

/** `authorization` reduced to its scheme: 'OAuth [redacted]'. */
export function headerRecord(req: IncomingMessage) {
  return redacted(req, /^oauth\s+/i);
}

/** Statuspage also reads the key from `?api_key=` [M]; it is never recorded. */
export function queryRecord(params: URLSearchParams) {
  const query = record(params, (name) => name.endsWith('[]'));
  if ('api_key' in query) query.api_key = '[redacted]';
  return query;
}
