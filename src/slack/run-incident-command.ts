import type { CommandResult, IncidentService } from '../core/incident-service.ts';
import type { LifecycleCommand } from '../core/lifecycle.ts';
import { severityLabel } from '../core/severity.ts';
import type { Actor, Incident } from '../core/types.ts';
import type { Health } from '../health.ts';
import { OutboundError } from '../outbound/outbound-error.ts';
import type { IncidentChannels } from './incident-channels.ts';
import { closeView, declareView, resolveView } from './incident-modals.ts';
import { escapeText, mention, plainSlackText, safe, slackDate, who } from './mrkdwn.ts';
import { listText, timelineText } from './incident-texts.ts';
import { onCallText, pageForm, type PagerDutyCommandContext } from './pagerduty-commands.ts';
import type { PagerDutyAdapter } from '../integrations/pagerduty/create-pagerduty-adapter.ts';
import { shareReview } from './share-review.ts';
import { markAsNoise, snoozeIncident, unsnoozeIncident } from './snooze-commands.ts';
import type { TicketAdapter } from '../integrations/tickets/create-ticket-adapter.ts';
import type { GuardedAction, PermissionGuard } from './permissions.ts';
import type { RulesConfig } from '../rules/rules-file.ts';
import { rulesTestText, rulesText } from './rules-commands.ts';
import { doctorCommandText } from './doctor-command.ts';
import type { StatuspageAdapter } from '../integrations/statuspage/create-statuspage-adapter.ts';
import { statuspageForm } from './statuspage-commands.ts';
import { contextText, followUp, openTicket, publishReview } from './ticket-commands.ts';
import { ticketForm } from './ticket-commands.ts';
import { HELP_TEXT, type IncidentCommand } from './parse-incident-command.ts';
import type { SlackGateway } from './slack-gateway.ts';

/** What people read when the bot itself failed; the details go to the log. */
export const SORRY =
  'Something went wrong on my side; the details are in the bot’s log. Please try again.';

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
  /** The channel the command was given in. */
  channel?: string;
  channels?: IncidentChannels;
  gateway?: SlackGateway;
  /** Present for slash commands and clicks: lets the command open a form. */
  triggerId?: string;
  clock?: { now(): Date };
  /** The bot's own user ID: it cannot take a role. */
  botUserId?: string;
  pagerduty?: PagerDutyAdapter;
  tickets?: TicketAdapter;
  /** Who may page, post to the status page, close (firebreak.yml); absent: everyone. */
  permissions?: PermissionGuard;
  /** The rule file, for `/incident rules`. */
  rules?: RulesConfig;
  /** Atlassian Statuspage, when STATUSPAGE_API_KEY and STATUSPAGE_PAGE_ID are set. */
  statuspage?: StatuspageAdapter;
}

/** Commands only the people firebreak.yml names may give (when it names any). */
const GUARDED: Partial<Record<IncidentCommand['name'], GuardedAction>> = {
  page: 'page',
  close: 'close',
  noise: 'close',
  statuspage: 'statuspage',
};

