/**
 * Failures a test injects with `failNext`: for the next matching requests the stand-in answers
 * the given status (or drops the connection) before checking the key or touching state. A 420
 * or 429 without headers carries `Retry-After: 1`.
 */
import { injectedReply, type Failure } from '../http/faults.ts';
import { notFound, spError, unauthorized, type Reply } from './wire.ts';
export {
  queueFailure,
  requestMatcher,
  takeFailure,
  type Failure,
  type QueuedFailure,
} from '../http/faults.ts';

export function failureReply(failure: Failure): Reply {
  const status = failure.status ?? 500;
  const limited = status === 420 || status === 429;
  const headers = failure.headers ?? (limited ? { 'Retry-After': '1' } : {});
  return injectedReply(failure, defaultErrorReply, headers);
}

function defaultErrorReply(status: number): Reply {
  switch (status) {
    case 401:
      return unauthorized();
    case 404:
      return notFound();
    case 420:
    case 429:
      return spError(status, 'Rate limit exceeded');
    case 422:
      return spError(422, ['Injected failure']);
    default:
      if (status >= 500) return spError(status, 'Internal Server Error');
      return spError(status, 'Injected failure');
  }
}
