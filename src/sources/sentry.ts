import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { normalizeSeverity } from '../core/severity.ts';
import type { AlertStatus, Link, NormalizedAlert } from '../core/types.ts';
import { isWebUrl, parseBody, type ParseResult } from './parse-result.ts';

/** The resources we turn into alerts. */
const HANDLED = ['event_alert', 'issue'];

/** Resources Sentry documents that say nothing about an alert's state (wire-formats.md §1.5). */
const IGNORED = ['installation', 'metric_alert', 'error', 'comment'];

/**
 * Checks `Sentry-Hook-Signature`: hex HMAC-SHA256 of the raw body with the integration's client
 * secret, compared in constant time. The raw bytes, never re-serialised JSON (field report F02).
 * https://docs.sentry.io/organization/integrations/integration-platform/webhooks/
 */
export function verifySentrySignature(header: string | undefined, raw: Buffer, secret: string) {
  if (!header || !secret || !/^[0-9a-f]{64}$/i.test(header.trim())) return false;

  const offered = Buffer.from(header.trim(), 'hex');
  const expected = createHmac('sha256', secret).update(raw).digest();
  return timingSafeEqual(offered, expected);
}

/**
 * The resource a delivery is about: the `Sentry-Hook-Resource` header, or when it is missing,
 * what the body holds (`data.event` for an issue alert, `data.issue` for an issue's lifecycle).
 */
export function sentryResourceOf(header: string | undefined, body: unknown) {
  if (header) return header.trim().toLowerCase();

  const data = isRecord(body) && isRecord(body.data) ? body.data : {};
  if (isRecord(data.event)) return 'event_alert';
  if (isRecord(data.issue)) return 'issue';
  return undefined;
}

/**
 * True for a delivery that is valid but changes no alert: resources other than issue alerts and
 * issues, and actions that do not change an issue's state (`assigned`, `created`, new ones).
 * Such deliveries are answered 202 "ignored" (wire-formats.md §5.8: ignore unknown actions).
 */
export function sentryIgnored(resource: string | undefined, action: string | undefined) {
  if (resource !== undefined && IGNORED.includes(resource)) return true;
  if (resource === 'event_alert') return action !== 'triggered';
  if (resource === 'issue') return action === undefined || !Object.hasOwn(ISSUE_ACTIONS, action);
  // Sentry adds resources; one we do not know is not an error of the sender (wire-formats §5.8).
  return resource !== undefined;
}

/**
 * What an `issue` delivery's action means for its alert. `created` is not here: issue alert
 * rules decide what pages, not every new issue. Archiving (called `ignored` by some senders,
 * wire-formats.md §6) means people stopped watching it, so it resolves the alert.
 */
const ISSUE_ACTIONS: Readonly<Record<string, AlertStatus>> = {
  resolved: 'resolved',
  unresolved: 'firing',
  archived: 'resolved',
  ignored: 'resolved',
};

const id = z.union([z.string().min(1), z.number()]).transform(String);
const optionalText = z.string().nullish();

/** Sentry's event levels; `debug` is below our lowest, info. */
const level = z.string().nullish();

const eventSchema = z.object({
  issue_id: id.optional(),
  title: z.string().min(1),
  level,
  culprit: optionalText,
  web_url: optionalText,
  environment: optionalText,
  release: optionalText,
  platform: optionalText,
  project: z.union([z.string(), z.number()]).nullish(),
  tags: z.array(z.array(z.unknown())).optional(),
});

/** Issue alert (`event_alert`): `data.event` is the event that triggered the rule. */
const eventAlertSchema = z.object({
  action: z.string(),
  data: z.object({ event: eventSchema, triggered_rule: optionalText }),
});

/** Issue lifecycle (`issue`): `data.issue` is the issue as it is now. */
const issueSchema = z.object({
  action: z.string(),
  data: z.object({
    issue: z.object({
      id,
      shortId: optionalText,
      title: z.string().min(1),
      level,
      culprit: optionalText,
      web_url: optionalText,
      permalink: optionalText,
      project: z.object({ slug: optionalText, name: optionalText }).nullish(),
    }),
  }),
});

/**
 * Sentry integration-platform webhooks as alerts: an issue alert fires its issue's alert, and
 * `issue` deliveries resolve or re-fire it. One issue is one alert and one incident.
 * `resource` is the `Sentry-Hook-Resource` header (inferred from the body when missing).
 * Call `sentryIgnored` first: deliveries it ignores are refused here.
 */
