/**
 * The Slack Web API methods the stand-in implements, as pure functions of (args, workspace).
 * Argument names, error codes and response shapes follow wire-formats.md §3.7 and §3.9
 * (docs.slack.dev/reference/methods/<method>). API errors are HTTP 200 with ok:false.
 */
import { checkMessageBlocks } from './block-kit-rules.ts';
import { tsToMicros, type Workspace } from './workspace.ts';
import type { StandInChannel, StandInMessage } from './slack-stand-in.ts';

export type Args = Record<string, unknown>;
export type ApiBody = Record<string, unknown>;
type Handler = (args: Args, workspace: Workspace) => ApiBody;

/** chat.postMessage `text` above this is refused (Slack documents truncation; we refuse loudly). */
export const MAX_MESSAGE_TEXT = 40_000;

const HISTORY_DEFAULT_LIMIT = 100;
const HISTORY_MAX_LIMIT = 1000;

/** Thrown by a handler to answer `{ ok: false, error, ...extra }`. */
class ApiFailure extends Error {
  constructor(
    readonly error: string,
    readonly extra: ApiBody = {},
  ) {
    super(error);
  }
}

const HANDLERS: Record<string, Handler> = {
  'auth.test': authTest,
  'chat.postMessage': postMessage,
  'chat.update': updateMessage,
  'chat.postEphemeral': postEphemeral,
  'conversations.join': joinConversation,
  'conversations.info': conversationInfo,
  'conversations.history': conversationHistory,
  'users.info': userInfo,
};

export function isKnownMethod(method: string): boolean {
  return Object.hasOwn(HANDLERS, method);
}

/** Runs a known method; returns the response body (ok true or false). */
export function callMethod(method: string, args: Args, workspace: Workspace): ApiBody {
  try {
    return HANDLERS[method]!(args, workspace);
  } catch (error) {
    if (error instanceof ApiFailure) return { ok: false, error: error.error, ...error.extra };
    throw error;
  }
}

function authTest(_args: Args, workspace: Workspace): ApiBody {
  const { teamId, botUserId, botId } = workspace.identity;

  return {
    ok: true,
    url: 'https://sandbox.slack.invalid/',
    team: 'Firebreak Sandbox',
    user: 'firebreak',
    team_id: teamId,
    user_id: botUserId,
    bot_id: botId,
    is_enterprise_install: false,
  };
}

function postMessage(args: Args, workspace: Workspace): ApiBody {
  const channel = requireChannel(workspace, args.channel, 'write');
  const { text, blocks } = readContent(args, { required: true });
  const metadata = readMetadata(args.metadata);
  const threadTs = stringArg(args.thread_ts) || undefined;
  if (threadTs !== undefined && !isTopLevel(workspace.findMessage(channel.id, threadTs))) {
    throw new ApiFailure('thread_not_found');
  }

  const message = workspace.addMessage({
    channel: channel.id,
    ts: workspace.nextTs(),
    ...(threadTs !== undefined && { threadTs }),
    ...(text !== undefined && { text }),
    ...(blocks !== undefined && blocks.length > 0 && { blocks }),
    ...(metadata !== undefined && { metadata }),
    user: workspace.identity.botUserId,
    botId: workspace.identity.botId,
    edited: 0,
  });

  const apiMessage = toApiMessage(workspace, message, { withMetadata: true });
  return { ok: true, channel: channel.id, ts: message.ts, message: apiMessage };
}

function updateMessage(args: Args, workspace: Workspace): ApiBody {
  const channel = requireChannel(workspace, args.channel, 'write');
  const message = workspace.findMessage(channel.id, stringArg(args.ts));
  if (message === undefined) throw new ApiFailure('message_not_found');
  const { text, blocks } = readContent(args, { required: true });
  const metadata = readMetadata(args.metadata);

  // Fields left out keep their old value; `blocks: []` removes the blocks (docs: chat.update).
  if (text !== undefined) message.text = text;
  if (blocks !== undefined && blocks.length > 0) message.blocks = blocks;
  if (blocks !== undefined && blocks.length === 0) delete message.blocks;
  if (metadata !== undefined) message.metadata = metadata;
  workspace.markEdited(message);

  const apiMessage = toApiMessage(workspace, message, { withMetadata: true });
  return {
    ok: true,
    channel: channel.id,
    ts: message.ts,
    text: message.text ?? '',
    message: apiMessage,
  };
}

