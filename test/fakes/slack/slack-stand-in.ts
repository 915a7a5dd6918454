/**
 * A local HTTP stand-in of the Slack Web API, for integration tests and the no-token sandbox mode.
 *
 * Speaks the wire format of wire-formats.md §3.7–3.9: `POST /api/<method>` with a Bearer token
 * and a form-encoded or JSON body; API errors are HTTP 200 `{ ok: false, error }`, throttling is
 * HTTP 429 with `Retry-After`. Also takes file bytes at `POST /upload/<file_id>`, the URL
 * files.getUploadURLExternal hands out. Listens on 127.0.0.1 only and never contacts anything.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse as parseYaml } from 'yaml';

import { callMethod, isKnownMethod, type Args } from './web-api-methods.ts';
import { failureReply, json, parseArgs, readBody, readBytes } from './web-api-wire.ts';
import { send, sendPlain, uploadContent, type Reply } from './web-api-wire.ts';
import { Workspace, type ChannelState, type UploadState } from './workspace.ts';

export interface StandInChannel {
  id: string;
  name: string;
  isPrivate?: boolean;
  /** Whether the bot is in the channel. */
  isMember?: boolean;
  isArchived?: boolean;
  /** User IDs of the people in the channel; the bot's ID here counts as `isMember: true`. */
  members?: string[];
  topic?: string;
  /** Unix seconds. */
  created?: number;
  /** User ID of whoever created the channel. */
  creator?: string;
}

/** A channel as tests read it back: a copy, with members (people, not the bot) as an array. */
export interface StandInChannelState {
  id: string;
  name: string;
  isPrivate: boolean;
  isMember: boolean;
  isArchived: boolean;
  members: string[];
  topic?: string;
  /** ts of pinned messages, in pin order. */
  pins: string[];
  bookmarks: StandInBookmark[];
  created?: number;
  creator?: string;
}

export interface StandInBookmark {
  /** 'Bk' + 10 digits. */
  id: string;
  title: string;
  link: string;
  type: 'link';
  emoji?: string;
  /** Unix seconds. */
  dateCreated: number;
}

/** A modal opened with views.open (then maybe views.update), or a Home tab from views.publish. */
export interface StandInView {
  /** 'V0' + 9 digits. */
  id: string;
  type: 'modal' | 'home';
  /** Who sees it: `user_id` for a Home tab; for a modal, the user its trigger_id was issued for. */
  user?: string;
  /** The view JSON as the bot last sent it, parsed. */
  view: Record<string, unknown>;
  /** Changes with each update, as Slack's does; views.update and views.publish may send it. */
  hash: string;
  /** Epoch milliseconds when it was opened or first published. */
  openedAt: number;
  /** Epoch milliseconds of the last views.update or re-publish. */
  updatedAt?: number;
}

export interface StandInUser {
  id: string;
  name: string;
  realName?: string;
  email?: string;
}

export interface SlackStandInOptions {
  /** The only accepted bot token. Default 'xoxb-sandbox-token'. */
  token?: string;
  /** Default 'U0FIREBRK'. */
  botUserId?: string;
  /** Default 'B0FIREBRK'. */
  botId?: string;
  /** Default 'T0SANDBOX'. */
  teamId?: string;
  /** Default: one public channel #alerts (C0ALERTS01) the bot is a member of. */
  channels?: StandInChannel[];
  /** Default: sandbox users pat (U0PAT0001), sam (U0SAM0001) and alex (U0ALEX001). */
  users?: StandInUser[];
  /** If set, chat.postMessage past this many accepted posts per channel per rolling second: 429. */
  postsPerSecondPerChannel?: number;
  /** Retry-After (seconds) sent with those automatic 429s. Default 1. */
  rateLimitRetryAfterSeconds?: number;
  /** Default 0 (ephemeral). The server always binds 127.0.0.1. */
  port?: number;
  /** Called after each handled call (the sandbox logs them). Never sees the token. */
  onCall?: (call: RecordedCall) => void;
  /** Keep only the latest this many calls (the sandbox runs for days); default: all (tests). */
  keepCalls?: number;
  /** How long a trigger_id from issueTriggerId can open a modal, ms. Default 3000, Slack's 3 s. */
  triggerTtlMs?: number;
  /** Whether conversations.unarchive accepts the bot token (else not_authorized). Default false. */
  botsMayUnarchive?: boolean;
  /**
   * Start of the IDs conversations.create gives ('C0NEW' → C0NEW00001…). The sandbox makes it
   * unique per start, so channels made before a restart never share an ID with new ones.
   */
  channelIdPrefix?: string;
  /**
   * Scopes granted to the token, sent as `x-oauth-scopes` with every authenticated answer, as
   * Slack does. Default: the bot scopes manifest.yml asks for. (Not enforced: a method never
   * answers missing_scope unless failNext says so.)
   */
  scopes?: string[];
}

