import { countAlerts } from '../core/apply-alerts.ts';
import { phaseWord } from '../core/lifecycle.ts';
import { severityLabel } from '../core/severity.ts';
import { ticketName, ticketsOf } from '../core/tickets.ts';
import type { AlertState, Incident, Severity } from '../core/types.ts';
import type { PendingTicket } from '../integrations/tickets/ticket-desk.ts';
import {
  ACTION_ACK,
  ACTION_DECLARE,
  ACTION_PAGE,
  ACTION_REOPEN,
  ACTION_RESOLVE,
  ACTION_RETRY,
  ACTION_STATUSPAGE,
  ACTION_TICKET,
  button,
  mrkdwn,
  plain,
  section,
} from './blocks.ts';
import { bold, escapeText, link, safe, slackDate, truncate, who } from './mrkdwn.ts';
import { statuspageLine } from './statuspage-views.ts';
import { snoozeContext, snoozeMenu } from './snooze-blocks.ts';

/**
 * Block Kit limits we build under, with room to spare.
 * https://docs.slack.dev/reference/block-kit/blocks (section text 3,000; fields 10 of 2,000;
 * header 150; button text 75, value 2,000; 50 blocks a message)
 */
const LIMITS = {
  title: 300,
  description: 1_500,
  field: 1_900,
  alertLine: 200,
  alertLines: 10,
  section: 2_900,
  fallbackText: 600,
};

export { ACTION_ACK, ACTION_RESOLVE, ACTION_RETRY } from './blocks.ts';

/** Outbound work about the incident that people should see: retrying, or given up. */
export interface DeliveryView {
  jobId: string;
  /** What the work is, in words: "the full alert text in the thread". */
  what: string;
  state: 'retrying' | 'failed';
  attempts: number;
  reason?: string;
}

const SEVERITY_ICON: Record<Severity, string> = {
  critical: ':red_circle:',
  error: ':large_orange_circle:',
  warning: ':large_yellow_circle:',
  info: ':large_blue_circle:',
};

export interface IncidentMessage {
  text: string;
  blocks: object[];
  /** Alert text that did not fit; posted in full as a thread reply. */
  overflow: string[];
}

/** The incident's one message in the alerts channel: what it is, its state, and what to do. */
/** What the bot can do beyond Slack, which decides the buttons. */
export interface MessageFeatures {
  /** PagerDuty is set up: offer Page until the incident is paged. */
  canPage?: boolean;
  /** A ticket system is set up: offer Create ticket. */
  canTicket?: boolean;
  /** Tickets of an incident still being opened. */
  pendingTickets?: (incidentId: string) => PendingTicket[];
  /** Statuspage is set up: offer Status page. */
  canStatuspage?: boolean;
}

export function renderIncidentMessage(
  incident: Incident,
  deliveries: DeliveryView[] = [],
  features: MessageFeatures = {},
): IncidentMessage {
  const { firing, total } = countAlerts(incident);
  const overflow: string[] = [];
  const blocks: object[] = [
    {
      type: 'header',
      block_id: 'inc_header',
      text: { type: 'plain_text', text: headerText(incident), emoji: true },
    },
    section('inc_title', titleText(incident, overflow)),
    {
      type: 'section',
      block_id: 'inc_fields',
      fields: fields(incident, firing, total).map((text) => mrkdwn(text)),
    },
  ];

  if (total > 0) blocks.push(section('inc_alerts', alertList(incident, overflow)));
  const links = linkLine(incident);
  if (links) blocks.push({ type: 'context', block_id: 'inc_links', elements: [mrkdwn(links)] });
  const state = stateLine(incident);
  if (state) blocks.push({ type: 'context', block_id: 'inc_state', elements: [mrkdwn(state)] });
  blocks.push(...snoozeContext(incident));
  const response = responseLine(incident);
  if (response)
    blocks.push({ type: 'context', block_id: 'inc_response', elements: [mrkdwn(response)] });
  const paged = pagerDutyLine(incident);
  if (paged) blocks.push({ type: 'context', block_id: 'inc_pagerduty', elements: [mrkdwn(paged)] });
  const statuspage = statuspageLine(incident);
  if (statuspage)
    blocks.push({ type: 'context', block_id: 'inc_statuspage', elements: [mrkdwn(statuspage)] });
  const tickets = ticketLine(incident, features.pendingTickets?.(incident.id) ?? []);
  if (tickets)
    blocks.push({ type: 'context', block_id: 'inc_tickets', elements: [mrkdwn(tickets)] });
  const actions = [...actionButtons(incident, features), ...snoozeMenu(incident)];
  if (actions.length > 0)
    blocks.push({ type: 'actions', block_id: 'inc_actions', elements: actions });
  blocks.push(...deliveryBlocks(deliveries));

  return { text: fallbackText(incident, firing, total), blocks, overflow };
}

