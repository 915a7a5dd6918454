/**
 * The REST API v2 write operations on incidents: create, acknowledge or resolve, add a note
 * (wire-formats.md §4.2; docs: REST-API/15-Incident-Creation-API.md, 14-Errors.md). Each needs
 * a `From` header naming a user, as PagerDuty requires with an account API key, and reports the
 * webhook event it causes, attributed to that user.
 */
import type { IncomingHttpHeaders } from 'node:http';

import type { Account, IncidentState, Urgency } from './account.ts';
import type { StandInUser } from './account-config.ts';
import { incidentJson, noteJson } from './shapes.ts';
import { incidentEvent } from './webhook-events.ts';
import { answered, invalidInput, isObject, json, pdError } from './wire.ts';
import type { Checked, Outcome, Reply } from './wire.ts';

export interface WriteRequest {
  headers: IncomingHttpHeaders;
  body: unknown;
  invalidJson: boolean;
}

const URGENCIES: readonly string[] = ['high', 'low'];
const SETTABLE_STATUSES: readonly string[] = ['acknowledged', 'resolved'];

/** `POST /incidents` → 201 `{ incident }`. */
export function createIncident(account: Account, request: WriteRequest): Outcome {
  const requester = requesterOf(account, request.headers);
  if ('refused' in requester) return answered(requester.refused);
  const checked = incidentInput(request);
  if ('refused' in checked) return answered(checked.refused);
  const input = checked.value;

  const title = input.title;
  const service = isObject(input.service) ? account.services.get(String(input.service.id)) : null;
  const details = isObject(input.body) ? input.body.details : undefined;
  const key = input.incident_key;
  if (input.type !== undefined && input.type !== 'incident') {
    return answered(invalidInput("Incident type must be 'incident'."));
  }
  if (typeof title !== 'string' || title.trim() === '') {
    return answered(invalidInput('Title cannot be empty.'));
  }
  if (service === null || service === undefined) {
    return answered(invalidInput('Service not found.'));
  }
  if (input.urgency !== undefined && !URGENCIES.includes(String(input.urgency))) {
    return answered(invalidInput("Urgency must be 'high' or 'low'."));
  }
  if (details !== undefined && typeof details !== 'string') {
    return answered(invalidInput('Incident body details must be a string.'));
  }
  if (key !== undefined && key !== null && typeof key !== 'string') {
    return answered(invalidInput('Incident key must be a string.'));
  }
  // The API reference: a create "referencing the same service and with the same incident_key
  // will result in those requests being rejected if an open incident matches". The wording of
  // the error is ours; PagerDuty documents only the 400.
  if (typeof key === 'string' && account.openIncidentWithKey(service.id, key) !== undefined) {
    return answered(invalidInput(`Open incident with key '${key}' already exists.`));
  }

  const actor = { type: 'user', id: requester.value.id } as const;
  const incident = account.createIncident({
    serviceId: service.id,
    title,
    ...(input.urgency !== undefined && { urgency: input.urgency as Urgency }),
    incidentKey: key ?? null,
    ...(details !== undefined && { details }),
    actor,
  });
  return {
    reply: json(201, { incident: incidentJson(account, incident) }),
    events: [incidentEvent(account, 'incident.triggered', incident, actor)],
  };
}

/**
 * `PUT /incidents/{id}` with `{ incident: { type, status, resolution? } }` → 200 `{ incident }`.
 * Acknowledging an acknowledged incident answers 200 and changes nothing.
 */
export function updateIncident(account: Account, request: WriteRequest, id: string): Outcome {
  const requester = requesterOf(account, request.headers);
  if ('refused' in requester) return answered(requester.refused);
  const incident = account.incidents.get(id);
  if (incident === undefined) return answered(incidentNotFound());
  const checked = incidentInput(request);
  if ('refused' in checked) return answered(checked.refused);
  const input = checked.value;

  if (input.type !== 'incident_reference' && input.type !== 'incident') {
    return answered(invalidInput("Type must be 'incident_reference' or 'incident'."));
  }
  const { status, resolution } = input;
  if (status === undefined) return answered(incidentReply(account, incident));
  if (typeof status !== 'string' || !SETTABLE_STATUSES.includes(status)) {
    return answered(pdError(400, 1003, 'Invalid Status Provided'));
  }
  if (incident.status === 'resolved') {
    return answered(pdError(400, 1001, 'Incident Already Resolved'));
  }

  const actor = { type: 'user', id: requester.value.id } as const;
  const eventType = account.changeStatus(incident, status as 'acknowledged' | 'resolved', actor);
  if (eventType === 'incident.resolved' && typeof resolution === 'string') {
    incident.resolution = resolution;
  }
  const events = eventType ? [incidentEvent(account, eventType, incident, actor)] : [];
  return { reply: incidentReply(account, incident), events };
}

/** `POST /incidents/{id}/notes` with `{ note: { content } }` → 201 `{ note }`. */
export function addNote(account: Account, request: WriteRequest, id: string): Outcome {
  const requester = requesterOf(account, request.headers);
  if ('refused' in requester) return answered(requester.refused);
  const incident = account.incidents.get(id);
  if (incident === undefined) return answered(incidentNotFound());
  if (request.invalidJson) return answered(invalidInput('The request body is not valid JSON.'));

  const note = isObject(request.body) ? request.body.note : undefined;
  const content = isObject(note) ? note.content : undefined;
  if (typeof content !== 'string' || content.trim() === '') {
    return answered(invalidInput('Content cannot be empty.'));
  }

  const added = account.addNote(incident, content, requester.value.id);
  const actor = { type: 'user', id: requester.value.id } as const;
  return {
    reply: json(201, { note: noteJson(account, added) }),
    events: [incidentEvent(account, 'incident.annotated', incident, actor, { note: added })],
  };
}

/** `GET /incidents/{id}/notes` → `{ notes }`, oldest first (not paginated, as in PagerDuty). */
export function listNotes(account: Account, id: string): Reply {
  if (!account.incidents.has(id)) return incidentNotFound();

  const notes = account.notes.filter((note) => note.incidentId === id);
  return json(200, { notes: notes.map((note) => noteJson(account, note)) });
}

export function getIncident(account: Account, id: string): Reply {
  const incident = account.incidents.get(id);
  return incident === undefined ? incidentNotFound() : incidentReply(account, incident);
}

function incidentReply(account: Account, incident: IncidentState): Reply {
  return json(200, { incident: incidentJson(account, incident) });
}

/** Docs list 5001 "Incident Not Found" and 2100 "Not Found"; which one PD sends here is unsure. */
function incidentNotFound(): Reply {
  return pdError(404, 5001, 'Incident Not Found');
}

/**
 * The user a write acts as: the `From` header must name a user of the account. Missing: 2011
 * (PagerDuty's wording still says requester_id); unknown: 1008.
 */
function requesterOf(account: Account, headers: IncomingHttpHeaders): Checked<StandInUser> {
  const from = headers.from;
  if (from === undefined || from.trim() === '') {
    return {
      refused: pdError(400, 2011, 'You must specify a requester_id to perform this action'),
    };
  }
  const user = account.requester(from);
  return user ? { value: user } : { refused: pdError(400, 1008, 'Requester User Not Found') };
}

/** The `incident` object of a write body, or the 400 to answer. */
function incidentInput(request: WriteRequest): Checked<Record<string, unknown>> {
  if (request.invalidJson) return { refused: invalidInput('The request body is not valid JSON.') };

  const input = isObject(request.body) ? request.body.incident : undefined;
  if (isObject(input)) return { value: input };
  return { refused: invalidInput("The 'incident' object is required.") };
}
