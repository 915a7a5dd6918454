/**
 * The Slack Web API methods the stand-in implements, as pure functions of (args, workspace).
 * Argument names, error codes and response shapes follow wire-formats.md §3.7 and §3.9
 * (docs.slack.dev/reference/methods/<method>). API errors are HTTP 200 with ok:false.
 */
import { checkMessageBlocks, checkView } from './block-kit-rules.ts';
import { tsToMicros, type ChannelState, type Workspace } from './workspace.ts';
import type {
  StandInBookmark,
  StandInMessage,
  StandInUser,
  StandInView,
} from './slack-stand-in.ts';

export type Args = Record<string, unknown>;
export type ApiBody = Record<string, unknown>;
type Handler = (args: Args, workspace: Workspace) => ApiBody;

/** chat.postMessage `text` above this is refused (Slack documents truncation; we refuse loudly). */
export const MAX_MESSAGE_TEXT = 40_000;

const HISTORY_DEFAULT_LIMIT = 100;
const HISTORY_MAX_LIMIT = 1000;

/** conversations.members: `limit` defaults to 100, at most 1000 (docs: conversations.members). */
const MEMBERS_DEFAULT_LIMIT = 100;
const MEMBERS_MAX_LIMIT = 1000;

/** Channel names are at most 80 characters (docs: conversations.create). */
const MAX_CHANNEL_NAME = 80;

/** conversations.invite takes up to 1000 comma-separated user IDs (docs: conversations.invite). */
const MAX_INVITEES = 1000;

/** Topics longer than 250 characters are refused as too_long (docs: conversations.setTopic). */
const MAX_TOPIC = 250;

/** A channel holds at most 100 bookmarks (docs: bookmarks.add, too_many_bookmarks). */
const MAX_BOOKMARKS = 100;

/** The sandbox app's ID, as sign.ts puts it in payloads. */
const APP_ID = 'A0FIREBRK';

/** Permalinks use the reserved .invalid TLD, so a click or fetch can never leave the machine. */
const PERMALINK_BASE = 'https://sandbox.slack.invalid/archives';

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
  'chat.getPermalink': getPermalink,
  'conversations.create': createConversation,
  'conversations.join': joinConversation,
  'conversations.invite': inviteToConversation,
  'conversations.info': conversationInfo,
  'conversations.history': conversationHistory,
  'conversations.members': conversationMembers,
  'conversations.setTopic': setConversationTopic,
  'conversations.archive': archiveConversation,
  'conversations.unarchive': unarchiveConversation,
  'pins.add': addPin,
  'bookmarks.add': addBookmark,
  'users.info': userInfo,
  'users.lookupByEmail': lookupUserByEmail,
  'views.open': openView,
  'views.update': updateView,
  'views.publish': publishView,
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

/**
 * Links look like Slack's: /archives/<channel>/p<ts without the dot>, plus
 * `?thread_ts=<parent>&cid=<channel>` for a thread reply (docs: chat.getPermalink).
 */
function getPermalink(args: Args, workspace: Workspace): ApiBody {
  const channel = requireChannel(workspace, args.channel, 'see');
  const message = workspace.findMessage(channel.id, stringArg(args.message_ts));
  if (message === undefined) throw new ApiFailure('message_not_found');

  const link = `${PERMALINK_BASE}/${channel.id}/p${message.ts.replace('.', '')}`;
  const thread = message.threadTs && `?thread_ts=${message.threadTs}&cid=${channel.id}`;
  return { ok: true, channel: channel.id, permalink: link + (thread ?? '') };
}

/**
 * Names: 1–80 characters, only lowercase a–z, 0–9, '-' and '_' (no upper case, no other
 * letters), at least one letter or digit, unused by any channel, archived ones included
 * (docs: conversations.create). The bot becomes creator and member.
 */
function createConversation(args: Args, workspace: Workspace): ApiBody {
  const name = stringArg(args.name) ?? '';
  const problem = channelNameProblem(name);
  if (problem !== undefined) throw new ApiFailure(problem);
  const taken = [...workspace.channels.values()].some((channel) => channel.name === name);
  if (taken) throw new ApiFailure('name_taken');

  const channel = workspace.upsertChannel({
    id: workspace.newChannelId(),
    name,
    isPrivate: boolArg(args.is_private),
    isMember: true,
    created: nowSeconds(),
    creator: workspace.identity.botUserId,
  });
  return { ok: true, channel: toApiChannel(channel) };
}

