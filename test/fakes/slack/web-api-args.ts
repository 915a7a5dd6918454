/**
 * What every Web API method of the stand-in shares: the handler signature, the ok:false
 * failure it throws, argument readers, Slack's channel visibility rules and cursors.
 */
import { tsToMicros, type ChannelState, type Workspace } from './workspace.ts';
import type { StandInMessage } from './slack-stand-in.ts';

export type Args = Record<string, unknown>;
export type ApiBody = Record<string, unknown>;
export type Handler = (args: Args, workspace: Workspace) => ApiBody;

/** Thrown by a handler to answer `{ ok: false, error, ...extra }`. */
export class ApiFailure extends Error {
  constructor(
    readonly error: string,
    readonly extra: ApiBody = {},
  ) {
    super(error);
  }
}

/** invalid_arguments with Slack's `response_metadata.messages` explaining why. */
export function invalidArguments(message: string): ApiFailure {
  return new ApiFailure('invalid_arguments', { response_metadata: { messages: [message] } });
}

/**
 * Resolves the `channel` argument and applies Slack's visibility rules:
 * unknown, or private without the bot → channel_not_found; 'read'/'write' need membership
 * (not_in_channel); 'write' also refuses archived channels (is_archived).
 */
export function requireChannel(
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

/** Whether the bot can see a channel at all: public ones, and private ones it is in. */
export function isVisible(channel: ChannelState): boolean {
  return !channel.isPrivate || channel.isMember === true;
}

export function isTopLevel(message: StandInMessage | undefined): boolean {
  return message !== undefined && message.threadTs === undefined;
}

/**
 * Cursors look like Slack's: base64 of "next_ts:<ts>" (history), "user:<id>" (members) or
 * "team:<channel id>" (conversations.list).
 */
export type CursorKind = 'next_ts' | 'user' | 'team';

export function encodeCursor(kind: CursorKind, value: string): string {
  return Buffer.from(`${kind}:${value}`).toString('base64');
}

export function decodeCursor(cursor: string, kind: CursorKind): string {
  const decoded = Buffer.from(cursor, 'base64').toString('utf8');
  if (!decoded.startsWith(`${kind}:`)) throw new ApiFailure('invalid_cursor');
  return decoded.slice(kind.length + 1);
}

/** The next page of `items` after the cursor (`id` names each item in cursors), `limit` long. */
export function cursorPage<T>(
  items: T[],
  options: { cursor: unknown; kind: CursorKind; limit: number; id: (item: T) => string },
): { page: T[]; nextCursor: string } {
  const { cursor, kind, limit, id } = options;
  const start = cursor
    ? items.findIndex((item) => id(item) === decodeCursor(String(cursor), kind))
    : 0;
  if (start < 0) throw new ApiFailure('invalid_cursor');

  const next = items[start + limit];
  return {
    page: items.slice(start, start + limit),
    nextCursor: next === undefined ? '' : encodeCursor(kind, id(next)),
  };
}

export function historyCursor(cursor: string): number {
  const micros = tsToMicros(decodeCursor(cursor, 'next_ts'));
  if (micros === undefined) throw new ApiFailure('invalid_cursor');
  return micros;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

// Form bodies carry every value as a string; JSON bodies carry real types. Accept both.

export function stringArg(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

export function intArg(value: unknown): number | undefined {
  const parsed = Number.parseInt(String(value), 10);
  return Number.isFinite(parsed) && parsed > 0 ? parsed : undefined;
}

export function boolArg(value: unknown): boolean {
  return value === true || value === 1 || value === 'true' || value === '1';
}

export function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}