/** A last resort when Slack refuses the full message: text and buttons only. */
export function renderMinimalMessage(incident: Incident) {
  const { firing, total } = countAlerts(incident);
  const text = fallbackText(incident, firing, total);
  const blocks: object[] = [section('inc_title', text)];
  const actions = actionButtons(incident);
  if (actions.length > 0)
    blocks.push({ type: 'actions', block_id: 'inc_actions', elements: actions });
  return { text, blocks };
}

function headerText(incident: Incident) {
  const icon =
    incident.status === 'resolved' ? ':white_check_mark:' : SEVERITY_ICON[incident.severity];
  const words = [incident.id, severityLabel(incident.severity), statusWord(incident)];
  return `${icon} ${words.join(' · ').toUpperCase()}`;
}

function titleText(incident: Incident, overflow: string[]) {
  const title = bold(incident.title, LIMITS.title);
  if (escapeText(incident.title).length > LIMITS.title - 2) overflow.push(incident.title);
  const description = incident.description ?? soleAlert(incident)?.description;
  if (!description) return title;

  if (escapeText(description).length > LIMITS.description) overflow.push(description);
  return `${title}\n${safe(description, LIMITS.description)}`;
}

function fields(incident: Incident, firing: number, total: number) {
  const result = [
    `*Severity*\n${severityLabel(incident.severity)} (${incident.severity})`,
    `*Status*\n${statusWord(incident)}`,
    `*Source*\n${sourceText(incident)}`,
    `*Started*\n${slackDate(incident.startedAt)}`,
  ];
  if (total > 0) result.push(`*Alerts*\n${firing} of ${total} firing`);
  if (incident.lastSeenAt) {
    const times =
      incident.notifications === 1 ? '1 notification' : `${incident.notifications} notifications`;
    result.push(`*Last seen*\n${slackDate(incident.lastSeenAt)} · ${times}`);
  }
  return result.map((text) => truncate(text, LIMITS.field));
}

function sourceText(incident: Incident) {
  if (incident.declaredBy) return `Declared by ${who(incident.declaredBy)}`;
  const detail = soleAlert(incident)?.labels.source;
  return detail
    ? `${safe(incident.source, 100)} (${safe(detail, 200)})`
    : safe(incident.source, 100);
}

function alertList(incident: Incident, overflow: string[]) {
  const alerts = Object.values(incident.alerts);
  const ordered = [
    ...alerts.filter((a) => a.status === 'firing'),
    ...alerts.filter((a) => a.status !== 'firing'),
  ];
  const lines = ordered.slice(0, LIMITS.alertLines).map((alert) => {
    const icon = alert.status === 'firing' ? ':rotating_light:' : ':white_check_mark:';
    if (escapeText(alert.summary).length > LIMITS.alertLine) overflow.push(alert.summary);
    return `${icon} ${safe(alert.summary, LIMITS.alertLine)}`;
  });
  const hidden = ordered.length - lines.length;
  if (hidden > 0) lines.push(`_…and ${hidden} more_`);
  return lines.join('\n');
}

/** As many links as fit one context element; a link too long to fit is left out. */
function linkLine(incident: Incident) {
  const parts: string[] = [];
  let length = 0;
  for (const l of incident.links.slice(0, 8)) {
    const part = link(l.url, l.title);
    if (length + part.length + 3 > LIMITS.section) continue;
    parts.push(part);
    length += part.length + 3;
  }
  return parts.join(' · ');
}

function stateLine(incident: Incident) {
  const parts: string[] = [];
  if (incident.acknowledgedBy && incident.acknowledgedAt) {
    parts.push(
      `Acknowledged by ${who(incident.acknowledgedBy)} ${slackDate(incident.acknowledgedAt)}`,
    );
  }
  if (incident.resolvedBy && incident.resolvedAt) {
    const note = incident.resolution ? `: ${safe(incident.resolution, 500)}` : '';
    parts.push(`Resolved by ${who(incident.resolvedBy)} ${slackDate(incident.resolvedAt)}${note}`);
  }
  if (incident.reopenedAt && incident.status !== 'resolved') {
    parts.push(`Reopened ${slackDate(incident.reopenedAt)}`);
  }
  return parts.join(' · ');
}

/** The linked PagerDuty incident: a link, and what PagerDuty says of it. */
function pagerDutyLine(incident: Incident) {
  const ref = incident.refs.pagerduty;
  if (!ref?.id) return '';
  const target = ref.url ? link(ref.url, `PagerDuty ${ref.id}`) : `PagerDuty ${safe(ref.id, 40)}`;
  const service = ref.service ? ` · ${safe(ref.service, 100)}` : '';
  return `:pager: ${target}${service}${ref.status ? ` · ${safe(ref.status, 40)}` : ''}`;
}

