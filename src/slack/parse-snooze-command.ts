import { parseSnoozeLength } from '../core/snooze.ts';
import type { IncidentCommand } from './parse-incident-command.ts';

/** What `/incident snooze` takes, for its usage message. */
const SNOOZE_USAGE =
  '`snooze` needs a length: `30m`, `1h`, `4h` (up to 7 days) or `tomorrow` (09:00 UTC): ' +
  '`/incident snooze INC-42 1h`.';
const REASON_MAX = 500;

/** `snooze [INC-42] <30m|1h|4h|2h30m|tomorrow>`, after the ID is taken off. */
export function snoozeCommand(id: { id?: string }, text: string): IncidentCommand {
  const length = parseSnoozeLength(text);
  if (!length) return { name: 'usage', problem: SNOOZE_USAGE };
  return { name: 'snooze', ...id, length };
}

/** `noise [INC-42] [reason]`: the reason is optional. */
export function noiseCommand(id: { id?: string }, text: string): IncidentCommand {
  return { name: 'noise', ...id, ...(text ? { reason: text.slice(0, REASON_MAX) } : {}) };
}
