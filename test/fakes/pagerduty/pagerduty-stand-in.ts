/**
 * A local HTTP stand-in of PagerDuty, for integration tests and the sandbox: the REST API v2
 * (services, users, on-calls, incidents, notes), the Events API v2 `POST /v2/enqueue`, and V3
 * webhooks sent back to the bot, with the rules of wire-formats.md §2.1 and §4.1–4.2. Listens
 * on 127.0.0.1 only and sends webhooks only to 127.0.0.1.
 *
 * Point `@pagerduty/pdjs` at it with a full `url` (it builds https URLs from `server`): e.g.
 * `api({ token, url: `${standIn.pdjsUrl}incidents`, retryTimeout: 10 })`.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { Account, type IncidentState, type IncidentStatus, type NoteState } from './account.ts';
import { checkAccountConfig, DEFAULT_API_KEY, resolveAccountConfig } from './account-config.ts';
import type { AccountOptions, StandInEscalationPolicy, StandInOncall } from './account-config.ts';
import type { StandInSchedule, StandInService, StandInUser } from './account-config.ts';
import { EventsApi } from './events-api.ts';
import { failureReply, queueFailure, requestMatcher, takeFailure } from './faults.ts';
import type { Failure, QueuedFailure } from './faults.ts';
import { headerRecord, queryRecord, type RecordedCall } from './recorded-call.ts';
import { RestApi, type RestRequest } from './rest-api.ts';
import { TestActions, type EventBuildOptions, type OpenIncidentInput } from './test-actions.ts';
import type { IncidentEventType, WebhookEvent } from './webhook-events.ts';
import { postWebhook, type WebhookDelivery, type WebhookSendOptions } from './webhook-sender.ts';
import { WebhookSubscriptions } from './webhook-subscriptions.ts';
import type { StandInSubscription, SubscribeOptions } from './webhook-subscriptions.ts';
import { answered, notFound, parseJson, pdError, readBody, send, type Outcome } from './wire.ts';

export type { Failure, RecordedCall, StandInSubscription, SubscribeOptions };
export type { EventBuildOptions, OpenIncidentInput, WebhookDelivery, WebhookEvent };
export type { IncidentEventType, IncidentStatus, WebhookSendOptions };
export type { StandInEscalationPolicy, StandInOncall, StandInSchedule, StandInService };
export type { StandInUser };
export { BOT_USER_ID, DEFAULT_API_KEY, DEFAULT_INTEGRATION_KEYS } from './account-config.ts';
export { INCIDENT_EVENT_TYPES, pagerDutySignature } from './webhook-events.ts';

/** An incident as tests read it back (a copy); times are epoch milliseconds. */
export type StandInIncident = IncidentState;
export type StandInNote = NoteState;

export interface PagerDutyStandInOptions extends AccountOptions {
  /** The REST API key (`Authorization: Token token=<key>`). Default DEFAULT_API_KEY. */
  apiKey?: string;
  /** If set, REST requests per API key per rolling 60 s; more get 429. Default: no limit. */
  requestsPerMinute?: number;
  /** Events per integration key per rolling 60 s; more get 429. Default 120, PagerDuty's. */
  eventsPerMinute?: number;
  /** Serve the Events API on a port of its own (and not on the REST port). Default false. */
  separateEventsServer?: boolean;
  /** Default 0 (ephemeral). Both servers bind 127.0.0.1. */
  port?: number;
  /** Epoch milliseconds; drives timestamps and rate windows. Default Date.now. */
  clock?: () => number;
  /** Called after each handled request. Never sees the API key. */
  onCall?: (call: RecordedCall) => void;
}

/**
 * pdjs sets `response.resource` (and its `all()` merges pages) only when the URL matches
 * `.com/<resource>`; requests under this prefix behave as against api.pagerduty.com.
 */
const PDJS_PREFIX = '/api.pagerduty.com';
const EVENTS_PATH = '/v2/enqueue';

type Api = 'rest' | 'events';
type Serves = Api | 'both';

export class PagerDutyStandIn {
  readonly calls: RecordedCall[] = [];
  private readonly failures: QueuedFailure[] = [];
  private readonly webhooks = new WebhookSubscriptions();
  private readonly actions: TestActions;

