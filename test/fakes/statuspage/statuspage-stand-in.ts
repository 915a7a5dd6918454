/**
 * A local HTTP stand-in of the Atlassian Statuspage REST API v1 as an incident bot uses it: one
 * page, its components (paginated) and its incidents (create, read, update, list, unresolved),
 * `Authorization: OAuth <key>`, and the per-key rate limit, with the rules of wire-formats.md
 * §4.5. Listens on 127.0.0.1 only.
 *
 * `url` is the API base including `/v1`, for the client's `apiUrl`.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { RateWindow } from '../http/wire.ts';
import { failureReply, queueFailure, requestMatcher, takeFailure } from './faults.ts';
import type { Failure, QueuedFailure } from './faults.ts';
import { headerRecord, queryRecord, type RecordedCall } from './recorded-call.ts';
import { RestApi } from './rest-api.ts';
import { DEFAULT_COMPONENTS, StatusPage } from './status-page.ts';
import type { ComponentSeed, ComponentState, IncidentState } from './status-page.ts';
import { parseJson, readBody, send, spError, type Reply } from './wire.ts';

export type { ComponentSeed, Failure, RecordedCall };
export { COMPONENT_STATUSES, INCIDENT_STATUSES } from './status-page.ts';
export type { ComponentStatus, IncidentStatus } from './status-page.ts';

/** Components and incidents as tests read them back (copies). */
export type StandInComponent = ComponentState;
export type StandInIncident = IncidentState;

/** The API key the stand-in accepts unless told otherwise. */
export const DEFAULT_API_KEY = 'sp-standin-0123456789abcdef0123456789abcdef';
/** The page that exists unless told otherwise (Statuspage ids: 12 letters and digits). */
export const DEFAULT_PAGE_ID = 'fbpage0000a1';

export interface StatuspageStandInOptions {
  /** Accepted as `Authorization: OAuth <key>`. Default DEFAULT_API_KEY. */
  apiKey?: string;
  /** The one page that exists; others get 404. Default DEFAULT_PAGE_ID. */
  pageId?: string;
  /** Its name (and subdomain). Default 'Acme Status'. */
  pageName?: string;
  /**
   * The page's components, in order; `group` puts one in a component group, listed before its
   * first member. Default: 'Checkout API' and 'Payments' in 'Core services', and 'Search'.
   */
  components?: readonly ComponentSeed[];
  /**
   * Accepted requests per rolling 60 s; the next get 429 with `Retry-After`. Default 60:
   * Statuspage's 1 request a second per API key over a 60 s window.
   */
  requestsPerMinute?: number;
  /** Default 0 (ephemeral). Binds 127.0.0.1. */
  port?: number;
  /** Epoch milliseconds; drives timestamps and the rate window. Default Date.now. */
  clock?: () => number;
  /** Called after each handled request. Never sees the key. */
  onCall?: (call: RecordedCall) => void;
}

export class StatuspageStandIn {
  readonly calls: RecordedCall[] = [];
  readonly #failures: QueuedFailure[] = [];
  readonly #server: Server;
  readonly #page: StatusPage;
  readonly #window: RateWindow;
  readonly #rest: RestApi;
  readonly #onCall: StatuspageStandInOptions['onCall'];

  private constructor(
    /** The API base, `http://127.0.0.1:<port>/v1`, without a trailing '/'. */
    readonly url: string,
    server: Server,
    page: StatusPage,
    window: RateWindow,
    options: StatuspageStandInOptions,
  ) {
    this.#server = server;
    this.#page = page;
    this.#window = window;
    this.#rest = new RestApi(page, options.apiKey ?? DEFAULT_API_KEY, window);
    this.#onCall = options.onCall;
  }

