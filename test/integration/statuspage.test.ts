import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ViewStateValue } from '../fakes/slack/sign.ts';
import {
  DEFAULT_API_KEY,
  DEFAULT_PAGE_ID,
  StatuspageStandIn,
} from '../fakes/statuspage/statuspage-stand-in.ts';
import {
  ALERTS,
  eventually,
  fixture,
  SAM,
  startHarness,
  type Harness,
} from '../support/harness.ts';

const INCIDENTS = `/pages/${DEFAULT_PAGE_ID}/incidents`;
let h: Harness | undefined;
let sp: StatuspageStandIn | undefined;
let rulesDir: string | undefined;

afterEach(async () => {
  await h?.close();
  await sp?.close();
  if (rulesDir) await rm(rulesDir, { recursive: true, force: true });
  h = sp = rulesDir = undefined;
});

async function start(env: Record<string, string> = {}) {
  sp = await StatuspageStandIn.start();
  h = await startHarness({
    env: {
      STATUSPAGE_API_KEY: DEFAULT_API_KEY,
      STATUSPAGE_PAGE_ID: DEFAULT_PAGE_ID,
      STATUSPAGE_API_URL: sp.url,
      ...env,
    },
  });
  return h;
}

function bot() {
  if (!h) throw new Error('not started');
  return h;
}

function standIn() {
  if (!sp) throw new Error('not started');
  return sp;
}

/** A SEV1 alert incident (INC-1) from the Alertmanager fixture, its message posted. */
async function alertIncident() {
  await bot().postAlert('alertmanager', await fixture('alertmanager/firing-group.json'));
  await eventually(() => bot().slack.topLevelMessages(ALERTS).length > 0);
}

function componentId(name: string) {
  const found = standIn().component(name);
  if (!found) throw new Error(`no component ${name}`);
  return found.id;
}

function input(value: string): ViewStateValue {
  return { type: 'plain_text_input', value };
}

function select(value: string): ViewStateValue {
  return {
    type: 'static_select',
    selected_option: { value, text: { type: 'plain_text', text: value } },
  };
}

function multi(values: string[]): ViewStateValue {
  return {
    type: 'multi_static_select',
    selected_options: values.map((value) => ({ value, text: { type: 'plain_text', text: value } })),
  };
}

/** Presses Status page on INC-1's message and waits for the form. */
async function openForm(user = { id: 'U0PAT0001', name: 'pat' }) {
  const views = bot().slack.views().length;
  await bot().click('incident_statuspage', 'INC-1', user);
  return eventually(() =>
    bot().slack.views().length > views
      ? bot().slack.lastView('incident_statuspage_form')
      : undefined,
  );
}

function submit(values: Record<string, ViewStateValue>, user?: { id: string; name: string }) {
  const state = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, { value: v }]));
  return bot().submit('incident_statuspage_form', state, user);
}

/** INC-1 published on the status page: Checkout API in a major outage. */
async function publish() {
  await openForm();
  await submit({
    name: input('Checkout errors'),
    status: select('investigating'),
    message: input('We are looking into failed checkouts.'),
    components: multi([componentId('Checkout API')]),
    component_status: select('major_outage'),
  });
  return eventually(() => bot().bot.incidents.get('INC-1')?.refs.statuspage?.id);
}

interface StatusBlock {
  block_id?: string;
  element?: { initial_option?: { value: string } };
}

async function timelineTexts() {
  return (await bot().bot.incidents.timeline('INC-1')).map((e) => e.text);
}