  private constructor(
    /** REST API base, ending in '/'. */
    readonly url: string,
    /** The full Events API v2 URL (`…/v2/enqueue`). */
    readonly eventsUrl: string,
    private readonly servers: Server[],
    private readonly account: Account,
    private readonly rest: RestApi,
    private readonly events: EventsApi,
    private readonly options: PagerDutyStandInOptions,
  ) {
    this.actions = new TestActions(account, (event) => this.dispatch(event));
  }

  static async start(options: PagerDutyStandInOptions = {}): Promise<PagerDutyStandIn> {
    const clock = options.clock ?? Date.now;
    const config = resolveAccountConfig(options, clock());
    checkAccountConfig(config); // before listening, so a bad account leaves no server behind
    const restServer = await listen(options.port ?? 0);
    const eventsServer = options.separateEventsServer ? await listen(0) : restServer;
    const baseOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const url = `${baseOf(restServer)}/`;
    const account = new Account(config, url, clock);
    const standIn = new PagerDutyStandIn(
      url,
      `${baseOf(eventsServer)}${EVENTS_PATH}`,
      [...new Set([restServer, eventsServer])],
      account,
      new RestApi(account, options.apiKey ?? DEFAULT_API_KEY, options.requestsPerMinute),
      new EventsApi(account, options.eventsPerMinute ?? 120),
      options,
    );
    if (eventsServer === restServer) {
      restServer.on('request', (req, res) => void standIn.handle(req, res, 'both'));
    } else {
      restServer.on('request', (req, res) => void standIn.handle(req, res, 'rest'));
      eventsServer.on('request', (req, res) => void standIn.handle(req, res, 'events'));
    }
    return standIn;
  }

  /** The REST base with a path pdjs recognises as PagerDuty's (see PDJS_PREFIX); ends in '/'. */
  get pdjsUrl(): string {
    return `${this.url.slice(0, -1)}${PDJS_PREFIX}/`;
  }

  /** Every webhook POST made by subscriptions and sendWebhook, in order; the live array. */
  get webhookDeliveries(): WebhookDelivery[] {
    return this.webhooks.deliveries;
  }

  /** Recorded calls matching 'METHOD /path' (`*` = one segment) or a RegExp on the same. */
  callsTo(pattern: string | RegExp): RecordedCall[] {
    const matches = requestMatcher(pattern);
    return this.calls.filter((call) => matches(call.method, call.path));
  }

  /**
   * The next `times` requests matching `pattern` ('PUT /incidents/*', 'POST /v2/enqueue', a
   * RegExp on 'METHOD /path') get `failure` instead of an answer, before auth and state.
   */
  failNext(pattern: string | RegExp, failure: Failure = {}): void {
    this.failures.push(queueFailure(pattern, failure));
  }

  /** Every incident, oldest first; copies. */
  incidents(): StandInIncident[] {
    return structuredClone([...this.account.incidents.values()]);
  }

  incident(id: string): StandInIncident | undefined {
    const incident = this.account.incidents.get(id);
    return incident && structuredClone(incident);
  }

  /** The notes of an incident, oldest first; copies. */
  notes(incidentId: string): StandInNote[] {
    return structuredClone(this.account.notes.filter((note) => note.incidentId === incidentId));
  }

  /** Opens an incident as PagerDuty would for an alert or a person; subscribers hear of it. */
  openIncident(input: OpenIncidentInput): { incident: StandInIncident; event: WebhookEvent } {
    const { incident, event } = this.actions.openIncident(input);
    return { incident: structuredClone(incident), event };
  }

  /**
   * Changes an incident's status as a person in PagerDuty would (`byUserId` null: PagerDuty
   * itself, e.g. an auto-resolve) and returns the webhook event, also sent to subscribers.
   * Throws when nothing would change or PagerDuty would refuse.
   */
  setIncidentStatus(id: string, status: IncidentStatus, byUserId: string | null): WebhookEvent {
    return this.actions.setIncidentStatus(id, status, byUserId);
  }

  /** Adds a note as a person in PagerDuty; returns the incident.annotated event, also sent. */
  addNote(incidentId: string, content: string, byUserId: string): WebhookEvent {
    return this.actions.addNote(incidentId, content, byUserId);
  }

  /**
   * Builds (does not send) a webhook event of `type` for an incident as it stands now, e.g. to
   * send with sendWebhook; incident.annotated announces the incident's latest note.
   */
  webhookEvent(
    type: IncidentEventType,
    incidentId: string,
    options?: EventBuildOptions,
  ): WebhookEvent {
    return this.actions.buildEvent(type, incidentId, options);
  }

