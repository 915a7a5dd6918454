import { randomBytes } from 'node:crypto';

import type {
  StandInBookmark,
  StandInChannel,
  StandInEphemeral,
  StandInMessage,
  StandInUser,
  StandInView,
} from './slack-stand-in.ts';

export interface WorkspaceIdentity {
  token: string;
  botUserId: string;
  botId: string;
  teamId: string;
}

/** Behaviour that differs between Slack workspaces, or that tests want to shorten. */
export interface WorkspaceRules {
  /** How long a trigger_id can open a view, in milliseconds (Slack: ~3 s). */
  triggerTtlMs: number;
  /** Whether conversations.unarchive accepts the bot token (many workspaces refuse it). */
  botsMayUnarchive: boolean;
  /** Start of the IDs of channels conversations.create makes ('C0NEW': C0NEW00001…). */
  channelIdPrefix: string;
}

/**
 * A channel as the workspace keeps it. `members` are people: the bot's own membership is
 * `isMember`, as before members were tracked.
 */
export interface ChannelState extends Omit<StandInChannel, 'members'> {
  members: Set<string>;
  /** ts of pinned messages, in pin order. */
  pins: string[];
  bookmarks: StandInBookmark[];
  topicSetBy?: string;
  /** Unix seconds. */
  topicSetAt?: number;
}

/**
 * A file announced with files.getUploadURLExternal, then uploaded to its URL, then finished by
 * files.completeUploadExternal (docs.slack.dev/messaging/working-with-files#upload).
 */
export interface UploadState {
  /** 'F0' + 9 digits. */
  id: string;
  filename: string;
  /** The size in bytes announced with the upload URL. */
  length: number;
  altTxt?: string;
  snippetType?: string;
  /** The bytes last POSTed to the upload URL; none until then. */
  content?: Buffer;
  /** Set by files.completeUploadExternal; the upload URL is spent from then on. */
  completed: boolean;
  title?: string;
  /** Where files.completeUploadExternal shared it. */
  channel?: string;
  threadTs?: string;
}

/** A trigger_id handed out with a command or interaction payload (wire-formats.md §3.5). */
export interface TriggerState {
  /** Epoch milliseconds. */
  issuedAt: number;
  /** The person whose action produced it, when the test said. */
  user?: string;
  used: boolean;
}

const DEFAULT_RULES: WorkspaceRules = {
  triggerTtlMs: 3000,
  botsMayUnarchive: false,
  channelIdPrefix: 'C0NEW',
};

/**
 * The mutable state of the pretend workspace: channels, users, messages, ephemerals, views and
 * uploaded files.
 */
export class Workspace {
  readonly channels = new Map<string, ChannelState>();
  readonly users = new Map<string, StandInUser>();
  /** User groups (S…) and their members (usergroups.users.list). */
  readonly usergroups = new Map<string, string[]>();
  readonly ephemerals: StandInEphemeral[] = [];
  /** Opened modals and published Home tabs, in the order they were first shown. */
  readonly views: StandInView[] = [];
  /** Files by id, in the order their upload URLs were handed out. */
  readonly uploads = new Map<string, UploadState>();
  private readonly messagesByChannel = new Map<string, StandInMessage[]>();
  private readonly editedAt = new WeakMap<StandInMessage, string>();
  private readonly triggers = new Map<string, TriggerState>();
  private readonly counters = new Map<string, number>();
  private lastTsMicros = 0;

  constructor(
    readonly identity: WorkspaceIdentity,
    channels: StandInChannel[],
    users: StandInUser[],
    readonly rules: WorkspaceRules = DEFAULT_RULES,
    /** Where files.getUploadURLExternal points: the stand-in's own `/upload/` route. */
    readonly uploadUrlBase = 'http://127.0.0.1/upload/',
  ) {
    channels.forEach((channel) => this.upsertChannel(channel));
    users.forEach((user) => this.users.set(user.id, { ...user }));
  }

  /** Adds or replaces a channel; the bot listed in `members` counts as `isMember`. */
  upsertChannel(channel: StandInChannel): ChannelState {
    const { members = [], ...rest } = channel;
    const { botUserId } = this.identity;

    const state: ChannelState = {
      ...rest,
      isMember: rest.isMember === true || members.includes(botUserId),
      members: new Set(members.filter((id) => id !== botUserId)),
      pins: [],
      bookmarks: [],
    };
    this.channels.set(state.id, state);
    return state;
  }

