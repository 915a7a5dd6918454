/**
 * What the scripts need to talk to a running bot as Slack and as a monitoring tool would: its
 * address, the alert token, and signed requests to /slack/events (wire-formats.md §3.1). In the
 * sandbox the secrets are the published sandbox defaults; otherwise they come from .env.
 */
import { readEnvironment, SANDBOX_DEFAULTS } from '../src/config.ts';
import { slackSignatureHeaders, slashCommandBody } from '../test/fakes/slack/sign.ts';

const env = readEnvironment();
export const bot = env.BOT_URL ?? `http://127.0.0.1:${env.PORT ?? '3000'}`;
export const alertToken = env.ALERT_WEBHOOK_TOKEN ?? SANDBOX_DEFAULTS.alertWebhookToken;
export const sandbox = !env.SLACK_BOT_TOKEN;
export const alertsChannel = env.ALERTS_CHANNEL ?? SANDBOX_DEFAULTS.alertsChannel;
const signingSecret = env.SLACK_SIGNING_SECRET ?? SANDBOX_DEFAULTS.signingSecret;

/** The sandbox workspace's people (the Slack stand-in's default users). */
export const SANDBOX_USERS = {
  pat: { id: 'U0PAT0001', name: 'pat' },
  sam: { id: 'U0SAM0001', name: 'sam' },
  alex: { id: 'U0ALEX001', name: 'alex' },
};

/** POSTs a signed body to /slack/events and prints (unless quiet) and returns the reply text. */
export async function sendToSlackEndpoint(body: string, label: string, quiet = false) {
  const res = await fetch(`${bot}/slack/events`, {
    method: 'POST',
    headers: slackSignatureHeaders(signingSecret, body),
    body,
  });
  const text = await res.text();
  const reply = text
    ? (JSON.parse(text) as { text?: string }).text
    : '(empty: the bot answers in Slack itself)';
  if (quiet) return String(reply);
  console.log(
    `POST /slack/events ${label} -> ${res.status}\n  ${String(reply).replace(/\n/g, '\n  ')}`,
  );
  return String(reply);
}

/**
 * Sends `/incident <text>` as `user` in `channel`. `@pat`, `@sam` and `@alex` are sent as Slack
 * sends them when the command escapes users (`<@U0SAM0001|sam>`).
 */
export function slashCommand(
  text: string,
  options: { channel?: string; user?: { id: string; name: string }; quiet?: boolean } = {},
) {
  const channel = options.channel ?? alertsChannel;
  const user = options.user ?? SANDBOX_USERS.pat;
  const escaped = text.replace(/@(pat|sam|alex)\b/g, (_m, name: keyof typeof SANDBOX_USERS) => {
    const person = SANDBOX_USERS[name];
    return `<@${person.id}|${person.name}>`;
  });
  const body = slashCommandBody({
    text: escaped,
    user_id: user.id,
    user_name: user.name,
    channel_id: channel,
  });
  const where = channel === alertsChannel ? '' : ` (in ${channel})`;
  return sendToSlackEndpoint(body, `/incident ${text}${where}`, options.quiet);
}