function channelNameProblem(name: string): string | undefined {
  if (name === '') return 'invalid_name_required';
  if ([...name].length > MAX_CHANNEL_NAME) return 'invalid_name_maxlength';
  if (!/^[a-z0-9_-]+$/.test(name)) return 'invalid_name_specials';
  if (!/[a-z0-9]/.test(name)) return 'invalid_name_punctuation';
  return undefined;
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

/**
 * Adds people to a channel the bot is in. Every ID must be a known person other than the bot;
 * already_in_channel only when none of them is new, otherwise the newcomers are added
 * (docs: conversations.invite).
 */
function inviteToConversation(args: Args, workspace: Workspace): ApiBody {
  const channel = requireChannel(workspace, args.channel, 'write');
  const users = (stringArg(args.users) ?? '')
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '');
  if (users.length === 0) throw new ApiFailure('no_user');
  if (users.length > MAX_INVITEES) throw new ApiFailure('too_many_users');
  if (users.includes(workspace.identity.botUserId)) throw new ApiFailure('cant_invite_self');
  if (users.some((id) => !workspace.users.has(id))) throw new ApiFailure('user_not_found');

  const newcomers = users.filter((id) => !channel.members.has(id));
  if (newcomers.length === 0) throw new ApiFailure('already_in_channel');
  newcomers.forEach((id) => channel.members.add(id));
  return { ok: true, channel: toApiChannel(channel) };
}

/** Answers `num_members` (people plus the bot when it is in) whether or not it was asked. */
function conversationInfo(args: Args, workspace: Workspace): ApiBody {
  const channel = requireChannel(workspace, args.channel, 'see');

  const numMembers = memberIds(workspace, channel).length;
  return { ok: true, channel: { ...toApiChannel(channel), num_members: numMembers } };
}

function conversationHistory(args: Args, workspace: Workspace): ApiBody {
  const channel = requireChannel(workspace, args.channel, 'read');
  const limit = clamp(intArg(args.limit) ?? HISTORY_DEFAULT_LIMIT, 1, HISTORY_MAX_LIMIT);
  const window = readTimeWindow(args);
  const start = args.cursor ? historyCursor(String(args.cursor)) : Number.POSITIVE_INFINITY;

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
    pin_count: channel.pins.length,
    response_metadata: { next_cursor: next ? encodeCursor('next_ts', next.ts) : '' },
  };
}

/** Member IDs, the bot first when it is in, paged with a cursor (docs: conversations.members). */
function conversationMembers(args: Args, workspace: Workspace): ApiBody {
  const channel = requireChannel(workspace, args.channel, 'see');
  const limit = clamp(intArg(args.limit) ?? MEMBERS_DEFAULT_LIMIT, 1, MEMBERS_MAX_LIMIT);
  const everyone = memberIds(workspace, channel);
  const start = args.cursor ? everyone.indexOf(decodeCursor(String(args.cursor), 'user')) : 0;
  if (start < 0) throw new ApiFailure('invalid_cursor');

  const next = everyone[start + limit];
  return {
    ok: true,
    members: everyone.slice(start, start + limit),
    response_metadata: { next_cursor: next ? encodeCursor('user', next) : '' },
  };
}

/** Plain text of at most 250 characters; no message is posted (docs: conversations.setTopic). */
function setConversationTopic(args: Args, workspace: Workspace): ApiBody {
  const channel = requireChannel(workspace, args.channel, 'write');
  const topic = stringArg(args.topic) ?? '';
  if ([...topic].length > MAX_TOPIC) throw new ApiFailure('too_long');

  channel.topic = topic;
  channel.topicSetBy = workspace.identity.botUserId;
  channel.topicSetAt = nowSeconds();
  return { ok: true, channel: toApiChannel(channel) };
}

/** The bot must be in the channel to archive it (docs: conversations.archive). */
function archiveConversation(args: Args, workspace: Workspace): ApiBody {
  const channel = requireChannel(workspace, args.channel, 'see');
  if (channel.isArchived) throw new ApiFailure('already_archived');
  if (!channel.isMember) throw new ApiFailure('not_in_channel');

  channel.isArchived = true;
  return { ok: true };
}

/**
 * Many workspaces let only people unarchive: the bot token gets not_authorized unless the
 * stand-in was started with `botsMayUnarchive` (docs: conversations.unarchive).
 */
