/**
 * The REST endpoints an incident bot uses (wire-formats.md §4.5): the page, its components
 * (`page` / `per_page`, at most 100 a page), and incidents (list, unresolved, create, read,
 * update), behind `Authorization: OAuth <key>` and a per-key rate limit over a rolling 60 s.
 * https://developer.statuspage.io/
 */
import type { IncomingHttpHeaders } from 'node:http';

import type { RateWindow } from '../http/wire.ts';
import { componentJson, incidentJson, pageJson } from './shapes.ts';
import { COMPONENT_STATUSES, INCIDENT_STATUSES } from './status-page.ts';
import type { IncidentChange, IncidentState, StatusPage } from './status-page.ts';
import { invalid, isObject, json, notFound, spError, unauthorized, type Reply } from './wire.ts';

export interface RestRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: unknown;
  invalidJson: boolean;
}

const IMPACTS = ['none', 'minor', 'major', 'critical'];
const MAX_NAME = 255;
const MAX_BODY = 25_000;
/** Statuspage's default and largest page (since February 2023, for components). */
const PAGE_SIZE = 100;

export class RestApi {
  constructor(
    private readonly page: StatusPage,
    private readonly apiKey: string,
    private readonly window: RateWindow,
  ) {}

  handle(request: RestRequest): Reply {
    const credential = /^oauth\s+(\S+)$/i.exec(headerValue(request.headers.authorization) ?? '');
    if (credential?.[1] !== this.apiKey) return unauthorized();

    const decision = this.window.take('api-key');
    if (!decision.allowed) {
      const reply = spError(429, 'Rate limit exceeded');
      return { ...reply, headers: { 'Retry-After': String(decision.resetSeconds) } };
    }
    return this.route(request);
  }

  private route(request: RestRequest): Reply {
    const parts = request.url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const [version, root, pageId, collection, id, ...rest] = parts;
    if (version !== 'v1' || root !== 'pages' || pageId !== this.page.id || rest.length > 0) {
      return notFound();
    }
    const { method, url } = request;
    if (collection === undefined)
      return method === 'GET' ? json(200, pageJson(this.page)) : notFound();
    if (request.invalidJson) return spError(400, 'The request body is not valid JSON');

    if (collection === 'components') return this.components(method, id, url);
    if (collection !== 'incidents') return notFound();
    if (id === undefined) {
      if (method === 'GET') return this.listIncidents(url);
      if (method === 'POST') return this.createIncident(request.body);
      return notFound();
    }
    if (id === 'unresolved' && method === 'GET') return this.unresolved(url);

    const incident = this.page.incident(id);
    if (!incident) return notFound();
    if (method === 'GET') return json(200, incidentJson(this.page, incident));
    if (method === 'PATCH' || method === 'PUT') return this.updateIncident(incident, request.body);
    return notFound();
  }

  private components(method: string, id: string | undefined, url: URL): Reply {
    if (method !== 'GET') return notFound();
    if (id !== undefined) {
      const component = this.page.component(id);
      return component ? json(200, componentJson(this.page, component)) : notFound();
    }
    const items = paginate(this.page.components(), url, 'per_page');
    return json(
      200,
      items.map((component) => componentJson(this.page, component)),
    );
  }

  /** `GET …/incidents`: newest first; `q` searches names and update bodies; `limit`, `page`. */
  private listIncidents(url: URL): Reply {
    const q = url.searchParams.get('q')?.toLowerCase() ?? '';
    const matches = (incident: IncidentState) =>
      q === '' ||
      incident.name.toLowerCase().includes(q) ||
      incident.updates.some((update) => update.body.toLowerCase().includes(q));
    const incidents = [...this.page.incidents()].reverse().filter(matches);
    return this.incidentList(paginate(incidents, url, 'limit'));
  }

  private unresolved(url: URL): Reply {
    const open = [...this.page.incidents()].reverse().filter((item) => item.status !== 'resolved');
    return this.incidentList(paginate(open, url, 'per_page'));
  }

  private incidentList(incidents: IncidentState[]): Reply {
    return json(
      200,
      incidents.map((incident) => incidentJson(this.page, incident)),
    );
  }

