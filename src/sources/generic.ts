import { z } from 'zod';
import { isSeverity, normalizeSeverity, SEVERITY_ALIASES } from '../core/severity.ts';
import type { Link } from '../core/types.ts';
import { isWebUrl, parseBody, type ParseResult } from './parse-result.ts';

const SEVERITY_WORDS = Object.keys(SEVERITY_ALIASES);
const ALIASES = SEVERITY_WORDS.filter((w) => !isSeverity(w)).join(', ');

const labelValue = z.union([z.string(), z.number(), z.boolean()]).transform(String);

/**
 * Our own shape for anything that can POST JSON (documented in the README):
 * one alert per request, identified by `dedup_key`.
 */
const payloadSchema = z.object({
  title: z.string().trim().min(1, 'must not be empty').max(1024),
  status: z.enum(['firing', 'resolved']).default('firing'),
  severity: z
    .string()
    .trim()
    .toLowerCase()
    .refine((word) => SEVERITY_WORDS.includes(word), {
      message: `must be one of critical, error, warning, info (or ${ALIASES})`,
    })
    .optional(),
  dedup_key: z.string().trim().min(1, 'must not be empty').max(255),
  group_key: z.string().trim().min(1).max(255).optional(),
  description: z.string().max(100_000).optional(),
  source: z.string().trim().min(1).max(255).optional(),
  labels: z.record(z.string(), labelValue).default({}),
  links: z
    .array(
      z.object({
        title: z.string().trim().min(1).max(200),
        url: z.string().refine(isWebUrl, 'must be an http or https URL'),
      }),
    )
    .max(20)
    .default([]),
  started_at: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 time' }).optional(),
});

export function parseGeneric(body: unknown): ParseResult {
  const parsed = parseBody(payloadSchema, body);
  if (!parsed.ok) return parsed;

  const p = parsed.data;
  const links: Link[] = p.links.map((l) => ({
    title: l.title,
    url: l.url,
    kind: linkKind(l.title),
  }));
  const labels = p.source ? { source: p.source, ...p.labels } : p.labels;
  return {
    ok: true,
    batch: {
      source: 'generic',
      groupKey: p.group_key ?? p.dedup_key,
      title: p.title,
      description: p.description,
      links: [],
      alerts: [
        {
          key: p.dedup_key,
          status: p.status,
          title: p.title,
          summary: p.title,
          description: p.description,
          severity: normalizeSeverity(p.severity),
          labels,
          links,
          startsAt: p.started_at,
        },
      ],
    },
  };
}

function linkKind(title: string): Link['kind'] {
  const t = title.toLowerCase();
  if (t.includes('runbook') || t.includes('playbook')) return 'runbook';
  if (t.includes('dashboard') || t.includes('grafana')) return 'dashboard';
  return 'other';
}
