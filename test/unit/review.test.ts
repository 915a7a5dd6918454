import { describe, expect, it } from 'vitest';

import { formatDuration, renderReview } from '../../src/core/review.ts';
import { severityLabel } from '../../src/core/severity.ts';
import type {
  Actor,
  EntrySource,
  Incident,
  TimelineEntry,
  TimelineKind,
} from '../../src/core/types.ts';

const ALERTMANAGER: Actor = { kind: 'source', id: 'alertmanager' };
const SAM: Actor = { kind: 'user', id: 'U0SAM', name: 'sam' };
const PAT: Actor = { kind: 'user', id: 'U0PAT', name: 'pat' };
const KIM: Actor = { kind: 'user', id: 'U0KIM' };

const GRAFANA = 'https://grafana.example.com/d/checkout?var-region=eu-west';
const PERMALINK = 'https://example.slack.com/archives/C0INC7/p1773456300000100';
const CHANNEL = {
  name: 'inc-20260314-7-checkout-api-5xx',
  url: 'https://example.slack.com/C0INC7',
};
const NOW = '2026-03-17T09:00:00.000Z';

/** An entry on 2026-03-14 at `time` (HH:MM:SS, UTC). */
function entry(
  seq: number,
  time: string,
  kind: TimelineKind,
  actor: Actor,
  text: string,
  extra: { source?: EntrySource; ref?: number } = {},
): TimelineEntry {
  const origin = actor.kind === 'source' ? actor.id : 'slack';
  const at = `2026-03-14T${time}.000Z`;
  return { seq, incidentId: 'INC-7', at, kind, actor, origin, text, ...extra };
}

/** Opened by an alert, declared, acknowledged, updated, resolved, reopened and resolved again. */
function checkoutTimeline(): TimelineEntry[] {
  const repeated = 'Repeated notification: 1 of 1 alerts firing';
  const message = { channel: 'C0INC7', ts: '1773456300.000100', user: 'U0LEE', url: PERMALINK };
  return [
    entry(1, '02:38:00', 'incident.opened', ALERTMANAGER, 'Opened: Checkout API 5xx'),
    entry(2, '02:38:00', 'alert.fired', ALERTMANAGER, 'Firing: checkout-api 5xx > 5%', {
      source: { url: GRAFANA },
    }),
    entry(3, '02:39:00', 'alert.repeated', ALERTMANAGER, repeated),
    entry(4, '02:40:00', 'alert.repeated', ALERTMANAGER, repeated),
    entry(5, '02:41:00', 'alert.repeated', ALERTMANAGER, repeated),
    entry(6, '02:41:30', 'incident.declared', SAM, 'Declared by @sam: Checkout API 5xx in eu-west'),
    entry(7, '02:42:00', 'incident.acknowledged', PAT, 'Acknowledged by @pat'),
    entry(8, '02:43:00', 'incident.role', SAM, '@pat is the incident lead (set by @sam)'),
    entry(9, '02:45:00', 'message.added', PAT, 'DB primary CPU at 100%\nfailover?', {
      source: message,
    }),
    entry(10, '02:46:00', 'entry.edited', PAT, 'DB primary CPU at 100% | failover started', {
      ref: 9,
    }),
    entry(11, '02:47:00', 'incident.status', PAT, 'Identified: DB primary saturated by a query'),
    entry(12, '02:48:00', 'message.added', PAT, 'the password is hunter2', {
      source: { channel: 'C0INC7', ts: '1773456480.000200', user: 'U0PAT', url: PERMALINK },
    }),
    entry(13, '02:48:30', 'entry.deleted', PAT, '', { ref: 12 }),
    entry(14, '02:50:00', 'alert.repeated', ALERTMANAGER, repeated),
    entry(15, '03:10:00', 'incident.status', PAT, 'Monitoring: query killed, errors back to 0.1%'),
    entry(16, '03:20:00', 'incident.resolved', PAT, 'Resolved by @pat'),
    entry(17, '03:35:00', 'incident.reopened', SAM, 'Reopened by @sam'),
    entry(18, '03:36:00', 'alert.repeated', ALERTMANAGER, repeated),
    entry(19, '03:37:00', 'alert.repeated', ALERTMANAGER, repeated),
    entry(20, '04:01:00', 'incident.status', PAT, 'Resolved: replica lag cleared'),
    entry(21, '04:01:00', 'incident.resolved', PAT, 'Resolved by @pat: replica lag cleared'),
  ];
}

