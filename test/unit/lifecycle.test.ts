import { describe, expect, it } from 'vitest';
import {
  actorName,
  applyCommand,
  checkCommand,
  type LifecycleCommand,
} from '../../src/core/lifecycle.ts';
import type { Actor, Incident } from '../../src/core/types.ts';

const PAT: Actor = { kind: 'user', id: 'U0PAT0001', name: 'pat' };
const SAM: Actor = { kind: 'user', id: 'U0SAM0001', name: 'sam' };
const ALERTMANAGER: Actor = { kind: 'source', id: 'alertmanager' };
const FIREBREAK: Actor = { kind: 'system', id: 'firebreak' };
const NOW = '2026-03-14T03:00:00.000Z';
const LATER = '2026-03-14T04:00:00.000Z';

/** An open incident as an alert opened it; `fields` put it in the state a test needs. */
function incident(fields: Partial<Incident> = {}): Incident {
  return {
    id: 'INC-7',
    number: 7,
    title: 'Checkout API 5xx',
    severity: 'warning',
    status: 'triggered',
    source: 'alertmanager',
    createdAt: '2026-03-14T02:47:00.000Z',
    updatedAt: '2026-03-14T02:47:00.000Z',
    version: 1,
    startedAt: '2026-03-14T02:40:00.000Z',
    notifications: 1,
    alerts: {},
    links: [],
    refs: {},
    ...fields,
  };
}

/** An incident a person resolved. */
function resolved(fields: Partial<Incident> = {}) {
  return incident({
    status: 'resolved',
    resolvedBy: PAT,
    resolvedAt: NOW,
    resolution: 'rolled back',
    ...fields,
  });
}

/** Checks a command and, when it may run, applies it: the way the service runs one. */
function run(target: Incident, command: LifecycleCommand, actor: Actor = PAT, now = LATER) {
  const verdict = checkCommand(target, command, actor);
  if (verdict !== undefined) throw new Error(`expected ${command.type} to be allowed`);
  return applyCommand(target, command, actor, now);
}

describe('acknowledging', () => {
  it('acknowledges an open incident once; a second click changes nothing', () => {
    const target = incident();

    const entries = run(target, { type: 'acknowledge' });
    const again = checkCommand(target, { type: 'acknowledge' }, SAM);

    expect(entries).toEqual([{ kind: 'incident.acknowledged', text: 'Acknowledged by @pat' }]);
    expect(target).toMatchObject({
      status: 'acknowledged',
      acknowledgedBy: PAT,
      acknowledgedAt: LATER,
    });
    expect(again).toBe('already');
  });

  it('tells a late acknowledgement the incident is already resolved', () => {
    const verdict = checkCommand(resolved(), { type: 'acknowledge' }, PAT);

    expect(verdict).toBe('resolved');
  });

  it('lets an alert source acknowledge', () => {
    const verdict = checkCommand(incident(), { type: 'acknowledge' }, ALERTMANAGER);

    expect(verdict).toBeUndefined();
  });
});

