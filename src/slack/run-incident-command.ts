import { countAlerts } from '../core/apply-alerts.ts';
import type { CommandResult, IncidentService } from '../core/incident-service.ts';
import type { Actor, Incident, TimelineEntry } from '../core/types.ts';
import type { Health } from '../health.ts';
import { escapeText, mention, safe, slackDate, truncate } from './mrkdwn.ts';
import { HELP_TEXT, type IncidentCommand } from './parse-incident-command.ts';
import { statusWord } from './render-incident-message.ts';

export interface CommandReply {
  text: string;
  /** Ephemeral unless the command changed an incident. */
  public: boolean;
}

export interface CommandContext {
  incidents: IncidentService;
  health: Health;
  alertsChannel: string;
  actor: Actor;
}

/** Slack shows at most this much of a reply comfortably; longer lists are cut. */
const REPLY_LIMIT = 3_500;
const LIST_LIMIT = 20;
const TIMELINE_LIMIT = 40;

/** Runs one `/incident` command (or mention) and says what happened, for Slack to show. */
export async function runIncidentCommand(
  command: IncidentCommand,
  ctx: CommandContext,
): Promise<CommandReply> {
  const { incidents, actor } = ctx;
  switch (command.name) {
    case 'help':
      return reply(HELP_TEXT);
    case 'usage':
      return reply(`${command.problem}\n\n${HELP_TEXT}`);
    case 'list':
      return reply(listText(incidents.list()));
    case 'timeline': {
      const incident = incidents.get(command.id);
      if (!incident) return reply(notFound(command.id));
      return reply(timelineText(incident, await incidents.timeline(command.id)));
    }
    case 'ack': {
      const result = await incidents.acknowledge(command.id, actor, 'slack');
      return describeOutcome(result, command.id, 'acknowledged', actor);
    }
    case 'resolve': {
      const result = await incidents.resolve(command.id, actor, 'slack', command.note);
      const reply = describeOutcome(result, command.id, 'resolved', actor);
      if (result.outcome !== 'done' || !command.note) return reply;
      return { ...reply, text: `${reply.text}\n>${safe(command.note, 2_000)}` };
    }
    case 'note': {
      const result = await incidents.addNote(command.id, actor, 'slack', command.text);
      if (result.outcome === 'not_found') return reply(notFound(command.id));
      return announce(
        `${mention(actor.id)} added a note to *${command.id}*: ${safe(command.text, 2_000)}`,
      );
    }
    case 'declare': {
      const incident = await incidents.declare({
        title: command.title,
        severity: command.severity,
        actor,
        origin: 'slack',
      });
      const where = `<#${ctx.alertsChannel}>`;
      const who = `${mention(actor.id)} declared *${incident.id}* (${incident.severity})`;
      const text = `${who}: ${safe(incident.title, 500)}. Its message goes to ${where}.`;
      return announce(text + channelWarning(ctx));
    }
  }
}

/** Says what an ack or resolve did; repeats and late clicks say who got there first. */
export function describeOutcome(
  result: CommandResult,
  id: string,
  verb: 'acknowledged' | 'resolved',
  actor: Actor,
): CommandReply {
  if (result.outcome === 'not_found') return reply(notFound(id));
  const { incident } = result;
  if (result.outcome === 'resolved')
    return reply(
      `*${incident.id}* is already resolved${by(incident.resolvedBy, incident.resolvedAt)}.`,
    );
  if (result.outcome === 'already') {
    const who =
      verb === 'acknowledged'
        ? by(incident.acknowledgedBy, incident.acknowledgedAt)
        : by(incident.resolvedBy, incident.resolvedAt);
    return reply(`*${incident.id}* was already ${verb}${who}.`);
  }
  return announce(`${mention(actor.id)} ${verb} *${incident.id}*: ${safe(incident.title, 500)}`);

  function by(who: Actor | undefined, at: string | undefined) {
    if (!who) return '';
    const name = who.kind === 'user' ? mention(who.id) : escapeText(who.id);
    return ` by ${name}${at ? ` ${slackDate(at)}` : ''}`;
  }
}

function listText(open: Incident[]) {
  if (open.length === 0) return 'No open incidents. :white_check_mark:';
  const lines = open.slice(0, LIST_LIMIT).map((incident) => {
    const { firing, total } = countAlerts(incident);
    const alerts = total > 0 ? ` · ${firing} of ${total} firing` : '';
    const state = `${incident.severity} · ${statusWord(incident)}${alerts}`;
    const since = slackDate(incident.startedAt);
    return `• *${incident.id}* · ${state} · ${safe(incident.title, 150)} · since ${since}`;
  });
  if (open.length > LIST_LIMIT) lines.push(`…and ${open.length - LIST_LIMIT} more`);
  return truncate(`*Open incidents (${open.length})*\n${lines.join('\n')}`, REPLY_LIMIT);
}

function timelineText(incident: Incident, entries: TimelineEntry[]) {
  const shown = entries.slice(-TIMELINE_LIMIT);
  const lines = shown.map((e) => {
    const time = `${e.at.slice(0, 19).replace('T', ' ')} UTC`;
    const who = e.actor.kind === 'user' ? mention(e.actor.id) : escapeText(e.actor.id);
    return `\`${time}\` ${who} · ${safe(e.text, 300)}`;
  });
  const skipped = entries.length - shown.length;
  const title = safe(incident.title, 200);
  const head = `*Timeline of ${incident.id}* · ${title} (${entries.length} entries)`;
  const note = skipped > 0 ? `\n_…${skipped} earlier entries not shown_` : '';
  let text = `${head}${note}\n${lines.join('\n')}`;
  while (text.length > REPLY_LIMIT && lines.length > 1) {
    lines.shift();
    text = `${head}\n_…earlier entries not shown_\n${lines.join('\n')}`;
  }
  return text;
}

function channelWarning(ctx: CommandContext) {
  const problem = ctx.health.problem('slack');
  return problem ? `\n:warning: ${escapeText(problem.message)}` : '';
}

function notFound(id: string) {
  return `There is no incident *${id}*. \`/incident list\` shows the open ones.`;
}

function reply(text: string): CommandReply {
  return { text, public: false };
}

function announce(text: string): CommandReply {
  return { text, public: true };
}