function checkoutIncident(changes: Partial<Incident> = {}): Incident {
  return {
    id: 'INC-7',
    number: 7,
    title: 'Checkout API 5xx in eu-west',
    description: 'Card payments failed for about a third of EU customers.',
    severity: 'error',
    status: 'resolved',
    source: 'alertmanager',
    groupKey: '{}:{alertname="Checkout5xx"}',
    createdAt: '2026-03-14T02:38:00.000Z',
    updatedAt: '2026-03-14T04:01:00.000Z',
    version: 21,
    startedAt: '2026-03-14T02:38:00.000Z',
    notifications: 7,
    alerts: {},
    links: [],
    declaredBy: SAM,
    declaredAt: '2026-03-14T02:41:30.000Z',
    acknowledgedBy: PAT,
    // Unlike the timeline's 02:42: the figures must come from the entries, not from here.
    acknowledgedAt: '2026-03-14T03:50:00.000Z',
    resolvedBy: PAT,
    resolvedAt: '2026-03-14T04:01:00.000Z',
    resolution: 'replica lag cleared',
    reopenedAt: '2026-03-14T03:35:00.000Z',
    phase: 'resolved',
    roles: { lead: PAT, comms: KIM },
    summary: 'A runaway query saturated the primary database; checkout failed for 83 minutes.',
    refs: {},
    ...changes,
  };
}

/** The Markdown section under `## title`, up to the next `## `. */
function section(review: string, title: string) {
  const start = review.indexOf(`\n## ${title}\n`);
  if (start === -1) throw new Error(`no section ${title}`);
  const end = review.indexOf('\n## ', start + 1);
  return review.slice(start + `\n## ${title}\n`.length, end === -1 ? undefined : end).trim();
}

/** The value column of the key-facts row `fact`. */
function fact(review: string, name: string) {
  const row = section(review, 'Key facts')
    .split('\n')
    .find((line) => line.startsWith(`| ${name} |`));
  return row?.slice(`| ${name} | `.length, -' |'.length);
}

const HEADING = '# Post-incident review: INC-7 — Checkout API 5xx in eu-west\n';

