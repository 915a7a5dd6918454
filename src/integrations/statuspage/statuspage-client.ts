import { z } from 'zod';

import type { Logger } from '../../core/ports.ts';
import type { Metrics } from '../../metrics.ts';
import { OutboundError, unreachable } from '../../outbound/outbound-error.ts';

/** Realtime incident statuses (scheduled maintenance has its own, unused here). */
export const STATUSES = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
export type Status = (typeof STATUSES)[number];

export const COMPONENT_STATUSES = [
  'operational',
  'degraded_performance',
  'partial_outage',
  'major_outage',
  'under_maintenance',
] as const;
export type ComponentStatus = (typeof COMPONENT_STATUSES)[number];

const DEFAULT_API_URL = 'https://api.statuspage.io/v1';
const TIMEOUT_MS = 10_000;
/**
 * Waited after a 420/429 without `Retry-After`: Statuspage counts 1 request a second per key
 * over a rolling 60 s, so a full window can take that long to free a slot.
 */
const DEFAULT_RATE_LIMIT_WAIT_MS = 60_000;
/** Statuspage's largest page (https://developer.statuspage.io/, components since 2023-02-28). */
const PAGE_SIZE = 100;
/** Lists stop here: 1,000 components or unresolved incidents is far past any real page. */
const MAX_PAGES = 10;
/** Statuspage refuses longer incident names and update bodies (422). */
const MAX_NAME = 255;
const MAX_BODY = 25_000;
/** An incident's id in a path, for the `what` of logs and metrics. */
const INCIDENT_ID = /\/incidents\/(?!unresolved$)[^/]+/;

export interface StatuspageClientOptions {
  /** REST API base. Default https://api.statuspage.io/v1. */
  apiUrl?: string;
  /** A Statuspage API key, sent as `Authorization: OAuth <key>`; never logged. */
  apiKey: string;
  pageId: string;
  logger: Logger;
  /** Per request, ms. Default 10 000. */
  timeoutMs?: number;
  metrics?: Metrics;
}

export interface StatuspageComponent {
  id: string;
  name: string;
  status: string;
  /** The name of the component group it sits in. */
  group?: string;
}

export interface StatuspageIncident {
  id: string;
  name: string;
  status: string;
  /** The incident's shortlink, else its page in Statuspage's manage app. */
  url: string;
  resolvedAt?: string;
  /** The incident's components and their current statuses, by component id. */
  components: Record<string, string>;
}

const componentAnswer = z
  .object({
    id: z.string(),
    name: z.string(),
    status: z.string().nullable().optional(),
    group: z.boolean().nullable().optional(),
    group_id: z.string().nullable().optional(),
  })
  .loose();

const incidentAnswer = z
  .object({
    id: z.string().min(1),
    name: z.string(),
    status: z.string(),
    shortlink: z.string().nullable().optional(),
    resolved_at: z.string().nullable().optional(),
    components: z.array(componentAnswer).nullable().optional(),
    incident_updates: z
      .array(z.object({ body: z.string().nullable().optional() }).loose())
      .nullable()
      .optional(),
    metadata: z.unknown().optional(),
  })
  .loose();

type IncidentAnswer = z.infer<typeof incidentAnswer>;

/**
 * Statuspage incidents and components over the REST API v1 with global `fetch`. Every failure
 * becomes an OutboundError the outbound queue understands: 420/429 → wait what `Retry-After`
 * says; 5xx and network → retryable; 401/403/404 → final, naming the setting to fix.
 */
export class StatuspageClient {
  readonly #o: StatuspageClientOptions;
  readonly #base: string;

  constructor(options: StatuspageClientOptions) {
    this.#o = options;
    const apiUrl = (options.apiUrl ?? DEFAULT_API_URL).replace(/\/+$/, '');
    this.#base = `${apiUrl}/pages/${encodeURIComponent(options.pageId)}`;
  }

  /** The page's components, every page of them; group containers become members' `group`. */
  async components(): Promise<StatuspageComponent[]> {
    const all: z.infer<typeof componentAnswer>[] = [];
    for (let page = 1; page <= MAX_PAGES; page += 1) {
      const query = `?page=${page}&per_page=${PAGE_SIZE}`;
      const answer = await this.#call('GET', '/components', query, undefined, undefined);
      const items = parse(z.array(componentAnswer), answer, 'GET /pages/{page}/components');
      all.push(...items);
      if (items.length < PAGE_SIZE) break;
    }

    const groups = new Map(all.filter((c) => c.group === true).map((c) => [c.id, c.name]));
    return all
      .filter((c) => c.group !== true)
      .map((c) => {
        const group = c.group_id ? groups.get(c.group_id) : undefined;
        return { id: c.id, name: c.name, status: c.status ?? '', ...(group ? { group } : {}) };
      });
  }

