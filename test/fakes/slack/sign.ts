/**
 * Helpers for tests that send Slack-signed requests to our app (slash commands, interactivity,
 * Events API). Recipe: wire-formats.md §3.1 (HMAC-SHA256 of `v0:<ts>:<raw body>`, `v0=` +
 * lowercase hex). Payload shapes: §3.3 and §3.4.
 */
import { createHmac, randomBytes } from 'node:crypto';

/** The stand-in's default workspace and app, as its payloads name them. */
const TEAM = { id: 'T0SANDBOX', domain: 'sandbox' };
const APP_ID = 'A0FIREBRK';
const BOT_USER_ID = 'U0FIREBRK';
const BOT_ID = 'B0FIREBRK';
const VERIFICATION_TOKEN = 'sandbox-verification-token';
/** A closed local port: a stray POST to a response_url fails fast, never leaving the machine. */
const UNUSED_RESPONSE_URL = 'http://127.0.0.1:9/unused';
const FORM_TYPE = 'application/x-www-form-urlencoded';

/**
 * Headers Slack sends with a signed request. `timestampSeconds` defaults to now; pass an old one
 * to test the 5-minute replay window. Sign the exact string you send as the body.
 */
export function slackSignatureHeaders(
  signingSecret: string,
  rawBody: string,
  timestampSeconds: number = Math.floor(Date.now() / 1000),
): Record<string, string> {
  return signedHeaders(FORM_TYPE, signingSecret, rawBody, timestampSeconds);
}

/** The same for a JSON body, as Events API deliveries come (`Content-Type: application/json`). */
export function slackJsonSignatureHeaders(
  signingSecret: string,
  rawBody: string,
  timestampSeconds: number = Math.floor(Date.now() / 1000),
): Record<string, string> {
  return signedHeaders('application/json', signingSecret, rawBody, timestampSeconds);
}

function signedHeaders(
  contentType: string,
  signingSecret: string,
  rawBody: string,
  timestampSeconds: number,
): Record<string, string> {
  const digest = createHmac('sha256', signingSecret)
    .update(`v0:${timestampSeconds}:${rawBody}`)
    .digest('hex');

  return {
    'Content-Type': contentType,
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
    token: VERIFICATION_TOKEN,
    team_id: TEAM.id,
    team_domain: TEAM.domain,
    channel_id: 'C0ALERTS01',
    channel_name: 'alerts',
    user_id: 'U0PAT0001',
    user_name: 'pat',
    command: '/incident',
    text: '',
    api_app_id: APP_ID,
    is_enterprise_install: 'false',
    response_url: UNUSED_RESPONSE_URL,
    trigger_id: `1000000000.1000000000.${randomBytes(16).toString('hex')}`,
  };

  return new URLSearchParams({ ...defaults, ...fields }).toString();
}

/**
 * The `block_actions` payload of a click on one of the bot's buttons in a channel, as Slack
 * sends it (wire-formats.md §3.4), trimmed to the fields a bot reads. Pass a `triggerId` from
 * the stand-in's issueTriggerId when the click should be able to open a modal.
 */