describe('renderReview', () => {
  it('writes the sections in the order a review reads', () => {
    const review = renderReview(checkoutIncident(), checkoutTimeline(), { now: NOW });

    const positions = [
      HEADING,
      '## Summary',
      '## Impact',
      '## Key facts',
      '## Status updates',
      '## Timeline',
      '## Messages added to the timeline',
      '## Follow-ups',
      '## Lessons learned',
    ].map((heading) => review.indexOf(heading));

    expect(review.startsWith(HEADING)).toBe(true);
    expect(positions).not.toContain(-1);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(review.endsWith('\n')).toBe(true);
  });

  it('says it is a draft generated at the given time', () => {
    const review = renderReview(checkoutIncident(), checkoutTimeline(), { now: NOW });

    const line = review.split('\n')[2];

    expect(line).toContain('Draft generated at 2026-03-17T09:00:00.000Z');
  });

  it('computes the figures from the timeline, not from the time the draft is made', () => {
    const incident = checkoutIncident();

    const review = renderReview(incident, checkoutTimeline(), { now: NOW, channel: CHANNEL });

    expect(fact(review, 'Severity')).toBe('SEV2');
    expect(fact(review, 'Status')).toBe('Resolved');
    expect(fact(review, 'Lead')).toBe('@pat');
    expect(fact(review, 'Comms')).toBe('U0KIM');
    expect(fact(review, 'Declared by')).toBe('@sam at 2026-03-14 02:41:30 UTC');
    expect(fact(review, 'Started')).toBe('2026-03-14 02:38:00 UTC');
    expect(fact(review, 'Acknowledged')).toBe('2026-03-14 02:42:00 UTC by @pat');
    expect(fact(review, 'Resolved')).toBe('2026-03-14 04:01:00 UTC by @pat (after 1 reopen)');
    expect(fact(review, 'Duration')).toBe('1h 23m');
    expect(fact(review, 'Time to acknowledge')).toBe('4m 0s');
    expect(fact(review, 'Time to resolve')).toBe('1h 23m');
    expect(fact(review, 'Channel')).toBe(`[#${CHANNEL.name}](${CHANNEL.url})`);
  });

  it('renders the same document whenever it is made, but for the draft line', () => {
    const incident = checkoutIncident();

    const soon = renderReview(incident, checkoutTimeline(), { now: '2026-03-14T04:02:00.000Z' });
    const later = renderReview(incident, checkoutTimeline(), { now: '2027-01-01T00:00:00.000Z' });

    const withoutDraftLine = (review: string) => review.split('\n').toSpliced(2, 1).join('\n');
    expect(withoutDraftLine(later)).toBe(withoutDraftLine(soon));
  });

  it('counts from startedAt when the problem started before the incident was opened', () => {
    const incident = checkoutIncident({ startedAt: '2026-03-14T02:30:00.000Z' });

    const review = renderReview(incident, checkoutTimeline(), { now: NOW });

    expect(fact(review, 'Started')).toBe('2026-03-14 02:30:00 UTC');
    expect(fact(review, 'Time to acknowledge')).toBe('12m 0s');
    expect(fact(review, 'Duration')).toBe('1h 31m');
  });

  it('says ongoing when the last resolution was followed by a reopen', () => {
    const entries = checkoutTimeline().filter((e) => e.seq <= 19);
    const incident = checkoutIncident({ status: 'triggered', phase: 'investigating' });

    const review = renderReview(incident, entries, { now: NOW });

    expect(fact(review, 'Status')).toBe('Triggered · Investigating');
    expect(fact(review, 'Resolved')).toBe('ongoing');
    expect(fact(review, 'Duration')).toBe('ongoing');
    expect(fact(review, 'Time to resolve')).toBe('ongoing');
    expect(fact(review, 'Time to acknowledge')).toBe('4m 0s');
  });

  it('lists the status updates with their phase, time and author', () => {
    const review = renderReview(checkoutIncident(), checkoutTimeline(), { now: NOW });

    const updates = section(review, 'Status updates');

    expect(updates).toBe(
      [
        '- **2026-03-14 02:47:00 UTC** · Identified · DB primary saturated by a query (@pat)',
        '- **2026-03-14 03:10:00 UTC** · Monitoring · query killed, errors back to 0.1% (@pat)',
        '- **2026-03-14 04:01:00 UTC** · Resolved · replica lag cleared (@pat)',
      ].join('\n'),
    );
  });

  it('tabulates the folded timeline, collapsing runs of repeated notifications', () => {
    const review = renderReview(checkoutIncident(), checkoutTimeline(), { now: NOW });

    const rows = section(review, 'Timeline').split('\n');

    expect(rows).toEqual([
      '| Time (UTC) | Who | What |',
      '| --- | --- | --- |',
      '| 2026-03-14 02:38:00 | alertmanager | Opened: Checkout API 5xx |',
      `| 2026-03-14 02:38:00 | alertmanager | [Firing: checkout-api 5xx > 5%](${GRAFANA}) |`,
      '| 2026-03-14 02:39:00 | alertmanager | 3 repeated notifications, the last at 2026-03-14 02:41:00 |',
      '| 2026-03-14 02:41:30 | @sam | Declared by @sam: Checkout API 5xx in eu-west |',
      '| 2026-03-14 02:42:00 | @pat | Acknowledged by @pat |',
      '| 2026-03-14 02:43:00 | @sam | @pat is the incident lead (set by @sam) |',
      `| 2026-03-14 02:45:00 | @pat | [DB primary CPU at 100% \\| failover started](${PERMALINK}) (edited) |`,
      '| 2026-03-14 02:47:00 | @pat | Identified: DB primary saturated by a query |',
      `| 2026-03-14 02:48:00 | @pat | ~~[the password is hunter2](${PERMALINK})~~ (deleted) |`,
      '| 2026-03-14 02:50:00 | alertmanager | Repeated notification: 1 of 1 alerts firing |',
      '| 2026-03-14 03:10:00 | @pat | Monitoring: query killed, errors back to 0.1% |',
      '| 2026-03-14 03:20:00 | @pat | Resolved by @pat |',
      '| 2026-03-14 03:35:00 | @sam | Reopened by @sam |',
      '| 2026-03-14 03:36:00 | alertmanager | 2 repeated notifications, the last at 2026-03-14 03:37:00 |',
      '| 2026-03-14 04:01:00 | @pat | Resolved: replica lag cleared |',
      '| 2026-03-14 04:01:00 | @pat | Resolved by @pat: replica lag cleared |',
    ]);
  });

  it('lists the messages added to the timeline with author and link', () => {
    const review = renderReview(checkoutIncident(), checkoutTimeline(), { now: NOW });

    const added = section(review, 'Messages added to the timeline');

    expect(added).toBe(
      [
        `- **2026-03-14 02:45:00 UTC** · U0LEE (added by @pat): DB primary CPU at 100% | failover started (edited) ([message](${PERMALINK}))`,
        `- **2026-03-14 02:48:00 UTC** · @pat: ~~the password is hunter2~~ (deleted) ([message](${PERMALINK}))`,
      ].join('\n'),
    );
  });

  it('escapes | and line breaks in table cells and leaves other Markdown in user text alone', () => {
    const entries = [
      entry(1, '02:38:00', 'incident.declared', SAM, 'Declared by @sam: a|b'),
      entry(2, '02:39:00', 'note', SAM, 'first line\r\nsecond **bold** `code` <b>'),
    ];
    const incident = checkoutIncident({ roles: { lead: { kind: 'user', id: 'U1', name: 'x|y' } } });

    const review = renderReview(incident, entries, { now: NOW });

    expect(section(review, 'Timeline')).toContain('| Declared by @sam: a\\|b |');
    expect(section(review, 'Timeline')).toContain(
      '| 2026-03-14 02:39:00 | @sam | first line<br>second **bold** `code` <b> |',
    );
    expect(fact(review, 'Lead')).toBe('@x\\|y');
  });

  it('indents further lines of a multi-line message so they stay in its list item', () => {
    const entries = [
      entry(1, '02:40:00', 'message.added', PAT, 'line one\nline two', {
        source: { user: 'U0PAT' },
      }),
    ];

    const review = renderReview(checkoutIncident(), entries, { now: NOW });

    expect(section(review, 'Messages added to the timeline')).toBe(
      '- **2026-03-14 02:40:00 UTC** · @pat: line one\n  line two',
    );
  });

  it('links only web addresses', () => {
    const entries = [
      entry(1, '02:40:00', 'note', PAT, 'click me', { source: { url: 'javascript:alert(1)' } }),
      entry(2, '02:41:00', 'note', PAT, 'graph', { source: { url: 'https://g.example/a b(1)' } }),
    ];

    const review = renderReview(checkoutIncident(), entries, { now: NOW });

    expect(section(review, 'Timeline')).toContain('| @pat | click me |');
    expect(section(review, 'Timeline')).toContain('[graph](https://g.example/a%20b%281%29)');
  });

  it('puts placeholders where nothing was recorded yet', () => {
    const incident = checkoutIncident({
      status: 'triggered',
      summary: undefined,
      resolution: undefined,
      description: undefined,
      declaredBy: undefined,
      declaredAt: undefined,
      roles: undefined,
      phase: undefined,
    });
    const entries = [entry(1, '02:38:00', 'incident.opened', ALERTMANAGER, 'Opened')];

    const review = renderReview(incident, entries, { now: NOW });

    expect(section(review, 'Summary')).toBe('_To be written._');
    expect(section(review, 'Impact')).toBe('_Describe who was affected, how, and for how long._');
    expect(section(review, 'Status updates')).toBe('_No status updates were posted._');
    expect(section(review, 'Messages added to the timeline')).toBe(
      '_No messages were added to the timeline._',
    );
    expect(fact(review, 'Lead')).toBe('—');
    expect(fact(review, 'Declared by')).toBe('— (opened by alertmanager)');
    expect(fact(review, 'Acknowledged')).toBe('—');
    expect(fact(review, 'Time to acknowledge')).toBe('—');
    expect(fact(review, 'Channel')).toBe('—');
  });

  it('falls back to the resolution as the summary, and shows an unlinked channel by name', () => {
    const incident = checkoutIncident({ summary: undefined });

    const review = renderReview(incident, checkoutTimeline(), {
      now: NOW,
      channel: { name: 'inc-20260314-7' },
    });

    expect(section(review, 'Summary')).toBe('replica lag cleared');
    expect(fact(review, 'Channel')).toBe('#inc-20260314-7');
  });

  it('ends with an open follow-up and the lessons-learned prompts', () => {
    const review = renderReview(checkoutIncident(), checkoutTimeline(), { now: NOW });

    const lessons = section(review, 'Lessons learned');

    expect(section(review, 'Follow-ups')).toBe(
      '- [ ] _None recorded yet: `/incident followup <text>` opens one._',
    );
    expect(lessons).toContain('What went well?');
    expect(lessons).toContain('What went wrong?');
    expect(lessons).toContain('Where did we get lucky?');
  });
});

