/**
 * The REST API v2 side of the stand-in (wire-formats.md §4.2): `Authorization: Token
 * token=<key>`, an optional rolling per-key rate limit with PagerDuty's `ratelimit-*` headers,
 * classic offset pagination, and the routes the bot uses. Writes live in rest-incidents.ts.
 */
import type { IncomingHttpHeaders } from 'node:http';

import type { Account } from './account.ts';
import {
  addNote,
  createIncident,
  getIncident,
  listNotes,
  updateIncident,
} from './rest-incidents.ts';
import { incidentJson, oncallJson, serviceJson, userJson } from './shapes.ts';
import { answered, invalidInput, json, notFound, pdError, RateWindow } from './wire.ts';
import type { Checked, Outcome, RateDecision, Reply } from './wire.ts';

export interface RestRequest {
  method: string;
  /** The path below the API base, e.g. '/incidents/PI00001'. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: unknown;
  invalidJson: boolean;
}

/** Docs: REST-API/09-Pagination.md. */
const DEFAULT_LIMIT = 25;
const MAX_LIMIT = 100;
const MAX_OFFSET_PLUS_LIMIT = 10_000;

export class RestApi {
  private readonly window: RateWindow | undefined;

  constructor(
    private readonly account: Account,
    private readonly apiKey: string,
    requestsPerMinute: number | undefined,
  ) {
    this.window =
      requestsPerMinute === undefined ? undefined : new RateWindow(requestsPerMinute, account.now);
  }

