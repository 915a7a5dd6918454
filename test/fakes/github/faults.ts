/**
 * Failures a test injects with `failNext`: for the next matching requests the stand-in answers
 * the given status (or drops the connection) before checking auth or touching state. A 403 or
 * 429 without a body is GitHub's secondary rate limit (wire-formats.md §4.4, field report F14).
 */
import { ghError, type Reply } from './wire.ts';

export interface Failure {
  /** HTTP status. Default 500. */
  status?: number;
  /**
   * The body: an object is sent as JSON, a string as text/plain (a proxy's error page).
   * Default: GitHub's error body for the status (403/429: the secondary rate limit message).
   */
  body?: object | string;
  /**
   * Sent over the stand-in's current `x-ratelimit-*` headers, e.g. `{ 'retry-after': '60' }`.
   * F14: GitHub's secondary-limit 403 may come with or without `retry-after`.
   */
  headers?: Record<string, string>;
  /** How many consecutive matching requests fail. Default 1. */
  times?: number;
  /** Close the connection without answering: the client sees a network error. */
  disconnect?: boolean;
}

export interface QueuedFailure {
  matches: (method: string, path: string) => boolean;
  failure: Failure;
  left: number;
}

export const SECONDARY_RATE_LIMIT_MESSAGE =
  'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. ' +
  'If you reach out to GitHub Support for help, please include the request ID.';

/**
 * A matcher for 'METHOD /path' (method optional; `*` stands for one path segment, so a star in
 * place of owner and of repo matches issues of any repository) or a RegExp on 'METHOD /path'.
 */
export function requestMatcher(
  pattern: string | RegExp,
): (method: string, path: string) => boolean {
  if (pattern instanceof RegExp) return (method, path) => pattern.test(`${method} ${path}`);

  const [first = '', second] = pattern.trim().split(/\s+/, 2);
  const wantedMethod = second === undefined ? undefined : first.toUpperCase();
  const pathPattern = second ?? first;
  const escaped = pathPattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  const regex = new RegExp(`^${escaped.join('[^/]+')}/?$`);
  return (method, path) =>
    (wantedMethod === undefined || wantedMethod === method.toUpperCase()) && regex.test(path);
}

export function queueFailure(pattern: string | RegExp, failure: Failure): QueuedFailure {
  const times = failure.times ?? 1;
  if (!Number.isInteger(times) || times < 1) throw new Error(`failNext: bad times ${times}`);
  return { matches: requestMatcher(pattern), failure, left: times };
}

/** Takes one use of the first queued failure matching the request, if any. */
export function takeFailure(
  queue: QueuedFailure[],
  method: string,
  path: string,
): Failure | undefined {
  const index = queue.findIndex((queued) => queued.matches(method, path));
  const queued = queue[index];
  if (queued === undefined) return undefined;

  queued.left -= 1;
  if (queued.left === 0) queue.splice(index, 1);
  return queued.failure;
}

/** The injected reply; `rateHeaders` are the stand-in's current `x-ratelimit-*` headers. */
export function failureReply(failure: Failure, rateHeaders: Record<string, string>): Reply {
  const status = failure.status ?? 500;
  const headers = { ...rateHeaders, ...failure.headers };
  if (failure.body !== undefined) return { status, headers, body: failure.body };

  return { ...defaultErrorReply(status), headers };
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
