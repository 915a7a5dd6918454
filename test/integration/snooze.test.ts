import { afterEach, describe, expect, it } from 'vitest';
import { buttonClickPayload, interactionBody, type ViewStateValue } from '../fakes/slack/sign.ts';
import {
  ALERTS,
  eventually,
  fixture,
  PAT,
  SAM,
  startHarness,
  type Harness,
} from '../support/harness.ts';

const MENU = 'incident_snooze_menu';
const MINUTE = 60_000;
let h: Harness;

afterEach(async () => {
  await h?.close();
});

/** A person picks an option of the incident message's `⋯` menu. */
function pick(value: string, user = PAT, channel = ALERTS) {
  const click = buttonClickPayload({
    actionId: MENU,
    value,
    user,
    channel,
    triggerId: h.slack.issueTriggerId(user.id),
  });
  const selected = {
    type: 'overflow',
    action_id: MENU,
    block_id: 'inc_actions',
    selected_option: { text: { type: 'plain_text', text: value }, value },
    action_ts: `${Date.now() / 1000}`,
  };
  return h.signed(interactionBody({ ...click, actions: [selected] }));
}

/** The incident message in the alerts channel, as people see it. */
function message() {
  const first = h.slack.topLevelMessages(ALERTS)[0];
  return `${first?.text ?? ''} ${JSON.stringify(first?.blocks ?? [])}`;
}

/**
 * Waits until the bot has acted on a pick (acknowledged first, applied after) and the incident
 * message shows the change.
 */
async function applied(check: () => unknown, id = 'INC-1') {
  await eventually(check);
  await eventually(() => {
    const incident = h.bot.incidents.get(id);
    return incident?.refs.slack?.version === String(incident?.version);
  });
  await h.settle();
}

const snoozed = (id = 'INC-1') => Boolean(h.bot.incidents.get(id)?.snoozedUntil);

function updates() {
  return h.slack.callsTo('chat.update').length;
}

function ephemeralsTo(user: string) {
  return h.slack.ephemerals.filter((e) => e.user === user).map((e) => e.text ?? '');
}

async function timeline(id: string) {
  return h.bot.incidents.timeline(id);
}

async function alert(name = 'alertmanager/firing-single.json') {
  await h.postAlert('alertmanager', await fixture(name));
  await h.settle();
}

