import { worstSeverity } from './severity.ts';
import type { Actor, AlertBatch, AlertState, Incident, Link, NewTimelineEntry } from './types.ts';

/**
 * Applies one delivery's alerts to its incident and returns the timeline entries it makes:
 * one per alert that fired or resolved, or a single "repeated" entry when nothing changed.
 */
export function applyAlerts(
  incident: Incident,
  batch: AlertBatch,
  now: string,
): NewTimelineEntry[] {
  const actor: Actor = { kind: 'source', id: batch.source };
  const entries: NewTimelineEntry[] = [];
  const entry = (kind: NewTimelineEntry['kind'], text: string, url?: string) =>
    entries.push({
      at: now,
      kind,
      actor,
      origin: batch.source,
      text,
      ...(url && { source: { url } }),
    });

  for (const alert of batch.alerts) {
    const known = incident.alerts[alert.key];
    const restarted = alert.startsAt !== undefined && alert.startsAt !== known?.startsAt;
    const changed = !known || known.status !== alert.status || restarted;
    // The alert's own page (Prometheus graph, dashboard) is where its entries come from.
    const url = (alert.links.find((l) => l.kind === 'generator') ?? alert.links[0])?.url;
    if (changed && alert.status === 'firing') entry('alert.fired', `Firing: ${alert.summary}`, url);
    if (changed && alert.status === 'resolved')
      entry('alert.resolved', `Resolved: ${alert.summary}`, url);

    const state: AlertState = {
      ...alert,
      startsAt: alert.startsAt ?? (changed ? now : (known?.startsAt ?? now)),
      firstSeenAt: known?.firstSeenAt ?? now,
      lastSeenAt: now,
      notifications: (known?.notifications ?? 0) + 1,
    };
    incident.alerts[alert.key] = state;
    if (!incident.severityPinned)
      incident.severity = worstSeverity(incident.severity, alert.severity);
  }

  incident.notifications += 1;
  incident.lastSeenAt = now;
  incident.links = mergeLinks(incident.links, [
    ...batch.links,
    ...batch.alerts.flatMap((a) => a.links),
  ]);
  if (entries.length === 0) {
    const { firing, total } = countAlerts(incident);
    entry('alert.repeated', `Repeated notification: ${firing} of ${total} alerts firing`);
  }
  return entries;
}

export function countAlerts(incident: Incident) {
  const alerts = Object.values(incident.alerts);
  return { total: alerts.length, firing: alerts.filter((a) => a.status === 'firing').length };
}

/** Keeps the first link of each URL, and at most one per kind for generator and runbook links. */
function mergeLinks(existing: Link[], incoming: Link[]) {
  const merged = [...existing];
  for (const link of incoming) {
    if (merged.some((l) => l.url === link.url)) continue;
    if (link.kind !== 'other' && merged.some((l) => l.kind === link.kind && l.title === link.title))
      continue;
    merged.push(link);
  }
  return merged;
}