  static async start(options: StatuspageStandInOptions = {}): Promise<StatuspageStandIn> {
    const clock = options.clock ?? Date.now;
    // Checked before listening, so a bad option leaves no server behind.
    const page = new StatusPage(
      options.pageId ?? DEFAULT_PAGE_ID,
      options.pageName ?? 'Acme Status',
      options.components ?? DEFAULT_COMPONENTS,
      clock,
    );
    const window = new RateWindow(options.requestsPerMinute ?? 60, clock);
    const server = await listen(options.port ?? 0);
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    const standIn = new StatuspageStandIn(url, server, page, window, options);
    server.on('request', (req, res) => void standIn.#handle(req, res));
    return standIn;
  }

  /** The page's id. */
  get pageId(): string {
    return this.#page.id;
  }

  /** Recorded calls matching 'METHOD /path' (`*` = one segment) or a RegExp on the same. */
  callsTo(pattern: string | RegExp): RecordedCall[] {
    const matches = requestMatcher(pattern);
    return this.calls.filter((call) => matches(call.method, call.path));
  }

  /**
   * The next `times` requests matching `pattern` (a path below `url`, as in `calls`: e.g.
   * 'POST /pages/fbpage0000a1/incidents', `*` for one segment, or a RegExp on 'METHOD /path')
   * get `failure` instead of an answer, before the key is checked. A
   * 420 or 429 without `headers` carries `Retry-After: 1`. With `loseAnswer` they are handled
   * as usual and the answer is dropped instead.
   */
  failNext(pattern: string | RegExp, failure: Failure = {}): void {
    this.#failures.push(queueFailure(pattern, failure));
  }

  /** The page's components, groups included, in page order; copies. */
  components(): StandInComponent[] {
    return structuredClone(this.#page.components());
  }

  /** The component with this name (not a group); a copy. */
  component(name: string): StandInComponent | undefined {
    const found = this.#page.components().find((item) => !item.group && item.name === name);
    return found && structuredClone(found);
  }

  /** Incidents, oldest first, each with its updates oldest first; copies. */
  incidents(): StandInIncident[] {
    return structuredClone(this.#page.incidents());
  }

  incident(id: string): StandInIncident | undefined {
    const found = this.#page.incident(id);
    return found && structuredClone(found);
  }

  /** Clears calls, failures, the rate window and incidents; components go back as seeded. */
  reset(): void {
    this.calls.length = 0;
    this.#failures.length = 0;
    this.#window.clear();
    this.#page.clear();
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const path = url.pathname.replace(/^\/v1(?=\/|$)/, '') || '/';

    try {
      const raw = await readBody(req);
      const { value: body, invalid } = parseJson(raw ?? '');
      const query = queryRecord(url.searchParams);
      const call = { method, path, query, headers: headerRecord(req), body };
      const failure = takeFailure(this.#failures, method, path);
      const at = () => Date.parse(this.#page.now());
      if (failure?.disconnect) {
        this.#record({ ...call, status: 0, response: undefined, at: at() });
        res.destroy();
        return;
      }

      const lost = failure?.loseAnswer === true;
      const reply =
        failure && !lost
          ? failureReply(failure)
          : this.#answer({ method, url, headers: req.headers, body, invalidJson: invalid }, raw);
      if (lost) {
        this.#record({ ...call, status: 0, response: reply.body, at: at() });
        res.destroy();
        return;
      }
      send(res, reply);
      this.#record({ ...call, status: reply.status, response: reply.body, at: at() });
    } catch {
      res.destroy(); // the client went away mid-request, or we are closing
    }
  }

  /** A bug in the stand-in answers HTTP 500 with its message rather than killing the process. */
  #answer(request: Parameters<RestApi['handle']>[0], raw: string | undefined): Reply {
    try {
      if (raw === undefined) return spError(413, 'Request entity too large');
      return this.#rest.handle(request);
    } catch (error) {
      return { status: 500, headers: {}, body: `StatuspageStandIn bug: ${String(error)}` };
    }
  }

  #record(call: RecordedCall): void {
    this.calls.push(call);
    try {
      this.#onCall?.(call);
    } catch (error) {
      console.error('StatuspageStandIn: onCall threw', error);
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