/** Runs one `/incident` command (or mention) and says what happened, for Slack to show. */
export async function runIncidentCommand(
  command: IncidentCommand,
  ctx: CommandContext,
): Promise<CommandReply> {
  const { incidents, actor } = ctx;
  const guarded = GUARDED[command.name];
  const refusal = guarded && (await ctx.permissions?.refusal(guarded, actor.id));
  if (refusal) return reply(refusal);
  switch (command.name) {
    case 'help':
      return reply(HELP_TEXT);
    case 'usage':
      return reply(`${command.problem}\n\`/incident help\` lists every command.`);
    case 'list':
      return reply(
        listText(incidents.list(), (ctx.clock?.now() ?? new Date()).getTime(), ctx.channels),
      );
    case 'declare':
      return declare(command.title, command.severity, ctx);
    case 'declare-form':
      return openForm(ctx, declareView({ declarer: actor.id, context: { channel: ctx.channel } }));
    case 'oncall':
      return reply(await onCallText(command.filter, pagerDutyContext(ctx)));
    case 'rules':
      return reply(rulesText(ctx.rules?.rules ?? [], ctx.rules?.file));
    case 'rules-test':
      return reply(rulesTestText(ctx.rules?.rules ?? [], command.text));
    case 'doctor':
      return reply(await doctorCommandText(ctx));
  }

  const incident = target(command.id, ctx);
  if (!incident) return reply(command.id ? notFound(command.id) : needsId(typedName(command)));
  const id = incident.id;
  const source = ctx.channel ? { channel: ctx.channel } : undefined;
  const act = (lifecycle: LifecycleCommand) => incidents.act(id, lifecycle, actor, 'slack', source);

  switch (command.name) {
    case 'timeline':
      return reply(timelineText(incident, await incidents.timeline(id)));
    case 'ack':
      return describeOutcome(await act({ type: 'acknowledge' }), id, 'acknowledged', actor);
    case 'resolve': {
      if (!command.note && incident.declaredAt && incident.status !== 'resolved')
        return openForm(ctx, resolveView(incident, { incidentId: id, channel: ctx.channel }));
      const note = command.note ? plainSlackText(command.note) : undefined;
      const result = await act({ type: 'resolve', ...(note ? { note } : {}) });
      const answer = describeOutcome(result, id, 'resolved', actor);
      if (result.outcome !== 'done' || !note) return answer;
      return { ...answer, text: `${answer.text}\n>${safe(note, 2_000)}` };
    }
    case 'reopen':
      return reopen(incident, ctx);
    case 'note': {
      const text = plainSlackText(command.text);
      return changed(ctx, incident, await act({ type: 'note', text }), () => {
        return `${mention(actor.id)} added a note to *${id}*: ${safe(text, 2_000)}`;
      });
    }
    case 'severity':
      return changed(
        ctx,
        incident,
        await act({ type: 'severity', severity: command.severity }),
        () => {
          return `${mention(actor.id)} set *${id}* to ${severityLabel(command.severity)}`;
        },
      );
    case 'role': {
      if (command.user === ctx.botUserId)
        return reply(`Firebreak cannot be the ${command.role}; name a person.`);
      if (!(await isPerson(command.user, ctx)))
        return reply(`Slack knows no person \`${command.user}\`; name someone with @.`);
      const user: Actor = { kind: 'user', id: command.user, ...(await nameOf(command.user, ctx)) };
      const word = command.role === 'lead' ? 'incident lead' : 'communications lead';
      return changed(ctx, incident, await act({ type: 'role', role: command.role, user }), () => {
        const by = mention(actor.id);
        return `${mention(command.user)} is now the ${word} of *${id}* (set by ${by})`;
      });
    }
    case 'status': {
      const text = plainSlackText(command.text);
      const result = await act({ type: 'status', phase: command.phase, text });
      return changed(ctx, incident, result, () => {
        return `:mega: *${id}* is *${command.phase}*: ${safe(text, 2_500)}`;
      });
    }
    case 'summary': {
      const text = plainSlackText(command.text);
      return changed(ctx, incident, await act({ type: 'summary', text }), () => {
        return `${mention(actor.id)} updated the summary of *${id}*: ${safe(text, 2_000)}`;
      });
    }
    case 'invite':
      return invite(incident, command.users, ctx);
    case 'review':
      return command.publish
        ? publishReview(incident, command.publish, ctx)
        : shareReview(incident, ctx);
    case 'ticket':
      return command.title
        ? openTicket(incident, command.system, plainSlackText(command.title), ctx)
        : ticketForm(incident, command.system, ctx);
    case 'followup':
      return followUp(incident, command.system, plainSlackText(command.text), ctx);
    case 'context':
      return contextText(incident, command.service, ctx);
    case 'close':
      return close(incident, ctx);
    case 'channel':
      return giveChannel(incident, ctx);
    case 'page':
      return pageForm(incident, command.query, pagerDutyContext(ctx));
    case 'snooze':
      return snoozeIncident(incident, command.length, ctx);
    case 'unsnooze':
      return unsnoozeIncident(incident, ctx);
    case 'noise':
      return markAsNoise(incident, command.reason, ctx);
    case 'statuspage':
      return statuspageForm(incident, ctx);
  }
}

function pagerDutyContext(ctx: CommandContext): PagerDutyCommandContext {
  return {
    ...(ctx.pagerduty ? { pagerduty: ctx.pagerduty } : {}),
    ...(ctx.gateway ? { gateway: ctx.gateway } : {}),
    ...(ctx.channel ? { channel: ctx.channel } : {}),
    actor: ctx.actor,
    openForm: (view) => openForm(ctx, view),
  };
}

/** A declared incident that was declared without a channel gets one now. */
async function giveChannel(incident: Incident, ctx: CommandContext) {
  const channel = ctx.channels?.channelOf(incident);
  if (channel) return reply(`*${incident.id}* is worked in <#${channel}>.`);
  if (!ctx.channels) return reply('Channels are not available here.');
  if (incident.refs.channel?.state === 'creating')
    return reply(`*${incident.id}*’s channel is being created; you will hear when it is ready.`);
  if (!incident.declaredAt)
    return reply(
      `*${incident.id}* is an alert nobody declared yet: declare it (its **Start incident** ` +
        'button) to give it a channel.',
    );
  if (incident.closedAt) return reply(`*${incident.id}* is closed.`);
  await ctx.channels.requestChannel(incident, ctx.actor.id, ctx.channel);
  return reply(
    `*${incident.id}*’s channel is being created; you will be told here when it is ready.`,
  );
}

