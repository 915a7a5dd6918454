/**
 * The JSON PagerDuty sends for the stand-in's state: REST API v2 resources and the `data` of V3
 * webhook events (wire-formats.md §2.1, §4.2). References are `{ id, type, summary, self,
 * html_url }`; `self` points at the stand-in, `html_url` at an `.invalid` host that never
 * resolves.
 */
import type { Account, Actor, IncidentState, NoteState } from './account.ts';
import type { StandInOncall, StandInService, StandInUser } from './account-config.ts';

export const WEB_URL = 'https://sandbox.pagerduty.invalid';

export interface Reference {
  id: string;
  type: string;
  summary: string;
  self: string;
  html_url: string;
}

type Json = Record<string, unknown>;

/** ISO 8601 to the second, as PagerDuty writes `created_at` ('2020-04-09T15:16:27Z'). */
export function isoSeconds(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function reference(
  account: Account,
  kind: string,
  path: string,
  id: string,
  summary: string,
): Reference {
  return {
    id,
    type: `${kind}_reference`,
    summary,
    self: `${account.apiUrl}${path}/${id}`,
    html_url: `${WEB_URL}/${path}/${id}`,
  };
}

export function userRef(account: Account, id: string): Reference {
  return reference(account, 'user', 'users', id, account.users.get(id)?.name ?? id);
}

export function serviceRef(account: Account, id: string): Reference {
  const summary = account.services.get(id)?.name ?? id;
  return reference(account, 'service', 'services', id, summary);
}

export function policyRef(account: Account, id: string): Reference {
  const summary = account.policyName(id);
  return reference(account, 'escalation_policy', 'escalation_policies', id, summary);
}

export function incidentRef(account: Account, incident: IncidentState): Reference {
  return reference(account, 'incident', 'incidents', incident.id, incident.title);
}

export function actorRef(account: Account, actor: Actor): Reference {
  return actor.type === 'user' ? userRef(account, actor.id) : serviceRef(account, actor.id);
}

export function incidentHtmlUrl(id: string): string {
  return `${WEB_URL}/incidents/${id}`;
}

export function serviceJson(account: Account, service: StandInService): Json {
  return {
    id: service.id,
    type: 'service',
    summary: service.name,
    name: service.name,
    description: null,
    status: 'active',
    self: `${account.apiUrl}services/${service.id}`,
    html_url: `${WEB_URL}/service-directory/${service.id}`,
    escalation_policy: policyRef(account, service.escalationPolicyId),
    teams: [],
  };
}

export function userJson(account: Account, user: StandInUser): Json {
  return {
    id: user.id,
    type: 'user',
    summary: user.name,
    name: user.name,
    email: user.email,
    role: 'user',
    time_zone: 'Etc/UTC',
    self: `${account.apiUrl}users/${user.id}`,
    html_url: `${WEB_URL}/users/${user.id}`,
  };
}

/** An incident as the REST API answers it: note `incident_number`, where webhooks say `number`. */
export function incidentJson(account: Account, incident: IncidentState): Json {
  return {
    id: incident.id,
    type: 'incident',
    summary: `[#${incident.number}] ${incident.title}`,
    self: `${account.apiUrl}incidents/${incident.id}`,
    html_url: incidentHtmlUrl(incident.id),
    incident_number: incident.number,
    title: incident.title,
    created_at: isoSeconds(incident.createdAt),
    updated_at: isoSeconds(incident.lastStatusChangeAt),
    status: incident.status,
    incident_key: incident.incidentKey,
    service: serviceRef(account, incident.serviceId),
    assignments: incident.assigneeIds.map((id) => ({
      at: isoSeconds(incident.createdAt),
      assignee: userRef(account, id),
    })),
    acknowledgements: incident.acknowledgements.map(({ actor, at }) => ({
      at: isoSeconds(at),
      acknowledger: actorRef(account, actor),
    })),
    last_status_change_at: isoSeconds(incident.lastStatusChangeAt),
    last_status_change_by: actorRef(account, incident.lastStatusChangeBy),
    escalation_policy: policyRef(account, incident.escalationPolicyId),
    teams: [],
    urgency: incident.urgency,
    priority: null,
    resolve_reason: null,
    ...(incident.details !== undefined && {
      body: { type: 'incident_body', details: incident.details },
    }),
  };
}

/** The `data` of an incident.* webhook event whose data type is `incident`. */
export function incidentEventData(account: Account, incident: IncidentState): Json {
  return {
    id: incident.id,
    type: 'incident',
    self: `${account.apiUrl}incidents/${incident.id}`,
    html_url: incidentHtmlUrl(incident.id),
    number: incident.number,
    status: incident.status,
    incident_key: incident.incidentKey,
    created_at: isoSeconds(incident.createdAt),
    title: incident.title,
    service: serviceRef(account, incident.serviceId),
    assignees: incident.assigneeIds.map((id) => userRef(account, id)),
    escalation_policy: policyRef(account, incident.escalationPolicyId),
    teams: [],
    priority: null,
    urgency: incident.urgency,
    conference_bridge: null,
    resolve_reason: null,
  };
}

/** The `data` of an incident.annotated event (type `incident_note`). */
export function noteEventData(account: Account, incident: IncidentState, note: NoteState): Json {
  return {
    incident: incidentRef(account, incident),
    id: note.id,
    content: note.content,
    trimmed: false,
    type: 'incident_note',
  };
}

export function noteJson(account: Account, note: NoteState): Json {
  return {
    id: note.id,
    user: userRef(account, note.userId),
    channel: { summary: 'The PagerDuty website or APIs' },
    content: note.content,
    created_at: isoSeconds(note.createdAt),
  };
}

/** `include[]=users` swaps the user reference for the full user, email included. */
export function oncallJson(account: Account, oncall: StandInOncall, withUsers: boolean): Json {
  const user = account.users.get(oncall.userId);
  const { scheduleId } = oncall;

  return {
    escalation_policy: policyRef(account, oncall.escalationPolicyId),
    escalation_level: oncall.level,
    schedule:
      scheduleId === undefined
        ? null
        : reference(account, 'schedule', 'schedules', scheduleId, account.scheduleName(scheduleId)),
    user:
      withUsers && user !== undefined ? userJson(account, user) : userRef(account, oncall.userId),
    start: oncall.start ?? null,
    end: oncall.end ?? null,
  };
}
