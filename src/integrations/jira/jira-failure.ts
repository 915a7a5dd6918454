/**
 * How a failed jira.js call becomes an OutboundError (wire-formats.md §4.3): 429, and 503 with
 * `Retry-After`, wait what Jira asks; 5xx and network failures are retried; 401/403 name the
 * credentials to fix; a 400 carries Jira's per-field `errors`.
 * https://developer.atlassian.com/cloud/jira/platform/rate-limiting/
 */
import { HttpException } from 'jira.js';

import { OutboundError, unreachable } from '../../outbound/outbound-error.ts';

/** Waited after a 429 that says nothing about when to come back. */
export const DEFAULT_RATE_LIMIT_WAIT_MS = 10_000;

/** What Jira answered to a refused call. */
export interface JiraRefusal {
  status: number;
  /** `errorMessages` joined. */
  messages: string[];
  /** `errors`: field ID → message. */
  errors: Record<string, string>;
  headers: Record<string, unknown>;
}

/** The answer behind a jira.js error, or undefined when no answer came (network, timeout). */
export function refusalOf(error: unknown): JiraRefusal | undefined {
  if (!(error instanceof HttpException)) return undefined;
  const response = isRecord(error.cause) ? error.cause.response : undefined;
  if (!isRecord(response) || typeof response.status !== 'number') return undefined;
  const data = isRecord(response.data) ? response.data : {};
  const messages = Array.isArray(data.errorMessages) ? data.errorMessages.map(String) : [];
  if (typeof response.data === 'string' && response.data.trim() !== '') {
    messages.push(response.data.trim().slice(0, 200));
  }
  const errors = isRecord(data.errors)
    ? Object.fromEntries(Object.entries(data.errors).map(([k, v]) => [k, String(v)]))
    : {};
  const headers = isRecord(response.headers) ? response.headers : {};
  return { status: response.status, messages, errors, headers };
}

/**
 * The OutboundError for a failed call `what` ('POST /issue'). `now` is epoch ms, for an
 * `X-RateLimit-Reset` given as a time.
 */
export function jiraFailure(what: string, error: unknown, now: number): OutboundError {
  const refusal = refusalOf(error);
  if (refusal === undefined) {
    if (isAxiosError(error)) return unreachable('jira', what, error);
    const message = `${what}: ${error instanceof Error ? error.message : String(error)}`;
    return new OutboundError({ service: 'jira', message, code: 'client_error', cause: error });
  }

  const { status, messages, errors } = refusal;
  const detail = [...messages, ...Object.values(errors)].join('; ');
  const message = `${what}: HTTP ${status}${detail ? ` (${detail})` : ''}`;
  const base = { service: 'jira', code: String(status), cause: error };
  const retryAfterMs = waitOf(refusal.headers, now);
  if (status === 429 || (status === 503 && retryAfterMs !== undefined)) {
    return new OutboundError({
      ...base,
      message,
      retryable: true,
      retryAfterMs: retryAfterMs ?? DEFAULT_RATE_LIMIT_WAIT_MS,
    });
  }
  if (status === 401 || status === 403) {
    const why = status === 401 ? 'refused the credentials' : 'refused access';
    return new OutboundError({
      ...base,
      message:
        `${what}: Jira ${why} (HTTP ${status}); check JIRA_EMAIL and JIRA_API_TOKEN, ` +
        'and that the account may use the project',
    });
  }
  return new OutboundError({
    ...base,
    message,
    retryable: status >= 500 || status === 408,
    ...(Object.keys(errors).length > 0 && { fields: errors }),
  });
}

/** `Retry-After` (seconds or an HTTP date), else `X-RateLimit-Reset` (ISO time or epoch s). */
function waitOf(headers: Record<string, unknown>, now: number): number | undefined {
  const retryAfter = header(headers, 'retry-after');
  if (retryAfter !== undefined) {
    const seconds = Number(retryAfter);
    if (retryAfter !== '' && Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
    const date = Date.parse(retryAfter);
    if (Number.isFinite(date)) return Math.max(0, date - now);
  }
  const reset = header(headers, 'x-ratelimit-reset');
  if (reset === undefined) return undefined;
  // Atlassian documents an ISO-8601 time; some report epoch seconds (wire-formats.md §6).
  const at = /^\d+(\.\d+)?$/.test(reset) ? Number(reset) * 1000 : Date.parse(reset);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

function header(headers: Record<string, unknown>, name: string): string | undefined {
  const value = headers[name] ?? headers[name.toLowerCase()];
  if (Array.isArray(value)) return value.length > 0 ? String(value[0]).trim() : undefined;
  return value === undefined || value === null ? undefined : String(value).trim();
}

function isAxiosError(error: unknown): boolean {
  return isRecord(error) && error.isAxiosError === true;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