/** The named incident, else the one whose channel this is. */
function target(id: string | undefined, ctx: CommandContext) {
  if (id) return ctx.incidents.get(id);
  return ctx.channel ? ctx.channels?.incidentOf(ctx.channel) : undefined;
}

async function declare(title: string, severity: Incident['severity'], ctx: CommandContext) {
  const { actor } = ctx;
  const result = await ctx.incidents.declare({
    title: plainSlackText(title),
    severity,
    actor,
    origin: 'slack',
    channel: Boolean(ctx.channels),
  });
  if (result.outcome !== 'done') return reply('The incident could not be declared.');
  const { incident } = result;
  await ctx.channels?.requestChannel(incident, actor.id, ctx.channel);
  const who = `${mention(actor.id)} declared *${incident.id}* (${severityLabel(severity)})`;
  const where = ctx.channels
    ? 'Its channel is on its way; its message goes to'
    : 'Its message goes to';
  const text = `${who}: ${safe(incident.title, 500)}. ${where} <#${ctx.alertsChannel}>.`;
  return announce(text + channelWarning(ctx));
}

async function reopen(incident: Incident, ctx: CommandContext) {
  const result = await ctx.incidents.act(incident.id, { type: 'reopen' }, ctx.actor, 'slack');
  if (result.outcome !== 'done') return describeRefusal(result, incident.id);
  let where = '';
  const ref = incident.refs.channel;
  if (ctx.channels && ref?.id && !(await channelStillOpen(incident, ctx))) {
    await ctx.channels.requestChannel(incident, ctx.actor.id, ctx.channel);
    const name = escapeText(ref.name ?? ref.id);
    where = ` Its channel #${name} is archived, so a new channel is being created.`;
  } else if (ref?.id && ref.state === 'ready') {
    where = ` Work continues in <#${ref.id}>.`;
  }
  return announce(`${mention(ctx.actor.id)} reopened *${incident.id}*.${where}`);
}

/** Whether the incident's channel can still be posted to (a person may have archived it). */
async function channelStillOpen(incident: Incident, ctx: CommandContext) {
  const ref = incident.refs.channel;
  if (ref?.state !== 'ready' || !ref.id) return false;
  if (!ctx.gateway) return true;
  return ctx.gateway.channelInfo(ref.id).then(
    (info) => !info.archived,
    (error: unknown) => !(error instanceof OutboundError && error.code === 'channel_not_found'),
  );
}

