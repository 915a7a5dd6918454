/**
 * Failures a test injects with `failNext`: for the next matching requests the stand-in answers
 * the given status (or drops the connection) before checking auth or touching state.
 */
import { json, pdError, type Reply } from './wire.ts';
import { injectedReply, type Failure } from '../http/faults.ts';
export {
  queueFailure,
  requestMatcher,
  takeFailure,
  type Failure,
  type QueuedFailure,
} from '../http/faults.ts';

export function failureReply(failure: Failure): Reply {
  return injectedReply(failure, defaultErrorReply, failure.headers ?? {});
}

function defaultErrorReply(status: number): Reply {
  switch (status) {
    case 401:
      return pdError(401, 2006, 'Authentication failed');
    case 403:
      return pdError(403, 2010, 'Access Denied');
    case 404:
      return pdError(404, 2100, 'Not Found');
    case 429:
      return pdError(429, 2020, 'Rate Limit Exceeded');
    default:
      if (status >= 500) return pdError(status, 2000, 'An internal error has occurred.');
      return json(status, { error: { message: 'Injected failure', code: 2001 } });
  }
}
