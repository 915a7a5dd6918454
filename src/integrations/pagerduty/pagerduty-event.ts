import { z } from 'zod';
import { parseBody } from '../../sources/parse-result.ts';

/** The PagerDuty V3 webhook event types the bot acts on; others are acknowledged and ignored. */
export const HANDLED_EVENTS = [
  'incident.triggered',
  'incident.acknowledged',
  'incident.unacknowledged',
  'incident.resolved',
  'incident.reopened',
  'incident.reassigned',
  'incident.escalated',
  'incident.annotated',
  'incident.priority_updated',
] as const;
export type PagerDutyEventType = (typeof HANDLED_EVENTS)[number];

/** One webhook event, as the bot needs it. */
export interface PagerDutyEvent {
  id: string;
  type: string;
  occurredAt: string;
  /** Who did it in PagerDuty; null for PagerDuty itself (an escalation timeout, say). */
  agent: { id: string; name: string; person: boolean } | null;
  incident: {
    id: string;
    number?: number;
    title?: string;
    status?: 'triggered' | 'acknowledged' | 'resolved';
    url?: string;
    service?: { id: string; name: string };
    urgency?: string;
    priority?: string;
    assignees: string[];
    incidentKey?: string;
  };
  /** The note's text, for `incident.annotated`. */
  note?: string;
}

const reference = z
  .object({ id: z.string(), summary: z.string().optional(), type: z.string().optional() })
  .passthrough();

/** https://developer.pagerduty.com/docs/webhooks/v3-overview (wire-formats.md §2.1) */
const envelope = z.object({
  event: z.object({
    id: z.string().min(1),
    event_type: z.string().min(1),
    occurred_at: z.string().datetime({ offset: true }),
    agent: reference.nullable().optional(),
    data: z
      .object({
        id: z.string().min(1),
        type: z.string(),
        number: z.number().optional(),
        title: z.string().optional(),
        status: z.enum(['triggered', 'acknowledged', 'resolved']).optional(),
        html_url: z.string().optional(),
        incident_key: z.string().nullable().optional(),
        service: reference.optional(),
        urgency: z.string().optional(),
        priority: reference.nullable().optional(),
        assignees: z.array(reference).optional(),
        incident: reference.optional(),
        content: z.string().optional(),
      })
      .passthrough(),
  }),
});

/** Reads a V3 webhook body; the first bad field is named, as for alert webhooks. */
export function parsePagerDutyEvent(
  body: unknown,
): { ok: true; event: PagerDutyEvent } | { ok: false; field: string; message: string } {
  const parsed = parseBody(envelope, body);
  if (!parsed.ok) return parsed;
  const { event } = parsed.data;
  const data = event.data;
  // A note's data is the note; the incident is its `incident` reference.
  const isNote = data.type === 'incident_note';
  const incidentId = isNote ? data.incident?.id : data.id;
  if (!incidentId) return { ok: false, field: 'event.data.incident.id', message: 'is missing' };
  return {
    ok: true,
    event: {
      id: event.id,
      type: event.event_type,
      occurredAt: new Date(event.occurred_at).toISOString(),
      agent: event.agent
        ? {
            id: event.agent.id,
            name: event.agent.summary ?? event.agent.id,
            // A person; an Events API alert's changes come from its service.
            person: event.agent.type === undefined || event.agent.type === 'user_reference',
          }
        : null,
      incident: {
        id: incidentId,
        ...(data.number !== undefined && !isNote ? { number: data.number } : {}),
        ...(data.title ? { title: data.title } : {}),
        ...(data.status ? { status: data.status } : {}),
        ...(data.html_url && !isNote ? { url: data.html_url } : {}),
        ...(data.service
          ? { service: { id: data.service.id, name: data.service.summary ?? data.service.id } }
          : {}),
        ...(data.urgency ? { urgency: data.urgency } : {}),
        ...(data.priority ? { priority: data.priority.summary ?? data.priority.id } : {}),
        assignees: (data.assignees ?? []).map((a) => a.summary ?? a.id),
        ...(data.incident_key ? { incidentKey: data.incident_key } : {}),
      },
      ...(isNote && data.content !== undefined ? { note: data.content } : {}),
    },
  };
}