describe('resolving and reopening', () => {
  it('resolves once, keeping the note as the resolution; resolving again changes nothing', () => {
    const target = incident({ status: 'acknowledged' });

    const entries = run(target, { type: 'resolve', note: 'rolled back' });
    const again = checkCommand(target, { type: 'resolve' }, SAM);

    expect(entries).toEqual([{ kind: 'incident.resolved', text: 'Resolved by @pat: rolled back' }]);
    expect(target).toMatchObject({
      status: 'resolved',
      resolvedBy: PAT,
      resolvedAt: LATER,
      resolution: 'rolled back',
    });
    expect(again).toBe('already');
  });

  it('resolves without a note in plain words', () => {
    const entries = run(incident(), { type: 'resolve' });

    expect(entries).toEqual([{ kind: 'incident.resolved', text: 'Resolved by @pat' }]);
  });

  it('sets the phase to resolved when the incident had one', () => {
    const target = incident({ phase: 'monitoring' });

    run(target, { type: 'resolve' });

    expect(target.phase).toBe('resolved');
  });

  it('refuses to reopen an incident that is not resolved, naming it', () => {
    const verdict = checkCommand(incident(), { type: 'reopen' }, PAT);

    expect(verdict).toEqual({ refused: 'INC-7 is not resolved.' });
  });

  it('reopens a resolved incident, forgetting its acknowledgement and resolution', () => {
    const target = resolved({ acknowledgedBy: SAM, acknowledgedAt: NOW });

    const entries = run(target, { type: 'reopen' });

    expect(entries).toEqual([{ kind: 'incident.reopened', text: 'Reopened by @pat' }]);
    expect(target).toMatchObject({ status: 'triggered', reopenedAt: LATER });
    expect(target.acknowledgedBy).toBeUndefined();
    expect(target.acknowledgedAt).toBeUndefined();
    expect(target.resolvedBy).toBeUndefined();
    expect(target.resolvedAt).toBeUndefined();
    expect(target.resolution).toBeUndefined();
    expect(target.phase).toBeUndefined();
  });

  it('puts a reopened incident back to investigating when it had a phase', () => {
    const target = resolved({ phase: 'resolved' });

    run(target, { type: 'reopen' });

    expect(target.phase).toBe('investigating');
  });
});

describe('severity', () => {
  it('changes the severity, says from what to what, and pins it against alerts', () => {
    const target = incident({ severity: 'warning' });

    const entries = run(target, { type: 'severity', severity: 'critical' });

    expect(entries).toEqual([{ kind: 'incident.severity', text: 'Severity SEV3 → SEV1 by @pat' }]);
    expect(target).toMatchObject({ severity: 'critical', severityPinned: true });
  });

  it('pins an unpinned severity a person confirms, saying it was kept', () => {
    const target = incident({ severity: 'error' });

    const entries = run(target, { type: 'severity', severity: 'error' });

    expect(entries).toEqual([{ kind: 'incident.severity', text: 'Severity kept at SEV2 by @pat' }]);
    expect(target.severityPinned).toBe(true);
  });

  it('changes nothing when the severity is already pinned at that level', () => {
    const target = incident({ severity: 'error', severityPinned: true });

    const verdict = checkCommand(target, { type: 'severity', severity: 'error' }, PAT);

    expect(verdict).toBe('already');
  });

  it('still corrects the severity of a resolved incident, for the review', () => {
    const verdict = checkCommand(resolved(), { type: 'severity', severity: 'critical' }, PAT);

    expect(verdict).toBeUndefined();
  });
});

describe('roles', () => {
  it('names the incident lead, and who set them', () => {
    const target = incident();

    const entries = run(target, { type: 'role', role: 'lead', user: SAM });

    expect(entries).toEqual([
      { kind: 'incident.role', text: '@sam is the incident lead (set by @pat)' },
    ]);
    expect(target.roles).toEqual({ lead: SAM });
  });

  it('adds the communications lead without dropping the incident lead', () => {
    const target = incident({ roles: { lead: SAM } });

    const entries = run(target, { type: 'role', role: 'comms', user: PAT });

    expect(entries).toEqual([
      { kind: 'incident.role', text: '@pat is the communications lead (set by @pat)' },
    ]);
    expect(target.roles).toEqual({ lead: SAM, comms: PAT });
  });

  it('refuses a role for anyone but a person', () => {
    const verdict = checkCommand(
      incident(),
      { type: 'role', role: 'lead', user: ALERTMANAGER },
      PAT,
    );

    expect(verdict).toMatchObject({ refused: expect.stringMatching(/must be a person/) });
  });

  it('changes nothing when the same person already has the role', () => {
    const target = incident({ roles: { lead: SAM } });

    const verdict = checkCommand(target, { type: 'role', role: 'lead', user: { ...SAM } }, PAT);

    expect(verdict).toBe('already');
  });

  it('hands a role to someone else', () => {
    const target = incident({ roles: { lead: SAM } });

    const verdict = checkCommand(target, { type: 'role', role: 'lead', user: PAT }, PAT);

    expect(verdict).toBeUndefined();
  });
});

