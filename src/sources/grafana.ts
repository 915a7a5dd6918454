import { z } from 'zod';
import { normalizeSeverity } from '../core/severity.ts';
import type { Link, NormalizedAlert } from '../core/types.ts';
import { alertLine, fingerprintOf, groupAlertFields, groupTitle, link } from './alert-group.ts';
import { normalizeGroupKey, runbookLink, stringMap, ZERO_TIME } from './alert-group.ts';
import { isWebUrl, parseBody, type ParseResult } from './parse-result.ts';

const alertSchema = z.object({
  ...groupAlertFields,
  fingerprint: z.string().optional(),
  silenceURL: z.string().optional(),
  dashboardURL: z.string().optional(),
  panelURL: z.string().optional(),
  imageURL: z.string().optional(),
  // Grafana 10+ sends `values` (refID → number), 9.x `valueString`: either, both or neither.
  values: z.record(z.string(), z.unknown()).optional(),
  valueString: z.string().optional(),
});

/**
 * Grafana unified alerting's webhook contact point (payload `version` "1"): Alertmanager's group
 * shape plus `orgId` and per-alert Grafana links. Only the fields we use are declared. See
 * Grafana docs: Alerting → Configure notifications → Contact points → Webhook notifier.
 */
const payloadSchema = z.object({
  groupKey: z.string().min(1),
  orgId: z.union([z.number(), z.string()]).optional(),
  groupLabels: stringMap.default({}),
  commonLabels: stringMap.default({}),
  commonAnnotations: stringMap.default({}),
  externalURL: z.string().default(''),
  alerts: z.array(alertSchema).min(1, 'must hold at least one alert'),
});

type GrafanaAlert = z.infer<typeof alertSchema>;

/**
 * Parses a Grafana webhook delivery: one notification group is one batch, keyed
 * `grafana:<orgId>:<groupKey>`; each alert is keyed by its fingerprint.
 */
export function parseGrafana(body: unknown): ParseResult {
  const parsed = parseBody(payloadSchema, body);
  if (!parsed.ok) return parsed;

  const payload = parsed.data;
  const links: Link[] = [];
  if (isWebUrl(payload.externalURL)) {
    links.push({ title: 'Grafana', url: payload.externalURL, kind: 'source' });
  }
  return {
    ok: true,
    batch: {
      source: 'grafana',
      groupKey: `grafana:${payload.orgId ?? ''}:${normalizeGroupKey(payload.groupKey)}`,
      title: groupTitle(payload, 'Grafana alert', true),
      description: payload.commonAnnotations.description,
      links,
      alerts: payload.alerts.map(toAlert),
    },
  };
}

function toAlert(alert: GrafanaAlert): NormalizedAlert {
  const { labels, annotations } = alert;
  const summary = alertLine(alert);
  const resolved = alert.status === 'resolved';
  return {
    key: alert.fingerprint || fingerprintOf(labels),
    status: alert.status,
    title: annotations.summary ?? labels.alertname ?? 'Grafana alert',
    summary: summary || (labels.alertname ?? 'Grafana alert'),
    description: describeAlert(annotations.description, alert),
    severity: normalizeSeverity(labels.severity ?? labels.priority),
    labels,
    links: alertLinks(alert),
    startsAt: alert.startsAt,
    // A firing alert's endsAt is the zero time (or when Grafana would expire it), not an end.
    endsAt: resolved && alert.endsAt && alert.endsAt !== ZERO_TIME ? alert.endsAt : undefined,
  };
}

/** The rule's description, then the query values that made it fire, when Grafana sent them. */
function describeAlert(description: string | undefined, alert: GrafanaAlert) {
  const values = alert.valueString || formatValues(alert.values);
  if (!values) return description;
  return description ? `${description}\n\nValues: ${values}` : `Values: ${values}`;
}

function formatValues(values: Record<string, unknown> | undefined) {
  const parts = Object.entries(values ?? {})
    .filter(([, value]) => typeof value === 'number' || typeof value === 'string')
    .map(([refId, value]) => `${refId}=${String(value)}`);
  return parts.join(', ');
}

function alertLinks(alert: GrafanaAlert): Link[] {
  const a = alert.annotations;
  const candidates: Array<Link | undefined> = [
    link('Source', alert.generatorURL, 'generator'),
    runbookLink(a),
    link('Dashboard', alert.dashboardURL, 'dashboard'),
    link('Panel', alert.panelURL, 'dashboard'),
    link('Silence', alert.silenceURL, 'other'),
    link('Screenshot', alert.imageURL, 'other'),
  ];
  return candidates.filter((l): l is Link => l !== undefined);
}
