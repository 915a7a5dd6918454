import { actorName } from '../core/lifecycle.ts';
import type { Actor } from '../core/types.ts';

/**
 * Safe text for Slack mrkdwn. Slack reads `&`, `<` and `>` as control characters (mentions,
 * links, `<!channel>`), so alert-provided text is escaped exactly once, here, when a message is
 * built; stored text stays raw. https://docs.slack.dev/messaging/formatting-message-text#escaping
 */
export function escapeText(text: string) {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Cuts escaped text to at most `max` characters, ending in an ellipsis, without splitting an
 * HTML entity or a surrogate pair.
 */
export function truncate(text: string, max: number, ellipsis = '…') {
  if (text.length <= max) return text;

  let cut = max - ellipsis.length;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  const amp = text.lastIndexOf('&', cut - 1);
  if (amp !== -1 && amp > cut - 5 && !text.slice(amp, cut).includes(';')) cut = amp;
  return text.slice(0, cut) + ellipsis;
}

/** Escaped, then cut to fit: the one way alert text enters a message. */
export function safe(text: string, max: number) {
  return truncate(escapeText(text), max);
}

/** Bold alert text; an asterisk inside cannot end the bold early. */
export function bold(text: string, max: number) {
  return `*${safe(text.replace(/\*/g, '∗'), max - 2)}*`;
}

/** A link only the bot writes: URL and label escaped, `|` kept out of the URL. */
export function link(url: string, label: string) {
  return `<${escapeText(url).replace(/\|/g, '%7C')}|${escapeText(label.replace(/\|/g, '¦'))}>`;
}

/** A time every reader sees in their own zone, with a UTC fallback. */
export function slackDate(iso: string) {
  const seconds = Math.floor(Date.parse(iso) / 1000);
  const fallback = `${iso.slice(0, 16).replace('T', ' ')} UTC`;
  return `<!date^${seconds}^{date_short_pretty} {time}|${fallback}>`;
}

export function mention(userId: string) {
  return /^[UW][A-Z0-9]+$/.test(userId) ? `<@${userId}>` : escapeText(userId);
}

/**
 * Slack's formatted text (what a message or an escaped slash command carries) as plain text
 * for the timeline: `<@U1|pat>` → `@pat`, `<#C1|ops>` → `#ops`, `<https://x|label>` →
 * `label (https://x)`, entities decoded. Escaping again happens when it is shown.
 */
export function plainSlackText(text: string) {
  return text
    .replace(
      /<([@#!])([A-Z0-9^]+)(?:\|([^>]*))?>/g,
      (_m, sigil: string, id: string, label?: string) =>
        sigil === '!' ? `@${(label ?? id).split('^')[0]}` : `${sigil}${label || id}`,
    )
    .replace(/<((?:https?|mailto):[^|>]+)\|([^>]+)>/g, (_m, url: string, label: string) =>
      label === url ? url : `${label} (${url})`,
    )
    .replace(/<((?:https?|mailto):[^>]+)>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** Who did something, for a message: a Slack mention for people in Slack, else their name. */
export function who(actor: Actor) {
  return actor.kind === 'user' ? mention(actor.id) : safe(actorName(actor), 100);
}
