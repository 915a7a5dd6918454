import { severityLabel } from './severity.ts';
import { checkSnoozeCommand, clearSnooze, untilText, type SnoozeCommand } from './snooze.ts';
import type { Actor, Incident, Phase, Role, Severity } from './types.ts';

/** What people can do to an incident, beyond grouping alerts. */
export type LifecycleCommand =
  | { type: 'acknowledge' }
  | { type: 'unacknowledge' }
  | { type: 'resolve'; note?: string }
  | { type: 'reopen' }
  | { type: 'severity'; severity: Severity }
  | { type: 'role'; role: Role; user: Actor }
  | { type: 'status'; phase: Phase; text: string }
  | { type: 'summary'; text: string }
  | { type: 'close' }
  | { type: 'note'; text: string }
  | SnoozeCommand;

/**
 * Whether a command may run now: `undefined` when it may, `already` when it would change
 * nothing (a second click), `resolved` when an acknowledgement comes after the resolution, or a
 * refusal that says why in words a person can act on.
 */
export type Verdict = undefined | 'already' | 'resolved' | { refused: string };

/** Commands only people give; alert sources and the bot itself never do. */
const PEOPLE_ONLY = new Set<LifecycleCommand['type']>([
  'reopen',
  'severity',
  'role',
  'status',
  'summary',
  'close',
  'snooze',
  'noise',
]);

/**
 * The lifecycle rules, in one place:
 * - an open incident can be acknowledged once, and resolved once (a status update to
 *   `resolved` resolves it);
 * - a resolved incident can be reopened; its record (severity, roles, summary, notes) can still
 *   be corrected for the review, but it takes no status update until it is reopened;
 * - only a resolved incident can be closed (its channel archived), and a closed one takes
 *   nothing but notes;
 * - severity, roles, status, summary, reopen and close are people's commands.
 */
export function checkCommand(
  incident: Incident,
  command: LifecycleCommand,
  actor: Actor,
  /** The service's time, for rules that depend on it (a snooze must end in the future). */
  now?: string,
): Verdict {
  // People in linked tools may reopen (PagerDuty's own reopen); the rest is Slack's people's.
  const person = actor.kind === 'user' || (actor.kind === 'external' && command.type === 'reopen');
  if (PEOPLE_ONLY.has(command.type) && !person)
    return { refused: `Only a person can ${describe(command)}.` };
  if (incident.closedAt && command.type === 'close') return 'already';
  if (incident.closedAt && command.type !== 'note')
    return { refused: `${incident.id} is closed; only notes can be added now.` };

  const resolved = incident.status === 'resolved';
  switch (command.type) {
    case 'acknowledge':
      if (resolved) return 'resolved';
      return incident.status === 'acknowledged' ? 'already' : undefined;
    case 'unacknowledge':
      if (resolved) return 'resolved';
      return incident.status === 'triggered' ? 'already' : undefined;
    case 'resolve':
      return resolved ? 'already' : undefined;
    case 'reopen':
      return resolved ? undefined : { refused: `${incident.id} is not resolved.` };
    case 'severity':
      return incident.severity === command.severity && incident.severityPinned
        ? 'already'
        : undefined;
    case 'role': {
      if (command.user.kind !== 'user')
        return { refused: `The ${roleWord(command.role)} must be a person in Slack.` };
      return incident.roles?.[command.role]?.id === command.user.id ? 'already' : undefined;
    }
    case 'status':
      if (!resolved) return undefined;
      if (command.phase === 'resolved') return 'already';
      return {
        refused:
          `${incident.id} is resolved; reopen it (\`/incident reopen\`) ` +
          `before posting a status of ${command.phase}.`,
      };
    case 'summary':
      return incident.summary === command.text ? 'already' : undefined;
    case 'close':
      if (!resolved)
        return { refused: `${incident.id} is still open; resolve it before closing its channel.` };
      return undefined;
    case 'note':
      return undefined;
    case 'snooze':
    case 'unsnooze':
    case 'noise':
      return checkSnoozeCommand(incident, command, person, now);
  }
}

function describe(command: LifecycleCommand) {
  switch (command.type) {
    case 'severity':
      return 'change the severity';
    case 'role':
      return `set the ${roleWord(command.role)}`;
    case 'status':
      return 'post a status update';
    case 'summary':
      return 'write the summary';
    case 'noise':
      return 'mark an incident as noise';
    default:
      return `${command.type} an incident`;
  }
}

/** Words people read for a phase. */
export function phaseWord(phase: Phase) {
  return phase.charAt(0).toUpperCase() + phase.slice(1);
}

export function roleWord(role: Role) {
  return role === 'lead' ? 'incident lead' : 'communications lead';
}

/** A timeline entry a command makes, before the service stamps it. */
export interface CommandEntry {
  kind:
    | 'incident.acknowledged'
    | 'incident.unacknowledged'
    | 'incident.resolved'
    | 'incident.reopened'
    | 'incident.snoozed'
    | 'incident.unsnoozed'
    | 'note'
    | ChangeKind;
  text: string;
}
type ChangeKind =
  | 'incident.severity'
  | 'incident.role'
  | 'incident.status'
  | 'incident.summary'
  | 'incident.closed';

