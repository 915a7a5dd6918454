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
  return { ok: false, field: field || '(body)', message: missing ? 'is required' : issue.message };
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
