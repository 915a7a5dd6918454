import { z } from 'zod';
import { normalizeSeverity } from '../core/severity.ts';
import type { Link, NormalizedAlert } from '../core/types.ts';
import { alertLine, fingerprintOf, groupAlertFields, groupTitle, link } from './alert-group.ts';
import { normalizeGroupKey, runbookLink, stringMap, ZERO_TIME } from './alert-group.ts';
import { isWebUrl, parseBody, type ParseResult } from './parse-result.ts';

const alertSchema = z.object({
  ...groupAlertFields,
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
      title: groupTitle(payload, 'Alert'),
      description: payload.commonAnnotations.description,
      links,
      alerts: payload.alerts.map(toAlert),
    },
  };
}

function toAlert(alert: AlertmanagerAlert): NormalizedAlert {
  const { labels, annotations } = alert;
  const title = labels.alertname ?? 'Alert';
  const summary = alertLine(alert);
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
    runbookLink(a),
    link('Dashboard', a.dashboard_url ?? a.dashboard ?? a.grafana_url, 'dashboard'),
  ];
  return candidates.filter((l): l is Link => l !== undefined);
}

export { normalizeGroupKey } from './alert-group.ts';
