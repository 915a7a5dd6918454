import { WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { interactionBody, slackSignatureHeaders, slashCommandBody } from '../fakes/slack/sign.ts';
import {
  ALERTS,
  eventually,
  fixture,
  PAT,
  SAM,
  SIGNING_SECRET,
  startHarness,
  TOKEN,
  type Harness,
} from '../support/harness.ts';

let h: Harness;

beforeEach(async () => {
  h = await startHarness();
});

afterEach(async () => {
  await h.close();
});

async function openIncident() {
  await h.postAlert('alertmanager', await fixture('alertmanager/firing-group.json'));
  await h.settle();
  return 'INC-1';
}

async function timelineKinds(id: string) {
  return (await h.bot.incidents.timeline(id)).map((e) => e.kind);
}

describe('Slack request signatures', () => {
  it('refuses a request whose signature does not verify with 401, and acts on nothing', async () => {
    const id = await openIncident();
    const body = slashCommandBody({ text: `ack ${id}` });
    const headers = slackSignatureHeaders('some-other-signing-secret', body);

    const res = await fetch(`${h.url}/slack/events`, { method: 'POST', headers, body });

    expect(res.status).toBe(401);
    expect(h.bot.incidents.get(id)?.status).toBe('triggered');
  });

  it('refuses a correctly signed request that is more than five minutes old', async () => {
    const body = slashCommandBody({ text: 'list' });
    const headers = slackSignatureHeaders(
      SIGNING_SECRET,
      body,
      Math.floor(Date.now() / 1000) - 600,
    );

    const res = await fetch(`${h.url}/slack/events`, { method: 'POST', headers, body });

    expect(res.status).toBe(401);
  });

  it('verifies the raw form bytes even though other routes parse JSON (F02)', async () => {
    await h.postAlert('generic', await fixture('generic/firing.json'));
    const payload = {
      type: 'block_actions',
      user: { id: PAT.id, name: 'pat' },
      actions: [{ action_id: 'incident_ack', value: 'INC-1', action_ts: '1.5', type: 'button' }],
      channel: { id: ALERTS },
      container: { channel_id: ALERTS },
    };
    const body = interactionBody(payload);

    const ok = await h.signed(body);
    const tampered = await fetch(`${h.url}/slack/events`, {
      method: 'POST',
      headers: slackSignatureHeaders(SIGNING_SECRET, body),
      body: body.replace('INC-1', 'INC-2'),
    });

    expect(ok.status).toBe(200);
    expect(tampered.status).toBe(401);
    await eventually(() => h.bot.incidents.get('INC-1')?.status === 'acknowledged');
  });
});

describe('buttons', () => {
  it('acknowledges on a click and updates the message in place to show who and when', async () => {
    const id = await openIncident();

    const started = Date.now();
    const res = await h.click('incident_ack', id, PAT);
    const elapsed = Date.now() - started;
    await eventually(() => h.messageText().includes('Acknowledged by'));

    expect(res.status).toBe(200);
    expect(elapsed).toBeLessThan(3_000);
    expect(h.slack.topLevelMessages(ALERTS)).toHaveLength(1);
    expect(h.messageText()).toContain(`Acknowledged by <@${PAT.id}>`);
    expect(h.messageText()).not.toContain('incident_ack');
  });

  it('records one acknowledgement for three clicks and tells the later clickers who got there first (F17)', async () => {
    const id = await openIncident();

    await Promise.all([
      h.click('incident_ack', id, PAT, '1.1'),
      h.click('incident_ack', id, PAT, '1.2'),
      h.click('incident_ack', id, SAM, '1.3'),
    ]);
    await eventually(() => h.slack.ephemerals.length >= 2);
    await h.settle();

    expect((await timelineKinds(id)).filter((k) => k === 'incident.acknowledged')).toHaveLength(1);
    const acker = h.bot.incidents.get(id)?.acknowledgedBy?.id;
    for (const note of h.slack.ephemerals)
      expect(note.text).toContain(`already acknowledged by <@${acker}>`);
  });

  it('applies a redelivered click (same user and action_ts) once, without a note', async () => {
    const id = await openIncident();

    await h.click('incident_ack', id, PAT, '7.7');
    await h.click('incident_ack', id, PAT, '7.7');
    await eventually(() => h.bot.incidents.get(id)?.status === 'acknowledged');
    await h.settle();

    expect((await timelineKinds(id)).filter((k) => k === 'incident.acknowledged')).toHaveLength(1);
    expect(h.slack.ephemerals).toHaveLength(0);
  });

  it('answers "already resolved" to an acknowledgement that arrives after the alerts resolved (F17)', async () => {
    const id = await openIncident();
    await h.postAlert('alertmanager', await fixture('alertmanager/resolved-group.json'));

    await h.click('incident_ack', id, SAM);
    await eventually(() => h.slack.ephemerals.length === 1);

    expect(h.bot.incidents.get(id)?.status).toBe('resolved');
    expect(h.slack.ephemerals[0]?.text).toContain('already resolved by alertmanager');
    expect(await timelineKinds(id)).not.toContain('incident.acknowledged');
  });

  it('resolves on the Resolve button and leaves only Reopen', async () => {
    const id = await openIncident();

    await h.click('incident_resolve', id, SAM);
    await eventually(() => h.messageText().includes('Resolved by'));

    expect(h.messageText()).toContain(`Resolved by <@${SAM.id}>`);
    expect(h.messageText()).not.toContain('"incident_ack"');
    expect(h.messageText()).not.toContain('"incident_resolve"');
    expect(h.messageText()).toContain('"incident_reopen"');
  });
});

describe('/incident', () => {
  it('answers help and unknown subcommands with an ephemeral usage message', async () => {
    const help = await h.command('help');
    const unknown = await h.command('frobnicate now');
    const badId = await h.command('ack banana');

    expect(help.body).toMatchObject({ response_type: 'ephemeral' });
    expect(help.body.text).toContain('/incident ack [INC-42]');
    expect(unknown.body.response_type).toBe('ephemeral');
    expect(unknown.body.text).toContain('Unknown subcommand `frobnicate`');
    expect(badId.body.text).toContain('`banana` is not an incident ID');
  });

  it('lists open incidents, and says so when there are none', async () => {
    const empty = await h.command('list');
    await openIncident();

    const listed = await h.command('list');

    expect(empty.body.text).toContain('No open incidents');
    expect(listed.body.response_type).toBe('ephemeral');
    expect(listed.body.text).toContain('*INC-1*');
    expect(listed.body.text).toContain('5 of 5 firing');
  });

  it('acknowledges, notes and resolves by ID, case-insensitively, in the channel', async () => {
    await openIncident();

    const ack = await h.command('ack inc-1');
    const note = await h.command('note INC-1 rolled back checkout-api');
    const resolve = await h.command('resolve 1 fixed by the rollback', SAM);
    await h.settle();

    expect(ack.body).toMatchObject({ response_type: 'in_channel' });
    expect(ack.body.text).toContain('acknowledged *INC-1*');
    // The alerts channel stays readable: the note goes to the thread of the incident's message.
    expect(note.body).toMatchObject({ response_type: 'ephemeral' });
    expect(note.body.text).toContain('posted in the thread');
    const [message] = h.slack.topLevelMessages(ALERTS);
    await eventually(() =>
      h.slack
        .replies(ALERTS, message!.ts)
        .some((r) => r.text?.includes('rolled back checkout-api')),
    );
    expect(resolve.body.response_type).toBe('in_channel');
    expect(h.bot.incidents.get('INC-1')).toMatchObject({
      status: 'resolved',
      resolution: 'fixed by the rollback',
    });
    expect(h.messageText()).toContain('fixed by the rollback');
  });

  it('tells the user about an unknown incident without changing anything', async () => {
    const res = await h.command('resolve INC-404');

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ response_type: 'ephemeral' });
    expect(res.body.text).toContain('There is no incident *INC-404*');
  });

  it('shows the timeline in order with UTC times and actors', async () => {
    const id = await openIncident();
    await h.command(`ack ${id}`);
    await h.command(`note ${id} looking at the database`);

    const res = await h.command(`timeline ${id}`);

    const text = res.body.text ?? '';
    expect(res.body.response_type).toBe('ephemeral');
    const opened = text.indexOf('Opened by alertmanager');
    const acked = text.indexOf('Acknowledged by @pat');
    const noted = text.indexOf('looking at the database');
    expect(opened).toBeGreaterThan(-1);
    expect(acked).toBeGreaterThan(opened);
    expect(noted).toBeGreaterThan(acked);
    expect(text).toMatch(/`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC`/);
  });

  it('declares an incident with no alert behind it and posts it like the others', async () => {
    const res = await h.command('declare sev1 Checkout payments failing in eu-west-1');
    await h.settle();

    expect(res.body.response_type).toBe('in_channel');
    expect(res.body.text).toContain('declared *INC-1* (SEV1)');
    expect(h.messageText()).toContain('Checkout payments failing in eu-west-1');
    expect(h.messageText()).toContain(`Declared by <@${PAT.id}>`);
    expect((await timelineKinds('INC-1'))[0]).toBe('incident.declared');
  });
});