/** A fake clock the test moves; the bot's reminder check (every 50 ms) sees it. */
function movableClock() {
  let now = Date.parse('2026-03-14T21:30:00Z');
  return {
    clock: { now: () => new Date(now) },
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('snoozing from the message', () => {
  it('records repeats while snoozed without updating the message, shows the snooze, and still shows a state change', async () => {
    const time = movableClock();
    h = await startHarness({ clock: time.clock });
    await alert();

    const menu = JSON.stringify(h.slack.topLevelMessages(ALERTS)[0]?.blocks);
    await pick('snooze INC-1 1h');
    await applied(() => snoozed());
    const shown = message();
    const before = updates();
    await alert();
    await alert();
    const afterRepeats = updates();
    await h.click('incident_ack', 'INC-1', SAM);
    await applied(() => h.bot.incidents.get('INC-1')?.status === 'acknowledged');

    expect(menu).toContain('"type":"overflow"');
    expect(menu).toContain('Snooze until 09:00 UTC tomorrow');
    expect(menu).toContain('Mark as noise');
    expect(shown).toContain(`Snoozed until 22:30 UTC by <@${PAT.id}>`);
    expect(shown).toContain('unsnooze INC-1');
    expect(afterRepeats).toBe(before);
    expect(h.bot.incidents.get('INC-1')?.notifications).toBe(3);
    const kinds = (await timeline('INC-1')).map((e) => e.kind);
    expect(kinds.filter((k) => k === 'alert.repeated')).toHaveLength(2);
    expect((await timeline('INC-1')).find((e) => e.kind === 'incident.snoozed')?.text).toBe(
      'Snoozed until 22:30 UTC by @pat',
    );
    expect(updates()).toBe(before + 1);
    expect(message()).toContain('Acknowledged by');
    expect(message()).toContain('3 notifications');
    expect(h.slack.replies(ALERTS, h.slack.topLevelMessages(ALERTS)[0]!.ts)).toEqual([]);
  });

  it('brings the message up to date once when the snooze ends, and records its end', async () => {
    const time = movableClock();
    h = await startHarness({ clock: time.clock });
    await alert();
    await h.command('snooze INC-1 30m');
    await h.settle();
    await alert();
    const held = updates();

    time.advance(31 * MINUTE);
    await eventually(() => !h.bot.incidents.get('INC-1')?.snoozedUntil);
    await h.settle();
    await new Promise((resolve) => setTimeout(resolve, 200));

    expect(updates()).toBe(held + 1);
    expect(message()).toContain('2 notifications');
    expect(message()).not.toContain('Snoozed until');
    const ended = (await timeline('INC-1')).at(-1);
    expect(ended).toMatchObject({
      kind: 'incident.unsnoozed',
      text: 'Snooze ended (it was until 22:00 UTC)',
    });
  });

  it('ends a snooze early from the menu, showing the repeats it held', async () => {
    h = await startHarness();
    await alert();
    await pick('snooze INC-1 4h');
    await applied(() => snoozed());
    await alert();
    const held = updates();

    await pick('unsnooze INC-1', SAM);
    await applied(() => !snoozed());

    expect(updates()).toBe(held + 1);
    expect(message()).toContain('2 notifications');
    expect(message()).not.toContain('Snoozed until');
    expect((await timeline('INC-1')).at(-1)?.text).toMatch(
      /^Unsnoozed by @sam \(it was snoozed until/,
    );
  });

  it('keeps the snooze across a restart, and ends it after', async () => {
    const time = movableClock();
    h = await startHarness({ clock: time.clock });
    await alert();
    await pick('snooze INC-1 1h');
    await applied(() => snoozed());

    await h.restart();
    await h.settle();
    const before = updates();
    await alert();
    const afterRepeat = updates();
    time.advance(61 * MINUTE);
    await eventually(() => !h.bot.incidents.get('INC-1')?.snoozedUntil);
    // The message follows once the post interval allows (later on a busy machine), and once.
    await eventually(() => updates() === before + 1);
    await h.settle();

    expect(afterRepeat).toBe(before);
    expect(updates()).toBe(before + 1);
    expect(message()).toContain('2 notifications');
  });

  it('posts nothing to the incident’s channel for alerts while snoozed, and again after', async () => {
    h = await startHarness();
    await alert('alertmanager/firing-group.json');
    await h.click('incident_declare', 'INC-1');
    await eventually(() => h.slack.lastView('incident_declare_form'));
    await h.submit('incident_declare_form', declareValues('Checkout latency'));
    const channel = await eventually(() => {
      const ref = h.bot.incidents.get('INC-1')?.refs.channel;
      return ref?.state === 'ready' ? ref.id : undefined;
    });
    await h.settle();
    const lines = () => h.slack.messages(channel).filter((m) => m.text?.includes('alertmanager'));

    const snooze = await h.command('snooze 1h', PAT, channel);
    await h.settle();
    const before = lines().length;
    await alert('alertmanager/partially-resolved.json');
    const whileSnoozed = lines().length;
    await h.command('unsnooze', PAT, channel);
    await alert('alertmanager/firing-group.json');

    expect(snooze.body).toMatchObject({ response_type: 'in_channel' });
    expect(snooze.body.text).toContain('snoozed *INC-1* until');
    expect(whileSnoozed).toBe(before);
    expect(lines().length).toBeGreaterThan(before);
  });

  it('refuses a resolved incident and a bad length, privately, saying why', async () => {
    h = await startHarness();
    await alert();
    await h.command('resolve INC-1');
    await h.settle();

    const resolved = await h.command('snooze INC-1 1h');
    const bad = await h.command('snooze INC-1 soon');
    const notSnoozed = await h.command('unsnooze INC-1');

    expect(resolved.body).toMatchObject({ response_type: 'ephemeral' });
    expect(resolved.body.text).toContain('INC-1 is resolved; there is nothing to snooze.');
    expect(bad.body.text).toContain('`snooze` needs a length');
    expect(notSnoozed.body.text).toContain('INC-1 is not snoozed.');
  });
});

describe('marking as noise', () => {
  it('asks for a reason, resolves and closes it, and later repeats do not reopen it', async () => {
    h = await startHarness();
    await alert();

    await pick('noise INC-1');
    const form = await eventually(() => h.slack.lastView('incident_noise_form'));
    await h.submit('incident_noise_form', reason('flapping probe'));
    await applied(() => h.bot.incidents.get('INC-1')?.closedAt);
    const repeat = await h.postAlert(
      'alertmanager',
      await fixture('alertmanager/firing-single.json'),
    );

    expect(await repeat.json()).toMatchObject({ incident: 'INC-1', created: false });
    expect(JSON.stringify(form.view)).toContain('Why is it noise?');
    const incident = h.bot.incidents.get('INC-1');
    expect(incident).toMatchObject({ status: 'resolved', noise: { reason: 'flapping probe' } });
    expect(incident?.closedAt).toBeDefined();
    expect(incident?.reopenedAt).toBeUndefined();
    expect(incident?.notifications).toBe(2);
    expect(h.bot.incidents.list({ all: true })).toHaveLength(1);
    const texts = (await timeline('INC-1')).map((e) => e.text);
    expect(texts).toContain('Marked as noise by @pat: flapping probe');
    expect(message()).toContain(`Marked as noise by <@${PAT.id}>: flapping probe`);
    expect(message()).not.toContain(MENU);
  });

  it('marks as noise with the command, and refuses a declared incident from the command and a stale menu', async () => {
    h = await startHarness();
    await alert();
    await h.command('declare sev3 Someone is on it');
    await h.settle();

    const noise = await h.command('noise INC-1 known maintenance');
    const declared = await h.command('noise INC-2');
    await pick('noise INC-2', SAM);
    await eventually(() => ephemeralsTo(SAM.id).length > 0);

    expect(noise.body).toMatchObject({ response_type: 'in_channel' });
    expect(noise.body.text).toContain('as noise: known maintenance');
    expect(declared.body).toMatchObject({ response_type: 'ephemeral' });
    expect(declared.body.text).toContain('INC-2 was declared an incident');
    expect(h.slack.lastView('incident_noise_form')).toBeUndefined();
    expect(ephemeralsTo(SAM.id).join('\n')).toContain('cannot be marked as noise');
    expect(h.bot.incidents.get('INC-2')?.status).not.toBe('resolved');
  });
});

function reason(text: string): Record<string, Record<string, ViewStateValue>> {
  return { reason: { value: { type: 'plain_text_input', value: text } } };
}

function declareValues(title: string): Record<string, Record<string, ViewStateValue>> {
  return {
    title: { value: { type: 'plain_text_input', value: title } },
    severity: {
      value: {
        type: 'static_select',
        selected_option: { value: 'error', text: { type: 'plain_text', text: 'x' } },
      },
    },
    description: { value: { type: 'plain_text_input', value: null } },
    lead: { value: { type: 'users_select', selected_user: PAT.id } },
    options: {
      value: {
        type: 'checkboxes',
        selected_options: [{ value: 'channel', text: { type: 'plain_text', text: 'x' } }],
      },
    },
  };
}
