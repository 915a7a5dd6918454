import type { Incident } from './types.ts';

/** What a ticket is for on its incident. */
export type TicketPurpose = 'incident' | 'followup' | 'review';

/**
 * A ticket in another system (a Jira issue, a GitHub issue) linked to an incident, as last
 * known: from our own calls and from that system's webhooks. Kept in `refs` under
 * `ticket:<system>:<key>`, so the store needs nothing new.
 */
export interface LinkedTicket {
  system: string;
  /** 'OPS-12'; a GitHub issue number. */
  key: string;
  /** The Jira project or the GitHub repository. */
  container: string;
  url: string;
  purpose: TicketPurpose;
  title: string;
  status: string;
  done: boolean;
  createdAt: string;
}

const PREFIX = 'ticket:';

export function ticketRefName(system: string, key: string) {
  return `${PREFIX}${system}:${key}`;
}

/** The incident's tickets, oldest first. */
export function ticketsOf(incident: Incident): LinkedTicket[] {
  return Object.entries(incident.refs)
    .filter(([name]) => name.startsWith(PREFIX))
    .map(([, ref]) => ({
      system: ref.system ?? '',
      key: ref.key ?? '',
      container: ref.container ?? '',
      url: ref.url ?? '',
      purpose: (ref.purpose ?? 'incident') as TicketPurpose,
      title: ref.title ?? '',
      status: ref.status ?? '',
      done: ref.done === 'true',
      createdAt: ref.createdAt ?? '',
    }))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

export function ticketRef(ticket: LinkedTicket): Record<string, string> {
  return { ...ticket, done: String(ticket.done) };
}

/** How people name a ticket: 'OPS-12', 'GitHub #42'. */
export function ticketName(ticket: Pick<LinkedTicket, 'system' | 'key'>) {
  return ticket.system === 'github' ? `GitHub #${ticket.key}` : `Jira ${ticket.key}`;
}
