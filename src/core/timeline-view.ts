import type { TimelineEntry } from './types.ts';

/**
 * The timeline as people read it. The stored timeline only grows: an `entry.edited` entry
 * (new text, `ref` = the changed entry's seq) or `entry.deleted` entry changes an earlier entry
 * instead of standing on its own. Folding applies them, for reviews and listings.
 */

/** An entry with its edits and deletion applied. */
export type TimelineItem = TimelineEntry & {
  /** Texts the entry had before its current one, oldest first, each with when it was written. */
  history: { at: string; text: string }[];
  /** When the current text was written, if an edit replaced the first one. */
  editedAt?: string;
  /** When the entry was deleted; its last text stays in `text`. */
  deletedAt?: string;
};

/**
 * Applies edits and deletions to the entries they refer to, keeping the entries' order. Edits
 * and deletions of an unknown seq (or of one not yet written) are ignored, as are edits after a
 * deletion and edits that do not change the text.
 */
export function foldTimeline(entries: TimelineEntry[]): TimelineItem[] {
  const items: TimelineItem[] = [];
  const bySeq = new Map<number, TimelineItem>();

  for (const entry of entries) {
    if (entry.kind === 'entry.edited' || entry.kind === 'entry.deleted') {
      const target = entry.ref === undefined ? undefined : bySeq.get(entry.ref);
      if (target && !target.deletedAt) apply(target, entry);
      continue;
    }

    const item: TimelineItem = { ...entry, history: [] };
    items.push(item);
    bySeq.set(entry.seq, item);
  }
  return items;
}

function apply(item: TimelineItem, update: TimelineEntry) {
  if (update.kind === 'entry.deleted') {
    item.deletedAt = update.at;
    return;
  }
  if (update.text === item.text) return;

  item.history.push({ at: item.editedAt ?? item.at, text: item.text });
  item.text = update.text;
  item.editedAt = update.at;
}
