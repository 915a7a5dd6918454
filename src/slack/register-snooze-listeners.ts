import type { App, BlockAction, OverflowAction, ViewSubmitAction } from '@slack/bolt';
import { checkCommand } from '../core/lifecycle.ts';
import type { Actor } from '../core/types.ts';
import { readContext, type ViewValues } from './incident-modals.ts';
import { parseIncidentCommand } from './parse-incident-command.ts';
import type { SlackListenerDeps } from './register-slack-listeners.ts';
import {
  openForm,
  runIncidentCommand,
  SORRY,
  type CommandContext,
} from './run-incident-command.ts';
import { markAsNoise } from './snooze-commands.ts';
import { ACTION_SNOOZE_MENU, noiseView, VIEW_NOISE } from './snooze-blocks.ts';

type Tell = (channel: string | undefined, user: string, text: string) => Promise<unknown>;
type MenuPick = BlockAction<OverflowAction>;

export interface SnoozeListenerDeps extends SlackListenerDeps {
  tell: Tell;
  /** The command context of a person's action, as the other listeners build it. */
  context: (actor: Actor, extra?: Partial<CommandContext>) => CommandContext;
}

/**
 * The incident message's `⋯` menu (snooze, unsnooze, mark as noise) and the noise form. A pick
 * is acknowledged at once; "Mark as noise…" opens its form straight away, since the
 * `trigger_id` is valid for 3 s only
 * (https://docs.slack.dev/interactivity/handling-user-interaction).
 */
const MENU_COMMANDS = new Set(['snooze', 'unsnooze', 'noise']);

export function registerSnoozeListeners(app: App, deps: SnoozeListenerDeps) {
  const { incidents, tell, logger } = deps;

  app.action<MenuPick>(ACTION_SNOOZE_MENU, async ({ ack, body, action }) => {
    await ack();
    const actor: Actor = {
      kind: 'user',
      id: body.user.id,
      name: body.user.username ?? body.user.name,
    };
    const channel = body.channel?.id ?? body.container.channel_id;
    const ctx = deps.context(actor, { channel, triggerId: body.trigger_id });
    const command = parseIncidentCommand(action.selected_option.value);
    // The menu offers these three only; any other value did not come from our menu.
    if (!MENU_COMMANDS.has(command.name)) {
      logger.warn({ user: actor.id, value: action.selected_option.value }, 'unknown menu pick');
      return;
    }
    try {
      if (command.name === 'noise') {
        const text = await openNoiseForm(command.id ?? '', ctx);
        if (text) await tell(channel, actor.id, text);
        return;
      }
      if (!(await deps.seen.firstTime(`slack-action:${actor.id}:${action.action_ts}`))) return;
      const reply = await runIncidentCommand(command, ctx);
      // A change shows on the message itself; only a refusal is told, privately.
      if (!reply.public) await tell(channel, actor.id, reply.text);
    } catch (error) {
      logger.error({ err: error, action: ACTION_SNOOZE_MENU }, 'snooze menu failed');
      await tell(channel, actor.id, SORRY);
    }
  });

  app.view<ViewSubmitAction>(VIEW_NOISE, async ({ ack, body }) => {
    await ack();
    const { incidentId = '', channel } = readContext(body.view.private_metadata);
    const actor: Actor = { kind: 'user', id: body.user.id, name: body.user.name };
    const values = body.view.state.values as unknown as ViewValues;
    const reason = values.reason?.value?.value?.trim() || undefined;
    const incident = incidents.get(incidentId);
    if (!incident) {
      await tell(channel, actor.id, `There is no incident *${incidentId}*.`);
      return;
    }
    // Noise closes the incident: the rule file's `close` permission applies.
    const refusal = await deps.permissions?.refusal('close', actor.id);
    if (refusal) return void (await tell(channel, actor.id, refusal));

    try {
      const reply = await markAsNoise(incident, reason, deps.context(actor, { channel }));
      if (!reply.public) await tell(channel, actor.id, reply.text);
    } catch (error) {
      logger.error({ err: error, incident: incidentId }, 'marking as noise failed');
      await tell(channel, actor.id, SORRY);
    }
  });

  /** Opens the form at once, unless the rules already refuse (a declared incident, say). */
  async function openNoiseForm(id: string, ctx: CommandContext) {
    const incident = incidents.get(id);
    if (!incident) return `There is no incident *${id}*.`;
    const refusal = await ctx.permissions?.refusal('close', ctx.actor.id);
    if (refusal) return refusal;
    const now = (ctx.clock?.now() ?? new Date()).toISOString();
    const verdict = checkCommand(incident, { type: 'noise' }, ctx.actor, now);
    if (typeof verdict === 'object') return `:no_entry: ${verdict.refused}`;
    const form = { incidentId: id, ...(ctx.channel ? { channel: ctx.channel } : {}) };
    return (await openForm(ctx, noiseView(incident, form))).text;
  }
}
