/**
 * A request to the Jira stand-in as tests read it back, with the credentials taken out.
 */
import type { IncomingMessage } from 'node:http';

import { headerRecord as redacted } from '../http/recorded-call.ts';
import type { RecordedRequest } from '../http/recorded-call.ts';

export { queryRecord } from '../http/recorded-call.ts';
export type RecordedCall = RecordedRequest;

/** `authorization` reduced to its scheme: 'Basic [redacted]'. */
export function headerRecord(req: IncomingMessage) {
  return redacted(req, /^(Basic|Bearer) /i);
}
