import type { CommandResult } from '../core/incident-service.ts';
import { snoozeEnd, untilText, type SnoozeLength } from '../core/snooze.ts';
import type { Incident } from '../core/types.ts';
import { escapeText, mention, plainSlackText, safe } from './mrkdwn.ts';
import type { CommandContext, CommandReply } from './run-incident-command.ts';

/**
 * `/incident snooze`: quiet the incident's notifications until a time. Its reply is public in
 * the channel it was given in (a person's change), ephemeral when refused.
 */
export async function snoozeIncident(
  incident: Incident,
  length: SnoozeLength,
  ctx: CommandContext,
): Promise<CommandReply> {
  const now = (ctx.clock?.now() ?? new Date()).toISOString();
  const until = snoozeEnd(length, new Date(now));
  const result = await act(incident, { type: 'snooze', until }, ctx);
  if (result.outcome !== 'done') return refusal(result, incident.id, 'snoozed until then');
  const when = untilText(until, now);
  return announce(`${mention(ctx.actor.id)} snoozed *${incident.id}* until ${when}.`);
}

/** `/incident unsnooze`: the message is brought up to date at once. */
export async function unsnoozeIncident(
  incident: Incident,
  ctx: CommandContext,
): Promise<CommandReply> {
  const result = await act(incident, { type: 'unsnooze' }, ctx);
  if (result.outcome !== 'done') return refusal(result, incident.id, 'not snoozed');
  return announce(`${mention(ctx.actor.id)} unsnoozed *${incident.id}*.`);
}

/** `/incident noise`: resolves and closes an alert's incident, with the reason. */
export async function markAsNoise(
  incident: Incident,
  reason: string | undefined,
  ctx: CommandContext,
): Promise<CommandReply> {
  const text = reason ? plainSlackText(reason) : undefined;
  const result = await act(incident, { type: 'noise', ...(text ? { reason: text } : {}) }, ctx);
  if (result.outcome !== 'done') return refusal(result, incident.id, 'closed');
  const why = text ? `: ${safe(text, 500)}` : '';
  return announce(`${mention(ctx.actor.id)} marked *${incident.id}* as noise${why}`);
}

function act(
  incident: Incident,
  command: Parameters<CommandContext['incidents']['act']>[1],
  ctx: CommandContext,
) {
  const source = ctx.channel ? { channel: ctx.channel } : undefined;
  return ctx.incidents.act(incident.id, command, ctx.actor, 'slack', source);
}

function refusal(result: CommandResult, id: string, already: string): CommandReply {
  if (result.outcome === 'refused') return reply(`:no_entry: ${escapeText(result.reason)}`);
  if (result.outcome === 'not_found') return reply(`There is no incident *${id}*.`);
  return reply(`Nothing to change: *${id}* is already ${already}.`);
}

function reply(text: string): CommandReply {
  return { text, public: false };
}

function announce(text: string): CommandReply {
  return { text, public: true };
}
