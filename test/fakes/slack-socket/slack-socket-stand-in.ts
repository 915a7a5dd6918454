/**
 * Slack's Socket Mode on loopback: `POST <apiUrl>apps.connections.open` with the app-level token
 * answers a one-time `ws://127.0.0.1:<port>/link?ticket=…` URL, and the WebSocket there speaks
 * Slack's envelope protocol: `hello` on connect, envelopes the client must acknowledge with
 * `{ envelope_id, payload? }` within 3 s, and `disconnect` messages.
 * https://docs.slack.dev/apis/events-api/using-socket-mode
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketPeer } from './websocket-peer.ts';

/** Slack's deadline for acknowledging an envelope. */
const ACK_DEADLINE_MS = 3_000;
const APP_ID = 'A0FIREBRK';

export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

export interface Ack {
  envelope_id: string;
  payload?: Record<string, unknown>;
  /** Milliseconds from sending the envelope to its acknowledgement. */
  afterMs: number;
}

export class SlackSocketStandIn {
  readonly #server: Server;
  readonly #appToken: string;
  readonly #tickets = new Set<string>();
  readonly #waiting = new Map<string, { sentAt: number; resolve: (ack: Ack) => void }>();
  #peer: WebSocketPeer | undefined;
  /** Every `apps.connections.open` call, answered or refused. */
  readonly opens: Array<{ authorized: boolean }> = [];
  /** Every acknowledgement the client sent, in order. */
  readonly acks: Ack[] = [];
  /** Calls to anything but apps.connections.open, and messages that were not acks. */
  readonly unexpected: string[] = [];
  /** WebSocket connections accepted so far. */
  connections = 0;
  /** When each refused connection (refuseNext) was told to go, epoch ms. */
  readonly refusedAt: number[] = [];
  #refuse: { left: number; reason: string } | undefined;

  private constructor(server: Server, appToken: string) {
    this.#server = server;
    this.#appToken = appToken;
    server.on('request', (req, res) => this.#request(req, res));
    server.on('upgrade', (req: IncomingMessage, socket) => this.#upgrade(req, socket));
  }

  static async start(options: { appToken: string }): Promise<SlackSocketStandIn> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject).listen(0, '127.0.0.1', () => resolve());
    });
    return new SlackSocketStandIn(server, options.appToken);
  }

  get #origin() {
    return `127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** The Web API base URL to give the client, ending in `/`. */
  get apiUrl() {
    return `http://${this.#origin}/api/`;
  }

  /** True while a client is connected and has been sent its hello. */
  get connected() {
    return this.#peer?.open ?? false;
  }

  /**
   * Sends one envelope on the current connection; resolves with the client's acknowledgement,
   * or rejects when none came within Slack's 3 s.
   */
  deliver(type: EnvelopeType, payload: object): Promise<Ack> {
    const peer = this.#peer;
    if (!peer?.open) return Promise.reject(new Error('stand-in: no client is connected'));
    const envelopeId = randomUUID();

    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(envelopeId);
        reject(new Error(`stand-in: envelope ${type} was not acknowledged within 3 s`));
      }, ACK_DEADLINE_MS);
      const acked = (ack: Ack) => {
        clearTimeout(timer);
        resolve(ack);
      };
      this.#waiting.set(envelopeId, { sentAt: Date.now(), resolve: acked });
      peer.send(
        JSON.stringify({
          envelope_id: envelopeId,
          type,
          payload,
          accepts_response_payload: type !== 'events_api',
          ...(type === 'events_api' ? { retry_attempt: 0, retry_reason: '' } : {}),
        }),
      );
    });
  }

  /**
   * The next `times` connections get their hello and then, at once, a disconnect with `reason`
   * (Slack's `too_many_websockets` when an app holds more than 10 connections; field report F16).
   */
  refuseNext(times: number, reason = 'too_many_websockets') {
    this.#refuse = { left: times, reason };
  }

  /** Slack asks the client to reconnect (it sends this before recycling a connection). */
  requestRefresh() {
    this.#peer?.send(JSON.stringify({ type: 'disconnect', reason: 'refresh_requested' }));
  }

  /** Cuts the current connection without a close frame. */
  dropConnection() {
    this.#peer?.drop();
  }

  close(): Promise<void> {
    this.#peer?.drop();
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  #request(req: IncomingMessage, res: ServerResponse) {
    const reply = (status: number, body: object) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (req.method !== 'POST' || req.url !== '/api/apps.connections.open') {
      this.unexpected.push(`${req.method} ${req.url}`);
      return reply(404, { ok: false, error: 'unknown_method' });
    }
    req.resume();

    const authorized = req.headers.authorization === `Bearer ${this.#appToken}`;
    this.opens.push({ authorized });
    if (!authorized) return reply(200, { ok: false, error: 'invalid_auth' });
    const ticket = randomUUID();
    this.#tickets.add(ticket);
    const url = `ws://${this.#origin}/link/?ticket=${ticket}&app_id=${APP_ID}`;
    reply(200, { ok: true, url });
  }

  #upgrade(req: IncomingMessage, socket: Duplex) {
    const ticket = new URL(req.url ?? '/', `http://${this.#origin}`).searchParams.get('ticket');
    if (!ticket || !this.#tickets.delete(ticket)) {
      this.unexpected.push(`upgrade ${req.url}`);
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }

    const peer = new WebSocketPeer(req, socket);
    this.#peer?.drop();
    this.#peer = peer;
    this.connections += 1;
    peer.onMessage((text) => this.#message(text));
    peer.send(
      JSON.stringify({
        type: 'hello',
        num_connections: 1,
        debug_info: { host: 'stand-in', approximate_connection_time: 18_060 },
        connection_info: { app_id: APP_ID },
      }),
    );
    if (this.#refuse && this.#refuse.left > 0) {
      this.#refuse.left -= 1;
      this.refusedAt.push(Date.now());
      const { reason } = this.#refuse;
      peer.send(
        JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'applink-test' } }),
      );
    }
  }

  #message(text: string) {
    const message = JSON.parse(text) as { envelope_id?: string; payload?: Ack['payload'] };
    const waiting = message.envelope_id ? this.#waiting.get(message.envelope_id) : undefined;
    if (!message.envelope_id || !waiting) {
      this.unexpected.push(`message ${text}`);
      return;
    }

    this.#waiting.delete(message.envelope_id);
    const afterMs = Date.now() - waiting.sentAt;
    const ack: Ack = { envelope_id: message.envelope_id, afterMs };
    if (message.payload) ack.payload = message.payload;
    this.acks.push(ack);
    waiting.resolve(ack);
  }
}
