import { createHash } from 'node:crypto';
import { z } from 'zod';
import { normalizeSeverity } from '../core/severity.ts';
import type { Link, NormalizedAlert } from '../core/types.ts';
import { isWebUrl, parseBody, type ParseResult } from './parse-result.ts';

const stringMap = z.record(z.string(), z.string());

const alertSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: stringMap,
  annotations: stringMap.default({}),
  startsAt: z.iso.datetime({ offset: true, message: 'must be an RFC 3339 time' }),
  endsAt: z.string().optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().min(1).optional(),
});

/** Alertmanager's webhook, payload version 4; only the fields we use are declared. */
const payloadSchema = z.object({
  version: z.literal('4', { message: 'must be "4" (Alertmanager webhook payload version 4)' }),
  groupKey: z.string().min(1),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string().default(''),
  groupLabels: stringMap.default({}),
  commonLabels: stringMap.default({}),
  commonAnnotations: stringMap.default({}),
  externalURL: z.string().default(''),
  alerts: z.array(alertSchema).min(1, 'must hold at least one alert'),
});

type AlertmanagerAlert = z.infer<typeof alertSchema>;

const ZERO_TIME = '0001-01-01T00:00:00Z';

export function parseAlertmanager(body: unknown): ParseResult {
  const parsed = parseBody(payloadSchema, body);
  if (!parsed.ok) return parsed;

  const payload = parsed.data;
  const links: Link[] = [];
  if (isWebUrl(payload.externalURL)) {
    links.push({ title: 'Alertmanager', url: payload.externalURL, kind: 'source' });
  }
  return {
    ok: true,
    batch: {
      source: 'alertmanager',
      groupKey: `${payload.receiver}|${normalizeGroupKey(payload.groupKey)}`,
      title: groupTitle(payload),
      description: payload.commonAnnotations.description,
      links,
      alerts: payload.alerts.map(toAlert),
    },
  };
}

function toAlert(alert: AlertmanagerAlert): NormalizedAlert {
  const { labels, annotations } = alert;
  const title = labels.alertname ?? 'Alert';
  const summary =
    annotations.summary ??
    annotations.message ??
    firstLine(annotations.description) ??
    describe(labels);
  return {
    key: alert.fingerprint ?? fingerprintOf(labels),
    status: alert.status,
    title,
    summary,
    description: annotations.description,
    severity: normalizeSeverity(labels.severity),
    labels,
    links: alertLinks(alert),
    startsAt: alert.startsAt,
    endsAt: alert.endsAt && alert.endsAt !== ZERO_TIME ? alert.endsAt : undefined,
  };
}

function alertLinks(alert: AlertmanagerAlert): Link[] {
  const a = alert.annotations;
  const candidates: Array<Link | undefined> = [
    link('Source', alert.generatorURL, 'generator'),
    link('Runbook', a.runbook_url ?? a.runbook, 'runbook'),
    link('Dashboard', a.dashboard_url ?? a.dashboard ?? a.grafana_url, 'dashboard'),
  ];
  return candidates.filter((l): l is Link => l !== undefined);
}

function link(title: string, url: string | undefined, kind: Link['kind']): Link | undefined {
  return isWebUrl(url) ? { title, url, kind } : undefined;
}

function groupTitle(payload: z.infer<typeof payloadSchema>) {
  const names = new Set(payload.alerts.map((a) => a.labels.alertname ?? 'Alert'));
  const name =
    payload.commonLabels.alertname ?? payload.groupLabels.alertname ?? [...names].join(', ');
  const summary = payload.commonAnnotations.summary;
  if (summary) return `${name}: ${summary}`;

  const { alertname: _ignored, ...scope } = payload.groupLabels;
  const where = describe(scope);
  return where ? `${name} (${where})` : name;
}

function describe(labels: Record<string, string>) {
  return Object.entries(labels)
    .filter(([key]) => key !== 'alertname')
    .map(([key, value]) => `${key}=${value}`)
    .join(', ');
}

function firstLine(text: string | undefined) {
  return text?.split('\n').find((line) => line.trim() !== '');
}

/** Alertmanager always sends a fingerprint today; older senders get one from the label set. */
function fingerprintOf(labels: Record<string, string>) {
  const canonical = Object.keys(labels)
    .sort()
    .map((key) => `${key}=${labels[key]}`)
    .join('\u0000');
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

/**
 * Two Alertmanager replicas can write one group's matchers in different orders
 * (prometheus/alertmanager#881): sort the matchers inside every `{...}` so both read the same.
 */
export function normalizeGroupKey(groupKey: string) {
  let out = '';
  let i = 0;
  while (i < groupKey.length) {
    if (groupKey[i] !== '{') {
      out += groupKey[i];
      i += 1;
      continue;
    }
    const end = closingBrace(groupKey, i);
    const matchers = splitMatchers(groupKey.slice(i + 1, end));
    out += `{${matchers.sort().join(',')}}`;
    i = end + 1;
  }
  return out;
}

function closingBrace(text: string, open: number) {
  let quoted = false;
  for (let i = open + 1; i < text.length; i += 1) {
    if (text[i] === '\\') i += 1;
    else if (text[i] === '"') quoted = !quoted;
    else if (text[i] === '}' && !quoted) return i;
  }
  return text.length;
}

function splitMatchers(body: string) {
  const parts: string[] = [];
  let quoted = false;
  let current = '';
  for (let i = 0; i < body.length; i += 1) {
    const ch = body[i];
    if (ch === '\\') {
      current += ch + (body[i + 1] ?? '');
      i += 1;
    } else if (ch === '"') {
      quoted = !quoted;
      current += ch;
    } else if (ch === ',' && !quoted) {
      parts.push(current.trim());
      current = '';
    } else {
      current += ch;
    }
  }
  if (current.trim() !== '') parts.push(current.trim());
  return parts;
}