describe('renderReview follow-ups', () => {
  it('lists follow-up tickets with their last known state, done ones ticked', () => {
    const incident = checkoutIncident();
    const ticket = (key: string, status: string, done: boolean, system = 'jira') => ({
      system,
      key,
      container: 'ops',
      url: `https://acme.atlassian.net/browse/${key}`,
      purpose: 'followup',
      title: `Fix ${key}`,
      status,
      done: String(done),
      createdAt: '2026-03-14T10:00:00.000Z',
    });
    incident.refs['ticket:jira:OPS-7'] = ticket('OPS-7', 'Done', true);
    incident.refs['ticket:github:12'] = ticket('12', 'open', false, 'github');
    incident.refs['ticket:jira:OPS-6'] = {
      ...ticket('OPS-6', 'To Do', false),
      purpose: 'incident',
    };

    const followUps = section(
      renderReview(incident, checkoutTimeline(), { now: NOW }),
      'Follow-ups',
    );

    expect(followUps.split('\n')).toEqual([
      '- [x] [Jira OPS-7](https://acme.atlassian.net/browse/OPS-7): Fix OPS-7 (Done)',
      '- [ ] [GitHub #12](https://acme.atlassian.net/browse/12): Fix 12 (open)',
    ]);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [45_000, '45s'],
    [59_999, '59s'],
    [240_000, '4m 0s'],
    [(60 + 23) * 60_000 + 59_000, '1h 23m'],
    [(2 * 24 + 3) * 3_600_000, '2d 3h 0m'],
    [-5_000, '0s'],
  ])('formats %i ms as %s', (ms, text) => {
    const result = formatDuration(ms);

    expect(result).toBe(text);
  });
});

describe('severityLabel', () => {
  it('maps critical, error, warning and info to SEV1 to SEV4', () => {
    const labels = (['critical', 'error', 'warning', 'info'] as const).map(severityLabel);

    expect(labels).toEqual(['SEV1', 'SEV2', 'SEV3', 'SEV4']);
  });
});