  /**
   * Opens an incident; its body is the first update. `marker` goes into the incident's
   * `metadata` (not shown on the public page), for findByMarker after a lost answer.
   */
  async createIncident(input: {
    name: string;
    status: Status;
    body: string;
    components: Record<string, ComponentStatus>;
    marker?: string;
    /** Email and SMS subscribers; default true, as on Statuspage. */
    deliverNotifications?: boolean;
  }): Promise<{ id: string; url: string; status: string }> {
    const incident = {
      name: cut(input.name.replace(/\s+/g, ' ').trim(), MAX_NAME),
      status: input.status,
      body: cut(input.body, MAX_BODY),
      components: input.components,
      component_ids: Object.keys(input.components),
      deliver_notifications: input.deliverNotifications ?? true,
      ...(input.marker ? { metadata: { firebreak: { marker: input.marker } } } : {}),
    };
    const answer = await this.#call('POST', '/incidents', '', { incident }, undefined);
    const created = this.#incident(parse(incidentAnswer, answer, 'POST /pages/{page}/incidents'));
    this.#o.logger.info({ statuspageId: created.id }, 'statuspage incident opened');
    return { id: created.id, url: created.url, status: created.status };
  }

  /** A new status, update text and component statuses; only what is given changes. */
  async updateIncident(
    id: string,
    input: { status?: Status; body?: string; components?: Record<string, ComponentStatus> },
  ): Promise<{ id: string; status: string }> {
    const incident = {
      ...(input.status ? { status: input.status } : {}),
      ...(input.body !== undefined ? { body: cut(input.body, MAX_BODY) } : {}),
      ...(input.components
        ? { components: input.components, component_ids: Object.keys(input.components) }
        : {}),
    };
    const path = `/incidents/${encodeURIComponent(id)}`;
    const answer = await this.#call('PATCH', path, '', { incident }, id);
    const updated = parse(incidentAnswer, answer, 'PATCH /pages/{page}/incidents/{id}');
    return { id: updated.id, status: updated.status };
  }

  async getIncident(id: string): Promise<StatuspageIncident> {
    const path = `/incidents/${encodeURIComponent(id)}`;
    const answer = await this.#call('GET', path, '', undefined, id);
    return this.#incident(parse(incidentAnswer, answer, 'GET /pages/{page}/incidents/{id}'));
  }

  /**
   * The unresolved incident createIncident opened with `marker`: found by the marker in its
   * metadata, or in the text of one of its updates. Resolved incidents are not searched.
   */
  async findByMarker(marker: string): Promise<StatuspageIncident | undefined> {
    for (let page = 1; page <= MAX_PAGES; page += 1) {
      const query = `?page=${page}&per_page=${PAGE_SIZE}`;
      const answer = await this.#call('GET', '/incidents/unresolved', query, undefined, undefined);
      const items = parse(
        z.array(incidentAnswer),
        answer,
        'GET /pages/{page}/incidents/unresolved',
      );
      const found = items.find((item) => hasMarker(item, marker));
      if (found) return this.#incident(found);
      if (items.length < PAGE_SIZE) return undefined;
    }
    return undefined;
  }

