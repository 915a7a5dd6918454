import { describe, expect, it } from 'vitest';

import { foldTimeline } from '../../src/core/timeline-view.ts';
import type { Actor, TimelineEntry, TimelineKind } from '../../src/core/types.ts';

const PAT: Actor = { kind: 'user', id: 'U0PAT', name: 'pat' };

let seq = 0;

/** A stored entry, numbered in the order made; `minute` is minutes after 02:00. */
function entry(
  kind: TimelineKind,
  minute: number,
  text: string,
  extra: Partial<TimelineEntry> = {},
): TimelineEntry {
  seq += 1;
  const at = new Date(Date.UTC(2026, 2, 14, 2, minute)).toISOString();
  return { seq, incidentId: 'INC-7', at, kind, actor: PAT, origin: 'slack', text, ...extra };
}

function timeline(...make: (() => TimelineEntry)[]) {
  seq = 0;
  return make.map((m) => m());
}

describe('foldTimeline', () => {
  it('keeps entries without edits as they are, with an empty history, in order', () => {
    const entries = timeline(
      () => entry('incident.declared', 0, 'Declared by @pat: Checkout down'),
      () => entry('note', 3, 'Looking at the load balancer'),
    );

    const items = foldTimeline(entries);

    expect(items).toEqual(entries.map((e) => ({ ...e, history: [] })));
  });

  it('shows the latest text of an edited entry and its earlier texts oldest first', () => {
    const entries = timeline(
      () => entry('message.added', 1, 'DB is fine'),
      () => entry('entry.edited', 5, 'DB is saturated', { ref: 1 }),
      () => entry('note', 6, 'Failover started'),
      () => entry('entry.edited', 9, 'DB primary is saturated', { ref: 1 }),
    );

    const items = foldTimeline(entries);

    expect(items.map((i) => i.seq)).toEqual([1, 3]);
    expect(items[0]).toMatchObject({
      seq: 1,
      at: '2026-03-14T02:01:00.000Z',
      text: 'DB primary is saturated',
      editedAt: '2026-03-14T02:09:00.000Z',
      history: [
        { at: '2026-03-14T02:01:00.000Z', text: 'DB is fine' },
        { at: '2026-03-14T02:05:00.000Z', text: 'DB is saturated' },
      ],
    });
    expect(items[0]?.deletedAt).toBeUndefined();
  });

  it('keeps a deleted entry in place, with its text, marked with when it was deleted', () => {
    const entries = timeline(
      () => entry('message.added', 1, 'password is hunter2'),
      () => entry('note', 2, 'Rotating credentials'),
      () => entry('entry.deleted', 4, '', { ref: 1 }),
    );

    const items = foldTimeline(entries);

    expect(items.map((i) => i.seq)).toEqual([1, 2]);
    expect(items[0]).toMatchObject({
      text: 'password is hunter2',
      deletedAt: '2026-03-14T02:04:00.000Z',
      history: [],
    });
  });

  it('keeps the edited text of an entry deleted later, and ignores edits after deletion', () => {
    const entries = timeline(
      () => entry('message.added', 1, 'first'),
      () => entry('entry.edited', 2, 'second', { ref: 1 }),
      () => entry('entry.deleted', 3, '', { ref: 1 }),
      () => entry('entry.edited', 4, 'third', { ref: 1 }),
      () => entry('entry.deleted', 5, '', { ref: 1 }),
    );

    const items = foldTimeline(entries);

    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      text: 'second',
      deletedAt: '2026-03-14T02:03:00.000Z',
      history: [{ at: '2026-03-14T02:01:00.000Z', text: 'first' }],
    });
  });

  it('ignores changes of unknown seqs, later seqs or other changes, and changes without ref', () => {
    const entries = timeline(
      () => entry('note', 1, 'kept'),
      () => entry('entry.edited', 2, 'ghost', { ref: 99 }),
      () => entry('entry.edited', 3, 'too early', { ref: 5 }),
      () => entry('entry.deleted', 4, '', { ref: 2 }),
      () => entry('note', 5, 'also kept'),
      () => entry('entry.edited', 6, 'no ref'),
    );

    const items = foldTimeline(entries);

    expect(items.map((i) => [i.seq, i.text, i.history, i.deletedAt])).toEqual([
      [1, 'kept', [], undefined],
      [5, 'also kept', [], undefined],
    ]);
  });

  it('records no history for an edit that leaves the text as it was', () => {
    const entries = timeline(
      () => entry('message.added', 1, 'same'),
      () => entry('entry.edited', 2, 'same', { ref: 1 }),
    );

    const items = foldTimeline(entries);

    expect(items[0]?.history).toEqual([]);
    expect(items[0]?.editedAt).toBeUndefined();
  });

  it('leaves the stored entries unchanged', () => {
    const entries = timeline(
      () => entry('message.added', 1, 'before'),
      () => entry('entry.edited', 2, 'after', { ref: 1 }),
      () => entry('entry.deleted', 3, '', { ref: 1 }),
    );
    const copy = structuredClone(entries);

    foldTimeline(entries);

    expect(entries).toEqual(copy);
  });
});
