import { SocketModeReceiver } from '@slack/bolt';
import { ConfigError } from '../config.ts';
import type { Logger } from '../core/ports.ts';
import type { Health } from '../health.ts';
import { boltLogger } from './bolt-logger.ts';

/**
 * apps.connections.open answers that mean the app-level token itself is wrong; the client gives
 * up on these (UnrecoverableSocketModeStartError in @slack/socket-mode) and keeps retrying others.
 */
const REFUSED_TOKEN = new Set([
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'user_removed_from_team',
  'team_disabled',
]);
/** How long close() waits for Slack to answer the socket's close frame. */
const STOP_WAIT_MS = 3_000;
const COMPONENT = 'slack-socket';
/** The socket-mode client's default ping timeout, also its wait before a reconnect. */
const DEFAULT_PING_MS = 5_000;
/** A connection closed sooner than this after Slack's hello was refused, not recycled. */
const SHORT_LIVED_MS = 2_000;
const MAX_BACKOFF_MS = 5 * 60 * 1000;
const DISCONNECT_LINE = /Received "disconnect" \(([\w-]+)\) message/;

export interface SlackSocketOptions {
  /** App-level token, `xapp-…`, with the `connections:write` scope. */
  appToken: string;
  /** Where `apps.connections.open` is called; undefined means Slack's own API. */
  apiUrl: string | undefined;
  health: Health;
  logger: Logger;
  /**
   * How long the client waits for a pong, in ms; it is also the wait before each reconnect
   * (times the failures in a row). Default 5,000 (the socket-mode client's).
   */
  clientPingTimeoutMs?: number;
}

/**
 * Slack's requests over Socket Mode: the WebSocket that `apps.connections.open` hands out for
 * the app-level token, instead of signed POSTs to /slack/events. The socket-mode client
 * reconnects by itself when Slack asks (`disconnect` messages) or the connection drops;
 * /healthz shows a problem while the socket is down.
 * https://docs.slack.dev/apis/events-api/using-socket-mode
 */
export class SlackSocket {
  readonly receiver: SocketModeReceiver;
  readonly #health: Health;
  readonly #logger: Logger;
  readonly #basePingMs: number;
  #stopping = false;
  /** Why Slack last asked us to go (`refresh_requested`, `too_many_websockets`…). */
  #lastReason: string | undefined;
  #connectedAt = 0;
  #open = false;
  /** Connections in a row that Slack closed right after its hello (F16). */
  #refusals = 0;

  constructor(options: SlackSocketOptions) {
    this.#health = options.health;
    this.#logger = options.logger;
    const { apiUrl, clientPingTimeoutMs } = options;
    this.#basePingMs = clientPingTimeoutMs ?? DEFAULT_PING_MS;
    const base = boltLogger(options.logger);
    this.receiver = new SocketModeReceiver({
      appToken: options.appToken,
      // The client says why Slack disconnected only in a debug line: read the reason there.
      logger: {
        ...base,
        debug: (...parts: unknown[]) => {
          const reason = DISCONNECT_LINE.exec(parts.map(String).join(' '))?.[1];
          if (reason) this.#lastReason = reason;
          base.debug(...parts);
        },
      },
      ...(clientPingTimeoutMs === undefined ? {} : { clientPingTimeout: clientPingTimeoutMs }),
      // The receiver hands installerOptions.clientOptions to the socket client's WebClient;
      // without a client ID and secret it builds no installer and no HTTP server.
      installerOptions: { clientOptions: apiUrl === undefined ? {} : { slackApiUrl: apiUrl } },
    });

    const client = this.receiver.client;
    client.on('connected', () => {
      const at = Date.now();
      this.#connectedAt = at;
      this.#open = true;
      this.#lastReason = undefined;
      if (this.#refusals === 0) this.#health.clear(COMPONENT);
      this.#logger.info({}, 'slack socket connected');
      // Still open a moment later: Slack took it; the wait (and ping timeout) go back to normal.
      setTimeout(() => {
        if (!this.#open || this.#connectedAt !== at || this.#stopping || this.#refusals === 0)
          return;
        this.#refusals = 0;
        this.#backOff();
        this.#health.clear(COMPONENT);
      }, SHORT_LIVED_MS).unref();
    });
    client.on('close', () => {
      this.#open = false;
      if (this.#stopping) return;
      const shortLived = Date.now() - this.#connectedAt < SHORT_LIVED_MS;
      const refused =
        shortLived && this.#lastReason !== undefined && this.#lastReason !== 'refresh_requested';
      this.#refusals = refused ? this.#refusals + 1 : 0;
      this.#backOff();
      const reason = this.#lastReason ?? 'dropped';
      const cause =
        this.#lastReason === 'too_many_websockets'
          ? 'Slack refuses more than 10 Socket Mode connections per app: stop other bots ' +
            'running with this SLACK_APP_TOKEN'
          : this.#lastReason
            ? `Slack closed it (${this.#lastReason})`
            : 'the connection dropped';
      this.#health.report(COMPONENT, `the Socket Mode connection is down: ${cause}; reconnecting`);
      const log = refused
        ? this.#logger.warn.bind(this.#logger)
        : this.#logger.info.bind(this.#logger);
      log({ reason, refusals: this.#refusals }, 'slack socket closed; reconnecting');
    });
  }

  /**
   * Opens the socket; resolves when Slack said hello. A refused app-level token stops start-up
   * with a ConfigError naming SLACK_APP_TOKEN.
   */
  async start() {
    try {
      await this.receiver.start();
    } catch (error) {
      const code = platformCode(error);
      if (code === undefined || !REFUSED_TOKEN.has(code)) throw error;
      throw new ConfigError([
        `SLACK_APP_TOKEN was refused by Slack (${code}): create an app-level token with the ` +
          'connections:write scope under Basic Information > App-Level Tokens',
      ]);
    }
  }

  /**
   * The client waits its ping timeout (times its failures in a row) before reconnecting, but a
   * connection Slack closes right after hello counts as a success, so a refusing Slack would be
   * asked again every few seconds, forever (F16). Refused connections in a row stretch that wait,
   * doubling with jitter up to five minutes; a connection that lasts puts it back. The client
   * has no option for this: its private `clientPingTimeoutMS` is set, checked to exist first.
   */
  #backOff() {
    const client = this.receiver.client as unknown as Record<string, unknown>;
    if (typeof client.clientPingTimeoutMS !== 'number') return;
    if (this.#refusals === 0) {
      client.clientPingTimeoutMS = this.#basePingMs;
      return;
    }
    const jitter = 0.75 + Math.random() * 0.5;
    const wait = Math.min(MAX_BACKOFF_MS, this.#basePingMs * 2 ** this.#refusals) * jitter;
    client.clientPingTimeoutMS = Math.round(wait);
  }

  /** Closes the socket without reconnecting; waits at most 3 s for Slack's close frame. */
  async stop() {
    this.#stopping = true;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, STOP_WAIT_MS);
    });

    await Promise.race([this.receiver.client.disconnect(), late]);
    clearTimeout(timer);
  }
}

/** The `error` of a Web API platform error (`ok: false`), if it is one. */
function platformCode(error: unknown) {
  if (typeof error !== 'object' || error === null || !('data' in error)) return undefined;
  const data = error.data;
  if (typeof data !== 'object' || data === null || !('error' in data)) return undefined;
  return typeof data.error === 'string' ? data.error : undefined;
}