/** The incident's tickets and those being opened, for its message and summary. */
export function ticketLine(incident: Incident, pending: PendingTicket[]) {
  const tickets = ticketsOf(incident);
  const parts = tickets.map((t) => {
    const name = t.url ? link(t.url, ticketName(t)) : escapeText(ticketName(t));
    const kind = t.purpose === 'followup' ? 'follow-up ' : t.purpose === 'review' ? 'review ' : '';
    return `${kind}${name}${t.status ? ` ${safe(t.status, 40)}` : ''}`;
  });
  for (const p of pending) {
    const label = p.system === 'github' ? 'GitHub issue' : 'Jira issue';
    const kind = p.purpose === 'followup' ? 'follow-up ' : '';
    parts.push(`_opening ${kind}${label}…_`);
  }
  return parts.length > 0 ? `:ticket: ${parts.join(' · ')}` : '';
}

/** Where a declared incident is worked: its channel, phase and people. */
function responseLine(incident: Incident) {
  if (!incident.declaredAt) return '';
  const parts: string[] = [];
  const channel = incident.refs.channel;
  if (channel?.id && channel.state !== 'failed') {
    const archived = channel.state === 'archived' || incident.closedAt ? ' (archived)' : '';
    parts.push(`:speech_balloon: Worked in <#${channel.id}>${archived}`);
  } else if (incident.channelRequested && channel?.state !== 'failed') {
    parts.push(':hourglass_flowing_sand: Creating its channel…');
  } else {
    parts.push(':thread: Updates in this thread');
  }
  if (incident.phase) parts.push(phaseWord(incident.phase));
  const lead = incident.roles?.lead;
  if (lead) parts.push(`Lead ${who(lead)}`);
  if (incident.lastUpdate) parts.push(`Latest: ${safe(incident.lastUpdate.text, 300)}`);
  return parts.join(' · ');
}

function actionButtons(incident: Incident, features: MessageFeatures = {}) {
  const buttons: object[] = [];
  const id = incident.id;
  if (incident.closedAt) return buttons;
  if (incident.status === 'resolved') return [button(ACTION_REOPEN, 'Reopen', id)];
  if (incident.status === 'triggered')
    buttons.push(button(ACTION_ACK, 'Acknowledge', id, 'primary'));
  if (features.canPage && !incident.refs.pagerduty?.id)
    buttons.push(button(ACTION_PAGE, 'Page', id));
  if (!incident.declaredAt) buttons.push(button(ACTION_DECLARE, 'Start incident', id));
  if (features.canTicket) buttons.push(button(ACTION_TICKET, 'Create ticket', id));
  if (features.canStatuspage) buttons.push(button(ACTION_STATUSPAGE, 'Status page', id));
  // A declared incident's Resolve asks for the resolution in a form; an alert's only confirms.
  const resolve = button(ACTION_RESOLVE, 'Resolve', id, 'danger');
  buttons.push(
    incident.declaredAt
      ? resolve
      : {
          ...resolve,
          confirm: {
            title: plain('Resolve this incident?'),
            text: plain(`${id} will be marked resolved for everyone.`),
            confirm: plain('Resolve'),
            deny: plain('Cancel'),
          },
        },
  );
  return buttons;
}

/** Work that is retrying or was given up, with a Retry button for each given-up one. */
function deliveryBlocks(deliveries: DeliveryView[]) {
  const shown = deliveries.slice(0, 5);
  if (shown.length === 0) return [];

  const lines = shown.map((d) => {
    const reason = d.reason ? `: ${safe(d.reason, 300)}` : '';
    return d.state === 'failed'
      ? `:x: Gave up on ${d.what} after ${d.attempts} attempt(s)${reason}`
      : `:hourglass_flowing_sand: Retrying ${d.what} (${d.attempts} attempt(s) so far)${reason}`;
  });
  const blocks: object[] = [
    {
      type: 'context',
      block_id: 'inc_outbound',
      elements: [mrkdwn(truncate(lines.join('\n'), LIMITS.section))],
    },
  ];
  const retries = shown
    .filter((d) => d.state === 'failed')
    .map((d) => button(ACTION_RETRY, `Retry ${shortWhat(d.what)}`, d.jobId, 'primary'));
  if (retries.length > 0)
    blocks.push({ type: 'actions', block_id: 'inc_retry', elements: retries });
  return blocks;
}

function shortWhat(what: string) {
  return truncate(what.replace(/^the /, ''), 60);
}

function fallbackText(incident: Incident, firing: number, total: number) {
  const alerts = total > 0 ? ` (${firing} of ${total} alerts firing)` : '';
  const title = safe(incident.title, LIMITS.fallbackText);
  const sev = severityLabel(incident.severity);
  return `${incident.id} [${sev}] ${title} · ${statusWord(incident)}${alerts}`;
}

export function statusWord(incident: Incident) {
  if (incident.status === 'acknowledged') return 'Acknowledged';
  if (incident.status === 'resolved') return 'Resolved';
  if (incident.phase) return phaseWord(incident.phase);
  return Object.keys(incident.alerts).length > 0 ? 'Firing' : 'Open';
}

function soleAlert(incident: Incident): AlertState | undefined {
  const alerts = Object.values(incident.alerts);
  return alerts.length === 1 ? alerts[0] : undefined;
}
