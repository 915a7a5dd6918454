import type { App, MessageShortcut } from '@slack/bolt';
import type { Actor } from '../core/types.ts';
import { plainSlackText } from './mrkdwn.ts';
import type { SlackListenerDeps } from './register-slack-listeners.ts';
import { SORRY } from './run-incident-command.ts';

/** The message shortcut that adds any message of an incident's channel to its timeline. */
export const SHORTCUT_ADD_TO_TIMELINE = 'add_to_timeline';

type Tell = (channel: string | undefined, user: string, text: string) => Promise<unknown>;

/**
 * Messages people add to an incident's timeline ("Add to timeline"), and Slack's message events
 * that keep those entries in step when the message is edited or deleted: the change is a new
 * entry pointing at the one it changes, so the earlier text stays as history.
 */
export function registerTimelineListeners(app: App, deps: SlackListenerDeps & { tell: Tell }) {
  const { incidents, gateway, logger, channels, tell } = deps;

  app.shortcut<MessageShortcut>(SHORTCUT_ADD_TO_TIMELINE, async ({ ack, shortcut }) => {
    await ack();
    const actor: Actor = {
      kind: 'user',
      id: shortcut.user.id,
      name: shortcut.user.username ?? shortcut.user.name,
    };
    const reply = await addToTimeline(shortcut, actor).catch((error: unknown) => {
      logger.error({ err: error }, 'add to timeline failed');
      return SORRY;
    });
    await tell(shortcut.channel.id, actor.id, reply);
  });

  /** Records a message of an incident's channel on its timeline, once. */
  async function addToTimeline(shortcut: MessageShortcut, actor: Actor) {
    const channel = shortcut.channel.id;
    const incident = channels.incidentOf(channel);
    if (!incident)
      return 'Add to timeline works in an incident’s channel; this one belongs to no incident.';
    const { message } = shortcut;
    const ts = message.ts;
    const key = `${incident.id}:${ts}`;
    if (incident.refs.starred?.[ts] || adding.has(key))
      return `That message is already on *${incident.id}*’s timeline.`;
    adding.add(key);
    try {
      const url = await gateway.permalink(channel, ts).catch(() => undefined);
      const author = message.user ?? (message as { bot_id?: string }).bot_id;
      const authorName = message.user
        ? await gateway.userName(message.user).catch(() => undefined)
        : undefined;
      const [entry] = await incidents.record({
        id: incident.id,
        kind: 'message.added',
        origin: 'slack',
        text: plainSlackText(await gateway.withNames(message.text ?? '')),
        actor,
        source: {
          channel,
          ts,
          ...(author ? { user: author } : {}),
          ...(authorName ? { userName: authorName } : {}),
          ...(url ? { url } : {}),
        },
        visible: false,
      });
      if (!entry) return 'The incident is gone.';
      const starred = incidents.get(incident.id)?.refs.starred ?? {};
      await incidents.setRef(incident.id, 'starred', { ...starred, [ts]: String(entry.seq) });
      return `Added to *${incident.id}*’s timeline.`;
    } finally {
      adding.delete(key);
    }
  }
  const adding = new Set<string>();

  // An added message edited or deleted in Slack: its timeline entry follows, keeping history.
  app.event('message', async ({ event }) => {
    const change = messageChange(event as unknown as MessageEvent);
    if (!change) return;
    const incident = channels.incidentOf(change.channel);
    const seq = incident?.refs.starred?.[change.ts];
    if (!incident || !seq) return;
    await incidents.record({
      id: incident.id,
      kind: change.kind,
      origin: 'slack',
      text:
        change.kind === 'entry.edited'
          ? plainSlackText(await gateway.withNames(change.text))
          : 'Message deleted',
      ...(change.user ? { actor: { kind: 'user', id: change.user } } : {}),
      source: { channel: change.channel, ts: change.ts },
      ref: Number(seq),
      visible: false,
    });
    if (change.kind === 'entry.deleted') {
      // A deleted message changes no more: later events about it (a second delete) are ignored.
      const starred = { ...incident.refs.starred };
      delete starred[change.ts];
      await incidents.setRef(incident.id, 'starred', starred);
    }
  });
}

interface MessageEvent {
  subtype?: string;
  channel: string;
  message?: { ts?: string; text?: string; user?: string };
  previous_message?: { text?: string };
  deleted_ts?: string;
}

/** The edit or deletion a message event reports, if it is one. */
function messageChange(event: MessageEvent) {
  if (event.subtype === 'message_changed' && event.message?.ts) {
    const text = event.message.text ?? '';
    // The same text is an unfurl or a reaction's re-render, not an edit.
    if (!event.previous_message || text === event.previous_message.text) return undefined;
    return {
      kind: 'entry.edited' as const,
      channel: event.channel,
      ts: event.message.ts,
      text,
      user: event.message.user,
    };
  }
  if (event.subtype === 'message_deleted' && event.deleted_ts) {
    return {
      kind: 'entry.deleted' as const,
      channel: event.channel,
      ts: event.deleted_ts,
      text: '',
      user: undefined,
    };
  }
  return undefined;
}
