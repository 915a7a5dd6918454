import { z } from 'zod';
import { normalizeSeverity } from '../core/severity.ts';
import { SEVERITIES, type AlertStatus, type Link, type Severity } from '../core/types.ts';
import { isWebUrl, parseBody, type ParseResult } from './parse-result.ts';

/** A variable Datadog left as typed (`$HOSTNAME`, `$TAGS[env]`) because it had no value. */
const UNRENDERED = /^\$[A-Z][A-Z0-9_]*(\[[^\]]*\])?$/;

/**
 * One template value. Datadog substitutes `$VARIABLES` as text, renders a missing one as an
 * empty string or leaves it as typed: both count as absent. Numbers are accepted for templates
 * that left a variable unquoted.
 */
const value = z
  .union([z.string(), z.number(), z.boolean()])
  .nullish()
  .transform((raw) => {
    const text = raw === null || raw === undefined ? '' : String(raw).trim();
    return text === '' || UNRENDERED.test(text) ? undefined : text;
  });

const epochMs = value.refine((text) => text === undefined || /^\d{1,15}$/.test(text), {
  message: 'must be epoch milliseconds ($DATE)',
});

/**
 * The body our documented Datadog Webhooks template produces (docs/sources-grafana-datadog.md,
 * test/fixtures/datadog/README.md). Only the fields we use are declared. Variables:
 * https://docs.datadoghq.com/integrations/webhooks/#variables
 */
const payloadSchema = z
  .object({
    alert_id: value,
    alert_cycle_key: value,
    aggregation_key: value,
    transition: value,
    alert_type: value,
    priority: value,
    title: value,
    alert_title: value,
    body: value,
    alert_status: value,
    scope: value,
    hostname: value,
    link: value,
    snapshot: value,
    tags: value,
    date: epochMs,
    org: z.object({ id: value }).optional(),
  })
  .refine((p) => p.alert_id ?? p.alert_cycle_key ?? p.aggregation_key, {
    message: 'must hold the monitor ID ($ALERT_ID)',
    path: ['alert_id'],
  });

type DatadogPayload = z.infer<typeof payloadSchema>;

/**
 * Parses a delivery of our Datadog webhook template: one notification is one alert, keyed by
 * monitor and scope (`$ALERT_ID` + `$ALERT_SCOPE`); all groups of one monitor share a batch
 * group key, `datadog:<orgId>:<monitorId>`, so a multi-alert monitor opens one incident.
 */
export function parseDatadog(body: unknown): ParseResult {
  const parsed = parseBody(payloadSchema, body);
  if (!parsed.ok) return parsed;

  const p = parsed.data;
  const scope = tagList(p.scope);
  const key = alertKey(p, scope);
  const name = monitorName(p.alert_title ?? p.title) ?? `Datadog monitor ${p.alert_id ?? key}`;
  const status = statusOf(p);
  const at = p.date === undefined ? undefined : new Date(Number(p.date)).toISOString();
  return {
    ok: true,
    batch: {
      source: 'datadog',
      groupKey: `datadog:${p.org?.id ?? ''}:${p.alert_id ?? key}`,
      title: name,
      links: [],
      alerts: [
        {
          key,
          status,
          title: name,
          summary: scope.length > 0 ? `${name} (${scope.join(', ')})` : name,
          description: messageText(p.body) ?? p.alert_status,
          severity: severityOf(p),
          labels: labelsOf(p, scope),
          links: alertLinks(p),
          startsAt: STARTS.has(p.transition?.toLowerCase() ?? '') ? at : undefined,
          endsAt: status === 'resolved' ? at : undefined,
        },
      ],
    },
  };
}

/**
 * `$ALERT_ID` is shared by every group of a multi-alert monitor, so the scope completes it.
 * `$ALERT_CYCLE_KEY` would change with every trigger; this key stays, as a fingerprint does.
 */
function alertKey(p: DatadogPayload, scope: string[]) {
  if (p.alert_id === undefined) return p.alert_cycle_key ?? p.aggregation_key ?? '';
  const group = [...scope].sort().join(',');
  return group ? `${p.alert_id}:${group}` : p.alert_id;
}

/**
 * Transitions that start a state carry its start in `$DATE`. Renotifications (`Re-…`,
 * `Renotify`) carry the time of the reminder, which must not read as a new start.
 */
const STARTS = new Set(['triggered', 'warn', 'no data']);

/** `Recovered` resolves; a test notification has no transition but `$ALERT_TYPE` "success". */
function statusOf(p: DatadogPayload): AlertStatus {
  const transition = p.transition?.toLowerCase();
  if (transition === 'recovered') return 'resolved';
  if (transition === undefined && p.alert_type === 'success') return 'resolved';
  return 'firing';
}