export interface RecordedCall {
  method: string;
  /** Parsed arguments, JSON-encoded ones (blocks, metadata…) decoded, `token` removed. */
  args: Record<string, unknown>;
  status: number;
  /** The JSON body sent; for a plain-text 5xx, `{ body: '<text>' }`. */
  response: Record<string, unknown>;
  /** Epoch milliseconds when the call was handled. */
  at: number;
}

export interface StandInMessage {
  channel: string;
  ts: string;
  threadTs?: string;
  text?: string;
  blocks?: unknown[];
  metadata?: unknown;
  /** Files shared with the message by files.completeUploadExternal. */
  files?: { id: string; name: string; title: string }[];
  user: string;
  botId?: string;
  /** How many times chat.update changed the message. */
  edited: number;
}

/** A file announced with files.getUploadURLExternal, as tests read it back. */
export interface StandInFile {
  /** 'F0' + 9 digits. */
  id: string;
  filename: string;
  /** Set when files.completeUploadExternal finished the file (the filename unless given). */
  title?: string;
  /** The bytes POSTed to the upload URL, decoded as UTF-8; '' while nothing was uploaded. */
  content: string;
  /** Whether files.completeUploadExternal finished it. */
  completed: boolean;
  /** Where files.completeUploadExternal shared it (`channel_id`, `thread_ts`). */
  channel?: string;
  threadTs?: string;
  altTxt?: string;
  snippetType?: string;
}

export interface StandInEphemeral {
  channel: string;
  user: string;
  text?: string;
  blocks?: unknown[];
}

export interface Failure {
  /** Error code in the body. Default 'ratelimited' for 429, else 'internal_error'. */
  error?: string;
  /** 429: rate limited; ≥ 500: plain-text body; any other: that status with JSON. Default 200. */
  status?: number;
  /** Retry-After seconds for a 429; null sends no header. Default 1. */
  retryAfter?: number | null;
  /** How many consecutive calls fail. Default 1. */
  times?: number;
  /** Merged into the JSON body, e.g. `{ response_metadata: { messages: [...] } }`. */
  body?: Record<string, unknown>;
  /** Only calls whose arguments match fail (say, thread replies); others pass untouched. */
  when?: (args: Record<string, unknown>) => boolean;
}

const DEFAULT_CHANNELS: StandInChannel[] = [{ id: 'C0ALERTS01', name: 'alerts', isMember: true }];
const DEFAULT_USERS: StandInUser[] = [
  { id: 'U0PAT0001', name: 'pat', realName: 'Pat Example', email: 'pat@example.com' },
  { id: 'U0SAM0001', name: 'sam', realName: 'Sam Example', email: 'sam@example.com' },
  { id: 'U0ALEX001', name: 'alex', realName: 'Alex Example', email: 'alex@example.com' },
];

const RATE_WINDOW_MS = 1000;

