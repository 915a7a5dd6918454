/**
 * Failures a test injects with `failNext`: for the next matching requests the stand-in answers
 * the given status (or drops the connection) before checking auth or touching state.
 */
import { jiraError, type Reply } from './wire.ts';
import { injectedReply, type Failure } from '../http/faults.ts';
export {
  queueFailure,
  requestMatcher,
  takeFailure,
  type Failure,
  type QueuedFailure,
} from '../http/faults.ts';

export function failureReply(failure: Failure): Reply {
  // A 429 says when to come back unless the test gives its own headers.
  const retryAfter: Record<string, string> = failure.status === 429 ? { 'Retry-After': '1' } : {};
  return injectedReply(failure, defaultErrorReply, failure.headers ?? retryAfter);
}

function defaultErrorReply(status: number): Reply {
  switch (status) {
    case 401:
      return jiraError(401, ['Client must be authenticated to access this resource.']);
    case 403:
      return jiraError(403, ['You do not have permission to perform this operation.']);
    case 404:
      return jiraError(404, ['Issue does not exist or you do not have permission to see it.']);
    case 429:
      return jiraError(429, ['Rate limit exceeded.']);
    default:
      if (status >= 500) return jiraError(status, ['Internal server error']);
      return jiraError(status, ['Injected failure']);
  }
}
