import type { App, MessageShortcut, ViewSubmitAction } from '@slack/bolt';
import type { TicketPurpose } from '../core/tickets.ts';
import type { Actor, Incident } from '../core/types.ts';
import type { TicketSystemName } from '../integrations/tickets/ticket-system.ts';
import { readContext, type ViewValues } from './incident-modals.ts';
import { plainSlackText } from './mrkdwn.ts';
import type { SlackListenerDeps } from './register-slack-listeners.ts';
import { SORRY } from './run-incident-command.ts';
import { requestReply, ticketForm } from './ticket-commands.ts';
import { readTicketForm, VIEW_TICKET } from './ticket-views.ts';

/** The message shortcut that turns a message into a follow-up ticket of its incident. */
export const SHORTCUT_CREATE_FOLLOWUP = 'create_followup';
/** A follow-up's title is the message's first line, this long at most. */
const TITLE_MAX = 200;

type Tell = (channel: string | undefined, user: string, text: string) => Promise<unknown>;

/** The ticket form's submission and the "Create follow-up" message shortcut. */
export function registerTicketListeners(app: App, deps: SlackListenerDeps & { tell: Tell }) {
  const { incidents, channels, tell, logger } = deps;

  app.view<ViewSubmitAction>(VIEW_TICKET, async ({ ack, body }) => {
    const required = await (deps.tickets?.jira?.requiredFields() ?? Promise.resolve([])).catch(
      () => [],
    );
    const form = readTicketForm(body.view.state.values as unknown as ViewValues, required);
    if ('errors' in form) return ack({ response_action: 'errors', errors: form.errors });
    await ack();
    const context = readContext(body.view.private_metadata);
    const actor: Actor = { kind: 'user', id: body.user.id, name: body.user.name };
    const incident = incidents.get(context.incidentId ?? '');
    const desk = deps.tickets?.desk;
    if (!incident || !desk) return;
    const purpose = (context.purpose ?? 'incident') as TicketPurpose;
    try {
      const outcome = await desk.request({
        incident,
        system: form.system as TicketSystemName,
        purpose,
        title: form.title,
        text: form.text,
        labels: form.labels,
        fields: form.fields,
        actor,
        another: form.another,
      });
      const label = desk.system(form.system)?.label ?? form.system;
      const what = `a ${label} ${purpose === 'followup' ? 'follow-up' : 'ticket'}`;
      const ctx = { incidents, health: deps.health, alertsChannel: deps.alertsChannel, actor };
      await tell(context.channel, actor.id, requestReply(outcome, incident, what, ctx).text);
    } catch (error) {
      logger.error({ err: error, incident: incident.id }, 'could not queue the ticket');
      await tell(context.channel, actor.id, SORRY);
    }
  });

  app.shortcut<MessageShortcut>(SHORTCUT_CREATE_FOLLOWUP, async ({ ack, shortcut }) => {
    await ack();
    const actor: Actor = {
      kind: 'user',
      id: shortcut.user.id,
      name: shortcut.user.username ?? shortcut.user.name,
    };
    const channel = shortcut.channel.id;
    const incident = incidentOfMessage(channel, shortcut.message);
    if (!incident) {
      await tell(
        channel,
        actor.id,
        'Create follow-up works on messages of an incident’s channel or its alert message’s ' +
          'thread; this message belongs to no incident.',
      );
      return;
    }
    const text = plainSlackText(await deps.gateway.withNames(shortcut.message.text ?? ''));
    const url = await deps.gateway.permalink(channel, shortcut.message.ts).catch(() => undefined);
    const reply = await ticketForm(
      incident,
      undefined,
      {
        incidents,
        health: deps.health,
        alertsChannel: deps.alertsChannel,
        actor,
        channel,
        gateway: deps.gateway,
        triggerId: shortcut.trigger_id,
        ...(deps.tickets ? { tickets: deps.tickets } : {}),
      },
      {
        purpose: 'followup',
        title: firstLine(text) || `Follow-up of ${incident.id}`,
        text:
          `Follow-up of ${incident.id}: ${incident.title}\n\n${text}` +
          (url ? `\n\nFrom Slack: ${url}` : ''),
      },
    ).catch((error: unknown) => {
      logger.error({ err: error }, 'create follow-up failed');
      return { text: SORRY, public: false };
    });
    if (reply.text) await tell(channel, actor.id, reply.text);
  });

  /** The incident a message belongs to: its channel's, or the alert message it replies to. */
  function incidentOfMessage(
    channel: string,
    message: { ts: string; thread_ts?: string },
  ): Incident | undefined {
    const byChannel = channels.incidentOf(channel);
    if (byChannel) return byChannel;
    const ts = message.thread_ts ?? message.ts;
    return incidents
      .list({ all: true })
      .find((i) => i.refs.slack?.channel === channel && i.refs.slack.ts === ts);
  }
}

function firstLine(text: string) {
  const line = text.split('\n').find((l) => l.trim()) ?? '';
  return line.trim().slice(0, TITLE_MAX);
}
