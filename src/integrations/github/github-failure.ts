import { OutboundError } from '../../outbound/outbound-error.ts';
import type { RateLimitWait } from './github-rate-limits.ts';

/** GitHub's error body (https://docs.github.com/en/rest/using-the-rest-api/troubleshooting). */
export interface GitHubErrorBody {
  message?: unknown;
  errors?: unknown[];
}

/** Octokit's RequestError with an answer; without one (network, timeout) GitHub was unreachable. */
export function isHttpError(error: unknown): error is {
  status: number;
  response: { headers: Record<string, unknown>; data?: unknown };
} {
  if (typeof error !== 'object' || error === null) return false;
  const { status, response } = error as { status?: unknown; response?: unknown };
  return typeof status === 'number' && typeof response === 'object' && response !== null;
}

/**
 * GitHub's answer as an OutboundError: a rate limit waits, 5xx retries, and the rest is final
 * with a message naming what to fix (the token, the repository, GitHub's validation errors).
 */
export function httpFailure(input: {
  /** 'POST /repos/{o}/{r}/issues' */
  what: string;
  status: number;
  data: GitHubErrorBody;
  /** What GitHubRateLimits made of a 403/429, if it was a rate limit. */
  wait: RateLimitWait | undefined;
  repository: string;
  /** The issue the call was about; a 404 then means the issue, not the repository. */
  key: string | undefined;
}): OutboundError {
  const { what, status, wait, repository: repo, key } = input;
  const message = typeof input.data.message === 'string' ? input.data.message : '';
  const detail = `${what}: HTTP ${status}${message ? ` (${message})` : ''}`;
  const fail = (text: string, extra: { retryable?: boolean; fields?: Record<string, string> }) =>
    new OutboundError({ service: 'github', message: text, code: String(status), ...extra });

  if (wait) {
    const code = `${wait.kind}_rate_limit`;
    return new OutboundError({
      service: 'github',
      message: detail,
      code,
      retryAfterMs: wait.waitMs,
    });
  }
  switch (status) {
    case 401:
      return fail(`${detail}: GitHub refused the token; check GITHUB_TOKEN`, {});
    case 403:
      return fail(`${detail}: the token may not do this in ${repo}; check GITHUB_TOKEN`, {});
    case 404:
      return key === undefined
        ? fail(`${detail}: no repository ${repo} the token can see; check GITHUB_REPOSITORY`, {})
        : fail(`${detail}: no issue #${key} in ${repo}`, {});
    case 410:
      return fail(`${detail}: issues are disabled in ${repo}; check GITHUB_REPOSITORY`, {});
    case 422: {
      const { list, fields } = validationErrors(input.data.errors);
      return fail(`${what}: HTTP 422 Validation Failed${list}`, { fields });
    }
    default:
      return fail(detail, { retryable: status >= 500 });
  }
}

/** 422's `errors` list, as text for the message and by field for forms. */
function validationErrors(errors: unknown[] | undefined) {
  const fields: Record<string, string> = {};
  const parts = (errors ?? []).map((item) => {
    const e = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    const field = typeof e.field === 'string' ? e.field : undefined;
    const text = [e.message, e.code].find((v): v is string => typeof v === 'string') ?? '';
    if (field) fields[field] = text;
    return typeof item === 'string' ? item : [e.resource, field, text].filter(Boolean).join(' ');
  });
  return { list: parts.length > 0 ? `: ${parts.join('; ')}` : '', fields };
}
