import { phaseWord, roleWord } from '../core/lifecycle.ts';
import { severityLabel } from '../core/severity.ts';
import type { Actor, Incident } from '../core/types.ts';
import {
  ACTION_ACK,
  ACTION_CLOSE,
  ACTION_PAGE,
  ACTION_REOPEN,
  ACTION_RESOLVE,
  ACTION_STATUS,
  ACTION_STATUSPAGE,
  ACTION_TICKET,
  button,
  mrkdwn,
  plain,
  section,
} from './blocks.ts';
import { ticketLine, type MessageFeatures } from './render-incident-message.ts';
import { bold, link, safe, slackDate, truncate, who } from './mrkdwn.ts';
import { statuspageLine } from './statuspage-views.ts';

/** conversations.setTopic refuses more than 250 characters. */
const TOPIC_MAX = 250;

/**
 * The channel topic: what someone joining needs first. Plain text (Slack does not format
 * topics), e.g. `SEV2 · Investigating · Lead: @pat`.
 */
export function topicText(incident: Incident) {
  const parts = [
    severityLabel(incident.severity),
    phaseWord(incident.phase ?? (incident.status === 'resolved' ? 'resolved' : 'investigating')),
  ];
  const lead = incident.roles?.lead;
  if (lead) parts.push(`Lead: ${plainName(lead)}`);
  const comms = incident.roles?.comms;
  if (comms) parts.push(`Comms: ${plainName(comms)}`);
  parts.push(incident.title);
  const topic = parts.join(' · ').replace(/\s+/g, ' ');
  return topic.length <= TOPIC_MAX ? topic : `${topic.slice(0, TOPIC_MAX - 1)}…`;
}

function plainName(actor: Actor) {
  return `@${actor.name ?? actor.id}`;
}

/**
 * The pinned summary in the incident's channel: title, state, roles, the latest status update,
 * where it started, and the buttons for what people do most.
 */
export function renderIncidentSummary(
  incident: Incident,
  alertLink?: string,
  features: MessageFeatures = {},
) {
  const status = phaseWord(incident.phase ?? 'investigating');
  const sev = severityLabel(incident.severity);
  const fields = [
    `*Severity*\n${sev}`,
    `*Status*\n${status}${incident.status === 'acknowledged' ? ' (acknowledged)' : ''}`,
    `*Lead*\n${roleText(incident, 'lead')}`,
    `*Comms*\n${roleText(incident, 'comms')}`,
    `*Started*\n${slackDate(incident.startedAt)}`,
  ];
  if (alertLink) fields.push(`*Alert*\n${link(alertLink, 'alert message')}`);

  const summary = incident.summary
    ? safe(incident.summary, 2_000)
    : '_No summary yet: `/incident summary <what is happening>`_';
  const last = incident.lastUpdate;
  const update = last
    ? `*Latest update* (${phaseWord(last.phase)}, ${who(last.actor)} ` +
      `${slackDate(last.at)})\n${safe(last.text, 1_500)}`
    : '_No status update yet: `/incident status investigating <message>`_';

  const blocks: object[] = [
    {
      type: 'header',
      block_id: 'sum_header',
      text: plain(truncate(`${incident.id} · ${sev} · ${status}`, 150)),
    },
    section('sum_title', `${bold(incident.title, 300)}\n${summary}`),
    { type: 'section', block_id: 'sum_fields', fields: fields.map(mrkdwn) },
    section('sum_update', update),
  ];
  const tickets = ticketLine(incident, features.pendingTickets?.(incident.id) ?? []);
  if (tickets)
    blocks.push({ type: 'context', block_id: 'sum_tickets', elements: [mrkdwn(tickets)] });
  const statuspage = statuspageLine(incident);
  if (statuspage)
    blocks.push({ type: 'context', block_id: 'sum_statuspage', elements: [mrkdwn(statuspage)] });
  const buttons = summaryButtons(incident, features);
  if (buttons.length > 0)
    blocks.push({ type: 'actions', block_id: 'sum_actions', elements: buttons });
  blocks.push({
    type: 'context',
    block_id: 'sum_help',
    elements: [
      mrkdwn(
        'In this channel `/incident` needs no ID: `status`, `sev`, `lead`, `comms`, ' +
          '`invite`, `note`, `timeline`, `review`.',
      ),
    ],
  });
  const text = `${incident.id} · ${sev} · ${status} · ${safe(incident.title, 500)}`;
  return { text, blocks };
}

function summaryButtons(incident: Incident, features: MessageFeatures) {
  if (incident.closedAt) return [];
  const id = incident.id;
  if (incident.status === 'resolved')
    return [button(ACTION_REOPEN, 'Reopen', id), button(ACTION_CLOSE, 'Close channel', id)];
  const buttons = [];
  if (incident.status === 'triggered')
    buttons.push(button(ACTION_ACK, 'Acknowledge', id, 'primary'));
  buttons.push(button(ACTION_STATUS, 'Post update', id));
  if (features.canPage && !incident.refs.pagerduty?.id)
    buttons.push(button(ACTION_PAGE, 'Page', id));
  if (features.canTicket) buttons.push(button(ACTION_TICKET, 'Create ticket', id));
  if (features.canStatuspage) buttons.push(button(ACTION_STATUSPAGE, 'Status page', id));
  buttons.push(button(ACTION_RESOLVE, 'Resolve', id, 'danger'));
  return buttons;
}

function roleText(incident: Incident, role: 'lead' | 'comms') {
  const actor = incident.roles?.[role];
  return actor ? who(actor) : `_none: \`/incident ${role} @person\`_ `;
}

export function roleLine(incident: Incident) {
  const roles = Object.entries(incident.roles ?? {}).map(
    ([role, actor]) => `${roleWord(role as 'lead' | 'comms')} ${who(actor)}`,
  );
  return roles.join(' · ');
}
