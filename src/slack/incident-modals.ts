import { phaseWord } from '../core/lifecycle.ts';
import { severityLabel } from '../core/severity.ts';
import { PHASES, SEVERITIES, type Incident, type Phase, type Severity } from '../core/types.ts';
import { mrkdwn, plain } from './blocks.ts';
import { escapeText, truncate } from './mrkdwn.ts';

export const VIEW_DECLARE = 'incident_declare_form';
export const VIEW_RESOLVE = 'incident_resolve_form';
export const VIEW_STATUS = 'incident_status_form';
export const VIEW_CLOSE = 'incident_close_form';
export const VIEW_PAGE = 'incident_page_form';
/** A static menu holds 100 options; more services are narrowed with `/incident page <name>`. */
const MENU_MAX = 100;

const TITLE_MAX = 150;
const TEXT_MAX = 2_900;

/** One line each, shown in the severity menu. */
const SEVERITY_MEANING: Record<Severity, string> = {
  critical: 'Critical: customers cannot use the product',
  error: 'Major: a key feature is broken or degraded for many',
  warning: 'Minor: degraded for some, with a workaround',
  info: 'Low: no customer impact yet',
};

/** What a form carries between opening and submission (Slack's `private_metadata`). */
export interface FormContext {
  /** The incident the form is about (declare: the alert's incident to promote). */
  incidentId?: string;
  /** The channel the form was opened from: replies go there. */
  channel?: string;
  /** Ticket forms: what the ticket is for. */
  purpose?: string;
}

/** Values a modal's state holds, as Slack sends them in `view.state.values`. */
export type ViewValues = Record<string, Record<string, ViewValue>>;
interface ViewValue {
  value?: string | null;
  selected_option?: { value: string } | null;
  selected_user?: string | null;
  selected_options?: { value: string }[];
}

export interface DeclareForm {
  title: string;
  severity: Severity;
  description?: string;
  lead?: string;
  channel: boolean;
}

/** The declare form; pre-filled from an alert's incident when started from its message. */
export function declareView(input: {
  declarer: string;
  incident?: Incident;
  context: FormContext;
}) {
  const { incident } = input;
  const severity = incident?.severity ?? 'error';
  const channelOption = { text: plain('Create a channel for it'), value: 'channel' };
  return modal(VIEW_DECLARE, 'Declare an incident', 'Declare', input.context, [
    textInput('title', 'Title', {
      initial: incident?.title,
      max: TITLE_MAX,
      placeholder: 'Checkout fails for EU cards',
    }),
    {
      type: 'input',
      block_id: 'severity',
      label: plain('Severity'),
      element: {
        type: 'static_select',
        action_id: 'value',
        options: SEVERITIES.map(severityOption),
        initial_option: severityOption(severity),
      },
    },
    textInput('description', 'What is happening', {
      initial: incident?.description,
      multiline: true,
      optional: true,
      max: TEXT_MAX,
    }),
    {
      type: 'input',
      block_id: 'lead',
      label: plain('Incident lead'),
      element: { type: 'users_select', action_id: 'value', initial_user: input.declarer },
    },
    {
      type: 'input',
      block_id: 'options',
      optional: true,
      label: plain('Channel'),
      element: {
        type: 'checkboxes',
        action_id: 'value',
        options: [channelOption],
        initial_options: [channelOption],
      },
    },
  ]);
}

/** Reads a submitted declare form: the values, or errors keyed by block for Slack to show. */
export function readDeclareForm(
  values: ViewValues,
  botUserId?: string,
): { form: DeclareForm } | { errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const title = text(values, 'title');
  if (!title) errors.title = 'Give the incident a title.';
  else if (title.length > TITLE_MAX) errors.title = `Keep the title under ${TITLE_MAX} characters.`;
  const severity = values.severity?.value?.selected_option?.value;
  if (!severity || !(SEVERITIES as readonly string[]).includes(severity))
    errors.severity = 'Pick a severity.';
  const lead = values.lead?.value?.selected_user ?? undefined;
  if (lead && lead === botUserId) errors.lead = 'Firebreak cannot lead an incident; pick a person.';
  const description = text(values, 'description');
  if (description && description.length > TEXT_MAX)
    errors.description = `Keep this under ${TEXT_MAX} characters.`;
  if (Object.keys(errors).length > 0) return { errors };
  const channel = (values.options?.value?.selected_options ?? []).some(
    (o) => o.value === 'channel',
  );
  return {
    form: {
      title: title!,
      severity: severity as Severity,
      ...(description ? { description } : {}),
      ...(lead ? { lead } : {}),
      channel,
    },
  };
}

export function resolveView(incident: Incident, context: FormContext) {
  return modal(VIEW_RESOLVE, `Resolve ${incident.id}`, 'Resolve', context, [
    section(`*${escapeText(truncate(incident.title, 200))}*`),
    textInput('resolution', 'Resolution summary', {
      multiline: true,
      max: TEXT_MAX,
      placeholder: 'What fixed it, and what is left to do',
    }),
  ]);
}

/** The resolution form is the final status update: phase `resolved` and its message. */
export function readResolveForm(
  values: ViewValues,
): { phase: Phase; message: string } | { errors: Record<string, string> } {
  const resolution = text(values, 'resolution');
  if (!resolution) return { errors: { resolution: 'Say in a sentence what resolved it.' } };
  if (resolution.length > TEXT_MAX)
    return { errors: { resolution: `Keep this under ${TEXT_MAX} characters.` } };
  return { phase: 'resolved', message: resolution };
}

