/**
 * Stand-in state as Slack's API objects show it: messages and channels, which several method
 * families answer with (docs.slack.dev/reference/objects/message-object, conversation-object).
 */
import type { ApiBody } from './web-api-args.ts';
import type { ChannelState, Workspace } from './workspace.ts';
import type { StandInMessage } from './slack-stand-in.ts';

export function toApiMessage(
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
  if (message.files) api.files = message.files.map((file) => ({ ...file }));
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

export function toApiChannel(channel: ChannelState): ApiBody {
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
export function memberIds(workspace: Workspace, channel: ChannelState): string[] {
  const bot = channel.isMember ? [workspace.identity.botUserId] : [];
  return [...bot, ...channel.members];
}
