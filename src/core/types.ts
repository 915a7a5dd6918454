/** Severity of an alert or incident, most severe first. */
export const SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export type AlertStatus = 'firing' | 'resolved';
export type IncidentStatus = 'triggered' | 'acknowledged' | 'resolved';

/** Where the response stands, as status updates say it; 'resolved' goes with status 'resolved'. */
export const PHASES = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
export type Phase = (typeof PHASES)[number];

/** The roles people take in an incident. */
export const ROLES = ['lead', 'comms'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Who caused a change: a person in Slack, a person in another tool (PagerDuty, say), an alert
 * source, or the bot itself.
 */
export interface Actor {
  kind: 'user' | 'external' | 'source' | 'system';
  /**
   * Slack user ID for people, `<tool>:<id>` for people in other tools (`pagerduty:PABC123`),
   * source name for sources, 'firebreak' for the bot.
   */
  id: string;
  /** Display name when known (Slack user name). */
  name?: string;
}

export type LinkKind = 'generator' | 'runbook' | 'dashboard' | 'source' | 'other';

export interface Link {
  title: string;
  url: string;
  kind: LinkKind;
}

/** One alert as every source parser produces it. */
export interface NormalizedAlert {
  /** Dedup key, unique per source: Alertmanager's fingerprint, the generic dedup_key. */
  key: string;
  status: AlertStatus;
  title: string;
  /** One line shown in the incident's alert list. */
  summary: string;
  description?: string;
  severity: Severity;
  labels: Record<string, string>;
  links: Link[];
  /** When the problem started; sources that do not say get the time it was first seen. */
  startsAt?: string;
  endsAt?: string;
}

/** What one webhook delivery carries: alerts of one group, which maps to one incident. */
export interface AlertBatch {
  source: string;
  /** Identifies the group across deliveries; alerts of one group share an incident. */
  groupKey: string;
  /** Title for an incident opened by this batch. */
  title: string;
  description?: string;
  links: Link[];
  alerts: NormalizedAlert[];
}

/** An alert as its incident keeps it: what the source last said, and when it was seen. */
export interface AlertState extends Omit<NormalizedAlert, 'startsAt'> {
  startsAt: string;
  firstSeenAt: string;
  lastSeenAt: string;
  notifications: number;
}

export interface Incident {
  id: string;
  number: number;
  title: string;
  description?: string;
  severity: Severity;
  status: IncidentStatus;
  /** Alert source that opened it, or 'slack' when declared by a person. */
  source: string;
  groupKey?: string;
  createdAt: string;
  updatedAt: string;
  /** Grows with every change that alters how the incident looks; views compare it. */
  version: number;
  startedAt: string;
  lastSeenAt?: string;
  /** Alert notifications received for this incident, repeats included. */
  notifications: number;
  /** Alerts by key, in the order first seen. */
  alerts: Record<string, AlertState>;
  links: Link[];
  declaredBy?: Actor;
  acknowledgedBy?: Actor;
  acknowledgedAt?: string;
  resolvedBy?: Actor;
  resolvedAt?: string;
  resolution?: string;
  reopenedAt?: string;
  /** Set once people declared it (by hand, or by promoting an alert's incident). */
  declaredAt?: string;
  /** Where the response stands; set by status updates, 'investigating' once declared. */
  phase?: Phase;
  /** Who leads and who talks to stakeholders. */
  roles?: Partial<Record<Role, Actor>>;
  /** What people say the incident is about, kept current with `summary`. */
  summary?: string;
  /** The latest status update. */
  lastUpdate?: { at: string; phase: Phase; text: string; actor: Actor };
  /** People asked for a dedicated space (a Slack channel) when declaring it. */
  channelRequested?: boolean;
  /** A person set the severity: alerts no longer raise it. */
  severityPinned?: boolean;
  /** The incident's channel was archived (closed) after resolution. */
  closedAt?: string;
  closedBy?: Actor;
  /** Notifications are quiet until then (UTC, ISO 8601); see core/snooze.ts. */
  snoozedUntil?: string;
  snoozedBy?: Actor;
  snoozedAt?: string;
  /** People marked it as noise: it was resolved and closed with this reason. */
  noise?: { at: string; by: Actor; reason?: string };
  /** References adapters keep on the incident (the Slack message's channel and ts, say). */
  refs: Record<string, Record<string, string>>;
}

export type TimelineKind =
  | 'incident.opened'
  | 'incident.declared'
  | 'incident.acknowledged'
  | 'incident.resolved'
  | 'incident.reopened'
  | 'alert.fired'
  | 'alert.repeated'
  | 'alert.resolved'
  | 'incident.severity'
  | 'incident.role'
  | 'incident.status'
  | 'incident.summary'
  | 'incident.closed'
  | 'incident.unacknowledged'
  | 'incident.snoozed'
  | 'incident.unsnoozed'
  | 'external'
  | 'note'
  | 'message.added'
  | 'entry.edited'
  | 'entry.deleted'
  | 'channel.created'
  | 'channel.failed'
  | 'delivery.failed'
  | 'delivery.retried'
  | 'delivery.recovered';

export interface TimelineEntry {
  /** Position in the incident's timeline, from 1. */
  seq: number;
  incidentId: string;
  /** UTC, ISO 8601. */
  at: string;
  kind: TimelineKind;
  actor: Actor;
  /** Where the change came from: 'slack', 'alertmanager', 'generic', 'firebreak'. */
  origin: string;
  text: string;
  /** Where it came from: a web page (the alert's source) or a Slack message. */
  source?: EntrySource;
  /** For entry.edited and entry.deleted: the seq of the entry they change. */
  ref?: number;
}

export interface EntrySource {
  url?: string;
  /** Slack channel and message of a message added to the timeline, or of a command's channel. */
  channel?: string;
  ts?: string;
  /** Slack user who wrote an added message, and their name when known. */
  user?: string;
  userName?: string;
}

export type NewTimelineEntry = Omit<TimelineEntry, 'seq' | 'incidentId'>;

export interface IncidentCounts {
  total: number;
  firing: number;
}
