import type { Incident, TimelineEntry } from './types.ts';

/** The longest snooze people may ask for; past that, resolve it or mark it as noise. */
export const MAX_SNOOZE_MS = 7 * 24 * 60 * 60_000;
/** "Until tomorrow morning" means this hour of the next UTC day. */
export const MORNING_HOUR_UTC = 9;

/** What people do about an incident's noise; the lifecycle (lifecycle.ts) runs them. */
export type SnoozeCommand =
  | { type: 'snooze'; until: string }
  /** `expired`: the bot ends a snooze whose time is over. */
  | { type: 'unsnooze'; expired?: boolean }
  | { type: 'noise'; reason?: string };

/** How long to snooze, as people say it: a duration, or until 09:00 UTC tomorrow. */
export type SnoozeLength = { minutes: number } | { morning: true };

const DURATION = new RegExp(
  '^(?:(\\d{1,2})\\s*d(?:ays?)?)?\\s*(?:(\\d{1,3})\\s*h(?:ours?|rs?)?)?' +
    '\\s*(?:(\\d{1,4})\\s*m(?:in(?:utes?|s)?)?)?$',
  'i',
);
const MORNING = /^(?:tomorrow|morning|9am|09:00)$/i;

/**
 * Reads `30m`, `1h`, `4h`, `2h30m`, `90min`, `2d` or `tomorrow` (09:00 UTC the next day); anything
 * else, a bare number included, is undefined.
 */
export function parseSnoozeLength(text: string): SnoozeLength | undefined {
  const word = text.trim();
  if (MORNING.test(word)) return { morning: true };
  const match = DURATION.exec(word);
  if (!match || match.slice(1).every((part) => part === undefined)) return undefined;
  const minutes =
    Number(match[1] ?? 0) * 24 * 60 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0);
  return minutes > 0 ? { minutes } : undefined;
}

/** When a snooze of `length` that starts `now` ends, as an ISO string. */
export function snoozeEnd(length: SnoozeLength, now: Date) {
  if ('minutes' in length) return new Date(now.getTime() + length.minutes * 60_000).toISOString();
  const morning = new Date(now);
  morning.setUTCDate(morning.getUTCDate() + 1);
  morning.setUTCHours(MORNING_HOUR_UTC, 0, 0, 0);
  return morning.toISOString();
}

/**
 * The rules for snoozing and noise: only an open incident is snoozed, for a time in the future
 * and at most MAX_SNOOZE_MS ahead; only a snoozed one is unsnoozed; only an alert's incident
 * (not one people declared) is noise. `now` is the service's clock, when it is known.
 */
export function checkSnoozeCommand(
  incident: Incident,
  command: SnoozeCommand,
  person: boolean,
  now?: string,
): undefined | 'already' | { refused: string } {
  const at = now === undefined ? undefined : Date.parse(now);
  switch (command.type) {
    case 'snooze': {
      if (incident.status === 'resolved')
        return { refused: `${incident.id} is resolved; there is nothing to snooze.` };
      const until = Date.parse(command.until);
      if (Number.isNaN(until)) return { refused: 'A snooze needs a time to end.' };
      if (at !== undefined && until <= at) return { refused: 'A snooze must end in the future.' };
      if (at !== undefined && until - at > MAX_SNOOZE_MS)
        return { refused: 'A snooze lasts at most 7 days; resolve it or mark it as noise.' };
      return incident.snoozedUntil === command.until ? 'already' : undefined;
    }
    case 'unsnooze':
      if (command.expired)
        return incident.snoozedUntil && (at === undefined || !isSnoozed(incident, at))
          ? undefined
          : 'already';
      if (!person) return { refused: 'Only a person can unsnooze an incident.' };
      if (!incident.snoozedUntil || (at !== undefined && !isSnoozed(incident, at)))
        return { refused: `${incident.id} is not snoozed.` };
      return undefined;
    case 'noise':
      if (incident.declaredAt)
        return {
          refused:
            `${incident.id} was declared an incident, so it cannot be marked as noise; ` +
            'resolve it instead (`/incident resolve`).',
        };
      return undefined;
  }
}

/** Whether the incident's notifications are snoozed at `at` (epoch ms or ISO time). */
export function isSnoozed(incident: Incident, at: number | string) {
  if (!incident.snoozedUntil) return false;
  const when = typeof at === 'number' ? at : Date.parse(at);
  return Date.parse(incident.snoozedUntil) > when;
}

/** A snooze that is over but not yet ended on the timeline (the bot was down, say). */
export function snoozeOver(incident: Incident, now: number) {
  return incident.snoozedUntil !== undefined && !isSnoozed(incident, now);
}

/**
 * Whether a snooze keeps this entry from being posted to the incident's channel or thread: what
 * alerts did (fired, resolved, repeated, reopened it) while snoozed. A resolution still shows.
 */
export function heldBySnooze(incident: Incident, entry: TimelineEntry) {
  if (entry.actor.kind !== 'source' || entry.kind === 'incident.resolved') return false;
  return isSnoozed(incident, entry.at);
}

/** `22:30 UTC`, or `09:00 UTC on Sat 5 Dec` when it is not on the same UTC day as `from`. */
export function untilText(until: string, from: string) {
  const end = new Date(until);
  const time = `${end.toISOString().slice(11, 16)} UTC`;
  if (end.toISOString().slice(0, 10) === new Date(from).toISOString().slice(0, 10)) return time;
  const day = end.toLocaleDateString('en-GB', {
    timeZone: 'UTC',
    weekday: 'short',
    day: 'numeric',
    month: 'short',
  });
  return `${time} on ${day.replace(',', '')}`;
}

export function clearSnooze(incident: Incident) {
  delete incident.snoozedUntil;
  delete incident.snoozedBy;
  delete incident.snoozedAt;
}
