import { afterEach, describe, expect, it } from 'vitest';
import { isValidChannelName } from '../../src/slack/channel-name.ts';
import type { ViewStateValue } from '../fakes/slack/sign.ts';
import {
  ALERTS,
  eventually,
  fixture,
  PAT,
  SAM,
  startHarness,
  type Harness,
} from '../support/harness.ts';

const ALEX = { id: 'U0ALEX001', name: 'alex' };
let h: Harness;

afterEach(async () => {
  await h?.close();
});

type Values = Record<string, Record<string, ViewStateValue>>;

function declareValues(input: {
  title: string;
  severity?: string;
  lead?: string;
  channel?: boolean;
  description?: string;
}): Values {
  const channel = input.channel ?? true;
  return {
    title: { value: { type: 'plain_text_input', value: input.title } },
    severity: {
      value: {
        type: 'static_select',
        selected_option: {
          value: input.severity ?? 'error',
          text: { type: 'plain_text', text: 'x' },
        },
      },
    },
    description: { value: { type: 'plain_text_input', value: input.description ?? null } },
    lead: { value: { type: 'users_select', selected_user: input.lead ?? PAT.id } },
    options: {
      value: {
        type: 'checkboxes',
        selected_options: channel
          ? [{ value: 'channel', text: { type: 'plain_text', text: 'x' } }]
          : [],
      },
    },
  };
}

/** Declares through the form, as a person would, and waits for the channel to be set up. */
async function declareWithForm(
  title: string,
  extra: Partial<Parameters<typeof declareValues>[0]> = {},
) {
  const opened = await h.command('declare');
  expect(opened.status).toBe(200);
  const res = await h.submit('incident_declare_form', declareValues({ title, ...extra }));
  expect(res.status).toBe(200);
  const incident = await eventually(() =>
    h.bot.incidents.list().find((i) => i.title === title && i.refs.channel?.state === 'ready'),
  );
  return { incident, channel: incident.refs.channel!.id! };
}

function channelText(channel: string) {
  return h.slack
    .messages(channel)
    .map((m) => `${m.text ?? ''} ${JSON.stringify(m.blocks ?? [])}`)
    .join('\n');
}

async function kinds(id: string) {
  return (await h.bot.incidents.timeline(id)).map((e) => e.kind);
}

function ephemeralsTo(user: string) {
  return h.slack.ephemerals.filter((e) => e.user === user).map((e) => e.text ?? '');
}

