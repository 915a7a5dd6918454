import { actorName, phaseWord } from '../core/lifecycle.ts';
import { severityLabel } from '../core/severity.ts';
import { foldTimeline } from '../core/timeline-view.ts';
import { ticketName, type LinkedTicket, type TicketPurpose } from '../core/tickets.ts';
import type { Incident, TimelineEntry } from '../core/types.ts';
import type { RequiredField } from '../integrations/tickets/ticket-system.ts';
import { mrkdwn, plain } from './blocks.ts';
import { textInput, type FormContext, type ViewValues } from './incident-modals.ts';
import { link, safe, truncate } from './mrkdwn.ts';
import { statusWord } from './render-incident-message.ts';

export const VIEW_TICKET = 'incident_ticket_form';
/** Slack's plain_text_input holds 3,000 characters. */
const TEXT_MAX = 3_000;
const TITLE_MAX = 250;
/** A static menu holds 100 options. */
const MENU_MAX = 100;

/** A ticket system as the form offers it. */
export interface SystemChoice {
  name: string;
  label: string;
}

/**
 * What a new ticket says unless people change it: the incident's state, links back to Slack,
 * and the timeline so far (newest entries dropped first when it does not fit the form).
 */
export function ticketDraftText(
  incident: Incident,
  entries: TimelineEntry[],
  links: { message?: string; channel?: string },
) {
  const status = statusWord(incident);
  // The phase, unless the status already is it ("Investigating", not twice).
  const phase =
    incident.phase && phaseWord(incident.phase) !== status ? phaseWord(incident.phase) : '';
  const head = [
    `${incident.id} · ${severityLabel(incident.severity)} · ${status}${phase ? ` · ${phase}` : ''}`,
  ];
  const about = incident.summary ?? incident.description;
  if (about) head.push('', about.trim());
  head.push('');
  if (links.message) head.push(`Slack message: ${links.message}`);
  if (links.channel) head.push(`Slack channel: ${links.channel}`);
  head.push(`Started: ${incident.startedAt.slice(0, 16).replace('T', ' ')} UTC`);
  const lines = foldTimeline(entries).map((e) => {
    const when = e.at.slice(0, 16).replace('T', ' ');
    return `- ${when} ${actorName(e.actor)}: ${e.text.replace(/\s+/g, ' ')}`;
  });
  const text = () => [...head, '', 'Timeline so far (UTC):', ...lines].join('\n');
  let draft = text();
  while (draft.length > TEXT_MAX - 100 && lines.length > 1) {
    lines.splice(Math.floor(lines.length / 2), 1);
    draft = text();
  }
  return truncate(draft, TEXT_MAX - 100);
}

export interface TicketViewInput {
  incident: Incident;
  purpose: TicketPurpose;
  systems: SystemChoice[];
  /** Preselected system. */
  system?: string;
  title: string;
  text: string;
  /** A ticket of that kind the incident already has: the form asks before another. */
  existing?: LinkedTicket;
  /** Jira fields the project requires (collected only when Jira is chosen). */
  requiredFields: RequiredField[];
  context: FormContext;
}

/** The ticket form: where, title, description, labels, and what the Jira project requires. */
export function ticketView(input: TicketViewInput) {
  const { incident, purpose } = input;
  const what = purpose === 'followup' ? 'follow-up' : 'ticket';
  const blocks: object[] = [];
  if (input.existing) {
    const t = input.existing;
    blocks.push({
      type: 'section',
      block_id: 'existing',
      text: mrkdwn(
        `${incident.id} already has ${link(t.url, ticketName(t))} (${safe(t.status, 40)}). ` +
          'Tick the box below to open another one anyway.',
      ),
    });
  }
  const option = (s: SystemChoice) => ({ text: plain(s.label), value: s.name });
  const chosen = input.systems.find((s) => s.name === input.system) ?? input.systems[0];
  blocks.push({
    type: 'input',
    block_id: 'system',
    label: plain('Where'),
    element: {
      type: 'radio_buttons',
      action_id: 'value',
      options: input.systems.map(option),
      ...(chosen ? { initial_option: option(chosen) } : {}),
    },
  });
  blocks.push(textInput('title', 'Title', { initial: input.title, max: TITLE_MAX }));
  blocks.push(
    textInput('description', 'Description', {
      initial: input.text,
      max: TEXT_MAX,
      multiline: true,
      optional: true,
    }),
  );
  blocks.push(
    textInput('labels', 'Labels', {
      optional: true,
      max: 200,
      hint: 'Comma-separated; firebreak and the incident ID are always added.',
    }),
  );
  for (const field of input.requiredFields) blocks.push(fieldInput(field));
  if (input.existing) {
    blocks.push({
      type: 'input',
      block_id: 'another',
      optional: true,
      label: plain('Another ticket'),
      element: {
        type: 'checkboxes',
        action_id: 'value',
        options: [{ text: plain(`Open another ${what} anyway`), value: 'another' }],
      },
    });
  }
  return {
    type: 'modal',
    callback_id: VIEW_TICKET,
    title: plain(truncate(`${what === 'ticket' ? 'Ticket' : 'Follow-up'} for ${incident.id}`, 24)),
    submit: plain('Create'),
    close: plain('Cancel'),
    private_metadata: JSON.stringify({ ...input.context, purpose }),
    blocks,
  };
}

export interface TicketForm {
  system: string;
  title: string;
  text: string;
  labels: string[];
  fields: Record<string, string>;
  another: boolean;
}

/** Reads the ticket form; a missing required Jira field is an error next to it. */
export function readTicketForm(
  values: ViewValues,
  requiredFields: RequiredField[],
): TicketForm | { errors: Record<string, string> } {
  const system = values.system?.value?.selected_option?.value ?? '';
  const title = values.title?.value?.value?.trim() ?? '';
  const errors: Record<string, string> = {};
  if (!system) errors.system = 'Pick where the ticket goes.';
  if (!title) errors.title = 'A ticket needs a title.';
  const fields: Record<string, string> = {};
  if (system === 'jira') {
    for (const field of requiredFields) {
      const v = values[blockOf(field)]?.value;
      const value = (v?.selected_option?.value ?? v?.value ?? '').trim();
      if (value) fields[field.id] = value;
      else errors[blockOf(field)] = `${field.name} is required by the Jira project.`;
    }
  }
  if (Object.keys(errors).length > 0) return { errors };
  const labels = (values.labels?.value?.value ?? '')
    .split(',')
    .map((l) => l.trim())
    .filter(Boolean);
  const another = (values.another?.value?.selected_options ?? []).some(
    (o) => o.value === 'another',
  );
  const text = values.description?.value?.value ?? '';
  return { system, title, text, labels, fields, another };
}

function blockOf(field: RequiredField) {
  return `field_${field.id}`;
}

function fieldInput(field: RequiredField) {
  const hint = plain('Required by the Jira project (ignored for other systems).');
  if (field.options && field.options.length > 0) {
    return {
      type: 'input',
      block_id: blockOf(field),
      optional: true,
      label: plain(truncate(field.name, 150)),
      hint,
      element: {
        type: 'static_select',
        action_id: 'value',
        options: field.options.slice(0, MENU_MAX).map((o) => ({
          text: plain(truncate(o.value, 75)),
          value: o.id,
        })),
      },
    };
  }
  const placeholder = field.kind === 'user' ? 'Jira account ID' : undefined;
  return {
    ...textInput(blockOf(field), truncate(field.name, 150), {
      optional: true,
      max: 255,
      ...(placeholder ? { placeholder } : {}),
    }),
    hint,
  };
}
