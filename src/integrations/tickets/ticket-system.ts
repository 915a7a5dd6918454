import type { TicketPurpose } from '../../core/tickets.ts';
import type { Severity } from '../../core/types.ts';
import type { TicketDoc } from './ticket-doc.ts';

export type { TicketPurpose };

export type TicketSystemName = 'jira' | 'github';

/** A ticket to open, as the form (or a command) filled it in. */
export interface TicketDraft {
  incidentId: string;
  purpose: TicketPurpose;
  /** Cut to the system's limit by the client (Jira: 255 characters). */
  title: string;
  body: TicketDoc;
  /**
   * Besides the client's own: `firebreak` and the incident's (Jira `firebreak-INC-12`, GitHub
   * `firebreak:INC-12`).
   */
  labels: string[];
  severity: Severity;
  /**
   * Unique per request (`fb-INC-12-3k2j9a`): written into the ticket's text, so that an attempt
   * whose answer was lost can find the ticket it opened instead of opening a second one.
   */
  marker: string;
  /** Jira only: values for custom fields, by field ID, as people chose them in the form. */
  fields?: Record<string, string>;
}

/** A ticket as the system reports it. */
export interface TicketState {
  /** 'OPS-12' (Jira) or '42' (GitHub issue number). */
  key: string;
  /** The ticket's web page. */
  url: string;
  /** The system's status name: 'To Do', 'In Progress', 'Done'; 'open' / 'closed'. */
  status: string;
  /** The status means finished (Jira category done; GitHub closed). */
  done: boolean;
  title?: string;
}

/** A custom field the project insists on when creating an issue (Jira createmeta). */
export interface RequiredField {
  id: string;
  name: string;
  /** Values to pick from, when the field is a select; free text otherwise. */
  options?: { id: string; value: string }[];
  /** How the value is sent: an option (`{id}`), a user (`{accountId}`), a string, a number. */
  kind: 'option' | 'user' | 'string' | 'number' | 'other';
}

/** Outcome of moving a ticket to done (or out of it again). */
export type CloseOutcome =
  | { outcome: 'closed'; status: string }
  | { outcome: 'reopened'; status: string }
  | { outcome: 'already'; status: string }
  /** No configured transition is available from the current status. */
  | { outcome: 'unavailable'; status: string; wanted: string[]; available: string[] };

/** A change of a linked ticket reported by the system's webhook. */
export interface TicketEvent {
  system: TicketSystemName;
  /** Dedup key of the delivery (X-GitHub-Delivery, X-Atlassian-Webhook-Identifier). */
  deliveryId: string;
  /** 'OPS-12' or '42'. */
  key: string;
  /** GitHub: 'owner/name'; Jira: the project key. */
  container: string;
  kind: 'status' | 'assigned' | 'unassigned' | 'comment';
  /** Who did it in that system. */
  actor: { id: string; name: string; bot: boolean };
  /** For status: the new status and whether it means done. */
  status?: string;
  done?: boolean;
  /** For assigned: who. */
  assignee?: string;
  /** For comment: its text (plain, for the timeline). */
  text?: string;
  url?: string;
  /** UTC ISO time of the change, as the system says. */
  at?: string;
}

/** What the ticket adapters offer the rest of the bot; both throw OutboundError on failure. */
export interface TicketSystem {
  readonly name: TicketSystemName;
  /** 'Jira', 'GitHub'. */
  readonly label: string;
  /** Where tickets go: 'OPS' (Jira project), 'acme/checkout'. */
  readonly container: string;
  create(draft: TicketDraft): Promise<TicketState>;
  /** The ticket an earlier attempt with this marker opened, if any. */
  findByMarker(incidentId: string, marker: string): Promise<TicketState | undefined>;
  comment(key: string, body: TicketDoc): Promise<void>;
  /** Jira: through the configured transition; GitHub: closed as completed. */
  close(key: string): Promise<CloseOutcome>;
  /** Back to an open status (the incident was reopened). Jira: a transition out of done. */
  reopen(key: string): Promise<CloseOutcome>;
  get(key: string): Promise<TicketState>;
}