export class SlackStandIn {
  readonly calls: RecordedCall[] = [];
  private readonly failures = new Map<string, Required<Failure>[]>();
  private readonly latencies = new Map<string, number>();
  private readonly responseDelays = new Map<string, number>();
  private readonly postTimes = new Map<string, number[]>();
  private readonly closing = new AbortController();
  private grantedScopes: string[];

  private constructor(
    readonly url: string,
    private readonly server: Server,
    private readonly workspace: Workspace,
    private readonly options: SlackStandInOptions,
  ) {
    this.grantedScopes = [...(options.scopes ?? manifestScopes())];
  }

  static async start(options: SlackStandInOptions = {}): Promise<SlackStandIn> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;

    const workspace = new Workspace(
      {
        token: options.token ?? 'xoxb-sandbox-token',
        botUserId: options.botUserId ?? 'U0FIREBRK',
        botId: options.botId ?? 'B0FIREBRK',
        teamId: options.teamId ?? 'T0SANDBOX',
      },
      options.channels ?? DEFAULT_CHANNELS,
      options.users ?? DEFAULT_USERS,
      {
        triggerTtlMs: options.triggerTtlMs ?? 3000,
        botsMayUnarchive: options.botsMayUnarchive ?? false,
        channelIdPrefix: options.channelIdPrefix ?? 'C0NEW',
      },
      `http://127.0.0.1:${port}/upload/`,
    );
    const standIn = new SlackStandIn(`http://127.0.0.1:${port}/api/`, server, workspace, options);
    server.on('request', (req, res) => void standIn.handle(req, res));
    return standIn;
  }

  get ephemerals(): StandInEphemeral[] {
    return this.workspace.ephemerals;
  }

  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /** All messages of a channel (id or name), top-level and replies, in post order; copies. */
  messages(channel: string): StandInMessage[] {
    const id = this.workspace.findChannel(channel)?.id ?? channel;
    return structuredClone(this.workspace.messages(id));
  }

  topLevelMessages(channel: string): StandInMessage[] {
    return this.messages(channel).filter((message) => message.threadTs === undefined);
  }

  /** Replies in a thread, without the parent message. */
  replies(channel: string, threadTs: string): StandInMessage[] {
    return this.messages(channel).filter((message) => message.threadTs === threadTs);
  }

  failNext(method: string, failure: Failure): void {
    const times = failure.times ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new Error(`failNext: bad times ${times}`);

    const status = failure.status ?? 200;
    const queued: Required<Failure> = {
      status,
      error: failure.error ?? (status === 429 ? 'ratelimited' : 'internal_error'),
      retryAfter: failure.retryAfter === undefined ? 1 : failure.retryAfter,
      times,
      body: failure.body ?? {},
      when: failure.when ?? (() => true),
    };
    this.failures.set(method, [...(this.failures.get(method) ?? []), queued]);
  }

  /** Grants the token these scopes from now on (sent in `x-oauth-scopes`). */
  setScopes(scopes: string[]): void {
    this.grantedScopes = [...scopes];
  }

  setLatency(method: string, ms: number): void {
    this.latencies.set(method, ms);
  }

  /** Delays the answer of that method AFTER it took effect: the caller may die before hearing it. */
  setResponseDelay(method: string, ms: number): void {
    this.responseDelays.set(method, ms);
  }

  /** Creates or replaces a user group (S…) with these members. */
  setUsergroup(id: string, members: string[]): void {
    this.workspace.usergroups.set(id, [...members]);
  }

  /** Adds a channel, or replaces the one with the same id. */
  addChannel(channel: StandInChannel): void {
    this.workspace.upsertChannel(channel);
  }

  setMember(channelId: string, isMember: boolean): void {
    const channel = this.workspace.channels.get(channelId);
    if (channel === undefined) throw new Error(`setMember: unknown channel ${channelId}`);
    channel.isMember = isMember;
  }

  /** A channel (id or name) as it stands now, or undefined if there is none; a copy. */
  channel(idOrName: string): StandInChannelState | undefined {
    const channel = this.workspace.findChannel(idOrName);
    return channel && toChannelState(channel);
  }

  /** Every channel, archived ones included, in the order they were added or created; copies. */
  channels(): StandInChannelState[] {
    return [...this.workspace.channels.values()].map(toChannelState);
  }

  /** The workspace's people, in the order given; copies. */
  users(): StandInUser[] {
    return [...this.workspace.users.values()].map((user) => ({ ...user }));
  }

  /** The bot's user ID and bot ID and the team, as auth.test reports them. */
  get identity(): { botUserId: string; botId: string; teamId: string } {
    const { botUserId, botId, teamId } = this.workspace.identity;
    return { botUserId, botId, teamId };
  }

  /** Archives a channel as a person would in the Slack client: no API call, no event sent. */
  archiveChannel(idOrName: string): void {
    this.channelOrThrow('archiveChannel', idOrName).isArchived = true;
  }

  /**
   * Adds a message written by a person (top-level, or a reply when `threadTs` is given) and
   * returns its ts. Only the stand-in changes: the test sends the matching event to the bot.
   */
  postUserMessage(
    channel: string,
    message: { user: string; text: string; threadTs?: string },
  ): string {
    const { id } = this.channelOrThrow('postUserMessage', channel);
    const { threadTs } = message;
    const parent = threadTs === undefined ? undefined : this.workspace.findMessage(id, threadTs);
    if (threadTs !== undefined && (parent === undefined || parent.threadTs !== undefined)) {
      throw new Error(`postUserMessage: no top-level message ${threadTs} in ${channel}`);
    }

    const added = this.workspace.addMessage({
      channel: id,
      ts: this.workspace.nextTs(),
      ...(threadTs !== undefined && { threadTs }),
      text: message.text,
      user: message.user,
      edited: 0,
    });
    return added.ts;
  }

  /** Changes a message's text as its author would (counts as an edit); stand-in state only. */
  editUserMessage(channel: string, ts: string, text: string): void {
    const { id } = this.channelOrThrow('editUserMessage', channel);
    const message = this.workspace.findMessage(id, ts);
    if (message === undefined) throw new Error(`editUserMessage: no message ${ts} in ${channel}`);

    message.text = text;
    this.workspace.markEdited(message);
  }

  /** Removes a message (not its replies) and its pin; stand-in state only. */
  deleteMessage(channel: string, ts: string): void {
    const { id } = this.channelOrThrow('deleteMessage', channel);
    if (!this.workspace.removeMessage(id, ts)) {
      throw new Error(`deleteMessage: no message ${ts} in ${channel}`);
    }
  }

  /**
   * A fresh trigger_id, as Slack puts in a slash command or interaction payload: it opens one
   * modal within `triggerTtlMs` (wire-formats.md §3.5). `userId` becomes the modal's user.
   */
  issueTriggerId(userId?: string): string {
    return this.workspace.issueTriggerId(userId);
  }

  /** Opened modals and published Home tabs, in the order first shown; copies. */
  views(): StandInView[] {
    return structuredClone(this.workspace.views);
  }

  /** The modal opened last, or the last one with that callback_id; a copy. */
  lastView(callbackId?: string): StandInView | undefined {
    return this.views()
      .filter((view) => view.type === 'modal')
      .filter((view) => callbackId === undefined || view.view.callback_id === callbackId)
      .at(-1);
  }

  /** The Home tab last published for that user; a copy. */
  homeView(userId: string): StandInView | undefined {
    const view = this.workspace.homeView(userId);
    return view && structuredClone(view);
  }

  /**
   * Files announced with files.getUploadURLExternal, in that order, finished or not, with what
   * was uploaded to their URLs; copies.
   */
  files(): StandInFile[] {
    return [...this.workspace.uploads.values()].map(toStandInFile);
  }

  /**
   * Clears calls, messages (and so pins), ephemerals, views, trigger ids, files, queued
   * failures, latencies and rate windows. Keeps channels (including added ones, membership
   * changes, topics and bookmarks) and users.
   */
  reset(): void {
    this.calls.length = 0;
    this.workspace.clearMessages();
    this.workspace.clearViews();
    this.workspace.clearUploads();
    this.failures.clear();
    this.latencies.clear();
    this.responseDelays.clear();
    this.postTimes.clear();
  }

  close(): Promise<void> {
    this.closing.abort(); // ends pending latency waits
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const fileId = /^\/upload\/(\w+)$/.exec(url.pathname)?.[1];
    if (fileId !== undefined) return this.receiveUpload(req, res, fileId);
    const method = /^\/api\/([\w.]+)$/.exec(url.pathname)?.[1];
    if (method === undefined) return sendPlain(res, 404);
    if (req.method !== 'POST') return sendPlain(res, 405);

    try {
      const raw = await readBody(req);
      if (raw === undefined) return sendPlain(res, 413);
      const { args, valid } = parseArgs(req.headers['content-type'], raw, url.searchParams);
      delete args.token; // WebClient copies a per-call token into the body; never keep it

      await sleep(this.latencies.get(method) ?? 0, undefined, { signal: this.closing.signal });
      const reply = this.safeReply(method, req.headers, args, valid);
      const delay = this.responseDelays.get(method) ?? 0;
      if (delay > 0) await sleep(delay, undefined, { signal: this.closing.signal });
      send(res, reply);
      this.record(method, args, reply);
    } catch {
      // the client went away mid-request, or we are closing; nothing to answer
      res.destroy();
    }
  }

  /**
   * `POST /upload/<file_id>`, the URL files.getUploadURLExternal hands out. Like Slack's, it is
   * pre-signed (no token needed) and answers `200 OK - <bytes>`; a file id never handed out, or
   * already finished by files.completeUploadExternal, is a 404. Not recorded in `calls`.
   */
  private async receiveUpload(
    req: IncomingMessage,
    res: ServerResponse,
    fileId: string,
  ): Promise<void> {
    if (req.method !== 'POST') return sendPlain(res, 405);

    try {
      const raw = await readBytes(req);
      if (raw === undefined) return sendPlain(res, 413);
      const upload = this.workspace.uploads.get(fileId);
      if (upload === undefined || upload.completed) return sendPlain(res, 404);
      const content = await uploadContent(req.headers['content-type'], raw);
      if (content === undefined) return sendPlain(res, 400);

      upload.content = content;
      send(res, { status: 200, headers: {}, body: `OK - ${content.length}` });
    } catch {
      res.destroy(); // the client went away mid-request, or we are closing
    }
  }

  /** A bug in the stand-in answers HTTP 500 with its message rather than killing the process. */
  private safeReply(
    method: string,
    headers: IncomingHttpHeaders,
    args: Args,
    valid: boolean,
  ): Reply {
    try {
      return this.reply(method, headers, args, valid);
    } catch (error) {
      return { status: 500, headers: {}, body: `SlackStandIn bug: ${String(error)}` };
    }
  }

  private reply(method: string, headers: IncomingHttpHeaders, args: Args, valid: boolean): Reply {
    const failure = this.takeFailure(method, args);
    if (failure) return failureReply(failure);
    if (!isKnownMethod(method)) return json({ ok: false, error: 'unknown_method' });

    const authError = this.checkAuth(headers.authorization);
    if (authError) return json({ ok: false, error: authError });
    if (!valid) return json({ ok: false, error: 'invalid_json' });

    const reply =
      method === 'chat.postMessage'
        ? this.rateLimitedPost(args)
        : json(callMethod(method, args, this.workspace));
    // Slack names the token's scopes on every answer to an authenticated call.
    return {
      ...reply,
      headers: { ...reply.headers, 'x-oauth-scopes': this.grantedScopes.join(',') },
    };
  }

  /** chat.postMessage allows ~1 message per second per channel (wire-formats.md §3.8). */
  private rateLimitedPost(args: Args): Reply {
    const limit = this.options.postsPerSecondPerChannel;
    const channelKey = this.workspace.findChannel(String(args.channel ?? ''))?.id ?? '';
    const now = Date.now();
    const recent = (this.postTimes.get(channelKey) ?? []).filter((t) => now - t < RATE_WINDOW_MS);
    this.postTimes.set(channelKey, recent);
    if (limit !== undefined && recent.length >= limit) {
      const retryAfter = this.options.rateLimitRetryAfterSeconds ?? 1;
      return failureReply({
        status: 429,
        error: 'ratelimited',
        retryAfter,
        times: 1,
        body: {},
        when: () => true,
      });
    }

    const body = callMethod('chat.postMessage', args, this.workspace);
    if (body.ok) recent.push(now);
    return json(body);
  }

  private channelOrThrow(caller: string, idOrName: string): ChannelState {
    const channel = this.workspace.findChannel(idOrName);
    if (channel === undefined) throw new Error(`${caller}: unknown channel ${idOrName}`);
    return channel;
  }

  private checkAuth(authorization: string | undefined): string | undefined {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (token === undefined) return 'not_authed';
    return token === this.workspace.identity.token ? undefined : 'invalid_auth';
  }

  private takeFailure(method: string, args: Args): Required<Failure> | undefined {
    const queue = this.failures.get(method);
    const next = queue?.[0];
    if (!queue || !next || !next.when(args)) return undefined;

    next.times -= 1;
    if (next.times === 0) queue.shift();
    return next;
  }

  private record(method: string, args: Args, reply: Reply): void {
    const response = typeof reply.body === 'string' ? { body: reply.body } : reply.body;
    const call: RecordedCall = { method, args, status: reply.status, response, at: Date.now() };
    this.calls.push(call);
    const keep = this.options.keepCalls;
    if (keep !== undefined && this.calls.length > keep)
      this.calls.splice(0, this.calls.length - keep);

    try {
      this.options.onCall?.(call);
    } catch (error) {
      console.error('SlackStandIn: onCall threw', error);
    }
  }
}