/**
 * `$ALERT_PRIORITY` P1…P5 (else `$ALERT_TYPE`); a warning threshold (`Warn`, `Re-Warn`) is at
 * most a warning, whatever the monitor's priority.
 */
function severityOf(p: DatadogPayload): Severity {
  const severity = normalizeSeverity(p.priority ?? p.alert_type);
  const transition = p.transition?.toLowerCase();
  if (transition !== 'warn' && transition !== 're-warn') return severity;
  return SEVERITIES.indexOf(severity) > SEVERITIES.indexOf('warning') ? severity : 'warning';
}

/** Datadog prefixes titles with `[P1]` and `[Triggered on {scope}]`; the monitor name follows. */
const TITLE_PREFIX =
  /^\[(?:P[1-5]|(?:Re-)?(?:Triggered|Warn|No Data)|Recovered|Renotify)(?: on [^\]]*)?\]\s*/i;

function monitorName(title: string | undefined) {
  if (title === undefined) return undefined;
  let name = title;
  for (let i = 0; i < 3 && TITLE_PREFIX.test(name); i += 1) name = name.replace(TITLE_PREFIX, '');
  return name || title;
}

/** `$EVENT_MSG` is Markdown wrapped in `%%%` lines and starts with the `@webhook-…` mention. */
function messageText(body: string | undefined) {
  const text = body
    ?.replace(/^%%%\s*/, '')
    .replace(/\s*%%%$/, '')
    .replace(/@webhook-[\w-]+\s?/g, '')
    .trim();
  return text || undefined;
}

/** `$TAGS` and `$ALERT_SCOPE` are comma-separated tags: `env:prod, service:api`. */
function tagList(text: string | undefined) {
  return (text ?? '')
    .split(',')
    .map((tag) => tag.trim())
    .filter((tag) => tag !== '');
}

/**
 * Tags become labels (`service:api` → service = "api", a bare tag → "true"); a key given twice
 * keeps both values, comma-separated. The scope's tags and the host fill in what tags lack.
 */
function labelsOf(p: DatadogPayload, scope: string[]) {
  const labels: Record<string, string> = {};
  for (const tag of tagList(p.tags)) {
    const [key, tagValue] = splitTag(tag);
    if (key === '') continue;
    const known = labels[key];
    if (known === undefined) labels[key] = tagValue;
    else if (!known.split(',').includes(tagValue)) labels[key] = `${known},${tagValue}`;
  }
  for (const tag of scope) {
    const [key, tagValue] = splitTag(tag);
    if (key !== '' && labels[key] === undefined) labels[key] = tagValue;
  }
  if (p.hostname !== undefined && labels.host === undefined) labels.host = p.hostname;
  return labels;
}

function splitTag(tag: string): [string, string] {
  const colon = tag.indexOf(':');
  if (colon === -1) return [tag, 'true'];
  return [tag.slice(0, colon).trim(), tag.slice(colon + 1).trim()];
}

function alertLinks(p: DatadogPayload): Link[] {
  const candidates: Array<Link | undefined> = [
    link('Monitor', monitorUrl(p), 'generator'),
    link('Runbook', runbookUrl(p.body), 'runbook'),
    link('Datadog event', p.link, 'source'),
    // Kind dashboard, not other: each notification has its own snapshot, and the incident keeps
    // one link per kind and title (applyAlerts' mergeLinks) instead of collecting them all.
    link('Graph snapshot', p.snapshot, 'dashboard'),
  ];
  return candidates.filter((l): l is Link => l !== undefined);
}

function link(title: string, url: string | undefined, kind: Link['kind']): Link | undefined {
  return isWebUrl(url) ? { title, url, kind } : undefined;
}

/** The monitor's page lives on the same Datadog site as the event `$LINK` points to. */
function monitorUrl(p: DatadogPayload) {
  if (!isWebUrl(p.link) || !/^\d+$/.test(p.alert_id ?? '')) return undefined;
  return `${new URL(p.link).origin}/monitors/${p.alert_id}`;
}

/** A `Runbook: <url>` line or a `[Runbook](<url>)` link in the monitor's message. */
function runbookUrl(body: string | undefined) {
  const match =
    body?.match(/^\s*runbook:\s*(https?:\/\/\S+)/im) ??
    body?.match(/\[runbook[^\]]*\]\((https?:\/\/[^)\s]+)\)/i);
  return match?.[1];
}
