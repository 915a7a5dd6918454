import { untilText } from '../core/snooze.ts';
import type { Incident } from '../core/types.ts';
import { mrkdwn, plain } from './blocks.ts';
import { type FormContext } from './incident-modals.ts';
import { safe, who } from './mrkdwn.ts';

/** The `⋯` menu on the incident message; its options carry `/incident` command text. */
export const ACTION_SNOOZE_MENU = 'incident_snooze_menu';
/** The "Mark as noise" form, asking for an optional reason. */
export const VIEW_NOISE = 'incident_noise_form';
const REASON_MAX = 500;

/**
 * The overflow menu of an open incident: snooze for 30 min, 1 h, 4 h or until 09:00 UTC
 * tomorrow, Unsnooze while snoozed, and Mark as noise for an alert's incident. Slack shows 2 to
 * 5 options, each text at most 75 characters and value at most 150
 * (https://docs.slack.dev/reference/block-kit/block-elements/overflow-menu-element).
 */
export function snoozeMenu(incident: Incident): object[] {
  if (incident.closedAt || incident.status === 'resolved') return [];
  const id = incident.id;
  const options = [
    option('Snooze 30 min', `snooze ${id} 30m`),
    option('Snooze 1 hour', `snooze ${id} 1h`),
    option('Snooze 4 hours', `snooze ${id} 4h`),
    option('Snooze until 09:00 UTC tomorrow', `snooze ${id} tomorrow`),
  ];
  if (!incident.declaredAt) options.push(option('Mark as noise…', `noise ${id}`));
  if (incident.snoozedUntil) options.unshift(option('Unsnooze', `unsnooze ${id}`));
  return [{ type: 'overflow', action_id: ACTION_SNOOZE_MENU, options: options.slice(0, 5) }];
}

function option(text: string, value: string) {
  return { text: plain(text), value };
}

/** "Snoozed until 22:30 UTC by @pat", or "Marked as noise by @pat: flapping", for the message. */
export function snoozeContext(incident: Incident): object[] {
  const line = noiseLine(incident) ?? snoozeLine(incident);
  if (!line) return [];
  return [{ type: 'context', block_id: 'inc_snooze', elements: [mrkdwn(line)] }];
}

function snoozeLine(incident: Incident) {
  const { snoozedUntil, snoozedBy } = incident;
  if (!snoozedUntil || incident.closedAt) return undefined;
  const until = untilText(snoozedUntil, incident.snoozedAt ?? snoozedUntil);
  return `:zzz: Snoozed until ${until}${snoozedBy ? ` by ${who(snoozedBy)}` : ''}`;
}

function noiseLine(incident: Incident) {
  if (!incident.noise) return undefined;
  const reason = incident.noise.reason ? `: ${safe(incident.noise.reason, 500)}` : '';
  return `:mute: Marked as noise by ${who(incident.noise.by)}${reason}`;
}

/** The small form "Mark as noise" opens: an optional reason. */
export function noiseView(incident: Incident, context: FormContext) {
  return {
    type: 'modal',
    callback_id: VIEW_NOISE,
    title: plain('Mark as noise'),
    submit: plain('Mark as noise'),
    close: plain('Cancel'),
    private_metadata: JSON.stringify(context),
    blocks: [
      {
        type: 'section',
        text: mrkdwn(
          `*${incident.id}* will be resolved and closed; later repeats of its alerts will not ` +
            'reopen it.',
        ),
      },
      {
        type: 'input',
        block_id: 'reason',
        optional: true,
        label: plain('Why is it noise?'),
        element: {
          type: 'plain_text_input',
          action_id: 'value',
          max_length: REASON_MAX,
          placeholder: plain('Flapping probe, known maintenance…'),
        },
      },
    ],
  };
}