let manifestBotScopes: string[] | undefined;

/** The bot scopes of the repository's manifest.yml, read once. */
function manifestScopes(): string[] {
  if (manifestBotScopes) return manifestBotScopes;
  const text = readFileSync(new URL('../../../manifest.yml', import.meta.url), 'utf8');
  const manifest = parseYaml(text) as { oauth_config: { scopes: { bot: string[] } } };
  manifestBotScopes = manifest.oauth_config.scopes.bot;
  return manifestBotScopes;
}

function toChannelState(channel: ChannelState): StandInChannelState {
  return {
    id: channel.id,
    name: channel.name,
    isPrivate: channel.isPrivate === true,
    isMember: channel.isMember === true,
    isArchived: channel.isArchived === true,
    members: [...channel.members],
    ...(channel.topic !== undefined && { topic: channel.topic }),
    pins: [...channel.pins],
    bookmarks: structuredClone(channel.bookmarks),
    ...(channel.created !== undefined && { created: channel.created }),
    ...(channel.creator !== undefined && { creator: channel.creator }),
  };
}

function toStandInFile(upload: UploadState): StandInFile {
  return {
    id: upload.id,
    filename: upload.filename,
    ...(upload.title !== undefined && { title: upload.title }),
    content: upload.content?.toString('utf8') ?? '',
    completed: upload.completed,
    ...(upload.channel !== undefined && { channel: upload.channel }),
    ...(upload.threadTs !== undefined && { threadTs: upload.threadTs }),
    ...(upload.altTxt !== undefined && { altTxt: upload.altTxt }),
    ...(upload.snippetType !== undefined && { snippetType: upload.snippetType }),
  };
}
