import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { IncidentService } from '../../src/core/incident-service.ts';
import { applyCommand, checkCommand, type LifecycleCommand } from '../../src/core/lifecycle.ts';
import {
  heldBySnooze,
  isSnoozed,
  parseSnoozeLength,
  snoozeEnd,
  untilText,
} from '../../src/core/snooze.ts';
import type {
  Actor,
  AlertBatch,
  Incident,
  NormalizedAlert,
  TimelineEntry,
} from '../../src/core/types.ts';
import { renderIncidentMessage } from '../../src/slack/render-incident-message.ts';
import { snoozeMenu } from '../../src/slack/snooze-blocks.ts';
import { LowdbStore } from '../../src/store/lowdb-store.ts';
import { checkMessageBlocks } from '../fakes/slack/block-kit-rules.ts';
import { memoryLogger } from '../support/memory-logger.ts';

const PAT: Actor = { kind: 'user', id: 'U0PAT0001', name: 'pat' };
const ALERTMANAGER: Actor = { kind: 'source', id: 'alertmanager' };
const FIREBREAK: Actor = { kind: 'system', id: 'firebreak' };
const NOW = '2026-03-14T21:30:00.000Z';
const IN_AN_HOUR = '2026-03-14T22:30:00.000Z';

function incident(fields: Partial<Incident> = {}): Incident {
  return {
    id: 'INC-7',
    number: 7,
    title: 'Checkout API 5xx',
    severity: 'warning',
    status: 'triggered',
    source: 'alertmanager',
    createdAt: '2026-03-14T21:00:00.000Z',
    updatedAt: '2026-03-14T21:00:00.000Z',
    version: 1,
    startedAt: '2026-03-14T21:00:00.000Z',
    notifications: 1,
    alerts: {},
    links: [],
    refs: {},
    ...fields,
  };
}

/** Checks a command at NOW and, when it may run, applies it, as the service does. */
function run(target: Incident, command: LifecycleCommand, actor: Actor = PAT, now = NOW) {
  const verdict = checkCommand(target, command, actor, now);
  if (verdict !== undefined) throw new Error(`expected ${command.type} to be allowed`);
  return applyCommand(target, command, actor, now);
}

function refusal(target: Incident, command: LifecycleCommand, actor: Actor = PAT) {
  const verdict = checkCommand(target, command, actor, NOW);
  return typeof verdict === 'object' ? verdict.refused : verdict;
}