function postEphemeral(args: Args, workspace: Workspace): ApiBody {
  const channel = requireChannel(workspace, args.channel, 'write');
  const user = stringArg(args.user);
  if (user === undefined || !workspace.users.has(user)) throw new ApiFailure('user_not_in_channel');
  const { text, blocks } = readContent(args, { required: true });

  workspace.ephemerals.push({
    channel: channel.id,
    user,
    ...(text !== undefined && { text }),
    ...(blocks !== undefined && blocks.length > 0 && { blocks }),
  });

  return { ok: true, message_ts: workspace.nextTs() };
}

function joinConversation(args: Args, workspace: Workspace): ApiBody {
  const channel = workspace.findChannel(stringArg(args.channel));
  if (channel === undefined) throw new ApiFailure('channel_not_found');
  if (channel.isPrivate) throw new ApiFailure('method_not_supported_for_channel_type');
  if (channel.isArchived) throw new ApiFailure('is_archived');

  const wasMember = channel.isMember === true;
  channel.isMember = true;

  const warning = {
    warning: 'already_in_channel',
    response_metadata: { warnings: ['already_in_channel'] },
  };
  return { ok: true, channel: toApiChannel(channel), ...(wasMember && warning) };
}

function conversationInfo(args: Args, workspace: Workspace): ApiBody {
  const channel = requireChannel(workspace, args.channel, 'see');

  return { ok: true, channel: toApiChannel(channel) };
}

function conversationHistory(args: Args, workspace: Workspace): ApiBody {
  const channel = requireChannel(workspace, args.channel, 'read');
  const limit = clamp(intArg(args.limit) ?? HISTORY_DEFAULT_LIMIT, 1, HISTORY_MAX_LIMIT);
  const window = readTimeWindow(args);
  const start = args.cursor ? decodeCursor(String(args.cursor)) : Number.POSITIVE_INFINITY;

  const candidates = workspace
    .messages(channel.id)
    .filter((message) => isTopLevel(message))
    .filter((message) => window(tsToMicros(message.ts)!) && tsToMicros(message.ts)! <= start)
    .reverse();
  const page = candidates.slice(0, limit);
  const next = candidates[limit];

  const withMetadata = boolArg(args.include_all_metadata);
  return {
    ok: true,
    messages: page.map((message) => toApiMessage(workspace, message, { withMetadata })),
    has_more: next !== undefined,
    pin_count: 0,
    response_metadata: { next_cursor: next ? encodeCursor(next.ts) : '' },
  };
}

function userInfo(args: Args, workspace: Workspace): ApiBody {
  const id = stringArg(args.user);
  const { botUserId, botId, teamId } = workspace.identity;
  if (id === botUserId) {
    const profile = { real_name: 'Firebreak', display_name: 'firebreak', bot_id: botId };
    const bot = { id, team_id: teamId, name: 'firebreak', real_name: 'Firebreak', profile };
    return { ok: true, user: { ...bot, deleted: false, is_bot: true } };
  }
  const user = id === undefined ? undefined : workspace.users.get(id);
  if (user === undefined) throw new ApiFailure('user_not_found');

  const realName = user.realName ?? user.name;
  const profile = {
    real_name: realName,
    display_name: user.name,
    ...(user.email !== undefined && { email: user.email }),
  };
  return {
    ok: true,
    user: {
      id,
      team_id: teamId,
      name: user.name,
      real_name: realName,
      deleted: false,
      is_bot: false,
      profile,
    },
  };
}

/**
 * Resolves the `channel` argument and applies Slack's visibility rules:
 * unknown, or private without the bot → channel_not_found; 'read'/'write' need membership
 * (not_in_channel); 'write' also refuses archived channels (is_archived).
 */
function requireChannel(
  workspace: Workspace,
  ref: unknown,
  need: 'see' | 'read' | 'write',
): StandInChannel {
  const channel = workspace.findChannel(stringArg(ref));
  if (channel === undefined) throw new ApiFailure('channel_not_found');
  if (channel.isPrivate && !channel.isMember) throw new ApiFailure('channel_not_found');
  if (need === 'see') return channel;

  if (need === 'write' && channel.isArchived) throw new ApiFailure('is_archived');
  if (!channel.isMember) throw new ApiFailure('not_in_channel');
  return channel;
}