  #incident(answer: IncidentAnswer): StatuspageIncident {
    const manage = `https://manage.statuspage.io/pages/${this.#o.pageId}/incidents/${answer.id}`;
    const components: Record<string, string> = {};
    for (const component of answer.components ?? []) {
      components[component.id] = component.status ?? '';
    }
    return {
      id: answer.id,
      name: answer.name,
      status: answer.status,
      url: answer.shortlink || manage,
      ...(answer.resolved_at ? { resolvedAt: answer.resolved_at } : {}),
      components,
    };
  }

  /** One request; the parsed JSON answer, or an OutboundError. `id`: the incident it is about. */
  async #call(
    method: string,
    path: string,
    query: string,
    body: object | undefined,
    id: string | undefined,
  ): Promise<unknown> {
    const what = `${method} /pages/{page}${path.replace(INCIDENT_ID, '/incidents/{id}')}`;
    const started = Date.now();
    const timer = this.#o.metrics?.outboundDuration.startTimer({
      service: 'statuspage',
      method: what,
    });
    try {
      const res = await fetch(`${this.#base}${path}${query}`, {
        method,
        headers: {
          Authorization: `OAuth ${this.#o.apiKey}`,
          Accept: 'application/json',
          ...(body ? { 'Content-Type': 'application/json' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(this.#o.timeoutMs ?? TIMEOUT_MS),
      });
      const text = await res.text();
      this.#o.logger.debug(
        { what, status: res.status, ms: Date.now() - started },
        'statuspage call',
      );
      this.#count(what, res.ok ? 'ok' : String(res.status));
      if (!res.ok) throw this.#failure(what, res, text, id);
      return parseJson(text, what);
    } catch (error) {
      if (error instanceof OutboundError) throw error;
      this.#o.logger.debug({ what, ms: Date.now() - started }, 'statuspage call failed');
      this.#count(what, 'request_error');
      throw unreachable('statuspage', what, error);
    } finally {
      timer?.();
    }
  }

  #failure(what: string, res: Response, text: string, id: string | undefined): OutboundError {
    const { status } = res;
    // A proxy's error page may echo the request, key and all: never pass the key on.
    const detail = errorText(text).split(this.#o.apiKey).join('[redacted]');
    const summary = `${what}: HTTP ${status}${detail ? ` (${detail})` : ''}`;
    const fail = (message: string, retryable = false) =>
      new OutboundError({ service: 'statuspage', message, code: String(status), retryable });

    if (status === 420 || status === 429) {
      const retryAfterMs = waitOf(res.headers.get('retry-after'));
      this.#o.logger.warn({ what, retryAfterMs }, 'statuspage rate limit');
      this.#o.metrics?.rateLimitWaits.inc({ service: 'statuspage', method: what });
      this.#o.metrics?.rateLimitWaitSeconds.inc(
        { service: 'statuspage', method: what },
        retryAfterMs / 1000,
      );
      return new OutboundError({
        service: 'statuspage',
        message: summary,
        code: String(status),
        retryAfterMs,
      });
    }
    switch (status) {
      case 401:
        return fail(`${summary}: Statuspage refused the API key; check STATUSPAGE_API_KEY`);
      case 403:
        return fail(`${summary}: the API key may not do this; check STATUSPAGE_API_KEY`);
      case 404:
        return id === undefined
          ? fail(`${summary}: no page ${this.#o.pageId}; check STATUSPAGE_PAGE_ID`)
          : fail(`${summary}: no incident ${id} on page ${this.#o.pageId}`);
      default:
        return fail(summary, status >= 500);
    }
  }

  #count(what: string, outcome: string) {
    this.#o.metrics?.outboundCalls.inc({ service: 'statuspage', method: what, outcome });
  }
}

function hasMarker(incident: IncidentAnswer, marker: string): boolean {
  const metadata = incident.metadata as { firebreak?: { marker?: unknown } } | null | undefined;
  if (metadata?.firebreak?.marker === marker) return true;
  return (incident.incident_updates ?? []).some((update) => update.body?.includes(marker));
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw badAnswer(what, 'not JSON', error);
  }
}

function parse<T>(schema: z.ZodType<T>, answer: unknown, what: string): T {
  const result = schema.safeParse(answer);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw badAnswer(what, `${issue?.path.join('.') || 'answer'}: ${issue?.message}`, result.error);
}

function badAnswer(what: string, detail: string, cause: unknown): OutboundError {
  return new OutboundError({
    service: 'statuspage',
    message: `${what}: unexpected answer (${detail})`,
    code: 'bad_answer',
    cause,
  });
}

/** Statuspage's error body: `{ error }` (a string or a list) or the spec's `{ message }`. */
function errorText(text: string): string {
  let data: unknown;
  try {
    data = JSON.parse(text) as unknown;
  } catch {
    return text.slice(0, 200).trim();
  }
  if (typeof data !== 'object' || data === null) return '';
  const { error, message } = data as { error?: unknown; message?: unknown };
  const value = error ?? message;
  if (Array.isArray(value)) return value.filter((item) => typeof item === 'string').join('; ');
  return typeof value === 'string' ? value : '';
}

/** `Retry-After` in seconds or as an HTTP date; else a default wait. */
function waitOf(header: string | null): number {
  if (header === null || header.trim() === '') return DEFAULT_RATE_LIMIT_WAIT_MS;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : DEFAULT_RATE_LIMIT_WAIT_MS;
}

function cut(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}