async function invite(incident: Incident, users: string[], ctx: CommandContext) {
  if (!ctx.channels?.channelOf(incident))
    return reply(
      `*${incident.id}* has no channel to invite people to. Declare it with a channel first.`,
    );
  try {
    await ctx.channels.invite(incident, users);
  } catch (error) {
    const code = error instanceof OutboundError ? error.code : undefined;
    return reply(
      `Slack did not invite them${code ? ` (\`${code}\`)` : ''}. Check the names and try again.`,
    );
  }
  const names = await Promise.all(users.map(async (u) => `@${(await nameOf(u, ctx)).name ?? u}`));
  const text = `Invited ${names.join(', ')}`;
  await ctx.incidents.act(incident.id, { type: 'note', text }, ctx.actor, 'slack', {
    ...(ctx.channel ? { channel: ctx.channel } : {}),
  });
  return announce(
    `${mention(ctx.actor.id)} invited ${users.map(mention).join(', ')} to *${incident.id}*.`,
  );
}

async function close(incident: Incident, ctx: CommandContext) {
  const ref = incident.refs.channel;
  if (incident.closedAt) return reply(`*${incident.id}* is already closed.`);
  if (incident.status !== 'resolved')
    return reply(`*${incident.id}* is still open; resolve it before closing its channel.`);
  if (!ref?.id) return reply(`*${incident.id}* has no channel to close.`);
  return openForm(
    ctx,
    closeView(incident, ref.name ?? ref.id, { incidentId: incident.id, channel: ctx.channel }),
  );
}

export async function openForm(ctx: CommandContext, view: object) {
  if (!ctx.gateway || !ctx.triggerId)
    return reply('Use the `/incident` slash command for this: it opens a form.');
  try {
    await ctx.gateway.openView(ctx.triggerId, view);
    return reply('');
  } catch (error) {
    const e = error instanceof OutboundError ? error : undefined;
    if (e?.retryAfterMs !== undefined) {
      const seconds = Math.ceil(e.retryAfterMs / 1000);
      return reply(`Slack is rate-limiting forms; try again in ${seconds} s.`);
    }
    return reply(
      e?.code === 'invalid_trigger_id' || e?.code === 'expired_trigger_id'
        ? 'Slack did not open the form: its trigger came too late or not from Slack (a form ' +
            'opens only from a real slash command or button, within 3 s). Run it again in Slack.'
        : `Slack did not open the form${e?.code ? ` (\`${e.code}\`)` : ''}; please try again.`,
    );
  }
}

async function nameOf(userId: string, ctx: CommandContext) {
  const name = await ctx.gateway?.userName(userId).catch(() => undefined);
  return name ? { name } : {};
}

/** Whether Slack knows the person; only a clear "no such user" says no. */
async function isPerson(userId: string, ctx: CommandContext) {
  if (!ctx.gateway) return true;
  return ctx.gateway.userName(userId).then(
    () => true,
    (error: unknown) => !(error instanceof OutboundError && error.code === 'user_not_found'),
  );
}

/** A change's reply: public where the change is news, ephemeral with the reason otherwise. */
function changed(
  ctx: CommandContext,
  incident: Incident,
  result: CommandResult,
  text: () => string,
): CommandReply {
  if (result.outcome !== 'done') return describeRefusal(result, incident.id);
  // In the alerts channel the line goes to the alert message's thread; the reply stays private.
  const inAlerts = ctx.channel === ctx.alertsChannel && !ctx.channels?.channelOf(incident);
  if (inAlerts && ctx.channels && incident.refs.slack?.ts)
    return reply(`Done; posted in the thread of *${incident.id}*’s message.`);
  return announce(text());
}

function describeRefusal(result: CommandResult, id: string): CommandReply {
  if (result.outcome === 'not_found') return reply(notFound(id));
  if (result.outcome === 'refused') return reply(`:no_entry: ${escapeText(result.reason)}`);
  if (result.outcome === 'already')
    return reply(`Nothing to change: *${id}* is already like that.`);
  if (result.outcome === 'resolved') return reply(`*${id}* is already resolved.`);
  return reply('Done.');
}

/** Says what an ack or resolve did; repeats and late clicks say who got there first. */
export function describeOutcome(
  result: CommandResult,
  id: string,
  verb: 'acknowledged' | 'resolved',
  actor: Actor,
): CommandReply {
  if (result.outcome === 'not_found') return reply(notFound(id));
  if (result.outcome === 'refused') return reply(`:no_entry: ${escapeText(result.reason)}`);
  const { incident } = result;
  if (result.outcome === 'resolved')
    return reply(
      `*${incident.id}* is already resolved${by(incident.resolvedBy, incident.resolvedAt)}.`,
    );
  if (result.outcome === 'already') {
    const earlier =
      verb === 'acknowledged'
        ? by(incident.acknowledgedBy, incident.acknowledgedAt)
        : by(incident.resolvedBy, incident.resolvedAt);
    return reply(`*${incident.id}* was already ${verb}${earlier}.`);
  }
  return announce(`${mention(actor.id)} ${verb} *${incident.id}*: ${safe(incident.title, 500)}`);

  function by(someone: Actor | undefined, at: string | undefined) {
    if (!someone) return '';
    return ` by ${who(someone)}${at ? ` ${slackDate(at)}` : ''}`;
  }
}

function channelWarning(ctx: CommandContext) {
  const problem = ctx.health.problem('slack');
  return problem ? `\n:warning: ${escapeText(problem.message)}` : '';
}

function notFound(id: string) {
  return `There is no incident *${id}*. \`/incident list\` shows the open ones.`;
}

/** The subcommand as people type it. */
function typedName(command: IncidentCommand) {
  if (command.name === 'role') return command.role;
  if (command.name === 'severity') return 'sev';
  return command.name;
}

/** What a command takes after the ID, for the examples. */
const ARGUMENTS: Record<string, string> = {
  followup: ' <text>',
  note: ' <text>',
  summary: ' <text>',
  status: ' <phase> <message>',
  sev: ' <1-4>',
  lead: ' @person',
  comms: ' @person',
  invite: ' @person',
  context: ' [service]',
};

function needsId(name: string) {
  const example = `\`/incident ${name} INC-42${ARGUMENTS[name] ?? ''}\``;
  return `Name the incident (${example}), or run this in the incident’s channel.`;
}

function reply(text: string): CommandReply {
  return { text, public: false };
}

function announce(text: string): CommandReply {
  return { text, public: true };
}