describe('declaring with the form', () => {
  it('opens a form on `/incident declare`, shows a missing title next to its field, and declares nothing', async () => {
    h = await startHarness();

    await h.command('declare');
    const view = h.slack.lastView('incident_declare_form');
    const refused = await h.submit('incident_declare_form', declareValues({ title: '   ' }));

    expect(view?.view).toMatchObject({ type: 'modal', callback_id: 'incident_declare_form' });
    const blocks = JSON.stringify(view?.view);
    for (const part of ['SEV1', 'SEV4', 'users_select', 'Create a channel for it'])
      expect(blocks).toContain(part);
    expect(refused.body).toEqual({
      response_action: 'errors',
      errors: { title: 'Give the incident a title.' },
    });
    expect(h.bot.incidents.list({ all: true })).toHaveLength(0);
  });

  it('creates the channel, invites the declarer and lead, sets the topic, pins the summary and links both ways', async () => {
    h = await startHarness();

    const { incident, channel } = await declareWithForm('Checkout fails for EU cards', {
      severity: 'error',
      lead: SAM.id,
    });

    const state = h.slack.channel(channel)!;
    expect(state.name).toMatch(/^inc-\d{8}-1-checkout-fails-for-eu-cards$/);
    expect(state.members).toEqual(expect.arrayContaining([PAT.id, SAM.id]));
    expect(state.topic).toBe('SEV2 · Investigating · Lead: @sam · Checkout fails for EU cards');
    expect(state.pins).toHaveLength(1);
    const summary = h.slack.messages(channel).find((m) => m.ts === state.pins[0]);
    expect(JSON.stringify(summary?.blocks)).toContain('incident_status');
    expect(state.bookmarks[0]?.link).toMatch(
      /^https:\/\/sandbox\.slack\.invalid\/archives\/C0ALERTS01\/p\d+/,
    );
    expect(incident.roles?.lead).toMatchObject({ kind: 'user', id: SAM.id, name: 'sam' });
    await eventually(() =>
      JSON.stringify(h.slack.topLevelMessages(ALERTS)[0]?.blocks).includes(
        `Worked in <#${channel}>`,
      ),
    );
    expect(await kinds(incident.id)).toEqual(
      expect.arrayContaining(['incident.declared', 'channel.created']),
    );
    expect(ephemeralsTo(PAT.id).join('\n')).toContain(`is worked in <#${channel}>`);
  });

  it('promotes an alert to an incident from its Start incident button, keeping one incident and its timeline', async () => {
    h = await startHarness();
    await h.postAlert('alertmanager', await fixture('alertmanager/firing-group.json'));
    await h.settle();

    await h.click('incident_declare', 'INC-1');
    const form = await eventually(() => h.slack.lastView('incident_declare_form'));
    const prefilled = JSON.stringify(form.view);
    await h.submit(
      'incident_declare_form',
      declareValues({ title: 'Checkout latency', severity: 'critical' }),
    );
    const incident = await eventually(() => {
      const i = h.bot.incidents.get('INC-1');
      return i?.refs.channel?.state === 'ready' ? i : undefined;
    });

    expect(prefilled).toContain('HighRequestLatency');
    expect(h.bot.incidents.list({ all: true })).toHaveLength(1);
    expect(incident).toMatchObject({ severity: 'critical', phase: 'investigating' });
    const channel = incident.refs.channel!.id!;
    expect(channelText(channel)).toContain('Timeline so far');
    expect(channelText(channel)).toContain('Opened by alertmanager');
  });

  it('declares once when two people submit the form for the same alert (F17)', async () => {
    h = await startHarness();
    await h.postAlert('alertmanager', await fixture('alertmanager/firing-group.json'));
    await h.settle();
    await h.click('incident_declare', 'INC-1', PAT);
    await eventually(() => h.slack.lastView('incident_declare_form'));

    await Promise.all([
      h.submit('incident_declare_form', declareValues({ title: 'First' }), PAT),
      h.submit('incident_declare_form', declareValues({ title: 'Second' }), SAM),
    ]);
    await eventually(() => h.bot.incidents.get('INC-1')?.refs.channel?.state === 'ready');
    await h.settle();

    const declared = (await kinds('INC-1')).filter((k) => k === 'incident.declared');
    expect(declared).toHaveLength(1);
    expect(h.slack.callsTo('conversations.create')).toHaveLength(1);
    expect(ephemeralsTo(SAM.id).join('\n') + ephemeralsTo(PAT.id).join('\n')).toContain(
      'was already declared',
    );
  });
});