  /** Finds a channel by id, or by name with or without '#' (chat.postMessage accepts both). */
  findChannel(ref: string | undefined): ChannelState | undefined {
    if (!ref) return undefined;

    const byId = this.channels.get(ref);
    if (byId) return byId;
    const name = ref.replace(/^#/, '');
    return [...this.channels.values()].find((channel) => channel.name === name);
  }

  /** IDs for channels made by conversations.create: C0NEW00001, C0NEW00002, … */
  newChannelId(): string {
    const prefix = this.rules.channelIdPrefix;
    let id = this.nextId(prefix, 5);
    while (this.channels.has(id)) id = this.nextId(prefix, 5);
    return id;
  }

  /** `prefix` and a per-prefix counter padded to `digits`: nextId('V0', 9) is V0000000001. */
  nextId(prefix: string, digits: number): string {
    return `${prefix}${String(this.count(prefix)).padStart(digits, '0')}`;
  }

  /**
   * Slack timestamps: "<unix seconds>.<6-digit sequence>", unique and increasing.
   * Kept close to the wall clock so `oldest`/`latest` filters behave like the real thing.
   */
  nextTs(): string {
    this.lastTsMicros = Math.max(Date.now() * 1000, this.lastTsMicros + 100);

    const seconds = Math.floor(this.lastTsMicros / 1_000_000);
    const micros = String(this.lastTsMicros % 1_000_000).padStart(6, '0');
    return `${seconds}.${micros}`;
  }

  messages(channelId: string): StandInMessage[] {
    return this.messagesByChannel.get(channelId) ?? [];
  }

  addMessage(message: StandInMessage): StandInMessage {
    const list = this.messagesByChannel.get(message.channel) ?? [];
    list.push(message);
    this.messagesByChannel.set(message.channel, list);
    return message;
  }

  findMessage(channelId: string, ts: string | undefined): StandInMessage | undefined {
    return this.messages(channelId).find((message) => message.ts === ts);
  }

  /** Removes one message (not its replies) and its pin; false if there was none. */
  removeMessage(channelId: string, ts: string): boolean {
    const list = this.messages(channelId);
    const index = list.findIndex((message) => message.ts === ts);
    if (index < 0) return false;

    list.splice(index, 1);
    const channel = this.channels.get(channelId);
    if (channel) channel.pins = channel.pins.filter((pinned) => pinned !== ts);
    return true;
  }

  replies(channelId: string, threadTs: string): StandInMessage[] {
    return this.messages(channelId).filter((message) => message.threadTs === threadTs);
  }

  markEdited(message: StandInMessage): void {
    message.edited += 1;
    this.editedAt.set(message, this.nextTs());
  }

  lastEditTs(message: StandInMessage): string | undefined {
    return this.editedAt.get(message);
  }

  /** A fresh trigger_id shaped like Slack's: "<unix seconds>.<10 digits>.<32 hex>". */
  issueTriggerId(user?: string): string {
    const now = Date.now();
    const sequence = 1_000_000_000 + this.count('trigger');
    const id = `${Math.floor(now / 1000)}.${sequence}.${randomBytes(16).toString('hex')}`;

    this.triggers.set(id, { issuedAt: now, ...(user !== undefined && { user }), used: false });
    return id;
  }

  findTrigger(id: string | undefined): TriggerState | undefined {
    return id === undefined ? undefined : this.triggers.get(id);
  }

  /** Stores a newly shown view with a fresh id and hash. */
  addView(view: Pick<StandInView, 'type' | 'user' | 'view'>): StandInView {
    const stored: StandInView = {
      id: this.nextId('V0', 9),
      type: view.type,
      ...(view.user !== undefined && { user: view.user }),
      view: view.view,
      hash: this.viewHash(),
      openedAt: Date.now(),
    };
    this.views.push(stored);
    return stored;
  }

  findView(id: string | undefined): StandInView | undefined {
    return this.views.find((view) => view.id === id);
  }

  /** The Home tab published for a user, if any (one per user, replaced by each publish). */
  homeView(userId: string): StandInView | undefined {
    return this.views.find((view) => view.type === 'home' && view.user === userId);
  }

  /** Replaces the content of a stored view, giving it a new hash as Slack does. */
  replaceView(stored: StandInView, view: Record<string, unknown>): StandInView {
    stored.view = view;
    stored.hash = this.viewHash();
    stored.updatedAt = Date.now();
    return stored;
  }

  /** Drops messages, their pins and ephemerals; channels, topics and bookmarks stay. */
  clearMessages(): void {
    this.messagesByChannel.clear();
    this.ephemerals.length = 0;
    for (const channel of this.channels.values()) channel.pins = [];
  }

  clearViews(): void {
    this.views.length = 0;
    this.triggers.clear();
  }

  /** Announces a file to be uploaded, under a fresh id. */
  addUpload(upload: Omit<UploadState, 'id' | 'completed'>): UploadState {
    const stored: UploadState = { id: this.nextId('F0', 9), ...upload, completed: false };
    this.uploads.set(stored.id, stored);
    return stored;
  }

  clearUploads(): void {
    this.uploads.clear();
  }

  /** View hashes look like Slack's: "<unix seconds>.<8 characters>". */
  private viewHash(): string {
    return `${Math.floor(Date.now() / 1000)}.${randomBytes(6).toString('base64url')}`;
  }

  private count(key: string): number {
    const next = (this.counters.get(key) ?? 0) + 1;
    this.counters.set(key, next);
    return next;
  }
}

/** Parses a Slack ts ("1773456437.000100") into microseconds; undefined if malformed. */
export function tsToMicros(ts: string): number | undefined {
  const match = /^(\d{1,12})(?:\.(\d{1,6}))?$/.exec(ts);
  if (!match) return undefined;

  return Number(match[1]) * 1_000_000 + Number((match[2] ?? '').padEnd(6, '0'));
}
