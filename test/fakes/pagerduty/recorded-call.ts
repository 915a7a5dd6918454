/**
 * A request to the PagerDuty stand-in as tests read it back, with the API key taken out.
 */
import type { IncomingMessage } from 'node:http';

import { headerRecord as redacted, queryRecord as queryOf } from '../http/recorded-call.ts';
import type { RecordedRequest } from '../http/recorded-call.ts';

export interface RecordedCall extends RecordedRequest {
  api: 'rest' | 'events';
}

/** Names ending in '[]' are lists, as PagerDuty reads them (`statuses[]`). */
export function queryRecord(params: URLSearchParams) {
  return queryOf(params, (name) => name.endsWith('[]'));
}

/** `authorization` reduced to its scheme: 'Token token=[redacted]'. */
export function headerRecord(req: IncomingMessage) {
  return redacted(req, /^(Token token=|Bearer )/i);
}
