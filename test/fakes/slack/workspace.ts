import type {
  StandInChannel,
  StandInEphemeral,
  StandInMessage,
  StandInUser,
} from './slack-stand-in.ts';

export interface WorkspaceIdentity {
  token: string;
  botUserId: string;
  botId: string;
  teamId: string;
}

/** The mutable state of the pretend workspace: channels, users, messages and ephemerals. */
export class Workspace {
  readonly channels = new Map<string, StandInChannel>();
  readonly users = new Map<string, StandInUser>();
  readonly ephemerals: StandInEphemeral[] = [];
  private readonly messagesByChannel = new Map<string, StandInMessage[]>();
  private readonly editedAt = new WeakMap<StandInMessage, string>();
  private lastTsMicros = 0;

  constructor(
    readonly identity: WorkspaceIdentity,
    channels: StandInChannel[],
    users: StandInUser[],
  ) {
    channels.forEach((channel) => this.upsertChannel(channel));
    users.forEach((user) => this.users.set(user.id, { ...user }));
  }

  upsertChannel(channel: StandInChannel): void {
    this.channels.set(channel.id, { ...channel });
  }

  /** Finds a channel by id, or by name with or without '#' (chat.postMessage accepts both). */
  findChannel(ref: string | undefined): StandInChannel | undefined {
    if (!ref) return undefined;

    const byId = this.channels.get(ref);
    if (byId) return byId;
    const name = ref.replace(/^#/, '');
    return [...this.channels.values()].find((channel) => channel.name === name);
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

  clearMessages(): void {
    this.messagesByChannel.clear();
    this.ephemerals.length = 0;
  }
}

/** Parses a Slack ts ("1773456437.000100") into microseconds; undefined if malformed. */
export function tsToMicros(ts: string): number | undefined {
  const match = /^(\d{1,12})(?:\.(\d{1,6}))?$/.exec(ts);
  if (!match) return undefined;

  return Number(match[1]) * 1_000_000 + Number((match[2] ?? '').padEnd(6, '0'));
}
