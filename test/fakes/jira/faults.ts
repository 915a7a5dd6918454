/**
 * Failures a test injects with `failNext`: for the next matching requests the stand-in answers
 * the given status (or drops the connection) before checking auth or touching state.
 */
import { jiraError, type Reply } from './wire.ts';

export interface Failure {
  /** HTTP status. Default 500. */
  status?: number;
  /**
   * The body: an object is sent as JSON, a string as text/plain (a proxy's error page).
   * Default: Jira's error envelope for the status.
   */
  body?: object | string;
  /** Sent as given; a 429 gets `Retry-After: 1` unless headers are given here. */
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
 * 'POST /rest/api/3/issue/*\/comment' matches any issue) or a RegExp tested against 'METHOD /path'.
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
  const defaultHeaders: Record<string, string> = status === 429 ? { 'Retry-After': '1' } : {};
  const headers = failure.headers ?? defaultHeaders;
  if (failure.body !== undefined) return { status, headers, body: failure.body };

  return { ...defaultErrorReply(status), headers };
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
