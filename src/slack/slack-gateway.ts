import { ErrorCode, WebClient } from '@slack/web-api';
import type { Logger } from '../core/ports.ts';
import type { Metrics } from '../metrics.ts';
import { OutboundError } from '../outbound/outbound-error.ts';
import { boltLogger } from './bolt-logger.ts';

/** Waited after a 429 that names no `Retry-After`. */
const DEFAULT_RATE_LIMIT_WAIT_MS = 10_000;
/**
 * chat.postMessage allows about one message a second per channel (docs.slack.dev/apis/web-api/rate-
 * limits).
 */
const POST_INTERVAL_MS = 1_100;
/** User groups change rarely; permissions and invites read them from a copy this old at most. */
const GROUP_TTL_MS = 5 * 60 * 1000;
/** Slack answers these with ok:false, but they are its own trouble and pass. */
const RETRYABLE_CODES = new Set([
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
]);
const RATE_LIMIT_CODES = new Set(['ratelimited', 'rate_limited']);

/** People named per message: more mentions than this keep their IDs (one lookup each). */
const MAX_NAMED_MENTIONS = 20;

export interface SlackGatewayOptions {
  token: string;
  apiUrl?: string;
  logger: Logger;
  /** Least time between two posts to one channel; default 1,000 ms (Slack's pace). */
  postIntervalMs?: number;
  metrics?: Metrics;
  /** Told of every 429, with the wait Slack asked for. */
  onRateLimited?: (method: string, waitMs: number) => void;
  /** Told when a call could not reach Slack (network error, timeout, 5xx). */
  onUnreachable?: (error: OutboundError) => void;
}

export interface MessageContent {
  text: string;
  blocks?: object[];
}

/**
 * Our one way out to Slack's Web API. The SDK's own retries and queue pausing are off
 * (a 429 on one method would stall every other call): the outbound queue decides.
 * Failures come out as OutboundError with Slack's error code.
 */
export class SlackGateway {
  readonly #client: WebClient;
  readonly #logger: Logger;
  readonly #nextPost = new Map<string, number>();
  readonly #postIntervalMs: number;
  readonly #blockedUntil = new Map<string, number>();
  readonly #names = new Map<string, string>();
  readonly #byEmail = new Map<string, string | undefined>();
  readonly #groups = new Map<string, { at: number; members: string[] }>();
  readonly #metrics: Metrics | undefined;
  readonly #onRateLimited: SlackGatewayOptions['onRateLimited'];
  readonly #onUnreachable: SlackGatewayOptions['onUnreachable'];