describe('Status page', () => {
  it('hides the button without config and says which variables to set', async () => {
    h = await startHarness();
    await alertIncident();

    expect(bot().messageText()).not.toContain('incident_statuspage');
    const reply = await bot().command('statuspage INC-1');

    expect(reply.body.text).toContain('STATUSPAGE_API_KEY');
    expect(reply.body.text).toContain('STATUSPAGE_PAGE_ID');
    expect(reply.body.text).toContain('STATUSPAGE_API_URL');
    expect(reply.body.text).toContain('STATUSPAGE_MIRROR_STATUS');
    expect(bot().slack.views()).toHaveLength(0);
  });

  it('opens an incident from the form: the page’s components, link and timeline', async () => {
    await start();
    await alertIncident();
    await eventually(() => bot().messageText().includes('incident_statuspage'));

    const form = await openForm();
    const view = JSON.stringify(form.view);
    expect(view).toContain('Core services · Checkout API');
    expect(view).toContain('Search');
    expect(view).toContain('multi_static_select');
    const id = await publish();

    const [incident] = standIn().incidents();
    expect(standIn().incidents()).toHaveLength(1);
    expect(incident).toMatchObject({ id, name: 'Checkout errors', status: 'investigating' });
    expect(incident?.componentIds).toEqual([componentId('Checkout API')]);
    expect(standIn().component('Checkout API')?.status).toBe('major_outage');
    const ref = bot().bot.incidents.get('INC-1')?.refs.statuspage;
    expect(ref).toMatchObject({ id, url: incident?.shortlink, status: 'investigating' });
    await eventually(() => bot().messageText().includes('Status page'));
    await eventually(() =>
      bot()
        .messageText()
        .includes(incident?.shortlink ?? '?'),
    );
    expect(await timelineTexts()).toContain(
      'Opened Statuspage incident "Checkout errors" (Investigating; 1 component(s) affected): ' +
        'We are looking into failed checkouts.',
    );
  });

  it('opens one for two submits at once, then updates it from the pre-filled form', async () => {
    await start();
    await alertIncident();
    await openForm();
    const values = {
      name: input('Checkout errors'),
      status: select('investigating'),
      message: input('Looking into it.'),
    };

    await Promise.all([submit(values), submit(values, SAM)]);
    await eventually(() => bot().bot.incidents.get('INC-1')?.refs.statuspage?.id);
    await bot().settle();
    expect(standIn().incidents()).toHaveLength(1);
    expect(standIn().callsTo(`POST ${INCIDENTS}`)).toHaveLength(1);

    const form = await openForm();
    expect(JSON.stringify(form.view)).toContain('Updates the Statuspage incident');
    expect(JSON.stringify(form.view)).not.toContain('"block_id":"name"');
    await submit({
      status: select('identified'),
      message: input('A bad deploy; rolling back.'),
      components: multi([componentId('Payments')]),
      component_status: select('partial_outage'),
    });

    await eventually(() => standIn().incidents()[0]?.status === 'identified');
    expect(standIn().incidents()).toHaveLength(1);
    expect(standIn().component('Payments')?.status).toBe('partial_outage');
    await eventually(async () =>
      (await timelineTexts()).includes(
        'Updated the status page: Identified: A bad deploy; rolling back.',
      ),
    );
    const again = await openForm();
    const blocks = (again.view as { blocks: StatusBlock[] }).blocks;
    const status = blocks.find((b) => b.block_id === 'status');
    expect(status?.element?.initial_option?.value).toBe('identified');
  });

  it('offers the button on the pinned summary and bookmarks the link in the channel', async () => {
    await start();
    await bot().command('declare sev2 Checkout fails for EU cards');
    const incident = await eventually(() => {
      const i = bot().bot.incidents.get('INC-1');
      return i?.refs.channel?.state === 'ready' ? i : undefined;
    });
    const channel = incident.refs.channel!.id!;
    const summary = () => JSON.stringify(bot().slack.messages(channel)[0]?.blocks ?? []);
    await eventually(() => summary().includes('incident_statuspage'));

    const views = bot().slack.views().length;
    const reply = await bot().command('statuspage', undefined, channel);
    expect(reply.body.text ?? '').toBe('');
    await eventually(() => bot().slack.views().length > views);
    expect(JSON.stringify(bot().slack.lastView('incident_statuspage_form')?.view)).toContain(
      'Checkout fails for EU cards',
    );
    await submit({
      name: input('Checkout fails for EU cards'),
      status: select('investigating'),
      message: input('Some card payments fail.'),
    });

    const bookmark = await eventually(() =>
      bot()
        .slack.channel(channel)
        ?.bookmarks.find((b) => b.title === 'Status page'),
    );
    expect(bookmark.link).toBe(standIn().incidents()[0]?.shortlink);
    await eventually(() => summary().includes('Status page') && summary().includes('stspg'));
  });

  it('mirrors /incident status updates and the resolution to the linked incident', async () => {
    await start();
    await alertIncident();
    await publish();

    await bot().command('status INC-1 identified bad deploy of checkout');
    await eventually(() => standIn().incidents()[0]?.status === 'identified');
    const updates = standIn().incidents()[0]?.updates ?? [];
    expect(updates.at(-1)?.body).toBe('bad deploy of checkout');
    await bot().command('status INC-1 resolved rolled back');

    await eventually(() => standIn().incidents()[0]?.status === 'resolved');
    expect(standIn().component('Checkout API')?.status).toBe('operational');
    await eventually(
      () => bot().bot.incidents.get('INC-1')?.refs.statuspage?.status === 'resolved',
    );
    const texts = await timelineTexts();
    expect(texts).toContain('Mirrored to the status page: Identified: bad deploy of checkout');
    expect(texts).toContain('Mirrored to the status page: Resolved: rolled back');
    expect(standIn().incidents()).toHaveLength(1);
  });

  it('does not mirror status updates with STATUSPAGE_MIRROR_STATUS=false', async () => {
    await start({ STATUSPAGE_MIRROR_STATUS: 'false' });
    await alertIncident();
    await publish();

    await bot().command('status INC-1 identified bad deploy');
    await bot().settle();

    expect(standIn().incidents()[0]?.status).toBe('investigating');
    expect(standIn().callsTo(`PATCH ${INCIDENTS}/*`)).toHaveLength(0);
  });

  it('waits out a 429 instead of giving the job up', async () => {
    await start();
    await alertIncident();
    standIn().failNext(`POST ${INCIDENTS}`, { status: 429, headers: { 'Retry-After': '1' } });

    await publish();

    expect(standIn().incidents()).toHaveLength(1);
    expect(
      standIn()
        .callsTo(`POST ${INCIDENTS}`)
        .map((c) => c.status),
    ).toEqual([429, 201]);
    const failed = bot().bot.queue.jobsFor('INC-1').failed;
    expect(failed).toHaveLength(0);
    expect((await timelineTexts()).some((t) => t.startsWith('Gave up'))).toBe(false);
  });

  it('finds the incident a lost answer opened instead of opening a second', async () => {
    await start();
    await alertIncident();
    standIn().failNext(`POST ${INCIDENTS}`, { loseAnswer: true });

    await publish();

    expect(standIn().incidents()).toHaveLength(1);
    expect(standIn().callsTo(`GET ${INCIDENTS}/unresolved`).length).toBeGreaterThan(0);
  });

  it('unlinks an incident deleted on Statuspage instead of retrying it forever', async () => {
    await start();
    await alertIncident();
    await publish();
    standIn().failNext(`PATCH ${INCIDENTS}/*`, { status: 404 });

    await bot().command('status INC-1 identified bad deploy');

    await eventually(() => !bot().bot.incidents.get('INC-1')?.refs.statuspage?.id);
    await bot().settle();
    expect(bot().bot.queue.jobsFor('INC-1').failed).toHaveLength(0);
    expect((await timelineTexts()).some((t) => t.includes('no longer exists; unlinked'))).toBe(
      true,
    );
    const form = await openForm();
    expect(JSON.stringify(form.view)).toContain('"block_id":"name"');
  });

  it('refuses people the rule file does not allow, before the form and on submission', async () => {
    rulesDir = await mkdtemp(path.join(tmpdir(), 'firebreak-rules-'));
    const file = path.join(rulesDir, 'firebreak.yml');
    await writeFile(file, `permissions:\n  statuspage: [${SAM.id}]\n`);
    await start({ CONFIG_FILE: file });
    await alertIncident();

    await bot().click('incident_statuspage', 'INC-1');
    await eventually(() =>
      bot().slack.ephemerals.some((e) => e.text?.includes('You may not post to the status page')),
    );
    expect(bot().slack.views()).toHaveLength(0);

    await openForm(SAM);
    await submit(
      {
        name: input('Checkout errors'),
        status: select('investigating'),
        message: input('Looking into it.'),
      },
      { id: 'U0PAT0001', name: 'pat' },
    );
    await eventually(
      () => bot().slack.ephemerals.filter((e) => e.text?.includes('You may not post')).length === 2,
    );
    await bot().settle();
    expect(standIn().incidents()).toHaveLength(0);
  });

  it('never shows the API key in Slack, on the timeline or in the logs', async () => {
    await start();
    await alertIncident();
    standIn().failNext(`PATCH ${INCIDENTS}/*`, { status: 401 });
    await publish();
    await bot().command('status INC-1 identified bad deploy');
    await eventually(() => bot().bot.queue.jobsFor('INC-1').failed.length > 0);
    await bot().settle();

    const slack = JSON.stringify([
      bot().slack.messages(ALERTS),
      bot().slack.ephemerals,
      bot().slack.views(),
    ]);
    expect(slack).not.toContain(DEFAULT_API_KEY);
    expect(JSON.stringify(await bot().bot.incidents.timeline('INC-1'))).not.toContain(
      DEFAULT_API_KEY,
    );
    expect(JSON.stringify(bot().logs)).not.toContain(DEFAULT_API_KEY);
    await eventually(() => bot().messageText().includes('Retry'));
  });
});
