import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_API_KEY, PagerDutyStandIn } from '../fakes/pagerduty/pagerduty-stand-in.ts';
import {
  ALERTS,
  eventually,
  fixture,
  PAT,
  SAM,
  startHarness,
  type Harness,
} from '../support/harness.ts';

const SECRET = 'pagerduty-webhook-secret-0123456789';
let h: Harness;
let pd: PagerDutyStandIn;

afterEach(async () => {
  await h?.close();
  await pd?.close();
});

async function start(env: Record<string, string> = {}) {
  pd = await PagerDutyStandIn.start();
  h = await startHarness({
    env: {
      PAGERDUTY_TOKEN: DEFAULT_API_KEY,
      PAGERDUTY_FROM_EMAIL: 'firebreak@example.com',
      PAGERDUTY_API_URL: pd.url,
      PAGERDUTY_WEBHOOK_SECRET: SECRET,
      ...env,
    },
  });
  pd.subscribe(`${h.url}/webhooks/pagerduty`, SECRET);
}

/** An alert's incident paged to Checkout API through the Page button and its form. */
async function pagedIncident() {
  await h.postAlert('alertmanager', await fixture('alertmanager/firing-group.json'));
  await eventually(() => h.messageText().includes('incident_page'));
  await h.click('incident_page', 'INC-1');
  const form = await eventually(() => h.slack.lastView('incident_page_form'));
  await h.submit('incident_page_form', {
    service: {
      value: {
        type: 'static_select',
        selected_option: { value: 'PSVC001', text: { type: 'plain_text', text: 'Checkout API' } },
      },
    },
    urgency: {
      value: {
        type: 'radio_buttons',
        selected_option: { value: 'high', text: { type: 'plain_text', text: 'High' } },
      },
    },
    message: { value: { type: 'plain_text_input', value: 'p99 over 2 s on checkout' } },
  });
  const ref = await eventually(() => h.bot.incidents.get('INC-1')?.refs.pagerduty);
  return { form, pdId: ref.id! };
}

async function kinds(id: string) {
  return (await h.bot.incidents.timeline(id)).map((e) => e.kind);
}

