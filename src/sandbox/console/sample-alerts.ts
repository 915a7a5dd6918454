/**
 * The alerts the sandbox console can fire and resolve: the project's sample payloads
 * (test/fixtures), sent to the bot's own webhooks as the monitoring tool would send them.
 */
import { readFile } from 'node:fs/promises';

export type Payload = Record<string, unknown> & { alerts?: Array<Record<string, unknown>> };

export interface SampleAlert {
  id: string;
  label: string;
  source: 'alertmanager' | 'generic' | 'grafana' | 'datadog';
  firing: string;
  /** The fixture that resolves it; without one, the firing payload marked resolved. */
  resolved?: string;
}

export const SAMPLE_ALERTS: readonly SampleAlert[] = [
  {
    id: 'checkout-latency',
    label: 'Checkout latency, 5 alerts (Alertmanager, critical)',
    source: 'alertmanager',
    firing: 'alertmanager/firing-group.json',
    resolved: 'alertmanager/resolved-group.json',
  },
  {
    id: 'replication-lag',
    label: 'Postgres replication lag (Alertmanager, warning)',
    source: 'alertmanager',
    firing: 'alertmanager/firing-single.json',
  },
  {
    id: 'checkout-errors',
    label: 'Checkout error rate (Grafana, critical)',
    source: 'grafana',
    firing: 'grafana/firing.json',
    resolved: 'grafana/resolved.json',
  },
  {
    id: 'api-errors',
    label: 'API error rate (Datadog, P1)',
    source: 'datadog',
    firing: 'datadog/triggered.json',
    resolved: 'datadog/recovered.json',
  },
  {
    id: 'webhook-backlog',
    label: 'Payment webhook backlog (generic JSON)',
    source: 'generic',
    firing: 'generic/firing.json',
    resolved: 'generic/resolved.json',
  },
  {
    id: 'hostile-text',
    label: 'Alert text that tries to break Slack formatting (generic JSON)',
    source: 'generic',
    firing: 'hostile/generic-mrkdwn-injection.json',
  },
];

/** The JSON body that fires or resolves a sample. */
export async function sampleBody(sample: SampleAlert, action: 'fire' | 'resolve') {
  const fixture = action === 'resolve' && sample.resolved ? sample.resolved : sample.firing;
  const url = new URL(`../../../test/fixtures/${fixture}`, import.meta.url);
  const payload = JSON.parse(await readFile(url, 'utf8')) as Payload;
  if (action === 'fire') startNow(payload, new Date());
  if (action === 'resolve' && !sample.resolved) markResolved(payload);
  return JSON.stringify(payload);
}

/**
 * The samples were recorded on a fixed day; fired from the console they start now, so a fresh
 * alert does not read as months old. Identity (fingerprints, keys) is left as recorded.
 */
function startNow(payload: Payload, now: Date) {
  for (const alert of payload.alerts ?? []) {
    if (typeof alert.startsAt === 'string') alert.startsAt = now.toISOString();
  }
  if (typeof payload.started_at === 'string') payload.started_at = now.toISOString();
  // Datadog sends epoch milliseconds as text.
  if (typeof payload.date === 'string') payload.date = String(now.getTime());
  if (typeof payload.last_updated === 'string') payload.last_updated = String(now.getTime());
}

/** The same alerts, now resolved, as Alertmanager or a generic sender says it. */
export function markResolved(payload: Payload) {
  payload.status = 'resolved';
  for (const alert of payload.alerts ?? []) {
    alert.status = 'resolved';
    alert.endsAt = new Date().toISOString();
  }
}
