/**
 * Helpers for tests that send Slack-signed requests to our app (slash commands, interactivity).
 * Recipe: wire-formats.md §3.1 (HMAC-SHA256 of `v0:<ts>:<raw body>`, `v0=` + lowercase hex).
 */
import { createHmac, randomBytes } from 'node:crypto';

/**
 * Headers Slack sends with a signed request. `timestampSeconds` defaults to now; pass an old one
 * to test the 5-minute replay window. Sign the exact string you send as the body.
 */
export function slackSignatureHeaders(
  signingSecret: string,
  rawBody: string,
  timestampSeconds: number = Math.floor(Date.now() / 1000),
): Record<string, string> {
  const digest = createHmac('sha256', signingSecret)
    .update(`v0:${timestampSeconds}:${rawBody}`)
    .digest('hex');

  return {
    'Content-Type': 'application/x-www-form-urlencoded',
    'X-Slack-Request-Timestamp': String(timestampSeconds),
    'X-Slack-Signature': `v0=${digest}`,
  };
}

/** An interactivity body (block_actions, view_submission…): one form field `payload` of JSON. */
export function interactionBody(payload: unknown): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/**
 * A slash-command body (wire-formats.md §3.3) for `/incident` in the stand-in's default workspace,
 * #alerts and user pat; `fields` override or add fields. `response_url` points at a closed local
 * port so a stray POST fails fast instead of leaving the machine.
 */
export function slashCommandBody(fields: Record<string, string> = {}): string {
  const defaults: Record<string, string> = {
    token: 'sandbox-verification-token',
    team_id: 'T0SANDBOX',
    team_domain: 'sandbox',
    channel_id: 'C0ALERTS01',
    channel_name: 'alerts',
    user_id: 'U0PAT0001',
    user_name: 'pat',
    command: '/incident',
    text: '',
    api_app_id: 'A0FIREBRK',
    is_enterprise_install: 'false',
    response_url: 'http://127.0.0.1:9/unused',
    trigger_id: `1000000000.1000000000.${randomBytes(16).toString('hex')}`,
  };

  return new URLSearchParams({ ...defaults, ...fields }).toString();
}

/**
 * The `block_actions` payload of a click on one of the bot's buttons in a channel, as Slack
 * sends it (wire-formats.md §3.4), trimmed to the fields a bot reads.
 */
export function buttonClickPayload(input: {
  actionId: string;
  value: string;
  user: { id: string; name: string };
  channel: string;
  actionTs?: string;
}) {
  return {
    type: 'block_actions',
    user: {
      id: input.user.id,
      username: input.user.name,
      name: input.user.name,
      team_id: 'T0SANDBOX',
    },
    team: { id: 'T0SANDBOX', domain: 'sandbox' },
    api_app_id: 'A0FIREBRK',
    container: {
      type: 'message',
      message_ts: '1.1',
      channel_id: input.channel,
      is_ephemeral: false,
    },
    channel: { id: input.channel, name: 'alerts' },
    trigger_id: 'test.trigger',
    actions: [
      {
        type: 'button',
        action_id: input.actionId,
        block_id: 'inc_actions',
        value: input.value,
        action_ts: input.actionTs ?? `${Date.now() / 1000}`,
      },
    ],
  };
}