describe('PagerDuty, both ways', () => {
  it('pages from the alert message: services listed, one PagerDuty incident as the From user, linked and shown', async () => {
    await start();

    const { form, pdId } = await pagedIncident();

    expect(JSON.stringify(form.view)).toContain('Checkout API');
    const [incident] = pd.incidents();
    expect(incident).toMatchObject({ id: pdId, incidentKey: 'firebreak-INC-1', urgency: 'high' });
    expect(pd.callsTo('POST /incidents')[0]?.headers.from).toBe('firebreak@example.com');
    await eventually(() => h.messageText().includes(`PagerDuty ${pdId}`));
    expect(h.messageText()).not.toContain('"incident_page"');
    // The link is posted in the thread of the alert message, too.
    const [message] = h.slack.topLevelMessages(ALERTS);
    await eventually(() =>
      h.slack.replies(ALERTS, message!.ts).some((r) => r.text?.includes(`incidents/${pdId}`)),
    );
    const timeline = await h.bot.incidents.timeline('INC-1');
    expect(timeline.at(-1)).toMatchObject({
      kind: 'external',
      actor: { id: PAT.id },
      text: 'Paged Checkout API in PagerDuty (high urgency): p99 over 2 s on checkout',
    });
  });

  it('acknowledges in PagerDuty once, ignores the echo and its redelivery, records a second person, and moves nothing back (F11)', async () => {
    await start();
    const { pdId } = await pagedIncident();

    await h.click('incident_ack', 'INC-1');
    await eventually(() => pd.incident(pdId)?.status === 'acknowledged');
    await pd.webhooksSettled();
    const echo = pd.webhookEvent('incident.acknowledged', pdId, { agentUserId: 'PBOTUSR' });
    await pd.sendWebhook(`${h.url}/webhooks/pagerduty`, echo, { secret: SECRET, times: 2 });
    const human = pd.webhookEvent('incident.acknowledged', pdId, { agentUserId: 'PSAM001' });
    await pd.sendWebhook(`${h.url}/webhooks/pagerduty`, human, { secret: SECRET });
    const older = pd.webhookEvent('incident.triggered', pdId, {
      occurredAt: Date.parse('2020-01-01T00:00:00.000Z'),
    });
    await pd.sendWebhook(`${h.url}/webhooks/pagerduty`, older, { secret: SECRET });
    await h.settle();

    expect(pd.callsTo('PUT /incidents/*')).toHaveLength(1);
    expect((await kinds('INC-1')).filter((k) => k === 'incident.acknowledged')).toHaveLength(1);
    const last = (await h.bot.incidents.timeline('INC-1')).at(-1);
    expect(last).toMatchObject({ kind: 'external', text: 'Acknowledged in PagerDuty too' });
    expect(h.bot.incidents.get('INC-1')?.status).toBe('acknowledged');
  });

  it('resolves here when someone resolves in PagerDuty, without calling PagerDuty back', async () => {
    await start();
    const { pdId } = await pagedIncident();
    await pd.webhooksSettled();
    const putsBefore = pd.callsTo('PUT /incidents/*').length;

    pd.setIncidentStatus(pdId, 'resolved', 'PSAM001');
    await eventually(() => h.bot.incidents.get('INC-1')?.status === 'resolved');
    await h.settle();

    expect(pd.callsTo('PUT /incidents/*')).toHaveLength(putsBefore);
    expect(h.bot.incidents.get('INC-1')?.resolvedBy).toMatchObject({
      kind: 'external',
      name: expect.stringContaining('Sam'),
    });
  });

  it('resolves in PagerDuty when resolved in Slack', async () => {
    await start();
    const { pdId } = await pagedIncident();

    await h.command('resolve INC-1 rolled back', SAM);

    await eventually(() => pd.incident(pdId)?.status === 'resolved');
  });

  it('shows a refused page on the message with Retry, and on the timeline', async () => {
    await start();
    pd.failNext('POST /incidents', {
      status: 400,
      body: {
        error: { message: 'Invalid Input Provided', code: 2001, errors: ['Service is disabled'] },
      },
    });

    await h.postAlert('alertmanager', await fixture('alertmanager/firing-group.json'));
    await eventually(() => h.messageText().includes('incident_page'));
    await h.click('incident_page', 'INC-1');
    await eventually(() => h.slack.lastView('incident_page_form'));
    await h.submit('incident_page_form', {
      service: {
        value: {
          type: 'static_select',
          selected_option: { value: 'PSVC001', text: { type: 'plain_text', text: 'x' } },
        },
      },
      urgency: {
        value: {
          type: 'radio_buttons',
          selected_option: { value: 'high', text: { type: 'plain_text', text: 'x' } },
        },
      },
      message: { value: { type: 'plain_text_input', value: null } },
    });

    await eventually(() => h.messageText().includes('Service is disabled'));
    expect(h.messageText()).toContain('outbound_retry');
    expect(await kinds('INC-1')).toContain('delivery.failed');
  });

  it('pages at once when /incident page names exactly one service, and opens the form otherwise', async () => {
    await start();
    await h.postAlert('alertmanager', await fixture('alertmanager/firing-group.json'));
    await h.settle();

    const vague = await h.command('page INC-1 a');
    const exact = await h.command('page INC-1 checkout');
    await eventually(() => h.bot.incidents.get('INC-1')?.refs.pagerduty?.id);

    expect(vague.body.text ?? '').toBe('');
    expect(h.slack.lastView('incident_page_form')).toBeDefined();
    expect(exact.body.text).toContain('Paging *Checkout API*');
    expect(pd.incidents()).toHaveLength(1);
  });

  it('lists who is on call with Slack mentions matched by email', async () => {
    await start();

    const res = await h.command('oncall');

    expect(res.body.text).toContain('On call now');
    expect(res.body.text).toMatch(/<@U0[A-Z0-9]+>/);
  });

  it('invites the paged service’s on-call people when the incident gets its channel', async () => {
    await start();
    await pagedIncident();

    await h.click('incident_declare', 'INC-1');
    await eventually(() => h.slack.lastView('incident_declare_form'));
    await h.submit('incident_declare_form', {
      title: { value: { type: 'plain_text_input', value: 'Checkout latency' } },
      severity: {
        value: {
          type: 'static_select',
          selected_option: { value: 'error', text: { type: 'plain_text', text: 'x' } },
        },
      },
      lead: { value: { type: 'users_select', selected_user: PAT.id } },
      options: {
        value: {
          type: 'checkboxes',
          selected_options: [{ value: 'channel', text: { type: 'plain_text', text: 'x' } }],
        },
      },
    });
    const channel = await eventually(() => {
      const ref = h.bot.incidents.get('INC-1')?.refs.channel;
      return ref?.state === 'ready' ? ref.id : undefined;
    });

    // Sam is second on call for Checkout API and never touched the incident.
    expect(h.slack.channel(channel!)!.members).toContain(SAM.id);
  });

  it('invites the on-call people into a channel that existed before the page', async () => {
    await start();
    await h.command('declare sev1 Checkout is down');
    const channel = await eventually(() => {
      const ref = h.bot.incidents.get('INC-1')?.refs.channel;
      return ref?.state === 'ready' ? ref.id : undefined;
    });
    expect(h.slack.channel(channel!)!.members).not.toContain(SAM.id);

    await h.command('page checkout', PAT, channel);

    await eventually(() => h.slack.channel(channel!)!.members.includes(SAM.id));
  });

  it('narrows on-call to one schedule by ID or by name, and says so when nobody matches', async () => {
    await start();

    const byId = await h.command('oncall PSCH001');
    const byName = await h.command('oncall checkout primary');
    const none = await h.command('oncall no such rota');

    expect(byId.body.text).toContain('Checkout primary');
    expect(byId.body.text).not.toContain('Payments primary');
    expect(byName.body.text).toContain('Checkout primary');
    expect(none.body.text).toContain('Nobody is on call for `no such rota`');
  });

  it('says how to enable paging when PagerDuty is not set up, and offers no Page button', async () => {
    pd = await PagerDutyStandIn.start();
    h = await startHarness();
    await h.postAlert('alertmanager', await fixture('alertmanager/firing-group.json'));
    await h.settle();

    const res = await h.command('page INC-1');

    expect(res.body.text).toContain('PAGERDUTY_TOKEN');
    expect(h.messageText()).not.toContain('incident_page');
  });
});

