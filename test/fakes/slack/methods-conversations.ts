/**
 * conversations.* methods: creating, joining, listing, reading and changing channels
 * (wire-formats.md §3.7; docs.slack.dev/reference/methods/conversations.<method>).
 */
import {
  ApiFailure,
  boolArg,
  clamp,
  cursorPage,
  encodeCursor,
  historyCursor,
  intArg,
  isTopLevel,
  isVisible,
  nowSeconds,
  requireChannel,
  stringArg,
  type ApiBody,
  type Args,
  type Handler,
} from './web-api-args.ts';
import { memberIds, toApiChannel, toApiMessage } from './web-api-shapes.ts';
import { tsToMicros, type ChannelState, type Workspace } from './workspace.ts';

export const CONVERSATIONS_METHODS: Record<string, Handler> = {
  'conversations.create': createConversation,
  'conversations.join': joinConversation,
  'conversations.invite': inviteToConversation,
  'conversations.info': conversationInfo,
  'conversations.list': listConversations,
  'conversations.history': conversationHistory,
  'conversations.members': conversationMembers,
  'conversations.setTopic': setConversationTopic,
  'conversations.archive': archiveConversation,
  'conversations.unarchive': unarchiveConversation,
};

/** conversations.history, .members and .list: `limit` defaults to 100, at most 1000 (docs). */
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

/** Channel names are at most 80 characters (docs: conversations.create). */
const MAX_CHANNEL_NAME = 80;

/** conversations.invite takes up to 1000 comma-separated user IDs (docs: conversations.invite). */
const MAX_INVITEES = 1000;

/** Topics longer than 250 characters are refused as too_long (docs: conversations.setTopic). */
const MAX_TOPIC = 250;

/** conversations.list `types`; the stand-in has no DMs, so mpim and im list nothing. */
const CONVERSATION_TYPES = ['public_channel', 'private_channel', 'mpim', 'im'];

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

/**
 * Channels in the order they were added or created, paged with a cursor. `types` is a comma
 * list (default public_channel); private channels appear only when the bot is in them;
 * `exclude_archived` leaves archived ones out (docs: conversations.list).
 */
function listConversations(args: Args, workspace: Workspace): ApiBody {
  const types = (stringArg(args.types) || 'public_channel').split(',').map((type) => type.trim());
  if (types.some((type) => !CONVERSATION_TYPES.includes(type))) {
    throw new ApiFailure('invalid_types');
  }
  const limit = clamp(intArg(args.limit) ?? DEFAULT_LIMIT, 1, MAX_LIMIT);
  const excludeArchived = boolArg(args.exclude_archived);

  const wanted = (channel: ChannelState) =>
    types.includes(channel.isPrivate ? 'private_channel' : 'public_channel') &&
    isVisible(channel) &&
    !(excludeArchived && channel.isArchived);
  const listed = [...workspace.channels.values()].filter(wanted);
  const { page, nextCursor } = cursorPage(listed, {
    cursor: args.cursor,
    kind: 'team',
    limit,
    id: (channel) => channel.id,
  });

  const channels = page.map((channel) => ({
    ...toApiChannel(channel),
    num_members: memberIds(workspace, channel).length,
  }));
  return { ok: true, channels, response_metadata: { next_cursor: nextCursor } };
}

function conversationHistory(args: Args, workspace: Workspace): ApiBody {
  const channel = requireChannel(workspace, args.channel, 'read');
  const limit = clamp(intArg(args.limit) ?? DEFAULT_LIMIT, 1, MAX_LIMIT);
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

/** Member IDs, the bot first when it is in, paged with a cursor (docs: conversations.members). */
function conversationMembers(args: Args, workspace: Workspace): ApiBody {
  const channel = requireChannel(workspace, args.channel, 'see');
  const limit = clamp(intArg(args.limit) ?? DEFAULT_LIMIT, 1, MAX_LIMIT);
  const { page, nextCursor } = cursorPage(memberIds(workspace, channel), {
    cursor: args.cursor,
    kind: 'user',
    limit,
    id: (member) => member,
  });

  return { ok: true, members: page, response_metadata: { next_cursor: nextCursor } };
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
