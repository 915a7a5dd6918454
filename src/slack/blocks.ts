import { truncate } from './mrkdwn.ts';

/** Action IDs of the bot's buttons; the listeners in register-slack-listeners.ts answer them. */
export const ACTION_ACK = 'incident_ack';
export const ACTION_RESOLVE = 'incident_resolve';
export const ACTION_RETRY = 'outbound_retry';
export const ACTION_DECLARE = 'incident_declare';
export const ACTION_REOPEN = 'incident_reopen';
export const ACTION_STATUS = 'incident_status';
export const ACTION_CLOSE = 'incident_close';
export const ACTION_PAGE = 'incident_page';
export const ACTION_TICKET = 'incident_ticket';
export const ACTION_STATUSPAGE = 'incident_statuspage';

/** Alert text never auto-links: `verbatim` keeps Slack from turning URLs and #names into links. */
export function mrkdwn(text: string) {
  return { type: 'mrkdwn', text, verbatim: true };
}

export function plain(text: string) {
  return { type: 'plain_text', text, emoji: true };
}

/** A section of mrkdwn cut to fit Slack's 3,000 characters with room to spare. */
export function section(blockId: string, text: string, max = 2_900) {
  return { type: 'section', block_id: blockId, text: mrkdwn(truncate(text, max)) };
}

export function button(
  actionId: string,
  text: string,
  value: string,
  style?: 'primary' | 'danger',
) {
  return {
    type: 'button',
    action_id: actionId,
    text: plain(text),
    value,
    ...(style && { style }),
  };
}