function unarchiveConversation(args: Args, workspace: Workspace): ApiBody {
  const channel = requireChannel(workspace, args.channel, 'see');
  if (!channel.isArchived) throw new ApiFailure('not_archived');
  if (!workspace.rules.botsMayUnarchive) throw new ApiFailure('not_authorized');

  channel.isArchived = false;
  return { ok: true };
}

/** Pins a message of a channel the bot is in, once (docs: pins.add). */
function addPin(args: Args, workspace: Workspace): ApiBody {
  const channel = requireChannel(workspace, args.channel, 'write');
  const ts = stringArg(args.timestamp);
  if (!ts) throw new ApiFailure('no_item_specified');
  if (tsToMicros(ts) === undefined) throw new ApiFailure('bad_timestamp');
  if (workspace.findMessage(channel.id, ts) === undefined) {
    throw new ApiFailure('message_not_found');
  }
  if (channel.pins.includes(ts)) throw new ApiFailure('already_pinned');

  channel.pins.push(ts);
  return { ok: true };
}

/**
 * Only `type: link` bookmarks, whose link starts with http:// or https://, at most 100 per
 * channel; `emoji` is a `:name:` code (docs: bookmarks.add).
 */
function addBookmark(args: Args, workspace: Workspace): ApiBody {
  const channel = requireChannel(workspace, args.channel_id, 'see');
  const title = stringArg(args.title);
  if (!title) throw invalidArguments('[ERROR] missing required field: title');
  if (stringArg(args.type) !== 'link') throw new ApiFailure('invalid_bookmark_type');
  const link = stringArg(args.link) ?? '';
  if (!/^https?:\/\//i.test(link)) throw new ApiFailure('invalid_link');
  const emoji = stringArg(args.emoji) || undefined;
  if (emoji !== undefined && !/^:[^:\s]+:$/.test(emoji)) throw new ApiFailure('invalid_emoji');
  if (channel.bookmarks.length >= MAX_BOOKMARKS) throw new ApiFailure('too_many_bookmarks');

  const bookmark: StandInBookmark = {
    id: workspace.nextId('Bk', 10),
    title,
    link,
    type: 'link',
    ...(emoji !== undefined && { emoji }),
    dateCreated: nowSeconds(),
  };
  channel.bookmarks.push(bookmark);
  return { ok: true, bookmark: toApiBookmark(channel, bookmark) };
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

  return { ok: true, user: toApiUser(workspace, user) };
}

/** Case-insensitive match on the profile email (docs: users.lookupByEmail). */
function lookupUserByEmail(args: Args, workspace: Workspace): ApiBody {
  const email = stringArg(args.email)?.toLowerCase() ?? '';
  const sameEmail = (user: StandInUser) => user.email?.toLowerCase() === email;
  const user = email === '' ? undefined : [...workspace.users.values()].find(sameEmail);
  if (user === undefined) throw new ApiFailure('users_not_found');

  return { ok: true, user: toApiUser(workspace, user) };
}

/**
 * A trigger_id opens one modal, within ~3 s of being issued (wire-formats.md §3.5): never
 * issued → invalid_trigger_id, used → exchanged_trigger_id, too old → expired_trigger_id.
 * The trigger is spent only when the view is accepted.
 */
function openView(args: Args, workspace: Workspace): ApiBody {
  const trigger = workspace.findTrigger(stringArg(args.trigger_id));
  if (trigger === undefined) throw new ApiFailure('invalid_trigger_id');
  if (trigger.used) throw new ApiFailure('exchanged_trigger_id');
  if (Date.now() - trigger.issuedAt > workspace.rules.triggerTtlMs) {
    throw new ApiFailure('expired_trigger_id');
  }
  const view = readView(args.view, 'modal');

  trigger.used = true;
  const stored = workspace.addView({ type: 'modal', user: trigger.user, view });
  return { ok: true, view: toApiView(workspace, stored) };
}

/** Replaces an open view; a `hash` that is not the current one is a hash_conflict (docs). */
function updateView(args: Args, workspace: Workspace): ApiBody {
  const stored = workspace.findView(stringArg(args.view_id));
  if (stored === undefined) throw new ApiFailure('not_found');
  const hash = stringArg(args.hash);
  if (hash && hash !== stored.hash) throw new ApiFailure('hash_conflict');
  const view = readView(args.view, stored.type);

  workspace.replaceView(stored, view);
  return { ok: true, view: toApiView(workspace, stored) };
}

/** Sets a person's Home tab: `type: home`, at most 100 blocks (docs: views.publish). */
function publishView(args: Args, workspace: Workspace): ApiBody {
  const user = stringArg(args.user_id);
  if (user === undefined || !workspace.users.has(user)) throw new ApiFailure('user_not_found');
  const existing = workspace.homeView(user);
  const hash = stringArg(args.hash);
  if (hash && existing !== undefined && hash !== existing.hash) {
    throw new ApiFailure('hash_conflict');
  }
  const view = readView(args.view, 'home');

  const stored = existing
    ? workspace.replaceView(existing, view)
    : workspace.addView({ type: 'home', user, view });
  return { ok: true, view: toApiView(workspace, stored) };
}

/** The view JSON, or invalid_arguments naming the first problem, or view_too_large. */
function readView(value: unknown, surface: 'modal' | 'home'): Record<string, unknown> {
  const verdict = checkView(value, surface);
  if (!verdict.ok && verdict.error === 'view_too_large') throw new ApiFailure(verdict.error);
  if (!verdict.ok) {
    throw new ApiFailure(verdict.error, { response_metadata: { messages: verdict.messages } });
  }

  return value as Record<string, unknown>;
}

function invalidArguments(message: string): ApiFailure {
  return new ApiFailure('invalid_arguments', { response_metadata: { messages: [message] } });
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
): ChannelState {
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

function toApiChannel(channel: ChannelState): ApiBody {
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
    ...(channel.created !== undefined && { created: channel.created }),
    ...(channel.creator !== undefined && { creator: channel.creator }),
    topic: {
      value: channel.topic ?? '',
      creator: channel.topicSetBy ?? '',
      last_set: channel.topicSetAt ?? 0,
    },
  };
}

/** People in the channel, with the bot first when it is in. */
function memberIds(workspace: Workspace, channel: ChannelState): string[] {
  const bot = channel.isMember ? [workspace.identity.botUserId] : [];
  return [...bot, ...channel.members];
}

function toApiBookmark(channel: ChannelState, bookmark: StandInBookmark): ApiBody {
  return {
    id: bookmark.id,
    channel_id: channel.id,
    title: bookmark.title,
    link: bookmark.link,
    emoji: bookmark.emoji ?? null,
    icon_url: null,
    type: bookmark.type,
    entity_id: null,
    date_created: bookmark.dateCreated,
    date_updated: 0,
  };
}

function toApiUser(workspace: Workspace, user: StandInUser): ApiBody {
  const realName = user.realName ?? user.name;
  const profile = {
    real_name: realName,
    display_name: user.name,
    ...(user.email !== undefined && { email: user.email }),
  };
  return {
    id: user.id,
    team_id: workspace.identity.teamId,
    name: user.name,
    real_name: realName,
    deleted: false,
    is_bot: false,
    profile,
  };
}

/** A view as views.open / update / publish answer it: what was sent plus Slack's own fields. */
function toApiView(workspace: Workspace, stored: StandInView): ApiBody {
  const { teamId, botId } = workspace.identity;
  return {
    callback_id: '',
    private_metadata: '',
    external_id: '',
    clear_on_close: false,
    notify_on_close: false,
    ...stored.view,
    id: stored.id,
    team_id: teamId,
    type: stored.type,
    state: { values: {} },
    hash: stored.hash,
    previous_view_id: null,
    root_view_id: stored.id,
    app_id: APP_ID,
    bot_id: botId,
  };
}

function isTopLevel(message: StandInMessage | undefined): boolean {
  return message !== undefined && message.threadTs === undefined;
}

/** Cursors look like Slack's: base64 of "next_ts:<ts>" (history) or "user:<id>" (members). */
function encodeCursor(kind: 'next_ts' | 'user', value: string): string {
  return Buffer.from(`${kind}:${value}`).toString('base64');
}

function decodeCursor(cursor: string, kind: 'next_ts' | 'user'): string {
  const decoded = Buffer.from(cursor, 'base64').toString('utf8');
  if (!decoded.startsWith(`${kind}:`)) throw new ApiFailure('invalid_cursor');
  return decoded.slice(kind.length + 1);
}

function historyCursor(cursor: string): number {
  const micros = tsToMicros(decodeCursor(cursor, 'next_ts'));
  if (micros === undefined) throw new ApiFailure('invalid_cursor');
  return micros;
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
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