export function buttonClickPayload(input: {
  actionId: string;
  value: string;
  user: { id: string; name: string };
  channel: string;
  actionTs?: string;
  triggerId?: string;
  messageTs?: string;
}) {
  return {
    type: 'block_actions',
    user: payloadUser(input.user),
    team: { ...TEAM },
    api_app_id: APP_ID,
    container: {
      type: 'message',
      message_ts: input.messageTs ?? '1.1',
      channel_id: input.channel,
      is_ephemeral: false,
    },
    channel: { id: input.channel, name: 'alerts' },
    trigger_id: input.triggerId ?? 'test.trigger',
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

/**
 * The whole `block_actions` payload of a person using an element of a message the bot posted
 * (wire-formats.md §3.4), with the message as Slack includes it; `action` is the element's
 * report (console-payloads.ts builds it from the message itself).
 */
export function messageBlockActionsPayload(input: {
  action: Record<string, unknown>;
  user: { id: string; name: string };
  channel: { id: string; name: string };
  message: { ts: string; text?: string; blocks?: unknown[]; user: string; threadTs?: string };
  botId?: string;
  triggerId: string;
}) {
  const { ts, text, blocks, user, threadTs } = input.message;
  return {
    type: 'block_actions',
    user: payloadUser(input.user),
    api_app_id: APP_ID,
    token: VERIFICATION_TOKEN,
    container: {
      type: 'message',
      message_ts: ts,
      channel_id: input.channel.id,
      is_ephemeral: false,
      ...(threadTs !== undefined && { thread_ts: threadTs }),
    },
    trigger_id: input.triggerId,
    team: { ...TEAM },
    enterprise: null,
    is_enterprise_install: false,
    channel: { ...input.channel },
    message: {
      type: 'message',
      user,
      ...(input.botId !== undefined && { bot_id: input.botId }),
      ts,
      text: text ?? '',
      team: TEAM.id,
      ...(blocks !== undefined && { blocks }),
      ...(threadTs !== undefined && { thread_ts: threadTs }),
    },
    state: { values: {} },
    response_url: UNUSED_RESPONSE_URL,
    actions: [input.action],
  };
}

/** What one input element reports in `view.state.values` (wire-formats.md §3.4). */
export interface ViewStateValue {
  type: string;
  [field: string]: unknown;
}

/**
 * The `view_submission` payload of a person submitting a modal the bot opened, as Slack sends
 * it (wire-formats.md §3.4): `view` is the stand-in's record of it (`lastView()`), `values` are
 * `{ [block_id]: { [action_id]: { type, value | selected_option | selected_user… } } }`.
 */
export function viewSubmissionPayload(input: {
  view: { id: string; hash?: string; view: Record<string, unknown> };
  values: Record<string, Record<string, ViewStateValue>>;
  user: { id: string; name: string };
  triggerId?: string;
}) {
  const { id, hash, view } = input.view;

  return {
    type: 'view_submission',
    team: { ...TEAM },
    user: payloadUser(input.user),
    api_app_id: APP_ID,
    token: VERIFICATION_TOKEN,
    trigger_id: input.triggerId ?? newTriggerId(),
    view: {
      callback_id: '',
      private_metadata: '',
      external_id: '',
      clear_on_close: false,
      notify_on_close: false,
      ...view,
      id,
      team_id: TEAM.id,
      type: 'modal',
      state: { values: input.values },
      hash: hash ?? `${Math.floor(Date.now() / 1000)}.sandbox0`,
      previous_view_id: null,
      root_view_id: id,
      app_id: APP_ID,
      app_installed_team_id: TEAM.id,
      bot_id: BOT_ID,
    },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
}

/**
 * The `message_action` payload of a message shortcut (wire-formats.md §3.4; fields as Bolt's
 * MessageShortcut type). A channel given as an ID is named 'alerts'.
 */
export function messageShortcutPayload(input: {
  callbackId: string;
  channel: string | { id: string; name: string };
  message: { ts: string; text: string; user: string; threadTs?: string };
  user: { id: string; name: string };
  triggerId?: string;
}) {
  const channel =
    typeof input.channel === 'string' ? { id: input.channel, name: 'alerts' } : input.channel;
  const { ts, text, user, threadTs } = input.message;

  return {
    type: 'message_action',
    token: VERIFICATION_TOKEN,
    action_ts: `${Date.now() / 1000}`,
    team: { ...TEAM },
    user: payloadUser(input.user),
    channel,
    is_enterprise_install: false,
    enterprise: null,
    callback_id: input.callbackId,
    trigger_id: input.triggerId ?? newTriggerId(),
    response_url: UNUSED_RESPONSE_URL,
    message_ts: ts,
    message: {
      type: 'message',
      user,
      ts,
      text,
      team: TEAM.id,
      ...(threadTs !== undefined && { thread_ts: threadTs }),
    },
  };
}

/**
 * The raw JSON body of an Events API `event_callback` delivery wrapping `event`, say
 * `{ type: 'message', channel, user, text, ts }` (wire-formats.md §3.2); sign it with
 * slackJsonSignatureHeaders. Pass the same `eventId` to imitate one of Slack's retries.
 */
export function eventCallbackBody(event: object, eventId?: string): string {
  return JSON.stringify({
    token: VERIFICATION_TOKEN,
    team_id: TEAM.id,
    api_app_id: APP_ID,
    event,
    type: 'event_callback',
    event_id: eventId ?? `Ev0${randomBytes(5).toString('hex').toUpperCase()}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [
      {
        enterprise_id: null,
        team_id: TEAM.id,
        user_id: BOT_USER_ID,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
  });
}

function payloadUser(user: { id: string; name: string }) {
  return { id: user.id, username: user.name, name: user.name, team_id: TEAM.id };
}

/** Shaped like Slack's: "<unix seconds>.<10 digits>.<32 hex>"; the stand-in does not know it. */
function newTriggerId(): string {
  return `${Math.floor(Date.now() / 1000)}.1000000000.${randomBytes(16).toString('hex')}`;
}