describe('snooze lengths', () => {
  it('reads days, minutes, hours, both, and tomorrow morning; a bare number or a word is no length', () => {
    const read = [
      '2d',
      '1d12h',
      '30m',
      '1h',
      '4h',
      '2h30m',
      '90min',
      'tomorrow',
      '45',
      'soon',
      '0m',
    ];

    const lengths = read.map(parseSnoozeLength);

    expect(lengths).toEqual([
      { minutes: 2 * 24 * 60 },
      { minutes: 36 * 60 },
      { minutes: 30 },
      { minutes: 60 },
      { minutes: 240 },
      { minutes: 150 },
      { minutes: 90 },
      { morning: true },
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('ends a morning snooze at 09:00 UTC the next day, and a duration that long after now', () => {
    const now = new Date(NOW);

    const morning = snoozeEnd({ morning: true }, now);
    const hour = snoozeEnd({ minutes: 60 }, now);

    expect(morning).toBe('2026-03-15T09:00:00.000Z');
    expect(hour).toBe(IN_AN_HOUR);
  });

  it('says the time alone on the same UTC day, and the day as well otherwise', () => {
    const sameDay = untilText(IN_AN_HOUR, NOW);
    const nextDay = untilText('2026-03-15T09:00:00.000Z', NOW);

    expect(sameDay).toBe('22:30 UTC');
    expect(nextDay).toBe('09:00 UTC on Sun 15 Mar');
  });
});

describe('snoozing', () => {
  it('snoozes an open incident until a time, saying who and until when', () => {
    const target = incident();

    const entries = run(target, { type: 'snooze', until: IN_AN_HOUR });

    expect(entries).toEqual([
      { kind: 'incident.snoozed', text: 'Snoozed until 22:30 UTC by @pat' },
    ]);
    expect(target).toMatchObject({ snoozedUntil: IN_AN_HOUR, snoozedBy: PAT, snoozedAt: NOW });
    expect(isSnoozed(target, NOW)).toBe(true);
    expect(isSnoozed(target, IN_AN_HOUR)).toBe(false);
  });

  it('refuses to snooze a resolved incident, a time in the past or beyond a week, and saying so', () => {
    const reasons = [
      refusal(incident({ status: 'resolved' }), { type: 'snooze', until: IN_AN_HOUR }),
      refusal(incident(), { type: 'snooze', until: '2026-03-14T21:00:00.000Z' }),
      refusal(incident(), { type: 'snooze', until: '2026-03-22T21:30:00.000Z' }),
      refusal(incident(), { type: 'snooze', until: 'later' }),
    ];

    expect(reasons).toEqual([
      'INC-7 is resolved; there is nothing to snooze.',
      'A snooze must end in the future.',
      'A snooze lasts at most 7 days; resolve it or mark it as noise.',
      'A snooze needs a time to end.',
    ]);
  });

  it('lets only people snooze, and changes nothing when snoozed until the same time', () => {
    const snoozed = incident({ snoozedUntil: IN_AN_HOUR, snoozedBy: PAT });

    const bySource = refusal(incident(), { type: 'snooze', until: IN_AN_HOUR }, ALERTMANAGER);
    const again = checkCommand(snoozed, { type: 'snooze', until: IN_AN_HOUR }, PAT, NOW);

    expect(bySource).toBe('Only a person can snooze an incident.');
    expect(again).toBe('already');
  });

  it('ends a snooze early, recording who and what it was; an unsnoozed incident is refused', () => {
    const target = incident({ snoozedUntil: IN_AN_HOUR, snoozedBy: PAT, snoozedAt: NOW });

    const entries = run(target, { type: 'unsnooze' });
    const again = refusal(target, { type: 'unsnooze' });

    expect(entries).toEqual([
      { kind: 'incident.unsnoozed', text: 'Unsnoozed by @pat (it was snoozed until 22:30 UTC)' },
    ]);
    expect(target.snoozedUntil).toBeUndefined();
    expect(target.snoozedBy).toBeUndefined();
    expect(again).toBe('INC-7 is not snoozed.');
  });

  it('lets the bot end a snooze whose time is over, but not one still running', () => {
    const over = incident({ snoozedUntil: '2026-03-14T21:00:00.000Z', snoozedBy: PAT });
    const running = incident({ snoozedUntil: IN_AN_HOUR, snoozedBy: PAT });

    const entries = run(over, { type: 'unsnooze', expired: true }, FIREBREAK);
    const early = checkCommand(running, { type: 'unsnooze', expired: true }, FIREBREAK, NOW);

    expect(entries).toEqual([
      { kind: 'incident.unsnoozed', text: 'Snooze ended (it was until 21:00 UTC)' },
    ]);
    expect(early).toBe('already');
  });

  it('holds back what alerts do while snoozed from the incident’s space, but not a resolution', () => {
    const target = incident({ snoozedUntil: IN_AN_HOUR, snoozedBy: PAT });
    const entry = (kind: TimelineEntry['kind'], actor: Actor, at = NOW): TimelineEntry => ({
      seq: 1,
      incidentId: 'INC-7',
      at,
      kind,
      actor,
      origin: 'alertmanager',
      text: '',
    });

    const held = [
      entry('alert.fired', ALERTMANAGER),
      entry('incident.reopened', ALERTMANAGER),
      entry('alert.fired', ALERTMANAGER, IN_AN_HOUR),
      entry('incident.resolved', ALERTMANAGER),
      entry('note', PAT),
    ].map((e) => heldBySnooze(target, e));

    expect(held).toEqual([true, true, false, false, false]);
  });
});

describe('marking as noise', () => {
  it('resolves and closes an alert’s incident, with the reason, and forgets its snooze', () => {
    const target = incident({ snoozedUntil: IN_AN_HOUR, snoozedBy: PAT });

    const entries = run(target, { type: 'noise', reason: 'flapping probe' });

    expect(entries).toEqual([
      { kind: 'incident.resolved', text: 'Resolved by @pat: marked as noise' },
      { kind: 'incident.closed', text: 'Marked as noise by @pat: flapping probe' },
    ]);
    expect(target).toMatchObject({
      status: 'resolved',
      closedAt: NOW,
      closedBy: PAT,
      noise: { at: NOW, by: PAT, reason: 'flapping probe' },
    });
    expect(target.snoozedUntil).toBeUndefined();
  });

  it('closes an incident already resolved without resolving it twice', () => {
    const target = incident({ status: 'resolved', resolvedBy: ALERTMANAGER, resolvedAt: NOW });

    const entries = run(target, { type: 'noise' });

    expect(entries).toEqual([{ kind: 'incident.closed', text: 'Marked as noise by @pat' }]);
    expect(target.resolvedBy).toEqual(ALERTMANAGER);
  });

  it('refuses a declared incident, an alert source, and a closed incident, saying why', () => {
    const declared = incident({ declaredAt: NOW, declaredBy: PAT });
    const closed = incident({ status: 'resolved', closedAt: NOW });

    const reasons = [
      refusal(declared, { type: 'noise' }),
      refusal(incident(), { type: 'noise' }, ALERTMANAGER),
      refusal(closed, { type: 'noise' }),
    ];

    expect(reasons).toEqual([
      'INC-7 was declared an incident, so it cannot be marked as noise; resolve it instead ' +
        '(`/incident resolve`).',
      'Only a person can mark an incident as noise.',
      'INC-7 is closed; only notes can be added now.',
    ]);
  });
});

describe('the service with snoozes and noise', () => {
  const HOUR = 60 * 60_000;
  let dir: string | undefined;
  let store: LowdbStore | undefined;

  afterEach(async () => {
    await store?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function service(clock: { now(): Date }) {
    dir = await mkdtemp(path.join(tmpdir(), 'firebreak-snooze-'));
    store = await LowdbStore.open(dir);
    const incidents = new IncidentService({
      store,
      clock,
      logger: memoryLogger(),
      reopenWindowMs: HOUR,
    });
    await incidents.load();
    return incidents;
  }

  function batch(status: 'firing' | 'resolved', startsAt = '2026-03-14T21:00:00Z'): AlertBatch {
    const alert: NormalizedAlert = {
      key: 'probe',
      status,
      title: 'ProbeFailed',
      summary: 'probe failed',
      severity: 'warning',
      labels: {},
      links: [],
      startsAt,
    };
    return {
      source: 'alertmanager',
      groupKey: 'probe',
      title: 'ProbeFailed',
      links: [],
      alerts: [alert],
    };
  }

  it('records repeats while snoozed, and refuses a snooze that would already be over', async () => {
    let now = new Date(NOW);
    const incidents = await service({ now: () => now });
    await incidents.ingest(batch('firing'));

    const snoozed = await incidents.act(
      'INC-1',
      { type: 'snooze', until: IN_AN_HOUR },
      PAT,
      'slack',
    );
    await incidents.ingest(batch('firing'));
    now = new Date(Date.parse(IN_AN_HOUR) + 1);
    const late = await incidents.act('INC-1', { type: 'snooze', until: IN_AN_HOUR }, PAT, 'slack');

    expect(snoozed.outcome).toBe('done');
    expect(incidents.get('INC-1')?.notifications).toBe(2);
    const kinds = (await incidents.timeline('INC-1')).map((e) => e.kind);
    expect(kinds).toEqual(['incident.opened', 'alert.fired', 'incident.snoozed', 'alert.repeated']);
    expect(late).toMatchObject({ outcome: 'refused', reason: 'A snooze must end in the future.' });
  });

  it('never reopens an incident marked as noise: repeats are recorded on it, a re-fire opens a new one', async () => {
    let now = new Date(NOW);
    const incidents = await service({ now: () => now });
    await incidents.ingest(batch('firing'));
    await incidents.act('INC-1', { type: 'noise', reason: 'flapping' }, PAT, 'slack');

    now = new Date(now.getTime() + 60_000);
    const repeat = await incidents.ingest(batch('firing'));
    await incidents.ingest(batch('resolved'));
    const refire = await incidents.ingest(batch('firing', '2026-03-14T21:35:00Z'));

    expect(repeat.incidentId).toBe('INC-1');
    expect(incidents.get('INC-1')).toMatchObject({
      status: 'resolved',
      noise: { reason: 'flapping' },
    });
    expect(incidents.get('INC-1')?.reopenedAt).toBeUndefined();
    expect(refire).toMatchObject({ incidentId: 'INC-2', created: true });
  });
});

describe('the snooze menu on the message', () => {
  it('fits Slack’s overflow rules in every state, and the stand-in refuses six options', () => {
    const states = [
      incident(),
      incident({ snoozedUntil: IN_AN_HOUR, snoozedBy: PAT, snoozedAt: NOW }),
      incident({ declaredAt: NOW, snoozedUntil: IN_AN_HOUR, snoozedBy: PAT }),
      incident({ status: 'resolved', noise: { at: NOW, by: PAT, reason: 'flapping' } }),
    ];
    const option = { text: { type: 'plain_text', text: 'x' }, value: 'x' };
    const six = [
      { type: 'actions', elements: [{ type: 'overflow', options: Array(6).fill(option) }] },
    ];

    const verdicts = states.map((s) => checkMessageBlocks(renderIncidentMessage(s).blocks));
    const menus = states.map((s) => snoozeMenu(s));

    expect(verdicts.every((v) => v.ok)).toBe(true);
    expect(menus.map((m) => m.length)).toEqual([1, 1, 1, 0]);
    expect(JSON.stringify(menus[1])).toContain('unsnooze INC-7');
    expect(JSON.stringify(menus[2])).not.toContain('noise INC-7');
    expect(checkMessageBlocks(six)).toMatchObject({ ok: false, error: 'invalid_blocks' });
  });
});
