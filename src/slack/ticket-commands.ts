import { renderReview } from '../core/review.ts';
import { ticketName, ticketsOf, type TicketPurpose } from '../core/tickets.ts';
import type { Incident } from '../core/types.ts';
import type { GitHubClient } from '../integrations/github/github-client.ts';
import type { TicketAdapter } from '../integrations/tickets/create-ticket-adapter.ts';
import type { TicketRequestOutcome } from '../integrations/tickets/ticket-desk.ts';
import type { RequiredField } from '../integrations/tickets/ticket-system.ts';
import { OutboundError } from '../outbound/outbound-error.ts';
import { escapeText, link, mention, safe, truncate } from './mrkdwn.ts';
import type { CommandContext, CommandReply } from './run-incident-command.ts';
import { openForm } from './run-incident-command.ts';
import { ticketDraftText, ticketView } from './ticket-views.ts';

/** What people read when no ticket system is set up. */
export const TICKETS_OFF =
  'Tickets are not set up here. Set `JIRA_BASE_URL`, `JIRA_EMAIL`, `JIRA_API_TOKEN` and ' +
  '`JIRA_PROJECT_KEY` (Jira), or `GITHUB_TOKEN` and `GITHUB_REPOSITORY` (GitHub issues), then ' +
  'restart the bot: see the README’s Tickets section.';
/** Looking things up must leave time to open the form within Slack's 3 s. */
const FORM_LOOKUP_MS = 1_200;
/** `/incident context`: at most this many of each. */
const CONTEXT_ISSUES = 20;
const CONTEXT_CHANGES = 15;
/** How far back `/incident context` looks for deploys and merges before the incident. */
const CONTEXT_LOOKBACK_MS = 24 * 60 * 60 * 1000;

function reply(text: string): CommandReply {
  return { text, public: false };
}

function unconfigured(ctx: CommandContext, system: string | undefined) {
  if (!ctx.tickets || ctx.tickets.desk.systems.length === 0) return reply(TICKETS_OFF);
  if (system === 'jira')
    return reply(
      'Jira is not set up here: set `JIRA_BASE_URL`, `JIRA_EMAIL`, `JIRA_API_TOKEN` and ' +
        '`JIRA_PROJECT_KEY`, then restart the bot.',
    );
  return reply(
    'GitHub is not set up here: set `GITHUB_TOKEN` and `GITHUB_REPOSITORY` (owner/name), ' +
      'then restart the bot.',
  );
}

/** The Create ticket button and `/incident ticket`: the ticket form, pre-filled. */
export async function ticketForm(
  incident: Incident,
  system: string | undefined,
  ctx: CommandContext,
  input: { purpose?: TicketPurpose; title?: string; text?: string } = {},
) {
  const desk = ctx.tickets?.desk;
  if (!desk || !desk.system(system)) return unconfigured(ctx, system);
  const purpose = input.purpose ?? 'incident';
  const chosen = desk.system(system)!;
  const existing =
    purpose === 'incident'
      ? ticketsOf(incident).find((t) => t.purpose === 'incident' && t.system === chosen.name)
      : undefined;
  const [requiredFields, links, entries] = await Promise.all([
    within(ctx.tickets?.jira?.requiredFields() ?? Promise.resolve([]), []),
    within(slackLinks(incident, ctx), {}),
    ctx.incidents.timeline(incident.id),
  ]);
  const text = input.text ?? ticketDraftText(incident, entries, links);
  return openForm(
    ctx,
    ticketView({
      incident,
      purpose,
      systems: desk.systems.map((s) => ({ name: s.name, label: s.label })),
      system: chosen.name,
      title: input.title ?? `${incident.id}: ${incident.title}`,
      text,
      ...(existing ? { existing } : {}),
      requiredFields: requiredFields as RequiredField[],
      context: { incidentId: incident.id, ...(ctx.channel ? { channel: ctx.channel } : {}) },
    }),
  );
}

/** `/incident ticket [jira|github] <title>`: the incident's ticket, opened at once. */
export async function openTicket(
  incident: Incident,
  system: string | undefined,
  title: string,
  ctx: CommandContext,
) {
  const desk = ctx.tickets?.desk;
  const chosen = desk?.system(system);
  if (!desk || !chosen) return unconfigured(ctx, system);
  const [links, entries] = await Promise.all([
    within(slackLinks(incident, ctx), {}),
    ctx.incidents.timeline(incident.id),
  ]);
  const outcome = await desk.request({
    incident,
    system: chosen.name,
    purpose: 'incident',
    title,
    text: ticketDraftText(incident, entries, links),
    actor: ctx.actor,
  });
  return requestReply(outcome, incident, `a ${chosen.label} ticket`, ctx);
}

/** `/incident followup <text>`: a follow-up ticket, opened at once. */
export async function followUp(
  incident: Incident,
  system: string | undefined,
  text: string,
  ctx: CommandContext,
) {
  const desk = ctx.tickets?.desk;
  const chosen = desk?.system(system);
  if (!desk || !chosen) return unconfigured(ctx, system);
  const outcome = await desk.request({
    incident,
    system: chosen.name,
    purpose: 'followup',
    title: text,
    text: `Follow-up of ${incident.id}: ${incident.title}\n\n${text}`,
    actor: ctx.actor,
  });
  return requestReply(outcome, incident, `a ${chosen.label} follow-up`, ctx);
}

