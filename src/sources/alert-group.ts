import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Link } from '../core/types.ts';
import { isWebUrl } from './parse-result.ts';

/**
 * What Alertmanager and Grafana share: both send a notification group of alerts, each with
 * labels, annotations, a fingerprint and Prometheus times (Grafana's contact point copies
 * Alertmanager's webhook shape).
 */

export const stringMap = z.record(z.string(), z.string());

/** The fields of a group's alert both tools send; each adds its own. */
export const groupAlertFields = {
  status: z.enum(['firing', 'resolved']),
  labels: stringMap,
  annotations: stringMap.default({}),
  startsAt: z.iso.datetime({ offset: true, message: 'must be an RFC 3339 time' }),
  endsAt: z.string().optional(),
  generatorURL: z.string().optional(),
};

/** What Go's zero time.Time looks like in JSON: "no end yet". */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

interface GroupAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface AlertGroup {
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  alerts: GroupAlert[];
}

/**
 * `<alertname>: <common summary>`, else the alert name with the group's other labels.
 * `soleSummary`: a group of one alert may use that alert's summary.
 */
export function groupTitle(group: AlertGroup, unnamed: string, soleSummary = false) {
  const names = new Set(group.alerts.map((a) => a.labels.alertname ?? unnamed));
  const name = group.commonLabels.alertname ?? group.groupLabels.alertname ?? [...names].join(', ');
  const only = soleSummary && group.alerts.length === 1 ? group.alerts[0] : undefined;
  const summary = group.commonAnnotations.summary ?? only?.annotations.summary;
  if (summary) return `${name}: ${summary}`;

  const { alertname: _ignored, ...scope } = group.groupLabels;
  const where = describe(scope);
  return where ? `${name} (${where})` : name;
}

/** The alert's one line: its summary, message, first line of its description, or its labels. */
export function alertLine(alert: GroupAlert) {
  const { annotations, labels } = alert;
  return (
    annotations.summary ??
    annotations.message ??
    firstLine(annotations.description) ??
    describe(labels)
  );
}

/** The alert's runbook, from the annotations both tools use for it. */
export function runbookLink(annotations: Record<string, string>) {
  return link('Runbook', annotations.runbook_url ?? annotations.runbook, 'runbook');
}

export function link(title: string, url: string | undefined, kind: Link['kind']): Link | undefined {
  return isWebUrl(url) ? { title, url, kind } : undefined;
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

/** Both send a fingerprint today; older senders get one from the label set. */
export function fingerprintOf(labels: Record<string, string>) {
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