describe('status updates', () => {
  it('posts a status on an open incident, setting its phase and the latest update', () => {
    const target = incident({ phase: 'investigating' });

    const entries = run(target, { type: 'status', phase: 'identified', text: 'bad deploy' });

    expect(entries).toEqual([{ kind: 'incident.status', text: 'Identified: bad deploy' }]);
    expect(target).toMatchObject({
      status: 'triggered',
      phase: 'identified',
      lastUpdate: { at: LATER, phase: 'identified', text: 'bad deploy', actor: PAT },
    });
  });

  it('resolves the incident with a status of resolved, the update being the resolution', () => {
    const target = incident({ status: 'acknowledged', phase: 'monitoring' });

    const entries = run(target, { type: 'status', phase: 'resolved', text: 'error rate normal' });

    expect(entries).toEqual([
      { kind: 'incident.status', text: 'Resolved: error rate normal' },
      { kind: 'incident.resolved', text: 'Resolved by @pat: error rate normal' },
    ]);
    expect(target).toMatchObject({
      status: 'resolved',
      phase: 'resolved',
      resolvedBy: PAT,
      resolvedAt: LATER,
      resolution: 'error rate normal',
      lastUpdate: { phase: 'resolved', text: 'error rate normal' },
    });
  });

  it('refuses a status other than resolved on a resolved incident, saying to reopen it', () => {
    const verdict = checkCommand(
      resolved(),
      { type: 'status', phase: 'monitoring', text: 'watching' },
      PAT,
    );

    expect(verdict).toMatchObject({ refused: expect.stringMatching(/^INC-7 is resolved; reopen/) });
  });

  it('changes nothing when a resolved incident is told it is resolved', () => {
    const verdict = checkCommand(
      resolved(),
      { type: 'status', phase: 'resolved', text: 'all good' },
      PAT,
    );

    expect(verdict).toBe('already');
  });
});

describe('summary', () => {
  it('writes the summary and says who wrote it', () => {
    const target = incident();

    const entries = run(target, { type: 'summary', text: 'Checkout failing in eu-west' });

    expect(entries).toEqual([
      { kind: 'incident.summary', text: 'Summary by @pat: Checkout failing in eu-west' },
    ]);
    expect(target.summary).toBe('Checkout failing in eu-west');
  });

  it('changes nothing when the summary already says the same', () => {
    const target = incident({ summary: 'Checkout failing' });

    const verdict = checkCommand(target, { type: 'summary', text: 'Checkout failing' }, PAT);

    expect(verdict).toBe('already');
  });
});

describe('closing', () => {
  it('refuses to close an open incident, saying to resolve it first', () => {
    const verdict = checkCommand(incident(), { type: 'close' }, PAT);

    expect(verdict).toEqual({
      refused: 'INC-7 is still open; resolve it before closing its channel.',
    });
  });

  it('closes a resolved incident and says who did', () => {
    const target = resolved();

    const entries = run(target, { type: 'close' });

    expect(entries).toEqual([{ kind: 'incident.closed', text: 'Closed by @pat' }]);
    expect(target).toMatchObject({ closedAt: LATER, closedBy: PAT });
  });

  it('changes nothing when a closed incident is closed again', () => {
    const verdict = checkCommand(resolved({ closedAt: LATER }), { type: 'close' }, SAM);

    expect(verdict).toBe('already');
  });

  const afterClose: LifecycleCommand[] = [
    { type: 'acknowledge' },
    { type: 'resolve' },
    { type: 'reopen' },
    { type: 'severity', severity: 'critical' },
    { type: 'role', role: 'comms', user: SAM },
    { type: 'status', phase: 'resolved', text: 'done' },
    { type: 'summary', text: 'new words' },
  ];
  it.each(afterClose)('refuses $type on a closed incident: only notes now', (command) => {
    const verdict = checkCommand(resolved({ closedAt: LATER }), command, PAT);

    expect(verdict).toEqual({ refused: 'INC-7 is closed; only notes can be added now.' });
  });

  it('still takes notes on a closed incident', () => {
    const target = resolved({ closedAt: LATER });

    const entries = run(target, { type: 'note', text: 'postmortem booked' });

    expect(entries).toEqual([{ kind: 'note', text: 'postmortem booked' }]);
  });
});

