import type { Incident } from '../core/types.ts';
import {
  COMPONENT_STATUSES,
  STATUSES,
  type ComponentStatus,
  type Status,
  type StatuspageComponent,
} from '../integrations/statuspage/statuspage-client.ts';
import { word } from '../integrations/statuspage/statuspage-desk.ts';
import { statuspageOf, type StatuspageLink } from '../integrations/statuspage/statuspage-ref.ts';
import { mrkdwn, plain } from './blocks.ts';
import { textInput, type FormContext, type ViewValues } from './incident-modals.ts';
import { escapeText, link, safe, truncate } from './mrkdwn.ts';

export const VIEW_STATUSPAGE = 'incident_statuspage_form';
/** Statuspage refuses longer names (the client cuts them too). */
const NAME_MAX = 255;
/** Slack's plain_text_input holds 3,000 characters. */
const MESSAGE_MAX = 3_000;
/** A static menu holds 100 options; option text 75 characters. */
const MENU_MAX = 100;
const OPTION_MAX = 75;

const COMPONENT_WORDS: Record<ComponentStatus, string> = {
  degraded_performance: 'Degraded performance',
  partial_outage: 'Partial outage',
  major_outage: 'Major outage',
  under_maintenance: 'Under maintenance',
  operational: 'Operational',
};

/** The incident's Statuspage incident on its message and summary: link, name and status. */
export function statuspageLine(incident: Incident) {
  const sp = statuspageOf(incident);
  if (!sp) return '';
  if (!sp.id) return ':globe_with_meridians: _opening Statuspage incident…_';
  const name = sp.name ? ` "${safe(sp.name, 150)}"` : '';
  const target = sp.url ? link(sp.url, `Status page${name}`) : `Status page${name}`;
  const status = sp.status ? ` · ${safe(word(sp.status), 40)}` : '';
  const pending = sp.pending > 0 ? ' · _updating…_' : '';
  return `:globe_with_meridians: ${target}${status}${pending}`;
}

export interface StatuspageViewInput {
  incident: Incident;
  /** The linked Statuspage incident (or the one on its way): the form updates it. */
  linked?: StatuspageLink;
  /** What Statuspage says of it now, when it answered in time. */
  current?: { status: string; components: Record<string, string> };
  components: StatuspageComponent[];
  context: FormContext;
}

/**
 * The status page form: the name (a new incident only), status, message, affected components
 * and their status; pre-filled from the linked incident when there is one.
 */
export function statuspageView(input: StatuspageViewInput) {
  const { incident, linked } = input;
  const blocks: object[] = [];
  if (linked) {
    const name = linked.name ?? incident.title;
    const target = linked.url ? link(linked.url, truncate(name, 150)) : escapeText(name);
    const state = linked.id ? '' : ' (being opened)';
    blocks.push(section(`Updates the Statuspage incident ${target}${state}.`));
  } else {
    blocks.push(
      textInput('name', 'Name on the status page', { initial: incident.title, max: NAME_MAX }),
    );
  }

  const status = STATUSES.find((s) => s === (input.current?.status ?? linked?.status));
  blocks.push(select('status', 'Status', STATUSES, status ?? 'investigating'));
  blocks.push(
    textInput('message', 'Message', {
      multiline: true,
      optional: Boolean(linked),
      max: MESSAGE_MAX,
      placeholder:
        'What the public reads: what is affected, what you are doing, when they hear more',
    }),
  );

  const affected = input.current
    ? Object.keys(input.current.components)
    : (linked?.componentIds ?? []);
  const options = input.components.slice(0, MENU_MAX).map(componentOption);
  const initial = options.filter((o) => affected.includes(o.value));
  if (options.length > 0) {
    blocks.push({
      type: 'input',
      block_id: 'components',
      optional: true,
      label: plain('Affected components'),
      element: {
        type: 'multi_static_select',
        action_id: 'value',
        placeholder: plain('Components of the page'),
        options,
        ...(initial.length > 0 ? { initial_options: initial } : {}),
      },
    });
    const current = input.current?.components[affected[0] ?? ''] ?? linked?.componentStatus;
    const componentStatus = COMPONENT_STATUSES.find((s) => s === current);
    blocks.push({
      ...select('component_status', 'Their status', COMPONENT_STATUSES, componentStatus),
      optional: true,
      hint: plain('For every component chosen above; left empty: major outage.'),
    });
  } else {
    blocks.push(section('_The page lists no components._'));
  }

  return {
    type: 'modal',
    callback_id: VIEW_STATUSPAGE,
    title: plain(truncate(`Status page: ${incident.id}`, 24)),
    submit: plain(linked ? 'Update' : 'Publish'),
    close: plain('Cancel'),
    private_metadata: JSON.stringify(input.context),
    blocks,
  };
}

export interface StatuspageForm {
  name: string;
  status: Status;
  message: string;
  components: Record<string, ComponentStatus>;
}

/** Reads the form; what is missing is named next to its field. `linked`: the form updates. */
export function readStatuspageForm(
  values: ViewValues,
  linked: boolean,
): StatuspageForm | { errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const name = values.name?.value?.value?.trim() ?? '';
  const picked = values.status?.value?.selected_option?.value;
  const status = STATUSES.find((s) => s === picked);
  const message = values.message?.value?.value?.trim() ?? '';
  if (!linked && !name) errors.name = 'Give the incident a name for the status page.';
  if (!status) errors.status = 'Pick a status.';
  if (!linked && !message) errors.message = 'Say what the public should read.';
  if (!status || Object.keys(errors).length > 0) return { errors };

  const chosen = values.component_status?.value?.selected_option?.value;
  const componentStatus = COMPONENT_STATUSES.find((s) => s === chosen) ?? 'major_outage';
  const ids = (values.components?.value?.selected_options ?? []).map((o) => o.value);
  const components = Object.fromEntries(ids.map((id) => [id, componentStatus]));
  return { name, status, message, components };
}

function componentOption(component: StatuspageComponent) {
  const label = component.group ? `${component.group} · ${component.name}` : component.name;
  return { text: plain(truncate(label, OPTION_MAX)), value: component.id };
}

function select<T extends string>(
  blockId: string,
  label: string,
  values: readonly T[],
  initial: T | undefined,
) {
  const option = (value: T) => ({
    text: plain(value in COMPONENT_WORDS ? COMPONENT_WORDS[value as ComponentStatus] : word(value)),
    value,
  });
  return {
    type: 'input',
    block_id: blockId,
    label: plain(label),
    element: {
      type: 'static_select',
      action_id: 'value',
      options: values.map(option),
      ...(initial ? { initial_option: option(initial) } : {}),
    },
  };
}

function section(text: string) {
  return { type: 'section', text: mrkdwn(text) };
}