  /** Checks the key, then the rate limit, then answers the route. */
  handle(request: RestRequest): Outcome {
    const key = /^Token token=(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (key !== this.apiKey) return answered(pdError(401, 2006, 'Authentication failed'));

    const decision = this.window?.take(key);
    if (decision !== undefined && !decision.allowed) return answered(rateLimited(decision));

    const outcome = this.route(request);
    if (decision !== undefined) Object.assign(outcome.reply.headers, rateHeaders(decision));
    return outcome;
  }

  resetRateWindow(): void {
    this.window?.clear();
  }

  private route(request: RestRequest): Outcome {
    const [resource, id, sub, ...rest] = request.path.split('/').filter(Boolean);
    if (rest.length > 0 || resource === undefined) return answered(notFound());
    const { method, query } = request;
    const account = this.account;

    if (method === 'GET' && id === undefined) {
      if (resource === 'services') return answered(this.listServices(query));
      if (resource === 'users') return answered(this.listUsers(query));
      if (resource === 'oncalls') return answered(this.listOncalls(query));
      if (resource === 'incidents') return answered(this.listIncidents(query));
    }
    if (resource === 'users' && method === 'GET' && id !== undefined && sub === undefined) {
      const user = account.users.get(id);
      return answered(user ? json(200, { user: userJson(account, user) }) : notFound());
    }
    if (resource !== 'incidents') return answered(notFound());

    if (method === 'POST' && id === undefined) return createIncident(account, request);
    if (id === undefined) return answered(notFound());
    if (sub === undefined && method === 'GET') return answered(getIncident(account, id));
    if (sub === undefined && method === 'PUT') return updateIncident(account, request, id);
    if (sub === 'notes' && method === 'GET') return answered(listNotes(account, id));
    if (sub === 'notes' && method === 'POST') return addNote(account, request, id);
    return answered(notFound());
  }

  /** `GET /services?query=` → services whose name contains `query`, by name. */
  private listServices(query: URLSearchParams): Reply {
    const wanted = (query.get('query') ?? '').toLowerCase();
    const services = [...this.account.services.values()]
      .filter((service) => service.name.toLowerCase().includes(wanted))
      .sort((a, b) => a.name.localeCompare(b.name));
    return pageReply('services', services, query, (s) => serviceJson(this.account, s));
  }

  /** `GET /users?query=` → users whose name or email contains `query`, by name. */
  private listUsers(query: URLSearchParams): Reply {
    const wanted = (query.get('query') ?? '').toLowerCase();
    const users = [...this.account.users.values()]
      .filter((user) => `${user.name}\n${user.email}`.toLowerCase().includes(wanted))
      .sort((a, b) => a.name.localeCompare(b.name));
    return pageReply('users', users, query, (user) => userJson(this.account, user));
  }

  /**
   * `GET /oncalls` filtered by `schedule_ids[]`, `escalation_policy_ids[]`, `user_ids[]` (only
   * the bracketed names count); `include[]=users` embeds full users with their email.
   */
  private listOncalls(query: URLSearchParams): Reply {
    const schedules = query.getAll('schedule_ids[]');
    const policies = query.getAll('escalation_policy_ids[]');
    const users = query.getAll('user_ids[]');
    const withUsers = query.getAll('include[]').includes('users');
    const oncalls = this.account.oncalls
      .filter((o) => schedules.length === 0 || schedules.includes(o.scheduleId ?? ''))
      .filter((o) => policies.length === 0 || policies.includes(o.escalationPolicyId))
      .filter((o) => users.length === 0 || users.includes(o.userId));
    return pageReply('oncalls', oncalls, query, (o) => oncallJson(this.account, o, withUsers));
  }

  /** `GET /incidents` filtered by `statuses[]`, `service_ids[]`, `urgencies[]`, `incident_key`. */
  private listIncidents(query: URLSearchParams): Reply {
    const statuses = query.getAll('statuses[]');
    const services = query.getAll('service_ids[]');
    const urgencies = query.getAll('urgencies[]');
    const key = query.get('incident_key');
    const incidents = [...this.account.incidents.values()]
      .filter((i) => statuses.length === 0 || statuses.includes(i.status))
      .filter((i) => services.length === 0 || services.includes(i.serviceId))
      .filter((i) => urgencies.length === 0 || urgencies.includes(i.urgency))
      .filter((i) => key === null || i.incidentKey === key);
    return pageReply('incidents', incidents, query, (i) => incidentJson(this.account, i));
  }
}

/**
 * Classic pagination: `limit` (default 25, capped at 100: the docs say the answer "echoes the
 * limit value that was used"), `offset`, `more`; `total` is null unless `total=true`; offset +
 * limit over 10,000 is a 400.
 */
function pageReply<T>(
  name: string,
  items: T[],
  query: URLSearchParams,
  toJson: (item: T) => object,
): Reply {
  const page = pageOf(query);
  if ('refused' in page) return page.refused;

  const { limit, offset } = page.value;
  return json(200, {
    [name]: items.slice(offset, offset + limit).map(toJson),
    limit,
    offset,
    more: offset + limit < items.length,
    total: query.get('total') === 'true' ? items.length : null,
  });
}

function pageOf(query: URLSearchParams): Checked<{ limit: number; offset: number }> {
  const rawLimit = query.get('limit') ?? String(DEFAULT_LIMIT);
  const rawOffset = query.get('offset') ?? '0';
  if (!/^\d+$/.test(rawLimit) || Number(rawLimit) < 1) {
    return { refused: invalidInput('Limit must be a positive integer.') };
  }
  if (!/^\d+$/.test(rawOffset)) {
    return { refused: invalidInput('Offset must be a non-negative integer.') };
  }

  const limit = Math.min(Number(rawLimit), MAX_LIMIT);
  const offset = Number(rawOffset);
  if (offset + limit > MAX_OFFSET_PLUS_LIMIT) {
    return { refused: invalidInput('Offset + limit must not exceed 10000.') };
  }
  return { value: { limit, offset } };
}

/** Docs: REST-API/04-Rate-Limits.md. */
function rateHeaders(decision: RateDecision): Record<string, string> {
  return {
    'ratelimit-limit': String(decision.limit),
    'ratelimit-remaining': String(decision.remaining),
    'ratelimit-reset': String(decision.resetSeconds),
  };
}

function rateLimited(decision: RateDecision): Reply {
  const reply = pdError(429, 2020, 'Rate Limit Exceeded');
  // PagerDuty documents only the ratelimit-* headers; Retry-After is the stand-in's addition,
  // so a generic HTTP client's back-off also works. Do not rely on it against the real API.
  reply.headers = { ...rateHeaders(decision), 'Retry-After': String(decision.resetSeconds) };
  return reply;
}
