/**
 * Events API v2 `POST /v2/enqueue` (wire-formats.md §4.1; docs: events-API-v2/01-Overview.md,
 * 02-Trigger-Events.md). The `routing_key` authenticates and picks the service. A trigger opens
 * an incident whose `incident_key` is the `dedup_key`, unless one is open for that key and
 * routing key; acknowledge and resolve act on that incident or are dropped, with 202 either way.
 */
import { randomUUID } from 'node:crypto';

import type { Account, IncidentState } from './account.ts';
import { incidentEvent, type WebhookEvent } from './webhook-events.ts';
import { answered, isObject, json, RateWindow } from './wire.ts';
import type { Outcome, Reply } from './wire.ts';

const ACTIONS: readonly string[] = ['trigger', 'acknowledge', 'resolve'];
const SEVERITIES: readonly string[] = ['critical', 'error', 'warning', 'info'];
const MAX_SUMMARY = 1024;
const MAX_DEDUP_KEY = 255;

export class EventsApi {
  private readonly window: RateWindow;

  /** `eventsPerMinute` per routing key, rolling (PagerDuty: about 120). */
  constructor(
    private readonly account: Account,
    eventsPerMinute: number,
  ) {
    this.window = new RateWindow(eventsPerMinute, account.now);
  }

  handle(body: unknown, invalidJson: boolean): Outcome {
    if (invalidJson || !isObject(body)) return answered(invalidEvent('Event object is invalid'));

    const routingKey = body.routing_key;
    if (typeof routingKey !== 'string' || routingKey.length !== 32) {
      return answered(
        invalidEvent("Length of 'routing_key' is incorrect (should be 32 characters)"),
      );
    }
    const service = this.account.serviceForKey(routingKey);
    if (service === undefined) return answered(invalidEvent('Invalid routing key'));
    // Throttled events are not ingested (§4.1); the body wording is ours.
    if (!this.window.take(routingKey).allowed) {
      return answered(
        json(429, {
          status: 'throttle event',
          message: 'Requests for this service are arriving too quickly. Please retry later.',
        }),
      );
    }

    const problems = eventProblems(body);
    if (problems.length > 0) return answered(invalidEvent(...problems));
    const dedupKey = typeof body.dedup_key === 'string' ? body.dedup_key : undefined;
    if (body.event_action === 'trigger') {
      return this.trigger(routingKey, service.id, dedupKey, body.payload as Payload);
    }
    return this.followUp(routingKey, dedupKey ?? '', body.event_action as 'acknowledge');
  }

  resetRateWindow(): void {
    this.window.clear();
  }

  private trigger(
    routingKey: string,
    serviceId: string,
    dedupKey: string | undefined,
    payload: Payload,
  ): Outcome {
    const key = dedupKey ?? randomUUID().replaceAll('-', '');
    const open = this.account.openIncidentForEvent(routingKey, key);
    if (open !== undefined) return { reply: accepted(key), events: [] }; // a new alert, same incident

    const actor = { type: 'service', id: serviceId } as const;
    const incident = this.account.createIncident({
      serviceId,
      title: payload.summary,
      incidentKey: key,
      routingKey,
      eventPayload: payload,
      actor,
    });
    const event = incidentEvent(this.account, 'incident.triggered', incident, actor);
    return { reply: accepted(key), events: [event] };
  }

  private followUp(
    routingKey: string,
    dedupKey: string,
    action: 'acknowledge' | 'resolve',
  ): Outcome {
    const incident = this.account.openIncidentForEvent(routingKey, dedupKey);
    if (incident === undefined) return { reply: accepted(dedupKey), events: [] }; // dropped

    const status = action === 'acknowledge' ? 'acknowledged' : 'resolved';
    return { reply: accepted(dedupKey), events: this.changeStatus(incident, status) };
  }

  private changeStatus(
    incident: IncidentState,
    status: 'acknowledged' | 'resolved',
  ): WebhookEvent[] {
    const actor = { type: 'service', id: incident.serviceId } as const;
    const eventType = this.account.changeStatus(incident, status, actor);
    return eventType ? [incidentEvent(this.account, eventType, incident, actor)] : [];
  }
}

interface Payload extends Record<string, unknown> {
  summary: string;
  source: string;
  severity: string;
}

/** What is wrong with an event; the wording imitates PagerDuty's but is not confirmed. */
function eventProblems(body: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const { event_action: action, dedup_key: dedupKey, payload } = body;
  if (typeof action !== 'string' || !ACTIONS.includes(action)) {
    problems.push("'event_action' must be one of 'trigger', 'acknowledge' or 'resolve'");
  }
  if (dedupKey !== undefined && (typeof dedupKey !== 'string' || dedupKey.length > MAX_DEDUP_KEY)) {
    problems.push(`'dedup_key' must be a string of at most ${MAX_DEDUP_KEY} characters`);
  }
  if (action !== 'trigger') {
    if (typeof dedupKey !== 'string' || dedupKey === '') problems.push("'dedup_key' is missing");
    return problems;
  }

  if (!isObject(payload)) return [...problems, "'payload' is missing or not an object"];
  const { summary, source, severity } = payload;
  if (typeof summary !== 'string' || summary === '') problems.push("'payload.summary' is missing");
  if (typeof summary === 'string' && summary.length > MAX_SUMMARY) {
    problems.push(`'payload.summary' is longer than ${MAX_SUMMARY} characters`);
  }
  if (typeof source !== 'string' || source === '') problems.push("'payload.source' is missing");
  if (typeof severity !== 'string' || !SEVERITIES.includes(severity)) {
    problems.push("'payload.severity' must be one of 'critical', 'error', 'warning' or 'info'");
  }
  return problems;
}

function accepted(dedupKey: string): Reply {
  return json(202, { status: 'success', message: 'Event processed', dedup_key: dedupKey });
}

function invalidEvent(...errors: string[]): Reply {
  return json(400, { status: 'invalid event', message: 'Event object is invalid', errors });
}
