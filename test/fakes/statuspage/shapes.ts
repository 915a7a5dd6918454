/**
 * The stand-in's state in Statuspage's JSON shapes (the `Page`, `Component`, `Incident` and
 * `IncidentUpdate` models of the API's OpenAPI spec), trimmed to the fields a bot reads plus
 * the common ones.
 */
import type { ComponentState, ComponentStatus, IncidentState, StatusPage } from './status-page.ts';

export function pageJson(page: StatusPage): object {
  return {
    id: page.id,
    name: page.name,
    subdomain: subdomain(page),
    url: pageUrl(page),
    time_zone: 'Etc/UTC',
    created_at: '2024-01-01T00:00:00.000Z',
    updated_at: '2024-01-01T00:00:00.000Z',
  };
}

export function componentJson(page: StatusPage, component: ComponentState): object {
  return {
    id: component.id,
    page_id: page.id,
    group_id: component.groupId,
    created_at: component.createdAt,
    updated_at: component.updatedAt,
    group: component.group,
    name: component.name,
    description: component.description,
    position: component.position,
    status: component.status,
    showcase: !component.group,
    only_show_if_degraded: false,
    automation_email: `component+${component.id}@notifications.statuspage.io`,
    start_date: null,
    ...(component.group ? { components: [...component.components] } : {}),
  };
}

/** The incident as Statuspage answers it: updates newest first. */
export function incidentJson(page: StatusPage, incident: IncidentState): object {
  const components = incident.componentIds
    .map((id) => page.component(id))
    .filter((component) => component !== undefined);
  return {
    id: incident.id,
    page_id: page.id,
    name: incident.name,
    status: incident.status,
    impact: incident.impactOverride ?? impactOf(components.map((item) => item.status)),
    impact_override: incident.impactOverride,
    shortlink: incident.shortlink,
    created_at: incident.createdAt,
    updated_at: incident.updatedAt,
    started_at: incident.createdAt,
    monitoring_at: incident.monitoringAt,
    resolved_at: incident.resolvedAt,
    scheduled_for: null,
    scheduled_until: null,
    metadata: incident.metadata,
    postmortem_body: null,
    components: components.map((component) => componentJson(page, component)),
    incident_updates: [...incident.updates].reverse().map((update) => ({
      id: update.id,
      incident_id: update.incidentId,
      status: update.status,
      body: update.body,
      created_at: update.createdAt,
      updated_at: update.createdAt,
      display_at: update.createdAt,
      deliver_notifications: update.deliverNotifications,
      affected_components: update.affectedComponents,
      custom_tweet: null,
      tweet_id: null,
    })),
  };
}

export function pageUrl(page: StatusPage): string {
  return `https://${subdomain(page)}.statuspage.io`;
}

/**
 * Statuspage works out an incident's impact from its components unless overridden [M]: the
 * worst status decides.
 */
function impactOf(statuses: ComponentStatus[]): string {
  if (statuses.includes('major_outage')) return 'critical';
  if (statuses.includes('partial_outage')) return 'major';
  if (statuses.includes('degraded_performance')) return 'minor';
  return 'none';
}

function subdomain(page: StatusPage): string {
  return (
    page.name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || page.id
  );
}