export function parseSentry(body: unknown, resource: string | undefined): ParseResult {
  const kind = sentryResourceOf(resource, body);
  if (kind === 'event_alert') return parseEventAlert(body);
  if (kind === 'issue') return parseIssue(body);

  return {
    ok: false,
    field: 'Sentry-Hook-Resource',
    message: `is not handled (${kind ?? 'missing'}; expected ${HANDLED.join(' or ')})`,
  };
}

function parseEventAlert(body: unknown): ParseResult {
  const parsed = parseBody(eventAlertSchema, body);
  if (!parsed.ok) return parsed;

  const { event, triggered_rule: rule } = parsed.data.data;
  const issueId = event.issue_id ?? issueIdFromUrl(event.web_url);
  if (!issueId) return { ok: false, field: 'data.event.issue_id', message: 'is required' };

  const tags = tagMap(event.tags);
  const labels = compact({
    project: event.project?.toString(),
    environment: event.environment ?? tags.environment,
    level: event.level ?? tags.level,
    release: event.release ?? tags.release,
    culprit: event.culprit,
    platform: event.platform,
    rule,
  });
  const description = describeLines({ Rule: rule, Culprit: event.culprit });
  return batchOf(issueId, 'firing', { ...event, labels, url: event.web_url, description });
}

function parseIssue(body: unknown): ParseResult {
  const parsed = parseBody(issueSchema, body);
  if (!parsed.ok) return parsed;

  const { action } = parsed.data;
  const status = Object.hasOwn(ISSUE_ACTIONS, action) ? ISSUE_ACTIONS[action] : undefined;
  if (!status) return { ok: false, field: 'action', message: `is not handled (${action})` };

  const { issue } = parsed.data.data;
  const labels = compact({
    project: issue.project?.slug ?? issue.project?.name,
    issue: issue.shortId,
    level: issue.level,
    culprit: issue.culprit,
    action,
  });
  const url = issue.web_url ?? issue.permalink;
  const description = describeLines({ Culprit: issue.culprit });
  return batchOf(issue.id, status, { ...issue, labels, url, description });
}

interface AlertFields {
  title: string;
  level?: string | null;
  labels: Record<string, string>;
  url?: string | null;
  description?: string;
}

function batchOf(issueId: string, status: AlertStatus, fields: AlertFields): ParseResult {
  const { title, labels, description } = fields;
  const page = fields.url ?? undefined;
  const links: Link[] = isWebUrl(page) ? [{ title: 'Sentry', url: page, kind: 'generator' }] : [];
  // No startsAt: each event has its own time, and a new event of the same issue is a repeat.
  const alert: NormalizedAlert = {
    key: issueId,
    status,
    title,
    summary: title,
    description,
    severity: severityOf(fields.level),
    labels,
    links,
  };
  return {
    ok: true,
    batch: {
      source: 'sentry',
      groupKey: `issue:${issueId}`,
      title,
      description,
      links: [],
      alerts: [alert],
    },
  };
}

/** fatal → critical, error → error, warning → warning, info and debug → info; else: error. */
function severityOf(eventLevel: string | null | undefined) {
  const word = eventLevel?.toLowerCase();
  return normalizeSeverity(word === 'debug' ? 'info' : word, 'error');
}

/** An event's `web_url` is `…/issues/<id>/events/<event id>/`; older payloads lack `issue_id`. */
function issueIdFromUrl(url: string | null | undefined) {
  return url?.match(/\/issues\/(\d+)(?:\/|$)/)?.[1];
}

/** Sentry sends tags as `[[key, value], …]`; anything else in the list is skipped. */
function tagMap(tags: unknown[][] | undefined) {
  const map: Record<string, string> = {};
  for (const [key, value] of tags ?? []) {
    if (typeof key === 'string' && typeof value === 'string') map[key] = value;
  }
  return map;
}

function compact(labels: Record<string, string | null | undefined>) {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(labels)) {
    if (value) out[key] = value;
  }
  return out;
}

function describeLines(lines: Record<string, string | null | undefined>) {
  const text = Object.entries(lines)
    .filter(([, value]) => value)
    .map(([key, value]) => `${key}: ${value}`)
    .join('\n');
  return text || undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
