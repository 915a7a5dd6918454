/**
 * Failures a test injects with `failNext`: for the next matching requests the stand-in answers
 * the given status (or drops the connection) before checking auth or touching state. A 403 or
 * 429 without a body is GitHub's secondary rate limit (wire-formats.md §4.4, field report F14).
 */
import { ghError, type Reply } from './wire.ts';
import { injectedReply, type Failure } from '../http/faults.ts';
export {
  queueFailure,
  requestMatcher,
  takeFailure,
  type Failure,
  type QueuedFailure,
} from '../http/faults.ts';

export const SECONDARY_RATE_LIMIT_MESSAGE =
  'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. ' +
  'If you reach out to GitHub Support for help, please include the request ID.';

export function failureReply(failure: Failure, rateHeaders: Record<string, string>): Reply {
  return injectedReply(failure, defaultErrorReply, { ...rateHeaders, ...failure.headers });
}

function defaultErrorReply(status: number): Reply {
  switch (status) {
    case 401:
      return ghError(401, 'Bad credentials');
    case 403:
    case 429:
      return ghError(status, SECONDARY_RATE_LIMIT_MESSAGE);
    case 404:
      return ghError(404, 'Not Found');
    case 422:
      return ghError(422, 'Validation Failed', { errors: [] });
    default:
      if (status >= 500) return ghError(status, 'Server Error');
      return ghError(status, 'Injected failure');
  }
}
