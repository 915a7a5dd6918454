import type { Incident } from '../core/types.ts';
import type { StatuspageOutcome } from '../integrations/statuspage/statuspage-desk.ts';
import { statuspageOf } from '../integrations/statuspage/statuspage-ref.ts';
import { OutboundError } from '../outbound/outbound-error.ts';
import { escapeText, link, mention } from './mrkdwn.ts';
import type { CommandContext, CommandReply } from './run-incident-command.ts';
import { openForm } from './run-incident-command.ts';
import { statuspageView } from './statuspage-views.ts';

/** What people read when the status page is not set up. */
export const STATUSPAGE_OFF =
  'The status page is not set up here. Set `STATUSPAGE_API_KEY` (an Atlassian Statuspage API ' +
  'key) and `STATUSPAGE_PAGE_ID`, and optionally `STATUSPAGE_API_URL` and ' +
  '`STATUSPAGE_MIRROR_STATUS` (default `true`), then restart the bot: see the README’s ' +
  'Status page section.';
/** Looking things up must leave time to open the form within Slack's 3 s (trigger_id). */
const FORM_LOOKUP_MS = 1_200;

function reply(text: string): CommandReply {
  return { text, public: false };
}

/**
 * The Status page button and `/incident statuspage`: the form to open the incident's
 * Statuspage incident, or to update the linked one (pre-filled with what Statuspage says now).
 */
export async function statuspageForm(incident: Incident, ctx: CommandContext) {
  const statuspage = ctx.statuspage;
  if (!statuspage) return reply(STATUSPAGE_OFF);
  const refused = await ctx.permissions?.refusal('statuspage', ctx.actor.id);
  if (refused) return reply(refused);

  const linked = statuspageOf(incident);
  const id = linked?.id;
  const [components, current] = await Promise.all([
    within(statuspage.components()),
    id ? within(statuspage.client.getIncident(id)) : Promise.resolve(undefined),
  ]);
  if (components instanceof Error)
    return reply(`Statuspage did not list the page’s components: ${reason(components)}`);
  if (!components) return reply('Statuspage is slow to answer; please try again in a moment.');
  const now = current instanceof Error ? undefined : current;
  return openForm(
    ctx,
    statuspageView({
      incident,
      ...(linked ? { linked } : {}),
      ...(now ? { current: { status: now.status, components: now.components } } : {}),
      components,
      context: { incidentId: incident.id, ...(ctx.channel ? { channel: ctx.channel } : {}) },
    }),
  );
}

/** What people hear once their change to the status page is queued. */
export function statuspageReply(
  outcome: StatuspageOutcome,
  incident: Incident,
  actorId: string,
): string {
  if (outcome.outcome === 'opening')
    return (
      `${mention(actorId)} is publishing *${incident.id}* on the status page; ` +
      'its link follows on the incident’s message.'
    );
  const sp = statuspageOf(incident);
  const target = sp?.url ? link(sp.url, 'its Statuspage incident') : 'its Statuspage incident';
  return `${mention(actorId)} is updating ${target} for *${incident.id}*.`;
}

/** The answer if it comes in time; the error if it failed; undefined if it is late. */
function within<T>(work: Promise<T>): Promise<T | Error | undefined> {
  return Promise.race([
    work.catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))),
    new Promise<undefined>((resolve) =>
      setTimeout(() => resolve(undefined), FORM_LOOKUP_MS).unref(),
    ),
  ]);
}

function reason(error: Error) {
  return escapeText(error instanceof OutboundError ? error.message : 'an unexpected error');
}
