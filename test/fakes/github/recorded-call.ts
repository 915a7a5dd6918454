/**
 * A request to the GitHub stand-in as tests read it back, with the token taken out.
 */
import type { IncomingMessage } from 'node:http';

import { headerRecord as redacted } from '../http/recorded-call.ts';
import type { RecordedRequest } from '../http/recorded-call.ts';

export { queryRecord } from '../http/recorded-call.ts';
export type RecordedCall = RecordedRequest;

/** `authorization` reduced to its scheme: 'token [redacted]'. */
export function headerRecord(req: IncomingMessage) {
  return redacted(req, /^(token|bearer)\s+/i);
}
