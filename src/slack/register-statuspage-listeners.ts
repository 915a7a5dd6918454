import type { App, BlockAction, ButtonAction, ViewSubmitAction } from '@slack/bolt';
import type { Actor } from '../core/types.ts';
import { statuspageOf } from '../integrations/statuspage/statuspage-ref.ts';
import { ACTION_STATUSPAGE } from './blocks.ts';
import { readContext, type ViewValues } from './incident-modals.ts';
import type { SlackListenerDeps } from './register-slack-listeners.ts';
import { SORRY, type CommandContext } from './run-incident-command.ts';
import { statuspageForm, statuspageReply } from './statuspage-commands.ts';
import { readStatuspageForm, VIEW_STATUSPAGE } from './statuspage-views.ts';

type Tell = (channel: string | undefined, user: string, text: string) => Promise<unknown>;
type Click = BlockAction<ButtonAction>;

/** The Status page button and the status page form's submission. */
export function registerStatuspageListeners(app: App, deps: SlackListenerDeps & { tell: Tell }) {
  const { incidents, tell, logger } = deps;
  const context = (actor: Actor, channel: string | undefined, triggerId: string) =>
    ({
      incidents,
      health: deps.health,
      alertsChannel: deps.alertsChannel,
      actor,
      gateway: deps.gateway,
      triggerId,
      ...(channel ? { channel } : {}),
      ...(deps.statuspage ? { statuspage: deps.statuspage } : {}),
      ...(deps.permissions ? { permissions: deps.permissions } : {}),
    }) satisfies CommandContext;

  app.action<Click>(ACTION_STATUSPAGE, async ({ ack, body, action }) => {
    await ack();
    // Slack's redelivery of the same click counts once.
    if (!(await deps.seen.firstTime(`slack-action:${body.user.id}:${action.action_ts}`))) return;
    const actor: Actor = {
      kind: 'user',
      id: body.user.id,
      name: body.user.username ?? body.user.name,
    };
    const channel = body.channel?.id ?? body.container.channel_id;
    const id = action.value ?? '';
    try {
      const incident = incidents.get(id);
      const reply = incident
        ? await statuspageForm(incident, context(actor, channel, body.trigger_id))
        : { text: `There is no incident *${id}*.` };
      await tell(channel, actor.id, reply.text);
    } catch (error) {
      logger.error(
        { err: error, incident: id, action: ACTION_STATUSPAGE },
        'status page button failed',
      );
      await tell(channel, actor.id, SORRY);
    }
  });

  app.view<ViewSubmitAction>(VIEW_STATUSPAGE, async ({ ack, body }) => {
    const formContext = readContext(body.view.private_metadata);
    const incident = incidents.get(formContext.incidentId ?? '');
    const linked = Boolean(incident && statuspageOf(incident));
    const form = readStatuspageForm(body.view.state.values as unknown as ViewValues, linked);
    if ('errors' in form) return ack({ response_action: 'errors', errors: form.errors });
    await ack();
    const desk = deps.statuspage?.desk;
    const actor: Actor = { kind: 'user', id: body.user.id, name: body.user.name };
    const channel = formContext.channel;
    if (!incident || !desk) return;
    try {
      // Asked again: the rule file may have changed, or the form was passed on.
      const refused = await deps.permissions?.refusal('statuspage', actor.id);
      if (refused) return void (await tell(channel, actor.id, refused));
      const outcome = await desk.request({
        incident,
        name: form.name || incident.title,
        status: form.status,
        body: form.message,
        components: form.components,
        actor,
      });
      const current = incidents.get(incident.id) ?? incident;
      await tell(channel, actor.id, statuspageReply(outcome, current, actor.id));
    } catch (error) {
      logger.error({ err: error, incident: incident.id }, 'could not queue the status page change');
      await tell(channel, actor.id, SORRY);
    }
  });
}