describe('PagerDuty through the Events API (a routing key, no REST key)', () => {
  const ROUTING_KEY = '0123456789abcdef0123456789abcdef';

  it('triggers with a stable dedup key, links the incident PagerDuty opens, and acknowledges and resolves it by that key', async () => {
    pd = await PagerDutyStandIn.start({ integrationKeys: { [ROUTING_KEY]: 'PSVC001' } });
    h = await startHarness({
      env: {
        PAGERDUTY_ROUTING_KEY: ROUTING_KEY,
        PAGERDUTY_EVENTS_URL: pd.url,
        PAGERDUTY_WEBHOOK_SECRET: SECRET,
      },
    });
    pd.subscribe(`${h.url}/webhooks/pagerduty`, SECRET);
    await h.postAlert('alertmanager', await fixture('alertmanager/firing-group.json'));
    await eventually(() => h.messageText().includes('incident_page'));

    await h.click('incident_page', 'INC-1');
    const [opened] = await eventually(() => (pd.incidents().length ? pd.incidents() : undefined));
    await eventually(() => h.bot.incidents.get('INC-1')?.refs.pagerduty?.id === opened!.id);
    await h.click('incident_page', 'INC-1', SAM, `${Date.now() / 1000 + 1}`);
    await h.command('ack INC-1');
    await eventually(() => pd.incident(opened!.id)?.status === 'acknowledged');
    await h.command('resolve INC-1 fixed');
    await eventually(() => pd.incident(opened!.id)?.status === 'resolved');
    await pd.webhooksSettled();
    await h.settle();

    expect(opened).toMatchObject({ incidentKey: 'firebreak-INC-1', serviceId: 'PSVC001' });
    expect(pd.incidents()).toHaveLength(1);
    expect(
      pd.callsTo('POST /v2/enqueue').map((c) => (c.body as { event_action: string }).event_action),
    ).toEqual(['trigger', 'acknowledge', 'resolve']);
    const kinds = (await h.bot.incidents.timeline('INC-1')).map((e) => e.kind);
    expect(kinds.filter((k) => k === 'incident.acknowledged')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'external')).toHaveLength(1);

    // The webhook of its own acknowledgement, delivered after the resolution (a busy machine
    // made this happen): still the bot's echo, not "acknowledged in PagerDuty after it resolved".
    const late = pd.webhookEvent('incident.acknowledged', opened!.id, { id: 'evt-late-ack' });
    const [delivery] = await pd.sendWebhook(`${h.url}/webhooks/pagerduty`, late, {
      secret: SECRET,
    });
    expect(delivery?.status).toBe(202);
    await h.settle();
    const after = (await h.bot.incidents.timeline('INC-1')).map((e) => e.kind);
    expect(after.filter((k) => k === 'external')).toHaveLength(1);
  });
});

