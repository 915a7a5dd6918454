/**
 * chat.* methods: posting, updating and linking messages, and ephemerals
 * (wire-formats.md §3.7; docs.slack.dev/reference/methods/chat.<method>).
 */
import { checkMessageBlocks } from './block-kit-rules.ts';
import {
  ApiFailure,
  isTopLevel,
  requireChannel,
  stringArg,
  type ApiBody,
  type Args,
  type Handler,
} from './web-api-args.ts';
import { toApiMessage } from './web-api-shapes.ts';
import type { Workspace } from './workspace.ts';

export const CHAT_METHODS: Record<string, Handler> = {
  'chat.postMessage': postMessage,
  'chat.update': updateMessage,
  'chat.postEphemeral': postEphemeral,
  'chat.getPermalink': getPermalink,
};

/** chat.postMessage `text` above this is refused (Slack documents truncation; we refuse loudly). */
export const MAX_MESSAGE_TEXT = 40_000;

/** Permalinks use the reserved .invalid TLD, so a click or fetch can never leave the machine. */
const PERMALINK_BASE = 'https://sandbox.slack.invalid/archives';

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
