import type { IncidentService } from '../core/incident-service.ts';
import type { Clock, Logger } from '../core/ports.ts';
import { severityLabel } from '../core/severity.ts';
import { isSnoozed } from '../core/snooze.ts';
import type { Incident, Severity } from '../core/types.ts';
import type { IncidentChannels } from './incident-channels.ts';
import { mention } from './mrkdwn.ts';

export interface UpdateRemindersOptions {
  incidents: IncidentService;
  channels: IncidentChannels;
  clock: Clock;
  logger: Logger;
  /** Minutes without a status update before a reminder, per severity; 0 turns it off. */
  minutes: Record<Severity, number>;
  /** How often incidents are checked; default one minute. */
  checkMs?: number;
  /** Runs first at every check, with the time (epoch ms): snoozes that are over end there. */
  onCheck?: (now: number) => Promise<void>;
}

/**
 * Reminds a declared incident's channel (or thread) to post a status update when none came for
 * the severity's interval, then again each interval, until it is resolved. When it last reminded
 * is stored on the incident, so a restart neither forgets nor repeats a reminder.
 */
export class UpdateReminders {
  readonly #o: UpdateRemindersOptions;
  #timer: NodeJS.Timeout | undefined;
  #running = false;

  constructor(options: UpdateRemindersOptions) {
    this.#o = options;
  }

  start() {
    this.#timer = setInterval(() => void this.check(), this.#o.checkMs ?? 60_000);
    this.#timer.unref();
  }

  stop() {
    clearInterval(this.#timer);
  }

  /** Queues the reminders that are due now. */
  async check() {
    if (this.#running) return;
    this.#running = true;
    try {
      const now = this.#o.clock.now().getTime();
      await this.#o.onCheck?.(now);
      for (const incident of this.#o.incidents.list()) {
        const due = this.dueAt(incident);
        // A snoozed incident is not reminded; one overdue is reminded once its snooze ends.
        if (due === undefined || due > now || isSnoozed(incident, now)) continue;
        await this.#remind(incident, now);
      }
    } catch (error) {
      this.#o.logger.error({ err: error }, 'update reminders failed');
    } finally {
      this.#running = false;
    }
  }

  /** When the next reminder is due (epoch ms), or undefined when none is. */
  dueAt(incident: Incident) {
    const minutes = this.#o.minutes[incident.severity];
    if (!incident.declaredAt || incident.status === 'resolved' || !minutes) return undefined;
    // Counted from the latest of: the last update, the declaration, a reopen, the last reminder.
    const last = Math.max(
      Date.parse(incident.lastUpdate?.at ?? incident.declaredAt),
      Date.parse(incident.reopenedAt ?? incident.declaredAt),
      Number(incident.refs.reminder?.at ?? 0),
    );
    return last + minutes * 60_000;
  }

  async #remind(incident: Incident, now: number) {
    const minutes = this.#o.minutes[incident.severity];
    const lead = incident.roles?.lead;
    const who = lead?.kind === 'user' ? `${mention(lead.id)}, ` : '';
    const since = incident.lastUpdate ? 'the last status update' : 'it was declared';
    const sev = severityLabel(incident.severity);
    const text =
      `:alarm_clock: ${who}*${incident.id}* has had no status update for ${minutes} min ` +
      `since ${since} (${sev}). Post one: ` +
      '`/incident status <investigating|identified|monitoring> <message>`.';
    await this.#o.incidents.setRef(incident.id, 'reminder', { at: String(now) });
    await this.#o.channels.postLater(incident, text, `reminder-${now}`);
  }
}