/** What people hear after asking for a ticket. */
export function requestReply(
  outcome: TicketRequestOutcome,
  incident: Incident,
  what: string,
  ctx: CommandContext,
): CommandReply {
  switch (outcome.outcome) {
    case 'queued':
      return {
        text:
          `${mention(ctx.actor.id)} is opening ${what} for *${incident.id}*; ` +
          'its link follows on the incident’s message.',
        public: true,
      };
    case 'exists': {
      const t = outcome.ticket;
      const kind = t.purpose === 'followup' ? 'the follow-up ' : '';
      const another =
        t.purpose === 'incident' ? ' To open another, use the Create ticket form.' : '';
      return reply(
        `*${incident.id}* has ${kind}${link(t.url, ticketName(t))} already ` +
          `(${safe(t.status, 40)}).${another}`,
      );
    }
    case 'pending':
      return reply(
        `${what} for *${incident.id}* is being opened already: ${safe(outcome.title, 200)}.`,
      );
    case 'unconfigured':
      return unconfigured(ctx, undefined);
  }
}

/** `/incident review jira|github`: the review draft as a ticket. */
export async function publishReview(incident: Incident, system: string, ctx: CommandContext) {
  const desk = ctx.tickets?.desk;
  const chosen = desk?.system(system);
  if (!desk || !chosen) return unconfigured(ctx, system);
  await within(desk.refresh(incident.id), undefined);
  const current = ctx.incidents.get(incident.id) ?? incident;
  const entries = await ctx.incidents.timeline(incident.id);
  const now = (ctx.clock?.now() ?? new Date()).toISOString();
  const markdown = renderReview(current, entries, { now });
  const outcome = await desk.request({
    incident: current,
    system: chosen.name,
    purpose: 'review',
    title: `Post-incident review: ${incident.id} — ${incident.title}`,
    text: markdown,
    actor: ctx.actor,
  });
  return requestReply(outcome, current, `the review draft as a ${chosen.label} issue`, ctx);
}

/** `/incident context`: what else is going on with the service, and what changed lately. */
export async function contextText(
  incident: Incident,
  service: string | undefined,
  ctx: CommandContext,
) {
  const tickets = ctx.tickets;
  if (!tickets || (!tickets.jira && !tickets.github)) return reply(TICKETS_OFF);
  const name = service ?? serviceOf(incident);
  const head = `*Context for ${incident.id}*${name ? ` · service \`${escapeText(name)}\`` : ''}`;
  const parts = await Promise.all([
    tickets.jira ? jiraContext(tickets, name) : '',
    tickets.github ? gitHubContext(tickets.github, incident) : '',
  ]);
  return reply([head, ...parts.filter(Boolean)].join('\n\n'));
}

async function jiraContext(tickets: TicketAdapter, service: string | undefined) {
  if (!service) return '_Jira: no service to search for; name one: `/incident context <service>`._';
  const label = `labelled \`${escapeText(service.replace(/\s+/g, '-'))}\``;
  try {
    const issues = await tickets.openIssuesFor(service, CONTEXT_ISSUES);
    if (issues.length === 0) return `*Open Jira issues* ${label}: none`;
    const lines = issues.map((i) => {
      const title = safe(i.title ?? '', 150);
      return `• ${link(i.url, i.key)} ${title} · ${safe(i.status, 30)}`;
    });
    return `*Open Jira issues* ${label}\n${lines.join('\n')}`;
  } catch (error) {
    return `_Jira did not answer the search: ${reason(error)}_`;
  }
}

async function gitHubContext(github: GitHubClient, incident: Incident) {
  const since = new Date(Date.parse(incident.startedAt) - CONTEXT_LOOKBACK_MS).toISOString();
  const repo = escapeText(github.container);
  try {
    const changes = await github.recentChanges(since, CONTEXT_CHANGES);
    const what = `*Deploys and merged pull requests* in ${repo}`;
    if (changes.length === 0) return `${what} since a day before it started: none`;
    const lines = changes.map((c) => {
      const when = `\`${c.at.slice(0, 16).replace('T', ' ')} UTC\``;
      const kind = c.kind === 'deployment' ? ':rocket:' : ':twisted_rightwards_arrows:';
      const by = c.who ? ` by ${escapeText(c.who)}` : '';
      return `• ${when} ${kind} ${link(c.url, truncate(c.title, 120))}${by}`;
    });
    return `${what} (newest first)\n${lines.join('\n')}`;
  } catch (error) {
    return `_GitHub did not list its changes: ${reason(error)}_`;
  }
}

/** The service an incident is about, from its alerts' labels. */
export function serviceOf(incident: Incident) {
  for (const alert of Object.values(incident.alerts)) {
    const labels = alert.labels;
    const service = labels.service ?? labels.app ?? labels.job;
    if (service) return service;
  }
  return undefined;
}

function reason(error: unknown) {
  return error instanceof OutboundError ? escapeText(error.message) : 'an unexpected error';
}

async function slackLinks(incident: Incident, ctx: CommandContext) {
  const slack = incident.refs.slack;
  const channel = incident.refs.channel;
  const message =
    channel?.alertLink ??
    (slack?.channel && slack.ts
      ? await ctx.gateway?.permalink(slack.channel, slack.ts)
      : undefined);
  const origin = message ? new URL(message).origin : undefined;
  const channelLink = origin && channel?.id ? `${origin}/archives/${channel.id}` : undefined;
  return { ...(message ? { message } : {}), ...(channelLink ? { channel: channelLink } : {}) };
}

/** The answer if it comes soon, else the fallback (a form must open within 3 s). */
function within<T>(work: Promise<T>, fallback: T): Promise<T> {
  return Promise.race([
    work.catch(() => fallback),
    new Promise<T>((resolve) => setTimeout(() => resolve(fallback), FORM_LOOKUP_MS).unref()),
  ]);
}
