/**
 * Things kept alongside a channel's messages: pins and bookmarks
 * (wire-formats.md §3.7; docs.slack.dev/reference/methods/pins.add, bookmarks.add).
 */
import {
  ApiFailure,
  invalidArguments,
  nowSeconds,
  requireChannel,
  stringArg,
  type ApiBody,
  type Args,
  type Handler,
} from './web-api-args.ts';
import { tsToMicros, type ChannelState, type Workspace } from './workspace.ts';
import type { StandInBookmark } from './slack-stand-in.ts';

export const PINS_BOOKMARKS_METHODS: Record<string, Handler> = {
  'pins.add': addPin,
  'bookmarks.add': addBookmark,
};

/** A channel holds at most 100 bookmarks (docs: bookmarks.add, too_many_bookmarks). */
const MAX_BOOKMARKS = 100;

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