describe('channel names (F05)', () => {
  it('makes a valid name of at most 80 characters from emoji, umlauts and punctuation', async () => {
    h = await startHarness();
    const title =
      '🔥 [P1] Payments API – 5xx > 50% in EU/Zürich (checkout, cart, wallet) — ÜBERLAST on db-primary-01.prod.example.internal!!';

    const { channel } = await declareWithForm(title);
    const { channel: second } = await declareWithForm('!!!');

    const name = h.slack.channel(channel)!.name;
    expect(isValidChannelName(name)).toBe(true);
    expect(name.length).toBeLessThanOrEqual(80);
    expect(name).toContain('payments-api-5xx-50-in-eu-zurich');
    expect(h.slack.channel(second)!.name).toMatch(/^inc-\d{8}-2$/);
  });

  it('adds a suffix when the name is taken, and stores the name Slack returned', async () => {
    h = await startHarness();
    const today = new Date().toISOString().slice(0, 10).replace(/-/g, '');
    h.slack.addChannel({ id: 'C0TAKEN01', name: `inc-${today}-1-db-down`, isArchived: true });

    const { incident, channel } = await declareWithForm('DB down');

    expect(h.slack.channel(channel)!.name).toBe(`inc-${today}-1-db-down-2`);
    expect(incident.refs.channel?.name).toBe(`inc-${today}-1-db-down-2`);
  });

  it('still declares when the channel cannot be created, tells the declarer why, and works in the alert thread', async () => {
    h = await startHarness();
    h.slack.failNext('conversations.create', {
      error: 'missing_scope',
      body: { needed: 'channels:manage', provided: 'chat:write' },
    });

    await h.command('declare');
    await h.submit('incident_declare_form', declareValues({ title: 'Queue backlog' }));
    await eventually(() => h.bot.incidents.get('INC-1')?.refs.channel?.state === 'failed');
    await h.command('note INC-1 consumers restarted');
    await h.settle();

    expect(h.bot.incidents.get('INC-1')?.status).toBe('triggered');
    expect(ephemeralsTo(PAT.id).join('\n')).toContain('channels:manage');
    const timeline = await h.bot.incidents.timeline('INC-1');
    expect(timeline.find((e) => e.kind === 'channel.failed')?.text).toContain('missing_scope');
    const [message] = h.slack.topLevelMessages(ALERTS);
    await eventually(() =>
      h.slack.replies(ALERTS, message!.ts).some((r) => r.text?.includes('consumers restarted')),
    );
    expect(h.slack.callsTo('conversations.create')).toHaveLength(1);
  });
});

