import type { IncidentService } from './incident-service.ts';
import type { Logger } from './ports.ts';
import { snoozeOver } from './snooze.ts';
import type { Actor } from './types.ts';

const FIREBREAK: Actor = { kind: 'system', id: 'firebreak' };

/**
 * Ends every snooze whose time is over at `now` (epoch ms): a timeline entry, and a change that
 * brings the incident's views up to date once. The snooze is stored on the incident, so one that
 * ended while the bot was down ends at the first check after start-up.
 */
export async function endSnoozes(incidents: IncidentService, now: number, logger: Logger) {
  const over = incidents.list({ all: true }).filter((i) => !i.closedAt && snoozeOver(i, now));
  for (const incident of over) {
    try {
      await incidents.act(incident.id, { type: 'unsnooze', expired: true }, FIREBREAK, 'firebreak');
    } catch (error) {
      logger.error({ err: error, incident: incident.id }, 'could not end a snooze');
    }
  }
}
