import type { z } from 'zod';
import type { AlertBatch } from '../core/types.ts';

/** A source parser's answer: the alerts, or the first field that is wrong and why. */
export type ParseResult =
  { ok: true; batch: AlertBatch } | { ok: false; field: string; message: string };

export type AlertParser = (body: unknown) => ParseResult;

/**
 * Parses a webhook body; on failure names the first wrong field the way people write paths
 * (`alerts[0].fingerprint`), and says "is required" for any field that is missing.
 */
export function parseBody<T extends z.ZodType>(
  schema: T,
  body: unknown,
): { ok: true; data: z.infer<T> } | { ok: false; field: string; message: string } {
  const parsed = schema.safeParse(body);
  if (parsed.success) return { ok: true, data: parsed.data };

  const issue = parsed.error.issues[0];
  if (!issue) return { ok: false, field: '(body)', message: 'is invalid' };
  if (issue.path.length === 0)
    return { ok: false, field: '(body)', message: 'must be a JSON object' };
  const field = issue.path.reduce<string>((path, part) => {
    if (typeof part === 'number') return `${path}[${part}]`;
    return path === '' ? String(part) : `${path}.${String(part)}`;
  }, '');
  const missing = issue.path.length > 0 && valueAt(body, issue.path) === undefined;
  return {
    ok: false,
    field: field || '(body)',
    message: missing ? 'is required' : friendly(issue),
  };
}

/** Zod's default wording ("Invalid input: expected string…") said the way a sender reads it. */
function friendly(issue: z.core.$ZodIssue) {
  if (!issue.message.startsWith('Invalid') && !issue.message.startsWith('Too'))
    return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      return `must be ${/^[aeiou]/.test(issue.expected) ? 'an' : 'a'} ${issue.expected}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_union':
      return 'must be a string, a number or true/false';
    case 'too_small':
      return issue.origin === 'array'
        ? `must hold at least ${issue.minimum} item(s)`
        : `must be at least ${issue.minimum} characters`;
    case 'too_big':
      return issue.origin === 'array'
        ? `must hold at most ${issue.maximum} items`
        : `must be at most ${issue.maximum} characters`;
    default:
      return 'is invalid';
  }
}

function valueAt(body: unknown, path: PropertyKey[]) {
  let value: unknown = body;
  for (const part of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return value;
}

/** Only http(s) URLs become links; anything else (javascript:, mailto:) is dropped. */
export function isWebUrl(value: string | undefined): value is string {
  if (!value) return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
