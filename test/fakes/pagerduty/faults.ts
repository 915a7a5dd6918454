/**
 * Failures a test injects with `failNext`: for the next matching requests the stand-in answers
 * the given status (or drops the connection) before checking auth or touching state.
 */
import { json, pdError, type Reply } from './wire.ts';

export interface Failure {
  /** HTTP status. Default 500. */
  status?: number;
  /**
   * The body: an object is sent as JSON, a string as text/plain (a proxy's error page).
   * Default: PagerDuty's error envelope for the status (429: Rate Limit Exceeded, code 2020).
   */
  body?: object | string;
  /** Sent as given. A 429 gets no `ratelimit-*` headers unless they are here (§4.2 allows it). */
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

/**
 * A matcher for 'METHOD /path' (method optional; `*` stands for one path segment, so
 * 'PUT /incidents/*' matches any incident) or a RegExp tested against 'METHOD /path'.
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

export function failureReply(failure: Failure): Reply {
  const status = failure.status ?? 500;
  const headers = failure.headers ?? {};
  if (failure.body !== undefined) return { status, headers, body: failure.body };

  return { ...defaultErrorReply(status), headers };
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
