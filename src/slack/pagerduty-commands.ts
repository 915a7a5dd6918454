import type { Actor, Incident } from '../core/types.ts';
import type { PagerDutyAdapter } from '../integrations/pagerduty/create-pagerduty-adapter.ts';
import type { OnCall } from '../integrations/pagerduty/pagerduty-client.ts';
import { OutboundError } from '../outbound/outbound-error.ts';
import { pageView } from './incident-modals.ts';
import { escapeText, link, mention, safe, truncate } from './mrkdwn.ts';
import type { SlackGateway } from './slack-gateway.ts';

/** On-call lines in one reply; more are counted, not shown. */
const ONCALL_SHOWN = 40;

/** What people read when PagerDuty is not set up. */
export const PAGERDUTY_OFF =
  'PagerDuty is not set up here. Set `PAGERDUTY_TOKEN` (a REST API key) and ' +
  '`PAGERDUTY_FROM_EMAIL` (the PagerDuty user the bot acts as), then restart the bot: ' +
  'see the README’s PagerDuty section.';

export interface PagerDutyCommandContext {
  pagerduty?: PagerDutyAdapter;
  actor: Actor;
  gateway?: SlackGateway;
  channel?: string;
  openForm: (view: object) => Promise<{ text: string; public: boolean }>;
}

/** `/incident page [service]` and the Page button: the paging form, services narrowed by name. */
export async function pageForm(
  incident: Incident,
  query: string | undefined,
  ctx: PagerDutyCommandContext,
) {
  const reply = (text: string) => ({ text, public: false });
  const outbound = ctx.pagerduty?.outbound;
  if (!ctx.pagerduty || !outbound) return reply(PAGERDUTY_OFF);
  const paged = incident.refs.pagerduty;
  if (paged?.id || paged?.dedupKey) {
    const id = paged.id ?? paged.dedupKey ?? '';
    const where = paged.url ? link(paged.url, id) : escapeText(id);
    return reply(`*${incident.id}* is paged already: PagerDuty ${where}.`);
  }
  if (incident.status === 'resolved')
    return reply(`*${incident.id}* is resolved; reopen it before paging anyone.`);
  const pending = outbound.pendingPage(incident.id);
  if (pending) return reply(`A page of *${incident.id}* to ${safe(pending, 100)} is on its way.`);
  if (!ctx.pagerduty.client) {
    // Only a routing key: its integration's service is the one paged, no choice to make.
    const message = incident.description ?? '';
    const serviceName = 'the PagerDuty integration';
    const page = { serviceId: '', serviceName, urgency: 'high' as const, message };
    const queued = await outbound.page({ incident, ...page, actor: ctx.actor });
    if (queued) return reply(`A page of *${incident.id}* is on its way.`);
    return reply(`Paging *${incident.id}* through the PagerDuty integration (Events API)…`);
  }
  let services;
  try {
    services = await ctx.pagerduty.services();
  } catch (error) {
    return reply(`PagerDuty did not list its services: ${reason(error)}.`);
  }
  const wanted = query?.toLowerCase();
  const matching = wanted
    ? services.filter((s) => s.name.toLowerCase().includes(wanted))
    : services;
  if (matching.length === 0)
    return reply(
      query
        ? `No PagerDuty service matches \`${escapeText(truncate(query, 60))}\`.`
        : 'PagerDuty has no services this key can see.',
    );
  // `/incident page checkout` naming one service pages it at once, as typed (high urgency).
  const [only] = matching;
  if (query && only && matching.length === 1) {
    const message = incident.description ?? '';
    const page = { serviceId: only.id, serviceName: only.name, urgency: 'high' as const };
    const queued = await outbound.page({ incident, ...page, message, actor: ctx.actor });
    if (queued) return reply(`A page of *${incident.id}* to ${safe(queued, 100)} is on its way.`);
    return reply(`Paging *${safe(only.name, 100)}* for *${incident.id}*…`);
  }
  const context = { incidentId: incident.id, ...(ctx.channel ? { channel: ctx.channel } : {}) };
  return ctx.openForm(pageView(incident, matching, context));
}

/** `/incident oncall [filter]`: who is on call now, with Slack mentions where emails match. */
export async function onCallText(filter: string | undefined, ctx: PagerDutyCommandContext) {
  if (!ctx.pagerduty?.client) return PAGERDUTY_OFF;
  let oncalls: OnCall[];
  try {
    oncalls = await ctx.pagerduty.client.onCalls();
  } catch (error) {
    return `PagerDuty did not say who is on call: ${reason(error)}.`;
  }
  // A schedule or escalation policy, by ID or by part of its name.
  const wanted = filter?.toLowerCase();
  const matches = (o: OnCall) =>
    [o.scheduleId, o.escalationPolicyId].some((id) => id?.toLowerCase() === wanted) ||
    [o.schedule, o.escalationPolicy].some((name) => name?.toLowerCase().includes(wanted ?? ''));
  const shown = wanted ? oncalls.filter(matches) : oncalls;
  if (shown.length === 0)
    return filter
      ? `Nobody is on call for \`${escapeText(truncate(filter, 60))}\`.`
      : 'Nobody is on call right now.';
  const lines = await Promise.all(
    shown
      .sort(
        (a, b) =>
          (a.escalationPolicy ?? '').localeCompare(b.escalationPolicy ?? '') || a.level - b.level,
      )
      .slice(0, ONCALL_SHOWN)
      .map(async (o) => {
        const slackId = o.email
          ? await ctx.gateway?.userIdByEmail(o.email).catch(() => undefined)
          : undefined;
        const person = slackId ? `${mention(slackId)} (${safe(o.name, 80)})` : safe(o.name, 80);
        const where = [o.escalationPolicy, o.schedule].filter(Boolean).map((n) => safe(n!, 80));
        const on = where.length > 0 ? ` · ${where.join(' · ')}` : '';
        return `• Level ${o.level} · ${person}${on}`;
      }),
  );
  if (shown.length > ONCALL_SHOWN)
    lines.push(
      `_…and ${shown.length - ONCALL_SHOWN} more: narrow with \`/incident oncall <schedule>\`_`,
    );
  return `*On call now*\n${lines.join('\n')}`;
}

function reason(error: unknown) {
  return escapeText(error instanceof OutboundError ? error.message : 'unknown error');
}
