/**
 * Failures a test injects with `failNext` into a vendor stand-in (PagerDuty, GitHub, Jira): for
 * the next matching requests the stand-in answers the given status (or drops the connection)
 * before checking auth or touching state.
 */
import type { Reply } from './wire.ts';

export interface Failure {
  /** HTTP status. Default 500. */
  status?: number;
  /**
   * The body: an object is sent as JSON, a string as text/plain (a proxy's error page).
   * Default: the vendor's error body for the status.
   */
  body?: object | string;
  /** Sent with the reply; each stand-in says what it adds or sends when they are left out. */
  headers?: Record<string, string>;
  /** How many consecutive matching requests fail. Default 1. */
  times?: number;
  /** Close the connection without answering: the client sees a network error. */
  disconnect?: boolean;
  /**
   * Handle the request as usual (it takes effect) but close the connection instead of answering:
   * an answer lost to a timeout or a crash. Stand-ins that support it say so.
   */
  loseAnswer?: boolean;
}

export interface QueuedFailure {
  matches: (method: string, path: string) => boolean;
  failure: Failure;
  left: number;
}

/**
 * A matcher for 'METHOD /path' (method optional; `*` stands for one path segment, so
 * 'PUT /incidents/*' matches any PagerDuty incident) or a RegExp tested against 'METHOD /path'.
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

/** The reply a failure asks for: its own body, or the vendor's error body for its status. */
export function injectedReply(
  failure: Failure,
  errorReply: (status: number) => Reply,
  headers: Record<string, string>,
): Reply {
  const status = failure.status ?? 500;
  if (failure.body !== undefined) return { status, headers, body: failure.body };
  return { ...errorReply(status), headers };
}