describe('working an incident from its channel', () => {
  it('takes ID-less commands, keeps topic and summary current, and puts each change on the timeline with its actor', async () => {
    h = await startHarness();
    const { incident, channel } = await declareWithForm('Search is slow');
    const id = incident.id;
    const [alertMessage] = h.slack.topLevelMessages(ALERTS);

    const status = await h.command('status identified bad index on products', PAT, channel);
    await h.command('sev 1', PAT, channel);
    await h.command('comms <@U0ALEX001|alex>', PAT, channel);
    await h.command('lead <@U0SAM0001|sam>', PAT, channel);
    await h.command('summary Search p99 is 9 s for all users', SAM, channel);
    const invited = await h.command('invite <@U0ALEX001|alex>', SAM, channel);
    await h.settle();

    expect(status.body.response_type).toBe('in_channel');
    expect(invited.body.response_type).toBe('in_channel');
    expect(h.slack.channel(channel)!.members).toContain(ALEX.id);
    await eventually(
      () =>
        h.slack.channel(channel)!.topic ===
        'SEV1 · Identified · Lead: @sam · Comms: @alex · Search is slow',
    );
    const summary = h.slack
      .messages(channel)
      .find((m) => m.ts === h.slack.channel(channel)!.pins[0]);
    await eventually(() =>
      JSON.stringify(h.slack.messages(channel).find((m) => m.ts === summary!.ts)?.blocks).includes(
        'Search p99 is 9 s',
      ),
    );
    // The status update also reaches the thread of the alert message.
    await eventually(() =>
      h.slack
        .replies(ALERTS, alertMessage!.ts)
        .some((r) => r.text?.includes('bad index on products')),
    );
    const timeline = await h.bot.incidents.timeline(id);
    const byKind = (kind: string) => timeline.filter((e) => e.kind === kind);
    expect(byKind('incident.status')[0]).toMatchObject({
      actor: { kind: 'user', id: PAT.id },
      text: 'Identified: bad index on products',
    });
    expect(byKind('incident.severity')[0]?.text).toBe('Severity SEV2 → SEV1 by @pat');
    expect(byKind('incident.role').map((e) => e.text)).toEqual([
      '@alex is the communications lead (set by @pat)',
      '@sam is the incident lead (set by @pat)',
    ]);
    expect(byKind('incident.summary')[0]?.actor.id).toBe(SAM.id);
    for (const entry of timeline)
      expect(entry.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('refuses illegal transitions with a clear ephemeral answer and changes nothing', async () => {
    h = await startHarness();
    const { incident, channel } = await declareWithForm('Cache stampede');

    const close = await h.command('close', PAT, channel);
    await h.command('resolve fixed by warming the cache', PAT, channel);
    const late = await h.command('status investigating it is back?', PAT, channel);
    const lead = await h.command('lead U0FIREBRK', PAT, channel);

    expect(close.body).toMatchObject({ response_type: 'ephemeral' });
    expect(close.body.text).toContain('still open; resolve it before closing');
    expect(late.body).toMatchObject({ response_type: 'ephemeral' });
    expect(late.body.text).toContain('reopen it');
    expect(h.bot.incidents.get(incident.id)?.phase).toBe('resolved');
    expect(lead.body.response_type).toBe('ephemeral');
  });

  it('needs an ID outside an incident channel and says how', async () => {
    h = await startHarness();

    const res = await h.command('status identified something');

    expect(res.body.text).toContain('run this in the incident’s channel');
  });
});

describe('resolving, reviewing and closing', () => {
  it('asks for a resolution in a form, then posts the final status, updates topic, summary and the alert message', async () => {
    h = await startHarness();
    const { incident, channel } = await declareWithForm('Login errors');

    await h.click('incident_resolve', incident.id, PAT, undefined, channel);
    await eventually(() => h.slack.lastView('incident_resolve_form'));
    const empty = await h.submit('incident_resolve_form', {
      resolution: { value: { type: 'plain_text_input', value: '' } },
    });
    await h.submit('incident_resolve_form', {
      resolution: { value: { type: 'plain_text_input', value: 'Rolled back auth v3' } },
    });

    expect(empty.body).toMatchObject({ response_action: 'errors' });
    await eventually(() => h.slack.channel(channel)!.topic?.startsWith('SEV2 · Resolved'));
    const resolved = h.bot.incidents.get(incident.id)!;
    expect(resolved).toMatchObject({
      status: 'resolved',
      phase: 'resolved',
      resolution: 'Rolled back auth v3',
    });
    await eventually(() => channelText(channel).includes('Rolled back auth v3'));
    await eventually(() =>
      JSON.stringify(h.slack.topLevelMessages(ALERTS)[0]?.blocks).includes('Rolled back auth v3'),
    );
  });

  it('names the people a message added to the timeline mentions, not their IDs', async () => {
    h = await startHarness();
    const { incident, channel } = await declareWithForm('Payments timeout');
    // Messages carry bare mentions (<@U…>), as Slack sends them.
    const text = '<@U0SAM0001> is the PSP down? cc <@U0NOBODY1>';
    const asked = h.slack.postUserMessage(channel, { user: ALEX.id, text });

    await h.shortcut(channel, { ts: asked, text, user: ALEX.id });
    const added = await eventually(async () =>
      (await h.bot.incidents.timeline(incident.id)).find((e) => e.kind === 'message.added'),
    );
    expect(added.text).toBe('@sam is the PSP down? cc @U0NOBODY1');
  });

  it('writes a Markdown review with figures from the timeline and messages added to it, following edits and deletions', async () => {
    h = await startHarness();
    const { incident, channel } = await declareWithForm('Payments timeout');
    const said = h.slack.postUserMessage(channel, {
      user: SAM.id,
      text: 'The PSP is returning 504s',
    });
    const wrong = h.slack.postUserMessage(channel, { user: ALEX.id, text: 'Maybe DNS?' });
    await h.shortcut(channel, { ts: said, text: 'The PSP is returning 504s', user: SAM.id });
    await h.shortcut(channel, { ts: wrong, text: 'Maybe DNS?', user: ALEX.id });
    const again = await h.shortcut(channel, {
      ts: said,
      text: 'The PSP is returning 504s',
      user: SAM.id,
    });
    await eventually(() => h.bot.incidents.get(incident.id)?.refs.starred?.[wrong]);
    await h.event({
      type: 'message',
      subtype: 'message_changed',
      channel,
      hidden: true,
      ts: '1.2',
      message: {
        type: 'message',
        user: SAM.id,
        text: 'The PSP is returning 504s for EU cards',
        ts: said,
      },
      previous_message: {
        type: 'message',
        user: SAM.id,
        text: 'The PSP is returning 504s',
        ts: said,
      },
    });
    await h.event({
      type: 'message',
      subtype: 'message_deleted',
      channel,
      hidden: true,
      ts: '1.3',
      deleted_ts: wrong,
    });
    await h.command('ack', PAT, channel);
    await h.command('resolve PSP failover', PAT, channel);
    const review = await h.command('review', PAT, channel);

    expect(again.status).toBe(200);
    expect(review.body.text).toContain('review draft');
    const [file] = h.slack.files();
    expect(file).toMatchObject({ filename: 'INC-1-review.md', channel });
    const markdown = file!.content;
    const shared = h.slack.messages(channel).find((m) => m.text?.includes('review draft of INC-1'));
    expect(shared?.text).toMatch(/time to acknowledge \d/);
    expect(markdown).toContain('# Post-incident review: INC-1');
    expect(markdown).toContain('Time to acknowledge');
    expect(markdown).toContain('The PSP is returning 504s for EU cards');
    expect(markdown).toContain('(edited)');
    expect(markdown).toContain('~~Maybe DNS?~~');
    const added = (await h.bot.incidents.timeline(incident.id)).filter(
      (e) => e.kind === 'message.added',
    );
    expect(added).toHaveLength(2);
    expect(added[0]?.source?.url).toMatch(/^https:\/\/sandbox\.slack\.invalid\/archives\//);
    expect(ephemeralsTo(PAT.id).join('\n')).toContain('already on');
  });

  it('archives the channel after a confirmation, and then takes only notes', async () => {
    h = await startHarness();
    const { incident, channel } = await declareWithForm('Disk full');
    await h.command('resolve cleaned up', PAT, channel);

    await h.command('close', PAT, channel);
    await eventually(() => h.slack.lastView('incident_close_form'));
    await h.submit('incident_close_form', {});
    await eventually(() => h.slack.channel(channel)?.isArchived);
    const reopen = await h.command(`reopen ${incident.id}`);
    const note = await h.command(`note ${incident.id} root cause: logrotate was off`);

    expect(reopen.body.text).toContain('closed');
    expect(note.body.text).not.toContain(':no_entry:');
    expect(await kinds(incident.id)).toEqual(expect.arrayContaining(['incident.closed', 'note']));
  });
});

describe('an archived incident channel (F07)', () => {
  it('records the change, posts to the alert thread instead, logs once, and Reopen makes a new channel', async () => {
    h = await startHarness();
    const { incident, channel } = await declareWithForm('API 5xx');
    h.slack.archiveChannel(channel);

    await h.command(`note ${incident.id} still failing`);
    await h.command(`resolve ${incident.id} upstream fixed`);
    await h.settle();
    const [alertMessage] = h.slack.topLevelMessages(ALERTS);
    await eventually(() =>
      h.slack.replies(ALERTS, alertMessage!.ts).some((r) => r.text?.includes('still failing')),
    );
    await h.click('incident_reopen', incident.id, SAM);
    const reopened = await eventually(() => {
      const ref = h.bot.incidents.get(incident.id)?.refs.channel;
      return ref?.state === 'ready' && ref.id !== channel ? ref : undefined;
    });

    expect(h.bot.incidents.get(incident.id)?.status).toBe('triggered');
    expect(await kinds(incident.id)).toEqual(
      expect.arrayContaining(['incident.resolved', 'channel.failed']),
    );
    const warnings = h.logs.filter((l) => String(l.msg).includes('archived or gone'));
    expect(warnings).toHaveLength(1);
    expect(h.slack.channel(reopened.id!)?.name).toMatch(/-2$/);
    expect(ephemeralsTo(SAM.id).join('\n')).toContain('a new channel is being created');
    expect(h.bot.queue.stats().failed).toBe(0);
  });
});

describe('reminders', () => {
  it('reminds the channel when no status update came for the severity’s interval, and stops once resolved', async () => {
    let now = Date.now();
    h = await startHarness({
      env: { REMINDER_MINUTES: 'sev2=10' },
      clock: { now: () => new Date(now) },
    });
    const { incident, channel } = await declareWithForm('Slow builds');
    const reminders = () =>
      h.slack.messages(channel).filter((m) => m.text?.includes('no status update'));

    now += 9 * 60_000;
    await new Promise((resolve) => setTimeout(resolve, 200));
    const early = reminders().length;
    now += 2 * 60_000;
    await eventually(() => reminders().length === 1);
    await h.command('status monitoring fix deployed', PAT, channel);
    now += 5 * 60_000;
    await new Promise((resolve) => setTimeout(resolve, 200));
    const afterUpdate = reminders().length;
    await h.command(`resolve ${incident.id} done`);
    now += 60 * 60_000;
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Reopened after an hour: the interval starts again from the reopen, not from the last update.
    await h.command(`reopen ${incident.id}`);
    await new Promise((resolve) => setTimeout(resolve, 200));

    expect(early).toBe(0);
    expect(afterUpdate).toBe(1);
    expect(reminders()).toHaveLength(1);
    expect(reminders()[0]?.text).toContain(`<@${PAT.id}>`);
  });
});

describe('seeing everything at once', () => {
  it('lists open incidents with severity, status, lead, age and channel, and shows them on the Home tab', async () => {
    h = await startHarness();
    const { channel } = await declareWithForm('Cart empty', { lead: SAM.id });

    const list = await h.command('list');
    await h.event({ type: 'app_home_opened', user: PAT.id, channel: 'D0PAT', tab: 'home' });
    const home = await eventually(() => h.slack.homeView(PAT.id));

    expect(list.body.text).toContain('SEV2');
    expect(list.body.text).toContain('Investigating');
    expect(list.body.text).toContain(`lead <@${SAM.id}>`);
    expect(list.body.text).toContain(`<#${channel}>`);
    expect(list.body.text).toMatch(/\dm old/);
    const text = JSON.stringify(home.view);
    expect(text).toContain('Open incidents (1)');
    expect(text).toContain('Cart empty');
    expect(text).toContain('Recently resolved');
  });
});

describe('the incident’s space', () => {
  it('posts one line per change in the channel: five alerts resolving are one message, not five', async () => {
    h = await startHarness();
    await h.postAlert('alertmanager', await fixture('alertmanager/firing-group.json'));
    await h.settle();
    await h.click('incident_declare', 'INC-1');
    await eventually(() => h.slack.lastView('incident_declare_form'));
    await h.submit('incident_declare_form', declareValues({ title: 'Checkout latency' }));
    const channel = await eventually(() => {
      const ref = h.bot.incidents.get('INC-1')?.refs.channel;
      return ref?.state === 'ready' ? ref.id : undefined;
    });
    const before = h.slack.messages(channel).length;

    await h.postAlert('alertmanager', await fixture('alertmanager/resolved-group.json'));
    await eventually(() => channelText(channel).includes('Resolved: p99 latency'));
    await h.settle();

    const posts = h.slack.messages(channel).slice(before);
    expect(posts).toHaveLength(1);
    expect(posts[0]?.text?.match(/Resolved: p99 latency/g)).toHaveLength(5);
    // People declared it: the alerts resolving do not resolve it.
    expect(h.bot.incidents.get('INC-1')?.status).not.toBe('resolved');
    const fired = (await h.bot.incidents.timeline('INC-1')).find((e) => e.kind === 'alert.fired');
    expect(fired?.source?.url).toMatch(/^https?:\/\//);
  });

  it('tells the channel what comes next once resolved, and posts the review into the alert thread when there is no channel', async () => {
    h = await startHarness();
    const { incident, channel } = await declareWithForm('Webhooks delayed');
    await h.command('declare');
    await h.submit(
      'incident_declare_form',
      declareValues({ title: 'Emails bouncing', channel: false }),
    );
    const quiet = await eventually(() =>
      h.bot.incidents.list().find((i) => i.title === 'Emails bouncing' && i.refs.slack?.ts),
    );

    await h.command('resolve fixed the queue consumer', PAT, channel);
    const review = await h.command(`review ${quiet.id}`);
    await h.settle();

    await eventually(() => channelText(channel).includes('`/incident review` drafts'));
    expect(review.body.text).toContain('thread of its alert message');
    const alertMessage = h.slack
      .topLevelMessages(ALERTS)
      .find((m) => m.text?.startsWith(`${quiet.id} `));
    expect(
      h.slack
        .replies(ALERTS, alertMessage!.ts)
        .some((r) => r.text?.includes('Post-incident review')),
    ).toBe(true);
    expect(incident.id).not.toBe(quiet.id);
  });

  it('gives a declared incident without a channel one on `/incident channel`', async () => {
    h = await startHarness();
    await h.command('declare');
    await h.submit(
      'incident_declare_form',
      declareValues({ title: 'Cron missed', channel: false }),
    );
    await eventually(() => h.bot.incidents.get('INC-1'));
    await h.settle();
    expect(h.slack.callsTo('conversations.create')).toHaveLength(0);

    const res = await h.command('channel INC-1');
    const ref = await eventually(() => {
      const r = h.bot.incidents.get('INC-1')?.refs.channel;
      return r?.state === 'ready' ? r : undefined;
    });

    expect(res.body.text).toContain('being created');
    expect(h.slack.channel(ref.id!)?.name).toMatch(/^inc-\d{8}-1-cron-missed$/);
  });

  it('answers ordinary channel messages at once without acting on them', async () => {
    h = await startHarness();

    const res = await h.event({
      type: 'message',
      channel: ALERTS,
      user: PAT.id,
      text: 'hi',
      ts: '1.5',
    });

    expect(res.status).toBe(200);
    expect(h.logs.some((l) => l.level === 'error')).toBe(false);
  });
});

describe('inviting the responders', () => {
  it('invites whoever acted on the alert, and one unknown person does not keep the others out', async () => {
    h = await startHarness();
    await h.postAlert('alertmanager', await fixture('alertmanager/firing-group.json'));
    await h.command('ack INC-1', SAM);
    await h.command('note INC-1 looking', { id: 'U0GHOST01', name: 'ghost' });
    await h.command('note INC-1 me too', ALEX);
    await h.settle();

    await h.click('incident_declare', 'INC-1');
    await eventually(() => h.slack.lastView('incident_declare_form'));
    await h.submit('incident_declare_form', declareValues({ title: 'Checkout latency' }));
    const channel = await eventually(() => {
      const ref = h.bot.incidents.get('INC-1')?.refs.channel;
      return ref?.state === 'ready' ? ref.id : undefined;
    });

    expect(h.slack.channel(channel)!.members).toEqual(
      expect.arrayContaining([PAT.id, SAM.id, ALEX.id]),
    );
    expect(h.slack.channel(channel)!.members).not.toContain('U0GHOST01');
  });
});

describe('when Slack or people get in the way of the channel', () => {
  it('posts and pins the summary again, once, when someone deletes it', async () => {
    h = await startHarness();
    const { channel } = await declareWithForm('Summary gone');
    h.slack.deleteMessage(channel, h.slack.channel(channel)!.pins[0]!);

    await h.command('status identified a bad flag', PAT, channel);
    await h.command('sev 1', PAT, channel);
    await h.settle();

    const pins = h.slack.channel(channel)!.pins;
    expect(pins).toHaveLength(1);
    const summary = h.slack.messages(channel).find((m) => m.ts === pins[0]);
    await eventually(() =>
      JSON.stringify(
        h.slack.messages(channel).find((m) => m.ts === pins[0])?.blocks ?? [],
      ).includes('SEV1'),
    );
    expect(summary).toBeDefined();
    expect(h.bot.queue.stats().failed).toBe(0);
  });

  it('waits out a 429 on the invite instead of leaving the channel empty', async () => {
    h = await startHarness();
    h.slack.failNext('conversations.invite', { status: 429, retryAfter: 1 });

    const { channel } = await declareWithForm('Alone at 3am', { lead: SAM.id });

    expect(h.slack.channel(channel)!.members).toEqual(expect.arrayContaining([PAT.id, SAM.id]));
  });

  it('joins the channel again when someone removed the bot, and goes on posting there', async () => {
    h = await startHarness();
    const { channel } = await declareWithForm('Bot kicked');
    h.slack.setMember(channel, false);

    await h.command(`note INC-1 still here`);
    await eventually(() => channelText(channel).includes('still here'));

    expect(h.bot.incidents.get('INC-1')?.refs.channel?.state).toBe('ready');
    expect(h.slack.callsTo('conversations.join').length).toBeGreaterThanOrEqual(1);
  });

  it('answers clearly for a channel being made, an unknown lead, and a second close', async () => {
    h = await startHarness();
    h.slack.setLatency('pins.add', 800);
    await h.command('declare');
    await h.submit('incident_declare_form', declareValues({ title: 'Slow pins' }));
    await eventually(() => h.bot.incidents.get('INC-1')?.refs.channel?.summaryTs);

    const during = await h.command('channel INC-1');
    const channel = await eventually(() => {
      const ref = h.bot.incidents.get('INC-1')?.refs.channel;
      return ref?.state === 'ready' ? ref.id : undefined;
    });
    const nobody = await h.command('lead U0NOBODY1', PAT, channel);
    await h.command('resolve done', PAT, channel);
    await h.command('close', PAT, channel);
    await h.submit('incident_close_form', {});
    await eventually(() => h.slack.channel(channel)?.isArchived);
    const again = await h.command('close INC-1');
    await h.settle();

    expect(during.body.text).toContain('being created');
    expect((await kinds('INC-1')).filter((k) => k === 'channel.created')).toHaveLength(1);
    expect(nobody.body.text).toContain('knows no person');
    expect(h.bot.incidents.get('INC-1')?.roles?.lead?.id).toBe(PAT.id);
    expect(again.body.text).toContain('already closed');
  });
});

describe('the review without files:write', () => {
  it('posts the draft as messages and says how to get it as a file', async () => {
    h = await startHarness();
    const { channel } = await declareWithForm('Old install');
    h.slack.failNext('files.getUploadURLExternal', { error: 'missing_scope' });

    const res = await h.command('review', PAT, channel);

    expect(res.body.text).toContain('files:write');
    const parts = h.slack
      .messages(channel)
      .filter((m) => m.text?.includes('review draft of INC-1'));
    expect(parts.length).toBeGreaterThanOrEqual(1);
    expect(parts[0]?.text).toContain('# Post-incident review: INC-1');
    expect(h.slack.files()).toHaveLength(0);
  });
});

describe('a busy alerts channel', () => {
  it('does not hold up the incident channel: the alert link and bookmark follow when the message is posted', async () => {
    h = await startHarness();
    h.slack.failNext('chat.postMessage', {
      status: 429,
      retryAfter: 2,
      when: (args) => args.channel === ALERTS,
    });

    await h.command('declare sev1 Payments down while alerts are busy');
    const early = await eventually(() => {
      const ref = h.bot.incidents.get('INC-1')?.refs.channel;
      return ref?.state === 'ready' ? { ...ref } : undefined;
    }, 1_500);
    const channel = early.id!;
    await eventually(() => h.slack.channel(channel)!.bookmarks.length === 1, 8_000);
    await h.settle();

    expect(early.alertLink).toBeUndefined();
    const alertMessages = h.slack
      .topLevelMessages(ALERTS)
      .filter((m) => m.text?.startsWith('INC-1'));
    expect(alertMessages).toHaveLength(1);
    const summary = h.slack
      .messages(channel)
      .find((m) => m.ts === h.slack.channel(channel)!.pins[0]);
    expect(JSON.stringify(summary?.blocks)).toContain('alert message');
  });
});
