/** The servers under test: the real bot (in process, or as a child process) and the bare baselines. */
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, ExpressReceiver, LogLevel } from '@slack/bolt';
import express from 'express';
import { createFirebreak, type Firebreak } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import type {
  RecordedCall,
  SlackStandInOptions,
  StandInMessage,
} from '../test/fakes/slack/slack-stand-in.ts';
import { botEnv, SIGNING_SECRET, TOKEN } from '../test/support/harness.ts';
import type { StandInRequest } from './stand-in-worker.ts';
import { startTsWorker } from './ts-worker.ts';

/** Everything the bench started, stopped in reverse order at the end (and on failure). */
const cleanups: Array<() => Promise<void>> = [];

export function onCleanup(cleanup: () => Promise<void>) {
  cleanups.push(cleanup);
}

export async function cleanupAll() {
  while (cleanups.length > 0) {
    const cleanup = cleanups.pop();
    await cleanup?.().catch((error: unknown) => console.error('cleanup failed:', error));
  }
}

export async function tempDir(name: string) {
  const dir = await mkdtemp(path.join(tmpdir(), `firebreak-bench-${name}-`));
  onCleanup(() => rm(dir, { recursive: true, force: true, maxRetries: 5 }));
  return dir;
}

export type StandIn = Awaited<ReturnType<typeof startStandIn>>;

/** The Slack stand-in, in its own worker thread; its records are fetched when needed. */
export async function startStandIn(options: SlackStandInOptions = {}) {
  const worker = startTsWorker(new URL('./stand-in-worker.ts', import.meta.url), {
    token: TOKEN,
    ...options,
  });
  const url = await new Promise<string>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (message: { type: string; url: string }) => resolve(message.url));
  });
  let nextId = 0;
  const pending = new Map<number, (value: unknown) => void>();
  worker.on('message', (message: { type: string; id: number; value: unknown }) => {
    if (message.type !== 'reply') return;
    pending.get(message.id)?.(message.value);
    pending.delete(message.id);
  });
  const ask = <T>(request: StandInRequest) =>
    new Promise<T>((resolve) => {
      const id = nextId++;
      pending.set(id, resolve as (value: unknown) => void);
      worker.postMessage({ ...request, id });
    });

  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await ask({ type: 'close' });
    await worker.terminate();
  };
  onCleanup(close);
  return {
    url,
    /** Calls so far, by "method status" (e.g. "chat.postMessage 429"). */
    counts: () => ask<Record<string, number>>({ type: 'counts' }),
    calls: () => ask<RecordedCall[]>({ type: 'calls' }),
    topLevelMessages: (channel: string) =>
      ask<StandInMessage[]>({ type: 'topLevelMessages', channel }),
    close,
  };
}

export interface RunningBot {
  bot: Firebreak;
  url: string;
  dataDir: string;
  close(): Promise<void>;
}

/** The real bot (createFirebreak), silent, on a random loopback port, with a fresh data folder. */
export async function startBot(
  slackUrl: string,
  name: string,
  slackPostIntervalMs?: number,
): Promise<RunningBot> {
  const dataDir = await tempDir(name);
  const config = loadConfig({ ...botEnv(slackUrl, dataDir), PORT: '0', LOG_LEVEL: 'silent' });
  const logger = createLogger({ level: 'silent', format: 'json' });
  const bot = await createFirebreak(config, { logger, slackPostIntervalMs });
  const port = await bot.listen(0, '127.0.0.1');
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await bot.close();
  };
  onCleanup(close);
  return { bot, url: `http://127.0.0.1:${port}`, dataDir, close };
}

async function serve(handler: express.Application) {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject).listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  };
  onCleanup(close);
  return { url: `http://127.0.0.1:${port}`, close };
}

/** Baseline for alert intake: Express 5, `express.json()`, 202. */
export function startBareExpress() {
  const app = express();
  app.disable('x-powered-by');
  app.post('/webhooks/alertmanager', express.json({ limit: '1mb' }), (_req, res) => {
    res.status(202).json({ status: 'accepted' });
  });
  return serve(app);
}

/** Baseline for slash commands: a bare Bolt 5 app that acknowledges `/incident` with "ok". */
export function startBareBolt() {
  const receiver = new ExpressReceiver({ signingSecret: SIGNING_SECRET, logLevel: LogLevel.ERROR });
  const app = new App({
    receiver,
    authorize: async () => ({ botToken: 'xoxb-bench-bare-bolt' }),
    // It never calls Slack; if it did, this closed loopback port keeps it on the machine.
    clientOptions: { slackApiUrl: 'http://127.0.0.1:9/api/' },
    logLevel: LogLevel.ERROR,
  });
  app.command('/incident', async ({ ack }) => {
    await ack('ok');
  });
  return serve(receiver.app);
}