/** Applies an allowed command to the incident and says what it did, for the timeline. */
export function applyCommand(
  incident: Incident,
  command: LifecycleCommand,
  actor: Actor,
  now: string,
): CommandEntry[] {
  const who = actorName(actor);
  switch (command.type) {
    case 'acknowledge':
      incident.status = 'acknowledged';
      incident.acknowledgedBy = actor;
      incident.acknowledgedAt = now;
      return [{ kind: 'incident.acknowledged', text: `Acknowledged by ${who}` }];
    case 'unacknowledge':
      incident.status = 'triggered';
      delete incident.acknowledgedBy;
      delete incident.acknowledgedAt;
      return [{ kind: 'incident.unacknowledged', text: `Unacknowledged by ${who}` }];
    case 'resolve':
      markResolved(incident, actor, now, command.note);
      return [{ kind: 'incident.resolved', text: resolvedText(who, command.note) }];
    case 'reopen':
      reopenIncident(incident, now);
      return [{ kind: 'incident.reopened', text: `Reopened by ${who}` }];
    case 'severity': {
      const from = severityLabel(incident.severity);
      incident.severity = command.severity;
      incident.severityPinned = true;
      const to = severityLabel(command.severity);
      const text =
        from === to ? `Severity kept at ${to} by ${who}` : `Severity ${from} → ${to} by ${who}`;
      return [{ kind: 'incident.severity', text }];
    }
    case 'role':
      incident.roles = { ...incident.roles, [command.role]: command.user };
      return [
        {
          kind: 'incident.role',
          text: `${actorName(command.user)} is the ${roleWord(command.role)} (set by ${who})`,
        },
      ];
    case 'status': {
      incident.phase = command.phase;
      incident.lastUpdate = { at: now, phase: command.phase, text: command.text, actor };
      const update: CommandEntry = {
        kind: 'incident.status',
        text: `${phaseWord(command.phase)}: ${command.text}`,
      };
      if (command.phase !== 'resolved') return [update];
      markResolved(incident, actor, now, command.text);
      return [update, { kind: 'incident.resolved', text: resolvedText(who, command.text) }];
    }
    case 'summary':
      incident.summary = command.text;
      return [{ kind: 'incident.summary', text: `Summary by ${who}: ${command.text}` }];
    case 'close':
      incident.closedAt = now;
      incident.closedBy = actor;
      clearSnooze(incident);
      return [{ kind: 'incident.closed', text: `Closed by ${who}` }];
    case 'note':
      return [{ kind: 'note', text: command.text }];
    case 'snooze':
    case 'unsnooze':
    case 'noise':
      return applySnoozeCommand(incident, command, actor, now);
  }
}

/** Snoozing, ending a snooze, and marking as noise (resolves and closes it); see snooze.ts. */
function applySnoozeCommand(
  incident: Incident,
  command: SnoozeCommand,
  actor: Actor,
  now: string,
): CommandEntry[] {
  const who = actorName(actor);
  const was = incident.snoozedUntil ? untilText(incident.snoozedUntil, now) : '';
  switch (command.type) {
    case 'snooze':
      incident.snoozedUntil = command.until;
      incident.snoozedBy = actor;
      incident.snoozedAt = now;
      return [
        {
          kind: 'incident.snoozed',
          text: `Snoozed until ${untilText(command.until, now)} by ${who}`,
        },
      ];
    case 'unsnooze': {
      clearSnooze(incident);
      const text = command.expired
        ? `Snooze ended (it was until ${was})`
        : `Unsnoozed by ${who} (it was snoozed until ${was})`;
      return [{ kind: 'incident.unsnoozed', text }];
    }
    case 'noise': {
      const entries: CommandEntry[] = [];
      if (incident.status !== 'resolved') {
        markResolved(incident, actor, now);
        entries.push({ kind: 'incident.resolved', text: `Resolved by ${who}: marked as noise` });
      }
      clearSnooze(incident);
      incident.closedAt = now;
      incident.closedBy = actor;
      incident.noise = {
        at: now,
        by: actor,
        ...(command.reason ? { reason: command.reason } : {}),
      };
      const reason = command.reason ? `: ${command.reason}` : '';
      return [...entries, { kind: 'incident.closed', text: `Marked as noise by ${who}${reason}` }];
    }
  }
}

function resolvedText(who: string, note: string | undefined) {
  return `Resolved by ${who}${note ? `: ${note}` : ''}`;
}

export function markResolved(incident: Incident, actor: Actor, now: string, note?: string) {
  incident.status = 'resolved';
  incident.resolvedBy = actor;
  incident.resolvedAt = now;
  if (note) incident.resolution = note;
  if (incident.phase) incident.phase = 'resolved';
}

export function reopenIncident(incident: Incident, now: string) {
  incident.status = 'triggered';
  incident.reopenedAt = now;
  delete incident.acknowledgedBy;
  delete incident.acknowledgedAt;
  delete incident.resolvedBy;
  delete incident.resolvedAt;
  delete incident.resolution;
  if (incident.phase) incident.phase = 'investigating';
}

/** Names of the tools whose people act on incidents, as people write them. */
const TOOL_NAMES: Record<string, string> = {
  pagerduty: 'PagerDuty',
  jira: 'Jira',
  github: 'GitHub',
};

/** How an actor reads in timeline text: `@pat`, `Sam Example (PagerDuty)`, `alertmanager`. */
export function actorName(actor: Actor) {
  if (actor.kind === 'user') return `@${actor.name ?? actor.id}`;
  if (actor.kind === 'external') {
    const [tool = '', id = actor.id] = actor.id.split(':');
    return `${actor.name ?? id} (${TOOL_NAMES[tool] ?? tool})`;
  }
  return actor.id;
}