export function statusView(incident: Incident, context: FormContext) {
  const current =
    incident.phase && incident.phase !== 'resolved' ? incident.phase : 'investigating';
  return modal(VIEW_STATUS, `Update ${incident.id}`, 'Post update', context, [
    {
      type: 'input',
      block_id: 'phase',
      label: plain('Status'),
      element: {
        type: 'static_select',
        action_id: 'value',
        options: PHASES.filter((p) => p !== 'resolved').map(phaseOption),
        initial_option: phaseOption(current),
      },
    },
    textInput('message', 'Update', {
      multiline: true,
      max: TEXT_MAX,
      placeholder: 'What we know, what we are doing, when the next update comes',
    }),
  ]);
}

export function readStatusForm(
  values: ViewValues,
): { phase: Phase; message: string } | { errors: Record<string, string> } {
  const phase = values.phase?.value?.selected_option?.value as Phase | undefined;
  const message = text(values, 'message');
  const errors: Record<string, string> = {};
  if (!phase || !(PHASES as readonly string[]).includes(phase)) errors.phase = 'Pick a status.';
  if (!message) errors.message = 'Write the update.';
  else if (message.length > TEXT_MAX) errors.message = `Keep this under ${TEXT_MAX} characters.`;
  if (Object.keys(errors).length > 0) return { errors };
  return { phase: phase!, message: message! };
}

export function closeView(incident: Incident, channelName: string, context: FormContext) {
  return modal(VIEW_CLOSE, `Close ${incident.id}`, 'Archive channel', context, [
    section(
      `Archive *#${escapeText(channelName)}*? The timeline and \`/incident review\` stay ` +
        'available; the channel becomes read-only.',
    ),
  ]);
}

/** Paging: which PagerDuty service, how urgent, and what to tell the responder. */
export function pageView(
  incident: Incident,
  services: { id: string; name: string }[],
  context: FormContext,
) {
  const shown = services.slice(0, MENU_MAX);
  const more = services.length - shown.length;
  const urgency = (value: 'high' | 'low', text: string) => ({ text: plain(text), value });
  const high = urgency('high', 'High: page now, day or night');
  return modal(VIEW_PAGE, `Page for ${incident.id}`, 'Page', context, [
    section(`*${escapeText(truncate(incident.title, 200))}*`),
    {
      type: 'input',
      block_id: 'service',
      label: plain('PagerDuty service'),
      element: {
        type: 'static_select',
        action_id: 'value',
        placeholder: plain('Who should be paged'),
        options: shown.map((s) => ({ text: plain(truncate(s.name, 75)), value: s.id })),
      },
      ...(more > 0
        ? { hint: plain(`${more} more services: narrow with /incident page <part of a name>`) }
        : {}),
    },
    {
      type: 'input',
      block_id: 'urgency',
      label: plain('Urgency'),
      element: {
        type: 'radio_buttons',
        action_id: 'value',
        options: [high, urgency('low', 'Low: during working hours')],
        initial_option: high,
      },
    },
    textInput('message', 'Message for the responder', {
      multiline: true,
      optional: true,
      max: TEXT_MAX,
      initial: incident.description,
    }),
  ]);
}

export function readPageForm(
  values: ViewValues,
):
  | { serviceId: string; urgency: 'high' | 'low'; message: string }
  | { errors: Record<string, string> } {
  const serviceId = values.service?.value?.selected_option?.value;
  if (!serviceId) return { errors: { service: 'Pick the service to page.' } };
  const urgency = values.urgency?.value?.selected_option?.value === 'low' ? 'low' : 'high';
  return { serviceId, urgency, message: text(values, 'message') ?? '' };
}

/** The context a form was opened with; a damaged one reads as empty. */
export function readContext(privateMetadata: string | undefined): FormContext {
  try {
    const parsed = JSON.parse(privateMetadata ?? '{}') as FormContext;
    return {
      ...(typeof parsed.incidentId === 'string' ? { incidentId: parsed.incidentId } : {}),
      ...(typeof parsed.channel === 'string' ? { channel: parsed.channel } : {}),
      ...(typeof parsed.purpose === 'string' ? { purpose: parsed.purpose } : {}),
    };
  } catch {
    return {};
  }
}

function modal(
  callbackId: string,
  title: string,
  submit: string,
  context: FormContext,
  blocks: object[],
) {
  return {
    type: 'modal',
    callback_id: callbackId,
    title: plain(truncate(title, 24)),
    submit: plain(submit),
    close: plain('Cancel'),
    private_metadata: JSON.stringify(context),
    blocks,
  };
}

export function textInput(
  blockId: string,
  label: string,
  options: {
    initial?: string;
    multiline?: boolean;
    optional?: boolean;
    max: number;
    placeholder?: string;
    hint?: string;
  },
) {
  return {
    type: 'input',
    block_id: blockId,
    label: plain(label),
    ...(options.optional ? { optional: true } : {}),
    ...(options.hint ? { hint: plain(options.hint) } : {}),
    element: {
      type: 'plain_text_input',
      action_id: 'value',
      max_length: options.max,
      ...(options.multiline ? { multiline: true } : {}),
      ...(options.initial ? { initial_value: options.initial.slice(0, options.max) } : {}),
      ...(options.placeholder ? { placeholder: plain(options.placeholder) } : {}),
    },
  };
}

function section(text: string) {
  return { type: 'section', text: mrkdwn(text) };
}

function severityOption(severity: Severity) {
  return {
    text: plain(`${severityLabel(severity)} · ${SEVERITY_MEANING[severity]}`),
    value: severity,
  };
}

function phaseOption(phase: Phase) {
  return { text: plain(phaseWord(phase)), value: phase };
}

function text(values: ViewValues, blockId: string) {
  const value = values[blockId]?.value?.value?.trim();
  return value ? value : undefined;
}
