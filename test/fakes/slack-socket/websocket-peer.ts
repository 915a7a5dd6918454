/**
 * The server side of one WebSocket (RFC 6455), enough for Slack's Socket Mode: text frames,
 * ping/pong and the close handshake, no extensions. Written here because `ws` is not installed
 * (@slack/socket-mode 3 connects with undici's WebSocket client).
 * https://www.rfc-editor.org/rfc/rfc6455#section-5.2
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OP = { continuation: 0x0, text: 0x1, close: 0x8, ping: 0x9, pong: 0xa } as const;

export class WebSocketPeer {
  readonly #socket: Duplex;
  #buffer = Buffer.alloc(0);
  #fragments: Buffer[] = [];
  #closeSent = false;
  #closed = false;
  #onMessage: (text: string) => void = () => undefined;
  #onClose: () => void = () => undefined;

  /** Completes the upgrade handshake of `req` on `socket`. */
  constructor(req: IncomingMessage, socket: Duplex) {
    this.#socket = socket;
    const key = req.headers['sec-websocket-key'] ?? '';
    const accept = createHash('sha1').update(`${key}${GUID}`).digest('base64');
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    socket.on('data', (chunk: Buffer) => this.#read(chunk));
    socket.on('close', () => this.#ended());
    socket.on('error', () => this.#ended());
  }

  get open() {
    return !this.#closed && !this.#closeSent;
  }

  onMessage(handler: (text: string) => void) {
    this.#onMessage = handler;
  }

  onClose(handler: () => void) {
    this.#onClose = handler;
  }

  send(text: string) {
    if (this.open) this.#write(OP.text, Buffer.from(text, 'utf8'));
  }

  /** Starts the close handshake; the client answers with its close frame. */
  close(code = 1000) {
    if (!this.open) return;
    const body = Buffer.alloc(2);
    body.writeUInt16BE(code);
    this.#write(OP.close, body);
    this.#closeSent = true;
  }

  /** Cuts the TCP connection without a close frame, like a network failure. */
  drop() {
    this.#socket.destroy();
  }

  #read(chunk: Buffer) {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    for (;;) {
      const frame = parseFrame(this.#buffer);
      if (!frame) return;
      this.#buffer = this.#buffer.subarray(frame.length);
      this.#handle(frame.fin, frame.opcode, frame.payload);
    }
  }

  #handle(fin: boolean, opcode: number, payload: Buffer) {
    if (opcode === OP.ping) return this.#write(OP.pong, payload);
    if (opcode === OP.close) {
      if (!this.#closeSent) this.#write(OP.close, payload.subarray(0, 2));
      this.#closeSent = true;
      this.#socket.end();
      return;
    }
    if (opcode !== OP.text && opcode !== OP.continuation) return;

    this.#fragments.push(payload);
    if (!fin) return;
    const text = Buffer.concat(this.#fragments).toString('utf8');
    this.#fragments = [];
    this.#onMessage(text);
  }

  #write(opcode: number, payload: Buffer) {
    if (this.#closed) return;
    const length = payload.length;
    const size = length < 126 ? 2 : length < 65_536 ? 4 : 10;
    const header = Buffer.alloc(size);
    header[0] = 0x80 | opcode;
    if (size === 2) header[1] = length;
    if (size === 4) {
      header[1] = 126;
      header.writeUInt16BE(length, 2);
    }
    if (size === 10) {
      header[1] = 127;
      header.writeBigUInt64BE(BigInt(length), 2);
    }
    this.#socket.write(Buffer.concat([header, payload]));
  }

  #ended() {
    if (this.#closed) return;
    this.#closed = true;
    this.#onClose();
  }
}

/** One frame from the start of `buffer`, unmasked, or undefined while it is incomplete. */
function parseFrame(buffer: Buffer) {
  if (buffer.length < 2) return undefined;
  const first = buffer[0]!;
  const second = buffer[1]!;
  const masked = (second & 0x80) !== 0;
  let length = second & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (buffer.length < 4) return undefined;
    length = buffer.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (buffer.length < 10) return undefined;
    length = Number(buffer.readBigUInt64BE(2));
    offset = 10;
  }

  const maskAt = offset;
  if (masked) offset += 4;
  if (buffer.length < offset + length) return undefined;
  const payload = Buffer.from(buffer.subarray(offset, offset + length));
  if (masked) for (let i = 0; i < length; i += 1) payload[i]! ^= buffer[maskAt + (i % 4)]!;

  return { fin: (first & 0x80) !== 0, opcode: first & 0x0f, payload, length: offset + length };
}
