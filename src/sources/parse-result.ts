import type { z } from 'zod';
import type { AlertBatch } from '../core/types.ts';

/** A source parser's answer: the alerts, or the first field that is wrong and why. */
export type ParseResult =
  { ok: true; batch: AlertBatch } | { ok: false; field: string; message: string };

export type AlertParser = (body: unknown) => ParseResult;

/** Parses with messages written for the sender: a missing field "is required". */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown) {
  return schema.safeParse(body, {
    error: (issue) =>
      issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : undefined,
  });
}

/** Names the first failing field the way people write paths: `alerts[0].fingerprint`. */
export function describeIssue(error: z.ZodError): { ok: false; field: string; message: string } {
  const issue = error.issues[0];
  if (!issue) return { ok: false, field: '(body)', message: 'is invalid' };

  const field = issue.path.reduce<string>((path, part) => {
    if (typeof part === 'number') return `${path}[${part}]`;
    return path === '' ? String(part) : `${path}.${String(part)}`;
  }, '');
  return { ok: false, field: field || '(body)', message: issue.message };
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