  private createIncident(body: unknown): Reply {
    const parsed = this.parse(body, true);
    if ('reply' in parsed) return parsed.reply;
    const { change } = parsed;
    if (change.name === undefined) return invalid("Name can't be blank");

    const incident = this.page.create({ ...change, name: change.name });
    return json(201, incidentJson(this.page, incident));
  }

  private updateIncident(incident: IncidentState, body: unknown): Reply {
    const parsed = this.parse(body, false);
    if ('reply' in parsed) return parsed.reply;

    this.page.update(incident, parsed.change);
    return json(200, incidentJson(this.page, incident));
  }

  /** The `incident` object of a create or update, checked field by field. */
  private parse(body: unknown, creating: boolean): { change: IncidentChange } | { reply: Reply } {
    const input = isObject(body) ? body.incident : undefined;
    if (!isObject(input)) {
      return { reply: spError(400, 'param is missing or the value is empty: incident') };
    }
    const problems: string[] = [];
    const change: IncidentChange = {};
    const { name, status, components, component_ids: ids, metadata } = input;

    if (typeof name === 'string' && name.trim() !== '') {
      if (name.length > MAX_NAME) problems.push('Name is too long (maximum is 255 characters)');
      change.name = name;
    } else if (name !== undefined || creating) {
      problems.push("Name can't be blank");
    }
    if (status !== undefined) {
      if (isOneOf(status, INCIDENT_STATUSES)) change.status = status;
      else problems.push(`Status ${JSON.stringify(status)} is not one of ${INCIDENT_STATUSES}`);
    }
    if (input.body !== undefined && input.body !== null) {
      if (typeof input.body !== 'string') problems.push('Body must be a string');
      else if (input.body.length > MAX_BODY) problems.push('Body is too long (maximum is 25000)');
      else change.body = input.body;
    }
    if (components !== undefined) this.parseComponents(components, change, problems);
    if (ids !== undefined) {
      const known = Array.isArray(ids) && ids.every((id) => this.isComponent(id));
      if (known) change.componentIds = ids as string[];
      else problems.push(`Component ids ${JSON.stringify(ids)} name unknown components`);
    }
    if (input.deliver_notifications !== undefined) {
      if (typeof input.deliver_notifications === 'boolean') {
        change.deliverNotifications = input.deliver_notifications;
      } else problems.push('Deliver notifications must be true or false');
    }
    if (input.impact_override !== undefined) {
      const impact = input.impact_override;
      if (impact === null || isOneOf(impact, IMPACTS)) change.impactOverride = impact;
      else problems.push(`Impact override ${JSON.stringify(impact)} is not one of ${IMPACTS}`);
    }
    if (metadata !== undefined) {
      if (isObject(metadata) && Object.values(metadata).every(isObject)) {
        change.metadata = metadata as Record<string, object>;
      } else problems.push('Metadata top-level values must be objects');
    }
    return problems.length > 0 ? { reply: invalid(...problems) } : { change };
  }

  private parseComponents(components: unknown, change: IncidentChange, problems: string[]) {
    if (!isObject(components)) {
      problems.push('Components must map component ids to statuses');
      return;
    }
    const parsed: NonNullable<IncidentChange['components']> = {};
    for (const [id, status] of Object.entries(components)) {
      if (!this.isComponent(id)) problems.push(`Component ${JSON.stringify(id)} not found`);
      else if (!isOneOf(status, COMPONENT_STATUSES)) {
        problems.push(
          `Component status ${JSON.stringify(status)} is not one of ${COMPONENT_STATUSES}`,
        );
      } else parsed[id] = status;
    }
    change.components = parsed;
  }

  /** A component an incident can name: it exists and is not a group container. */
  private isComponent(id: unknown): boolean {
    return typeof id === 'string' && this.page.component(id)?.group === false;
  }
}

function paginate<T>(items: readonly T[], url: URL, sizeName: 'per_page' | 'limit'): T[] {
  const requested = Number.parseInt(url.searchParams.get(sizeName) ?? '', 10);
  const size =
    Number.isFinite(requested) && requested > 0 ? Math.min(requested, PAGE_SIZE) : PAGE_SIZE;
  const page = Math.max(1, Number.parseInt(url.searchParams.get('page') ?? '', 10) || 1);
  return items.slice((page - 1) * size, page * size);
}

function isOneOf<T extends string>(value: unknown, values: readonly T[]): value is T {
  return typeof value === 'string' && (values as readonly string[]).includes(value);
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