  constructor(options: SlackGatewayOptions) {
    this.#client = new WebClient(options.token, {
      slackApiUrl: options.apiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: 10_000,
      logger: boltLogger(options.logger),
    });
    this.#logger = options.logger;
    this.#postIntervalMs = options.postIntervalMs ?? POST_INTERVAL_MS;
    this.#metrics = options.metrics;
    this.#onRateLimited = options.onRateLimited;
    this.#onUnreachable = options.onUnreachable;
  }

  async authTest() {
    const result = await this.#call('auth.test', {});
    return {
      userId: String(result.user_id ?? ''),
      botId: String(result.bot_id ?? ''),
      team: String(result.team ?? ''),
    };
  }

  /**
   * The scopes granted to the token, from the `x-oauth-scopes` header Slack sends with Web API
   * answers (docs.slack.dev/authentication/tokens); undefined when Slack sent none.
   */
  async authScopes(): Promise<string[] | undefined> {
    const result = await this.#call('auth.test', {});
    const scopes = (result.response_metadata as { scopes?: unknown } | undefined)?.scopes;
    return Array.isArray(scopes) ? scopes.map(String) : undefined;
  }

  /** Posts a message, paced per channel, with metadata that lets us find it again after a crash. */
  async postMessage(
    channel: string,
    content: MessageContent,
    options: { threadTs?: string; incidentId?: string; kind?: string; defer?: boolean } = {},
  ) {
    await this.#pace(channel, options.defer ?? false);
    const result = await this.#call('chat.postMessage', {
      channel,
      text: content.text,
      blocks: content.blocks,
      thread_ts: options.threadTs,
      unfurl_links: false,
      unfurl_media: false,
      metadata: options.incidentId
        ? {
            event_type: 'firebreak_incident',
            event_payload: {
              incident_id: options.incidentId,
              ...(options.kind ? { kind: options.kind } : {}),
            },
          }
        : undefined,
    });
    return { channel: String(result.channel), ts: String(result.ts) };
  }

  async updateMessage(channel: string, ts: string, content: MessageContent) {
    await this.#call('chat.update', { channel, ts, text: content.text, blocks: content.blocks });
  }

  async postEphemeral(channel: string, user: string, text: string) {
    await this.#call('chat.postEphemeral', { channel, user, text });
  }

  async joinChannel(channel: string) {
    await this.#call('conversations.join', { channel });
  }

  /** Creates a public channel; Slack's name (which it may have normalised) comes back. */
  async createChannel(name: string) {
    const result = await this.#call('conversations.create', { name, is_private: false });
    const channel = (result.channel ?? {}) as { id?: string; name?: string };
    return { id: String(channel.id), name: String(channel.name ?? name) };
  }

  /** Invites people; those already there are not an error. */
  async invite(channel: string, users: string[]) {
    if (users.length === 0) return;
    try {
      await this.#call('conversations.invite', { channel, users: users.join(',') });
    } catch (error) {
      if (!(error instanceof OutboundError) || error.code !== 'already_in_channel') throw error;
    }
  }

  async setTopic(channel: string, topic: string) {
    await this.#call('conversations.setTopic', { channel, topic });
  }

  async channelInfo(channel: string) {
    const result = await this.#call('conversations.info', { channel });
    const info = (result.channel ?? {}) as {
      name?: string;
      is_archived?: boolean;
      is_member?: boolean;
      is_private?: boolean;
    };
    return {
      name: String(info.name ?? ''),
      archived: info.is_archived === true,
      member: info.is_member === true,
      private: info.is_private === true,
    };
  }

  async archive(channel: string) {
    try {
      await this.#call('conversations.archive', { channel });
    } catch (error) {
      if (!(error instanceof OutboundError) || error.code !== 'already_archived') throw error;
    }
  }

  async pin(channel: string, ts: string) {
    try {
      await this.#call('pins.add', { channel, timestamp: ts });
    } catch (error) {
      if (!(error instanceof OutboundError) || error.code !== 'already_pinned') throw error;
    }
  }

  async addBookmark(channel: string, title: string, url: string) {
    await this.#call('bookmarks.add', { channel_id: channel, title, type: 'link', link: url });
  }

  async permalink(channel: string, ts: string) {
    const result = await this.#call('chat.getPermalink', { channel, message_ts: ts });
    return String(result.permalink);
  }

  /**
   * Shares a text file in a channel (or thread) with Slack's upload flow: ask for an upload URL,
   * send the bytes there, then complete the upload into the channel with a comment.
   * https://docs.slack.dev/messaging/working-with-files#upload
   */
  async uploadFile(input: {
    channel: string;
    threadTs?: string;
    filename: string;
    title: string;
    content: string;
    comment: string;
  }) {
    const bytes = Buffer.from(input.content, 'utf8');
    const target = await this.#call('files.getUploadURLExternal', {
      filename: input.filename,
      length: bytes.length,
    });
    const uploadUrl = String(target.upload_url);
    const sent = await fetch(uploadUrl, {
      method: 'POST',
      body: bytes,
      signal: AbortSignal.timeout(10_000),
    }).catch((error: unknown) => {
      throw toOutboundError('file upload', error);
    });
    if (!sent.ok) {
      throw new OutboundError({
        service: 'slack',
        message: `file upload: HTTP ${sent.status}`,
        code: String(sent.status),
        retryable: sent.status >= 500,
      });
    }
    await this.#call('files.completeUploadExternal', {
      files: JSON.stringify([{ id: String(target.file_id), title: input.title }]),
      channel_id: input.channel,
      initial_comment: input.comment,
      ...(input.threadTs ? { thread_ts: input.threadTs } : {}),
    });
  }

  /** Opens a modal; the trigger ID is good for 3 seconds, once. */
  async openView(triggerId: string, view: object) {
    await this.#call('views.open', { trigger_id: triggerId, view: JSON.stringify(view) });
  }

  async publishHome(userId: string, view: object) {
    await this.#call('views.publish', { user_id: userId, view: JSON.stringify(view) });
  }

  /** The members of a user group (usergroups.users.list), from a copy at most 5 minutes old. */
  async usergroupMembers(usergroup: string): Promise<string[]> {
    const cached = this.#groups.get(usergroup);
    if (cached && Date.now() - cached.at < GROUP_TTL_MS) return cached.members;
    const result = await this.#call('usergroups.users.list', { usergroup });
    const members = Array.isArray(result.users) ? result.users.map(String) : [];
    this.#groups.set(usergroup, { at: Date.now(), members });
    return members;
  }

  /** The Slack user with this email (users.lookupByEmail), asked once per process. */
  async userIdByEmail(email: string) {
    const key = email.toLowerCase();
    if (this.#byEmail.has(key)) return this.#byEmail.get(key);
    try {
      const result = await this.#call('users.lookupByEmail', { email });
      const id = String((result.user as { id?: string } | undefined)?.id ?? '') || undefined;
      this.#byEmail.set(key, id);
      return id;
    } catch (error) {
      if (!(error instanceof OutboundError) || error.code !== 'users_not_found') throw error;
      this.#byEmail.set(key, undefined);
      return undefined;
    }
  }

  /** A person's display name, asked once per process. */
  async userName(userId: string) {
    const known = this.#names.get(userId);
    if (known) return known;
    const result = await this.#call('users.info', { user: userId });
    const user = (result.user ?? {}) as { name?: string; profile?: { display_name?: string } };
    const name = user.profile?.display_name || user.name || userId;
    this.#names.set(userId, name);
    return name;
  }

  /**
   * Message text with each bare mention of a person (`<@U…>`, as messages carry them) given the
   * person's name (`<@U…|name>`), so that its plain text in a timeline or a ticket reads `@name`
   * rather than an ID. A name that cannot be had leaves the mention as it was.
   */
  async withNames(text: string) {
    const mention = /<@([UW][A-Z0-9]+)>/g;
    const ids = [...new Set([...text.matchAll(mention)].map((match) => match[1]!))];
    const names = new Map<string, string>();
    for (const id of ids.slice(0, MAX_NAMED_MENTIONS)) {
      names.set(id, await this.userName(id).catch(() => id));
    }
    return text.replace(mention, (whole, id: string) => {
      const name = names.get(id);
      return name && name !== id ? `<@${id}|${name}>` : whole;
    });
  }

  /**
   * The incident's message (of `kind`, when the bot posts several to one channel) posted by an
   * earlier attempt that crashed before storing its ts.
   */
  async findIncidentMessage(channel: string, incidentId: string, oldest: string, kind?: string) {
    const result = await this.#call('conversations.history', {
      channel,
      oldest: String(Math.floor(Date.parse(oldest) / 1000) - 60),
      limit: 200,
      include_all_metadata: true,
    });
    const messages = (result.messages ?? []) as Array<{
      ts?: string;
      metadata?: { event_payload?: { incident_id?: string; kind?: string } };
    }>;
    return messages.find((m) => {
      const payload = m.metadata?.event_payload;
      return payload?.incident_id === incidentId && payload.kind === kind;
    })?.ts;
  }

  /** A public channel by name (every page of conversations.list), archived ones included. */
  async findChannel(name: string) {
    let cursor: string | undefined;
    do {
      const result = await this.#call('conversations.list', {
        types: 'public_channel',
        limit: 1000,
        ...(cursor ? { cursor } : {}),
      });
      const channels = (result.channels ?? []) as Array<{
        id: string;
        name: string;
        creator?: string;
        created?: number;
      }>;
      const found = channels.find((c) => c.name === name);
      if (found) return { ...found, created: found.created ?? 0 };
      cursor = (result.response_metadata as { next_cursor?: string } | undefined)?.next_cursor;
    } while (cursor);
    return undefined;
  }

  /** Milliseconds before a post to this channel may go out (pacing, or a 429's wait); 0: now. */
  postDelay(channel: string) {
    const now = Date.now();
    const paced = (this.#nextPost.get(channel) ?? 0) - now;
    const blocked = (this.#blockedUntil.get(`chat.postMessage:${channel}`) ?? 0) - now;
    return Math.max(0, paced, blocked);
  }

  /**
   * Keeps posts to a channel at least `postIntervalMs` apart. A queued job (`defer`) that comes
   * too early is told when to come back instead of waiting, so it frees its place in the queue
   * for other work (updates, other channels) meanwhile.
   */
  async #pace(channel: string, defer: boolean) {
    const now = Date.now();
    const slot = Math.max(now, this.#nextPost.get(channel) ?? 0);
    if (slot > now && defer) {
      throw new OutboundError({
        service: 'slack',
        message: 'chat.postMessage: paced',
        code: 'paced',
        retryAfterMs: slot - now,
      });
    }
    this.#nextPost.set(channel, slot + this.#postIntervalMs);
    if (slot > now) await new Promise((resolve) => setTimeout(resolve, slot - now));
  }

  /**
   * One Web API call. A 429 blocks that method (in that channel) until Retry-After has passed:
   * later calls to it fail at once with the remaining wait, without reaching Slack, while
   * other methods go on (the SDK would pause every call instead).
   */
  async #call(method: string, args: Record<string, unknown>) {
    const scope = typeof args.channel === 'string' ? `${method}:${args.channel}` : method;
    const blocked = (this.#blockedUntil.get(scope) ?? 0) - Date.now();
    if (blocked > 0) {
      throw new OutboundError({
        service: 'slack',
        message: `${method}: rate limited`,
        code: 'ratelimited',
        retryAfterMs: blocked,
      });
    }

    const started = Date.now();
    const timer = this.#metrics?.outboundDuration.startTimer({ service: 'slack', method });
    try {
      const result: Record<string, unknown> = { ...(await this.#client.apiCall(method, args)) };
      this.#record(method, 'ok', started, args);
      return result;
    } catch (error) {
      const failure = toOutboundError(method, error);
      this.#record(method, failure.code ?? 'error', started, args);
      if (failure.retryAfterMs !== undefined)
        this.#rateLimited(scope, method, failure.retryAfterMs);
      const unreachable = failure.code === 'request_error' || /^5\d\d$/.test(failure.code ?? '');
      if (unreachable && method !== 'auth.test') this.#onUnreachable?.(failure);
      throw failure;
    } finally {
      timer?.();
    }
  }

  #rateLimited(scope: string, method: string, waitMs: number) {
    this.#blockedUntil.set(scope, Date.now() + waitMs);
    this.#metrics?.rateLimitWaits.inc({ service: 'slack', method });
    this.#metrics?.rateLimitWaitSeconds.inc({ service: 'slack', method }, waitMs / 1000);
    this.#logger.warn({ method, waitMs }, 'slack rate limit');
    this.#onRateLimited?.(method, waitMs);
  }

  #record(method: string, outcome: string, started: number, args: Record<string, unknown>) {
    this.#metrics?.outboundCalls.inc({ service: 'slack', method, outcome });
    this.#logger.debug(
      { method, outcome, ms: Date.now() - started, channel: args.channel },
      'slack call',
    );
  }
}

