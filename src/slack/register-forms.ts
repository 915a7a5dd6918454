import type { App, ViewSubmitAction } from '@slack/bolt';
import type { Actor } from '../core/types.ts';
import { mention, safe } from './mrkdwn.ts';
import { describeOutcome } from './run-incident-command.ts';
import type { SlackListenerDeps } from './register-slack-listeners.ts';
import {
  readContext,
  readDeclareForm,
  readResolveForm,
  readStatusForm,
  VIEW_CLOSE,
  VIEW_DECLARE,
  VIEW_PAGE,
  readPageForm,
  VIEW_RESOLVE,
  VIEW_STATUS,
  type ViewValues,
} from './incident-modals.ts';
import { severityLabel } from '../core/severity.ts';

type Tell = (channel: string | undefined, user: string, text: string) => Promise<unknown>;

/**
 * The forms' submissions. Invalid input is answered with `response_action: errors`, shown by
 * Slack next to its field, so nothing typed is lost; valid input closes the form, then acts.
 */
export function registerForms(app: App, deps: SlackListenerDeps & { tell: Tell }) {
  const { incidents, channels, gateway, tell, logger } = deps;

  const submitter = (body: ViewSubmitAction): Actor => ({
    kind: 'user',
    id: body.user.id,
    name: body.user.name,
  });
  const values = (body: ViewSubmitAction) => body.view.state.values as unknown as ViewValues;

  app.view<ViewSubmitAction>(VIEW_DECLARE, async ({ ack, body }) => {
    const read = readDeclareForm(values(body), deps.botUserId());
    if ('errors' in read) return ack({ response_action: 'errors', errors: read.errors });
    await ack();
    const context = readContext(body.view.private_metadata);
    const actor = submitter(body);
    const { form } = read;
    const lead: Actor | undefined = form.lead
      ? {
          kind: 'user',
          id: form.lead,
          name: await gateway.userName(form.lead).catch(() => form.lead),
        }
      : undefined;
    try {
      const result = await incidents.declare({
        title: form.title,
        severity: form.severity,
        ...(form.description ? { description: form.description } : {}),
        ...(lead ? { lead } : {}),
        channel: form.channel,
        ...(context.incidentId ? { incidentId: context.incidentId } : {}),
        actor,
        origin: 'slack',
      });
      const replyTo = context.channel ?? deps.alertsChannel;
      if (result.outcome === 'done') {
        const { incident } = result;
        if (form.channel) await channels.requestChannel(incident, actor.id, replyTo);
        const next = form.channel
          ? 'Its channel is being created; you will be told here when it is ready.'
          : 'Updates go to the thread of its alert message.';
        const what = `*${incident.id}* (${severityLabel(incident.severity)})`;
        const title = safe(incident.title, 300);
        await tell(replyTo, actor.id, `You declared ${what}: ${title}. ${next}`);
        return;
      }
      if (result.outcome === 'already') {
        const channel = channels.channelOf(result.incident);
        const by = result.incident.declaredBy;
        const who = by ? ` by ${mention(by.id)}` : '';
        const where = channel ? `; it is worked in <#${channel}>` : '';
        await tell(
          replyTo,
          actor.id,
          `*${result.incident.id}* was already declared${who}${where}.`,
        );
        return;
      }
      await tell(
        replyTo,
        actor.id,
        result.outcome === 'refused' ? result.reason : 'No such incident.',
      );
    } catch (error) {
      logger.error({ err: error }, 'declaring from the form failed');
    }
  });

  // Resolving asks for the resolution; it is the final status update.
  for (const [callbackId, read] of [
    [VIEW_RESOLVE, readResolveForm],
    [VIEW_STATUS, readStatusForm],
  ] as const) {
    app.view<ViewSubmitAction>(callbackId, async ({ ack, body }) => {
      const form = read(values(body));
      if ('errors' in form) return ack({ response_action: 'errors', errors: form.errors });
      await ack();
      const { incidentId = '', channel } = readContext(body.view.private_metadata);
      const actor = submitter(body);
      const update = { type: 'status' as const, phase: form.phase, text: form.message };
      const result = await incidents.act(incidentId, update, actor, 'slack');
      if (result.outcome !== 'done')
        await tell(channel, actor.id, describeOutcome(result, incidentId, 'resolved', actor).text);
    });
  }

  app.view<ViewSubmitAction>(VIEW_PAGE, async ({ ack, body }) => {
    const form = readPageForm(values(body));
    if ('errors' in form) return ack({ response_action: 'errors', errors: form.errors });
    await ack();
    const { incidentId = '', channel } = readContext(body.view.private_metadata);
    const actor = submitter(body);
    // Checked again: the form may be older than the rule file the bot now runs with.
    const refusal = await deps.permissions?.refusal('page', actor.id);
    if (refusal) return void (await tell(channel, actor.id, refusal));
    const incident = incidents.get(incidentId);
    const outbound = deps.pagerduty?.outbound;
    if (!incident || !outbound) return;
    if (incident.refs.pagerduty?.id) {
      await tell(channel, actor.id, `Not paged again: *${incident.id}* is paged already.`);
      return;
    }
    const services = await deps.pagerduty!.services().catch(() => []);
    const serviceName = services.find((s) => s.id === form.serviceId)?.name ?? form.serviceId;
    const queued = await outbound.page({ incident, ...form, serviceName, actor });
    const text = queued
      ? `Not paged again: a page of *${incident.id}* to ${safe(queued, 100)} is on its way.`
      : `Paging *${safe(serviceName, 100)}* for *${incident.id}*…`;
    await tell(channel, actor.id, text);
  });

  app.view<ViewSubmitAction>(VIEW_CLOSE, async ({ ack, body }) => {
    await ack();
    const { incidentId = '', channel } = readContext(body.view.private_metadata);
    const actor = submitter(body);
    const refusal = await deps.permissions?.refusal('close', actor.id);
    if (refusal) return void (await tell(channel, actor.id, refusal));
    const result = await incidents.act(incidentId, { type: 'close' }, actor, 'slack');
    if (result.outcome === 'done') {
      await channels.archiveLater(result.incident, actor.id);
      return;
    }
    const text =
      result.outcome === 'refused'
        ? result.reason
        : result.outcome === 'already'
          ? `*${incidentId}* is already closed.`
          : `There is no incident *${incidentId}*.`;
    await tell(channel, actor.id, text);
  });
}
