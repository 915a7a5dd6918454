import { api } from '@pagerduty/pdjs';
import type { Logger } from '../../core/ports.ts';
import type { Metrics } from '../../metrics.ts';
import { OutboundError, unreachable } from '../../outbound/outbound-error.ts';

/** Waited after a 429 that says nothing about when to come back. */
const DEFAULT_RATE_LIMIT_WAIT_MS = 20_000;
/** Largest page PagerDuty serves; pagination stops at its 10,000-record offset limit. */
const PAGE_SIZE = 100;
const MAX_OFFSET = 10_000;
const TIMEOUT_MS = 10_000;

export interface PagerDutyClientOptions {
  token: string;
  /** The PagerDuty user the bot acts as: writes carry it as `From`. */
  fromEmail: string;
  /** REST API base, ending in `/` (https://api.pagerduty.com/, or a stand-in). */
  apiUrl: string;
  logger: Logger;
  metrics?: Metrics;
  /**
   * pdjs waits this long and tries again itself (three times) on a 429 before we see it; after
   * that the outbound queue waits what PagerDuty asks. Default 2 s.
   */
  sdkRetryMs?: number;
}

export interface PagerDutyService {
  id: string;
  name: string;
  url?: string;
  escalationPolicyId?: string;
}

export interface PagerDutyIncident {
  id: string;
  number?: number;
  url: string;
  status: string;
}

export interface OnCall {
  userId: string;
  name: string;
  email?: string;
  level: number;
  schedule?: string;
  scheduleId?: string;
  escalationPolicy?: string;
  escalationPolicyId?: string;
}

interface PdResponse {
  status: number;
  ok: boolean;
  data?: Record<string, unknown>;
  response?: { headers: { get(name: string): string | null } };
}

/**
 * The PagerDuty REST API v2 through `@pagerduty/pdjs`: services, incidents, notes, on-calls,
 * users. pdjs resolves on 4xx and retries 429s on its own timer, so every answer is checked
 * here and turned into an OutboundError the outbound queue understands: 429 → wait what
 * `ratelimit-reset` (or `Retry-After`) says; 5xx and network → retryable; other 4xx → a clear,
 * final error with PagerDuty's message. Lists follow every page.
 */
export class PagerDutyClient {
  readonly #o: PagerDutyClientOptions;

  constructor(options: PagerDutyClientOptions) {
    this.#o = options;
  }

  /** The email of the PagerDuty user the bot acts as (PAGERDUTY_FROM_EMAIL). */
  get fromEmail() {
    return this.#o.fromEmail;
  }

  async listServices(query?: string): Promise<PagerDutyService[]> {
    const services = await this.#all('services', 'services', query ? { query } : {});
    return services.map((s) => {
      const policy = s.escalation_policy as { id?: string } | undefined;
      return {
        id: String(s.id),
        name: String(s.name ?? s.summary ?? s.id),
        ...(typeof s.html_url === 'string' ? { url: s.html_url } : {}),
        ...(policy?.id ? { escalationPolicyId: policy.id } : {}),
      };
    });
  }