function readContent(
  args: Args,
  options: { required: boolean },
): { text: string | undefined; blocks: unknown[] | undefined } {
  const text = stringArg(args.text);
  const verdict = checkMessageBlocks(args.blocks);
  if (!verdict.ok && verdict.error === 'invalid_blocks_format') throw new ApiFailure(verdict.error);
  const blocks = args.blocks as unknown[] | undefined;

  const hasContent = Boolean(text) || (blocks?.length ?? 0) > 0 || args.attachments !== undefined;
  if (options.required && !hasContent) throw new ApiFailure('no_text');
  if (text !== undefined && text.length > MAX_MESSAGE_TEXT) throw new ApiFailure('msg_too_long');
  if (!verdict.ok && verdict.error === 'invalid_blocks') {
    throw new ApiFailure('invalid_blocks', { response_metadata: { messages: verdict.messages } });
  }
  if (!verdict.ok) throw new ApiFailure(verdict.error);

  return { text, blocks };
}

/** Message metadata: `{ event_type: string, event_payload: object }` (docs: metadata). */
function readMetadata(value: unknown): unknown {
  if (value === undefined || value === '') return undefined;

  const metadata = value as { event_type?: unknown; event_payload?: unknown };
  const payloadIsObject =
    typeof metadata.event_payload === 'object' && metadata.event_payload !== null;
  if (typeof metadata.event_type !== 'string' || metadata.event_type === '' || !payloadIsObject) {
    throw new ApiFailure('invalid_metadata_format');
  }
  return value;
}

function readTimeWindow(args: Args): (micros: number) => boolean {
  const oldest = args.oldest === undefined ? 0 : tsToMicros(String(args.oldest));
  if (oldest === undefined) throw new ApiFailure('invalid_ts_oldest');
  const latest =
    args.latest === undefined ? Number.POSITIVE_INFINITY : tsToMicros(String(args.latest));
  if (latest === undefined) throw new ApiFailure('invalid_ts_latest');

  // Bounds are exclusive unless `inclusive` is set (docs: conversations.history).
  if (boolArg(args.inclusive)) return (micros) => micros >= oldest && micros <= latest;
  return (micros) => micros > oldest && micros < latest;
}

function toApiMessage(
  workspace: Workspace,
  message: StandInMessage,
  options: { withMetadata: boolean },
): ApiBody {
  const api: ApiBody = {
    type: 'message',
    user: message.user,
    bot_id: message.botId,
    text: message.text ?? '',
    ts: message.ts,
    team: workspace.identity.teamId,
  };
  if (message.blocks) api.blocks = message.blocks;
  if (options.withMetadata && message.metadata !== undefined) api.metadata = message.metadata;

  const editTs = workspace.lastEditTs(message);
  if (editTs !== undefined) api.edited = { user: message.user, ts: editTs };

  if (message.threadTs !== undefined) return { ...api, thread_ts: message.threadTs };
  const replies = workspace.replies(message.channel, message.ts);
  if (replies.length === 0) return api;
  const replyUsers = [...new Set(replies.map((reply) => reply.user))];
  return {
    ...api,
    thread_ts: message.ts,
    reply_count: replies.length,
    reply_users: replyUsers,
    reply_users_count: replyUsers.length,
    latest_reply: replies.at(-1)!.ts,
  };
}

function toApiChannel(channel: StandInChannel): ApiBody {
  return {
    id: channel.id,
    name: channel.name,
    name_normalized: channel.name,
    is_channel: !channel.isPrivate,
    is_group: false,
    is_im: false,
    is_private: channel.isPrivate === true,
    is_member: channel.isMember === true,
    is_archived: channel.isArchived === true,
  };
}

function isTopLevel(message: StandInMessage | undefined): boolean {
  return message !== undefined && message.threadTs === undefined;
}

/** Cursors look like Slack's: base64 of "next_ts:<ts>". */
function encodeCursor(ts: string): string {
  return Buffer.from(`next_ts:${ts}`).toString('base64');
}

function decodeCursor(cursor: string): number {
  const decoded = Buffer.from(cursor, 'base64').toString('utf8');
  const micros = decoded.startsWith('next_ts:') ? tsToMicros(decoded.slice(8)) : undefined;
  if (micros === undefined) throw new ApiFailure('invalid_cursor');
  return micros;
}

// Form bodies carry every value as a string; JSON bodies carry real types. Accept both.

function stringArg(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function intArg(value: unknown): number | undefined {
  const parsed = Number.parseInt(String(value), 10);
  return Number.isFinite(parsed) && parsed > 0 ? parsed : undefined;
}

function boolArg(value: unknown): boolean {
  return value === true || value === 1 || value === 'true' || value === '1';
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}