  /** POSTs a signed webhook to a local URL `times` times (no retries); resolves with each try. */
  sendWebhook(
    targetUrl: string,
    event: WebhookEvent,
    options: WebhookSendOptions,
  ): Promise<WebhookDelivery[]> {
    return postWebhook(targetUrl, event, options).then((deliveries) => {
      this.webhooks.deliveries.push(...deliveries);
      return deliveries;
    });
  }

  /** From now on, state changes send their webhooks to `targetUrl`, signed with the secret(s). */
  subscribe(targetUrl: string, options: string | SubscribeOptions): StandInSubscription {
    return this.webhooks.subscribe(
      targetUrl,
      typeof options === 'string' ? { secret: options } : options,
    );
  }

  unsubscribe(subscriptionId: string): void {
    this.webhooks.unsubscribe(subscriptionId);
  }

  /** Resolves once every webhook queued so far was delivered, dropped, or given up on. */
  webhooksSettled(): Promise<void> {
    return this.webhooks.settled();
  }

  /**
   * Clears calls, incidents, notes, queued failures, rate windows and webhook deliveries.
   * Keeps the account (services, users, on-calls, keys) and subscriptions.
   */
  reset(): void {
    this.calls.length = 0;
    this.failures.length = 0;
    this.account.clearIncidents();
    this.rest.resetRateWindow();
    this.events.resetRateWindow();
    this.webhooks.clear();
  }

  /** Stops listening and sending webhooks. */
  async close(): Promise<void> {
    this.webhooks.unsubscribeAll();
    await Promise.all(
      this.servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      ),
    );
  }

  private async handle(req: IncomingMessage, res: ServerResponse, serves: Serves): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname.startsWith(`${PDJS_PREFIX}/`)
      ? url.pathname.slice(PDJS_PREFIX.length)
      : url.pathname;
    const method = (req.method ?? 'GET').toUpperCase();
    const api: Api = path === EVENTS_PATH ? 'events' : 'rest';

    try {
      const raw = await readBody(req);
      const { value: body, invalid } = parseJson(raw ?? '');
      const query = queryRecord(url.searchParams);
      const call = { api, method, path, query, headers: headerRecord(req), body } as const;
      const failure = takeFailure(this.failures, method, path);
      if (failure?.disconnect) {
        this.record({ ...call, status: 0, response: undefined, at: this.account.now() });
        res.destroy();
        return;
      }

      const request = { method, path, query: url.searchParams, headers: req.headers, body };
      const outcome = failure
        ? answered(failureReply(failure))
        : this.answer(serves, api, { ...request, invalidJson: invalid }, raw === undefined);
      send(res, outcome.reply);
      const { status, body: response } = outcome.reply;
      this.record({ ...call, status, response, at: this.account.now() });
      for (const event of outcome.events) this.dispatch(event);
    } catch {
      res.destroy(); // the client went away mid-request, or we are closing
    }
  }

  /** A bug in the stand-in answers HTTP 500 with its message rather than killing the process. */
  private answer(serves: Serves, api: Api, request: RestRequest, tooLarge: boolean): Outcome {
    try {
      if (serves !== 'both' && serves !== api) return answered(notFound());
      if (tooLarge) return answered(pdError(413, 2001, 'Request Entity Too Large'));
      if (api === 'rest') return this.rest.handle(request);
      if (request.method !== 'POST') return answered(notFound());
      return this.events.handle(request.body, request.invalidJson);
    } catch (error) {
      const body = `PagerDutyStandIn bug: ${String(error)}`;
      return answered({ status: 500, headers: {}, body });
    }
  }

  private dispatch(event: WebhookEvent): void {
    const data = event.data as { id?: string; incident?: { id?: string } };
    const incidentId = data.incident?.id ?? data.id ?? '';
    this.webhooks.dispatch(event, this.account.incidents.get(incidentId)?.serviceId);
  }

  private record(call: RecordedCall): void {
    this.calls.push(call);
    try {
      this.options.onCall?.(call);
    } catch (error) {
      console.error('PagerDutyStandIn: onCall threw', error);
    }
  }
}

function listen(port: number): Promise<Server> {
  const server = createServer();
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