  async createIncident(input: {
    serviceId: string;
    title: string;
    urgency: 'high' | 'low';
    details: string;
    incidentKey: string;
  }): Promise<PagerDutyIncident> {
    const data = await this.#call('POST', 'incidents', {
      incident: {
        type: 'incident',
        title: input.title.slice(0, 1024),
        service: { id: input.serviceId, type: 'service_reference' },
        urgency: input.urgency,
        incident_key: input.incidentKey,
        body: { type: 'incident_body', details: input.details },
      },
    });
    return incidentOf(data);
  }

  /** The open incident with this `incident_key`, if any. */
  async openIncidentByKey(incidentKey: string) {
    const page = await this.#call('GET', 'incidents', {
      incident_key: incidentKey,
      'statuses[]': ['triggered', 'acknowledged'],
      date_range: 'all',
    });
    const [incident] = (page.incidents ?? []) as Record<string, unknown>[];
    return incident ? incidentOf({ incident }) : undefined;
  }

  async setStatus(id: string, status: 'acknowledged' | 'resolved', resolution?: string) {
    const incident = { type: 'incident_reference', status, ...(resolution ? { resolution } : {}) };
    return incidentOf(await this.#call('PUT', `incidents/${encodeURIComponent(id)}`, { incident }));
  }

  async addNote(id: string, content: string) {
    await this.#call('POST', `incidents/${encodeURIComponent(id)}/notes`, {
      note: { content: content.slice(0, 25_000) },
    });
  }

  /** Who is on call now, for schedules or escalation policies (all pages). */
  async onCalls(filter: { scheduleIds?: string[]; escalationPolicyIds?: string[] } = {}) {
    const query: Record<string, string | string[]> = { 'include[]': ['users'] };
    if (filter.scheduleIds?.length) query['schedule_ids[]'] = filter.scheduleIds;
    if (filter.escalationPolicyIds?.length)
      query['escalation_policy_ids[]'] = filter.escalationPolicyIds;
    const oncalls = await this.#all('oncalls', 'oncalls', query);
    return oncalls.map((o): OnCall => {
      const user = (o.user ?? {}) as Record<string, unknown>;
      const schedule = o.schedule as { id?: string; summary?: string } | null | undefined;
      const policy = o.escalation_policy as { id?: string; summary?: string } | undefined;
      return {
        userId: String(user.id),
        name: String(user.name ?? user.summary ?? user.id),
        ...(typeof user.email === 'string' ? { email: user.email } : {}),
        level: Number(o.escalation_level ?? 1),
        ...(schedule?.summary ? { schedule: schedule.summary } : {}),
        ...(schedule?.id ? { scheduleId: schedule.id } : {}),
        ...(policy?.summary ? { escalationPolicy: policy.summary } : {}),
        ...(policy?.id ? { escalationPolicyId: policy.id } : {}),
      };
    });
  }

  /** The PagerDuty user with this email, if any (how the bot knows its own actions). */
  async userIdByEmail(email: string) {
    const users = await this.#all('users', 'users', { query: email });
    const user = users.find((u) => String(u.email).toLowerCase() === email.toLowerCase());
    return user ? String(user.id) : undefined;
  }

  /** Every page of an offset-paginated list (`limit`, `offset`, `more`). */
  async #all(endpoint: string, key: string, query: Record<string, string | string[]>) {
    const items: Record<string, unknown>[] = [];
    for (let offset = 0; offset < MAX_OFFSET; offset += PAGE_SIZE) {
      const page = await this.#call('GET', endpoint, {
        ...query,
        limit: String(PAGE_SIZE),
        offset: String(offset),
      });
      items.push(...((page[key] ?? []) as Record<string, unknown>[]));
      if (page.more !== true) return items;
    }
    this.#o.logger.warn({ endpoint }, 'pagerduty list cut at 10,000 records');
    return items;
  }

  async #call(method: string, endpoint: string, data: Record<string, unknown>) {
    const what = `${method} /${endpoint.replace(/\/[A-Z0-9]{5,}(?=\/|$)/g, '/{id}')}`;
    const timer = this.#o.metrics?.outboundDuration.startTimer({
      service: 'pagerduty',
      method: what,
    });
    let result: PdResponse;
    try {
      result = (await api({
        token: this.#o.token,
        url: new URL(endpoint, this.#o.apiUrl).toString(),
        method,
        data,
        headers: method === 'GET' ? {} : { From: this.#o.fromEmail },
        retryTimeout: this.#o.sdkRetryMs ?? 2_000,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      } as Parameters<typeof api>[0])) as unknown as PdResponse;
    } catch (error) {
      this.#count(what, 'request_error');
      throw unreachable('pagerduty', what, error);
    } finally {
      timer?.();
    }
    this.#count(what, String(result.status));
    if (result.ok) return result.data ?? {};
    throw this.#failure(what, result);
  }

  #failure(what: string, result: PdResponse) {
    const error = (result.data?.error ?? {}) as {
      message?: string;
      code?: number;
      errors?: string[];
    };
    const detail = [error.message, ...(error.errors ?? [])].filter(Boolean).join('; ');
    const message = `${what}: HTTP ${result.status}${detail ? ` (${detail})` : ''}`;
    const code = error.code !== undefined ? String(error.code) : String(result.status);
    if (result.status === 429) {
      const retryAfterMs = waitOf(result.response?.headers);
      this.#o.logger.warn({ what, retryAfterMs }, 'pagerduty rate limit');
      this.#o.metrics?.rateLimitWaits.inc({ service: 'pagerduty', method: what });
      return new OutboundError({ service: 'pagerduty', message, code: '429', retryAfterMs });
    }
    return new OutboundError({
      service: 'pagerduty',
      message,
      code,
      retryable: result.status >= 500,
    });
  }

  #count(what: string, outcome: string) {
    this.#o.metrics?.outboundCalls.inc({ service: 'pagerduty', method: what, outcome });
  }
}

/** PagerDuty's `ratelimit-reset` (seconds), else `Retry-After`, else a default wait. */
function waitOf(headers: { get(name: string): string | null } | undefined) {
  const seconds = Number(headers?.get('ratelimit-reset') ?? headers?.get('retry-after') ?? NaN);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : DEFAULT_RATE_LIMIT_WAIT_MS;
}

function incidentOf(data: Record<string, unknown>): PagerDutyIncident {
  const incident = (data.incident ?? {}) as Record<string, unknown>;
  return {
    id: String(incident.id),
    ...(typeof incident.incident_number === 'number'
      ? { number: incident.incident_number }
      : typeof incident.number === 'number'
        ? { number: incident.number }
        : {}),
    url: String(incident.html_url ?? ''),
    status: String(incident.status ?? ''),
  };
}