interface SlackSdkError {
  code?: string;
  retryAfter?: number;
  statusCode?: number;
  data?: { error?: string; response_metadata?: { messages?: string[] } };
  message?: string;
}

/**
 * Maps the SDK's errors to what the queue needs: Slack's code, retryable or not, how long to wait.
 */
export function toOutboundError(method: string, error: unknown): OutboundError {
  const e = (error ?? {}) as SlackSdkError;
  const base = { service: 'slack', cause: error };

  if (e.code === ErrorCode.RateLimitedError) {
    const retryAfterMs = (e.retryAfter ?? DEFAULT_RATE_LIMIT_WAIT_MS / 1000) * 1000;
    return new OutboundError({
      ...base,
      message: `${method}: rate limited`,
      code: 'ratelimited',
      retryAfterMs,
    });
  }
  if (e.code === ErrorCode.PlatformError) {
    const code = e.data?.error ?? 'unknown_error';
    const details = e.data?.response_metadata?.messages?.join('; ');
    const message = `${method}: ${code}${details ? ` (${details})` : ''}`;
    if (RATE_LIMIT_CODES.has(code)) {
      return new OutboundError({
        ...base,
        message,
        code,
        retryAfterMs: DEFAULT_RATE_LIMIT_WAIT_MS,
      });
    }
    return new OutboundError({ ...base, message, code, retryable: RETRYABLE_CODES.has(code) });
  }
  if (e.code === ErrorCode.HTTPError) {
    const status = e.statusCode ?? 0;
    return new OutboundError({
      ...base,
      message: `${method}: HTTP ${status}`,
      code: String(status),
      retryable: status >= 500,
    });
  }
  if (/rate limit|Retry header/i.test(e.message ?? '')) {
    const message = `${method}: rate limited`;
    return new OutboundError({
      ...base,
      message,
      code: 'ratelimited',
      retryAfterMs: DEFAULT_RATE_LIMIT_WAIT_MS,
    });
  }
  // Request errors: the network, DNS, a timeout. Worth another try.
  return new OutboundError({
    ...base,
    message: `${method}: ${e.message ?? 'request failed'}`,
    code: 'request_error',
    retryable: true,
  });
}