describe('PagerDuty, when people and failures get in the way', () => {
  it('pages once when two people page at the same moment, and tells the second', async () => {
    await start();
    await h.postAlert('alertmanager', await fixture('alertmanager/firing-group.json'));
    await h.settle();

    const [first, second] = await Promise.all([
      h.command('page INC-1 checkout'),
      h.command('page INC-1 payments', SAM),
    ]);
    await eventually(() => h.bot.incidents.get('INC-1')?.refs.pagerduty?.id);
    await h.settle();

    expect(pd.callsTo('POST /incidents')).toHaveLength(1);
    const answers = [first.body.text, second.body.text].join('\n');
    expect(answers).toMatch(/on its way|paged already/);
  });

  it('reopens here when PagerDuty reopens the incident', async () => {
    await start();
    const { pdId } = await pagedIncident();
    await h.command('resolve INC-1 fixed');
    await eventually(() => pd.incident(pdId)?.status === 'resolved');
    await pd.webhooksSettled();

    pd.setIncidentStatus(pdId, 'triggered', 'PSAM001');
    await eventually(() => h.bot.incidents.get('INC-1')?.status === 'triggered');

    expect((await h.bot.incidents.timeline('INC-1')).at(-1)).toMatchObject({
      kind: 'incident.reopened',
      actor: { kind: 'external', name: expect.stringContaining('Sam') },
    });
  });

  it('does not page for an incident resolved while the page waited', async () => {
    await start();
    await h.postAlert('alertmanager', await fixture('alertmanager/firing-group.json'));
    await h.settle();
    pd.failNext('POST /incidents', { status: 503, body: { error: { message: 'down' } }, times: 3 });

    await h.command('page INC-1 checkout');
    await h.command('resolve INC-1 false alarm');
    await eventually(async () =>
      (await h.bot.incidents.timeline('INC-1')).some((e) => e.text.includes('not sent')),
    );

    expect(pd.incidents()).toHaveLength(0);
    const again = await h.command('page INC-1 checkout');
    expect(again.body.text).toContain('is resolved; reopen it before paging');
  });

  it('links the PagerDuty incident an attempt opened before its answer was lost', async () => {
    await start();
    await h.postAlert('alertmanager', await fixture('alertmanager/firing-group.json'));
    await h.settle();
    const { incident } = pd.openIncident({
      serviceId: 'PSVC001',
      title: 'INC-1: HighRequestLatency',
      incidentKey: 'firebreak-INC-1',
      byUserId: 'PBOTUSR',
    });

    await h.command('page INC-1 checkout');
    const ref = await eventually(() => h.bot.incidents.get('INC-1')?.refs.pagerduty);

    expect(ref.id).toBe(incident.id);
    expect(pd.incidents()).toHaveLength(1);
  });
});