describe("people's commands", () => {
  const peopleOnly: { command: LifecycleCommand; target: Incident; reason: string }[] = [
    {
      command: { type: 'reopen' },
      target: resolved(),
      reason: 'Only a person can reopen an incident.',
    },
    {
      command: { type: 'severity', severity: 'critical' },
      target: incident(),
      reason: 'Only a person can change the severity.',
    },
    {
      command: { type: 'role', role: 'lead', user: SAM },
      target: incident(),
      reason: 'Only a person can set the incident lead.',
    },
    {
      command: { type: 'status', phase: 'identified', text: 'found it' },
      target: incident(),
      reason: 'Only a person can post a status update.',
    },
    {
      command: { type: 'summary', text: 'words' },
      target: incident(),
      reason: 'Only a person can write the summary.',
    },
    {
      command: { type: 'close' },
      target: resolved(),
      reason: 'Only a person can close an incident.',
    },
  ];

  for (const actor of [ALERTMANAGER, FIREBREAK]) {
    it.each(peopleOnly)(
      `refuses $command.type from a ${actor.kind}, saying only a person can`,
      ({ command, target, reason }) => {
        const verdict = checkCommand(target, command, actor);

        expect(verdict).toEqual({ refused: reason });
      },
    );
  }

  it('says "only a person" even when the incident is closed', () => {
    const verdict = checkCommand(resolved({ closedAt: LATER }), { type: 'close' }, ALERTMANAGER);

    expect(verdict).toEqual({ refused: 'Only a person can close an incident.' });
  });

  it.each([PAT, ALERTMANAGER, FIREBREAK])('takes a note from anyone ($kind)', (actor) => {
    const open = checkCommand(incident(), { type: 'note', text: 'hi' }, actor);
    const closed = checkCommand(resolved({ closedAt: LATER }), { type: 'note', text: 'hi' }, actor);

    expect(open).toBeUndefined();
    expect(closed).toBeUndefined();
  });

  it('writes a source by its name and a person by @name, or by ID when the name is unknown', () => {
    const bySource = applyCommand(incident(), { type: 'acknowledge' }, ALERTMANAGER, LATER);
    const byId = applyCommand(
      incident(),
      { type: 'acknowledge' },
      { kind: 'user', id: 'U0KIM0001' },
      LATER,
    );

    expect(bySource[0]?.text).toBe('Acknowledged by alertmanager');
    expect(byId[0]?.text).toBe('Acknowledged by @U0KIM0001');
  });
});

describe('people in other tools', () => {
  const sam = { kind: 'external' as const, id: 'pagerduty:PSAM001', name: 'Sam Example' };

  it('names them with their tool', () => {
    expect(actorName(sam)).toBe('Sam Example (PagerDuty)');
    expect(actorName({ kind: 'external', id: 'github:octocat' })).toBe('octocat (GitHub)');
  });

  it('lets them acknowledge and unacknowledge, but not take people-only Slack commands', () => {
    const open = incident({ status: 'acknowledged', acknowledgedBy: sam, acknowledgedAt: NOW });

    expect(checkCommand(open, { type: 'unacknowledge' }, sam)).toBeUndefined();
    expect(applyCommand(open, { type: 'unacknowledge' }, sam, NOW)).toEqual([
      { kind: 'incident.unacknowledged', text: 'Unacknowledged by Sam Example (PagerDuty)' },
    ]);
    expect(open.status).toBe('triggered');
    expect(open.acknowledgedBy).toBeUndefined();
    expect(checkCommand(open, { type: 'unacknowledge' }, sam)).toBe('already');
    expect(checkCommand(open, { type: 'summary', text: 'x' }, sam)).toMatchObject({
      refused: expect.stringContaining('Only a person'),
    });
  });

  it('answers an unacknowledgement after the resolution with "resolved"', () => {
    const done = incident({ status: 'resolved' });

    expect(checkCommand(done, { type: 'unacknowledge' }, sam)).toBe('resolved');
  });
});