describe('mentions', () => {
  it('takes commands only from people, not from a bot or app mentioning it', async () => {
    await h.postAlert('generic', await fixture('generic/firing.json'));

    const res = await h.event({
      type: 'app_mention',
      bot_id: 'B0OTHERBOT',
      text: '<@U0FIREBRK> resolve INC-1 echoed by another bot',
      channel: ALERTS,
      ts: '1717000000.000100',
    });
    await h.settle();

    expect(res.status).toBe(200);
    expect(h.bot.incidents.get('INC-1')?.status).toBe('triggered');
  });

  it('acts once on an event Slack delivers twice, answering both within 3 s (F01)', async () => {
    const mention = new WebClient(TOKEN, { slackApiUrl: h.slack.url });
    const said = await mention.chat.postMessage({
      channel: ALERTS,
      text: '@firebreak declare payments-down',
    });
    const ts = String(said.ts);
    h.slack.setLatency('chat.postMessage', 4_000);
    const event = {
      type: 'event_callback',
      team_id: 'T0TEST',
      api_app_id: 'A0FIREBRK',
      event_id: 'Ev0TEST0001',
      event_time: 1717000000,
      event: {
        type: 'app_mention',
        user: PAT.id,
        text: '<@U0FIREBRK> declare payments-down',
        channel: ALERTS,
        ts,
      },
    };
    const body = JSON.stringify(event);
    const headers = (extra: Record<string, string> = {}) => ({
      ...slackSignatureHeaders(SIGNING_SECRET, body),
      'content-type': 'application/json',
      ...extra,
    });

    const started = Date.now();
    const first = await fetch(`${h.url}/slack/events`, {
      method: 'POST',
      headers: headers(),
      body,
    });
    const retry = await fetch(`${h.url}/slack/events`, {
      method: 'POST',
      headers: headers({ 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' }),
      body,
    });
    const elapsed = Date.now() - started;
    await eventually(() => h.slack.replies(ALERTS, ts).length > 0, 10_000);
    await h.settle();

    expect(first.status).toBe(200);
    expect(retry.status).toBe(200);
    expect(elapsed).toBeLessThan(3_000);
    expect(h.bot.incidents.list({ all: true })).toHaveLength(1);
    const kinds = await timelineKinds('INC-1');
    expect(kinds.filter((k) => k === 'incident.declared')).toHaveLength(1);
    expect(h.logs.filter((l) => l.msg === 'duplicate slack event ignored')).toHaveLength(1);
    expect(h.slack.replies(ALERTS, ts)).toHaveLength(1);
    expect(h.slack.replies(ALERTS, ts)[0]?.text).toContain('declared *INC-1*');
  });
});
