import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createFirebreak, type Firebreak, type FirebreakOptions } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import type { Clock } from '../../src/core/ports.ts';
import { SlackStandIn, type SlackStandInOptions } from '../fakes/slack/slack-stand-in.ts';
import {
  buttonClickPayload,
  eventCallbackBody,
  interactionBody,
  messageShortcutPayload,
  slackSignatureHeaders,
  slashCommandBody,
  viewSubmissionPayload,
  type ViewStateValue,
} from '../fakes/slack/sign.ts';
import { memoryLogger, type LogLine } from './memory-logger.ts';

export const TOKEN = 'xoxb-test-token';
export const SIGNING_SECRET = 'test-signing-secret-0123456789';
export const WEBHOOK_TOKEN = 'test-alert-webhook-token';
export const ALERTS = 'C0ALERTS01';

export interface Harness {
  slack: SlackStandIn;
  bot: Firebreak;
  url: string;
  dataDir: string;
  logs: LogLine[];
  config: Config;
  postAlert(source: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  command(
    text: string,
    user?: { id: string; name: string },
    channel?: string,
  ): Promise<{ status: number; body: { response_type?: string; text?: string } }>;
  click(
    actionId: string,
    incidentId: string,
    user?: { id: string; name: string },
    actionTs?: string,
    channel?: string,
  ): Promise<Response>;
  /** Submits the modal the bot opened last (with `callbackId`), as `user` filled it in. */
  submit(
    callbackId: string,
    values: Record<string, Record<string, ViewStateValue>>,
    user?: { id: string; name: string },
  ): Promise<{ status: number; body: Record<string, unknown> }>;
  /** A person runs the "Add to timeline" message shortcut on a message. */
  shortcut(
    channel: string,
    message: { ts: string; text: string; user: string },
    user?: { id: string; name: string },
    callbackId?: string,
  ): Promise<Response>;
  /** Slack delivers an Events API event. */
  event(event: object): Promise<Response>;
  signed(body: string, extraHeaders?: Record<string, string>): Promise<Response>;
  /** Stops the bot (not the stand-in) and starts a new one on the same data, like a restart. */
  restart(): Promise<void>;
  settle(): Promise<void>;
  /** The fallback text and the blocks (as JSON) of the first message in the alerts channel. */
  messageText(): string;
  close(): Promise<void>;
}

export const PAT = { id: 'U0PAT0001', name: 'pat' };
export const SAM = { id: 'U0SAM0001', name: 'sam' };

/** The environment of a bot wired to a Slack stand-in, on loopback, keeping its data in `dataDir`. */
export function botEnv(slackApiUrl: string, dataDir: string): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slackApiUrl,
    ALERTS_CHANNEL: ALERTS,
    ALERT_WEBHOOK_TOKEN: WEBHOOK_TOKEN,
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
  };
}

/** A running bot on a random loopback port, with a fresh data folder and its own Slack stand-in. */
export async function startHarness(
  options: {
    standIn?: SlackStandInOptions;
    env?: Record<string, string>;
    clock?: Clock;
    dataDir?: string;
    /** Least wait after a GitHub secondary rate limit without Retry-After. */
    gitHubSecondaryWaitMs?: number;
    /** Answers the bot's SNS fetches (certificates, confirmations); default: refuses them. */
    fetchSnsText?: (url: string) => Promise<string>;
    /** Socket Mode (with SLACK_APP_TOKEN in env): the socket stand-in's API URL, ping timing. */
    slackSocket?: FirebreakOptions['slackSocket'];
  } = {},
): Promise<Harness> {
  const slack = await SlackStandIn.start({ token: TOKEN, ...options.standIn });
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'firebreak-test-')));
  const config = loadConfig({ ...botEnv(slack.url, dataDir), PORT: '0', ...options.env });
  const logger = memoryLogger();
  const start = async () => {
    const bot = await createFirebreak(config, {
      logger,
      clock: options.clock,
      outbound: { baseBackoffMs: 50 },
      slackPostIntervalMs: 20,
      slackRecheckMs: 200,
      reminderCheckMs: 50,
      gitHubSecondaryWaitMs: options.gitHubSecondaryWaitMs ?? 300,
      gitHubWriteStaggerMs: 100,
      fetchSnsText:
        options.fetchSnsText ?? ((url) => Promise.reject(new Error(`test: no fetch of ${url}`))),
      slackSocket: options.slackSocket,
    });
    const port = await bot.listen(0, '127.0.0.1');
    return { bot, url: `http://127.0.0.1:${port}` };
  };
  let { bot, url } = await start();

  const signed = (body: string, extraHeaders: Record<string, string> = {}) =>
    fetch(`${url}/slack/events`, {
      method: 'POST',
      headers: { ...slackSignatureHeaders(SIGNING_SECRET, body), ...extraHeaders },
      body,
    });

  const harness: Harness = {
    slack,
    get bot() {
      return bot;
    },
    get url() {
      return url;
    },
    dataDir,
    logs: logger.lines,
    config,
    postAlert: (source, body, headers = {}) =>
      fetch(`${url}/webhooks/${source}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${WEBHOOK_TOKEN}`,
          'content-type': 'application/json',
          ...headers,
        },
        body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
      }),
    async command(text, user = PAT, channel = ALERTS) {
      const res = await signed(
        slashCommandBody({
          text,
          user_id: user.id,
          user_name: user.name,
          channel_id: channel,
          trigger_id: slack.issueTriggerId(user.id),
        }),
      );
      const raw = await res.text();
      return { status: res.status, body: raw ? JSON.parse(raw) : {} };
    },
    click(actionId, incidentId, user = PAT, actionTs, channel = ALERTS) {
      const payload = buttonClickPayload({
        actionId,
        value: incidentId,
        user,
        channel,
        actionTs,
        triggerId: slack.issueTriggerId(user.id),
      });
      return signed(interactionBody(payload));
    },
    async submit(callbackId, values, user = PAT) {
      const view = slack.lastView(callbackId);
      if (!view) throw new Error(`no view ${callbackId} was opened`);
      const res = await signed(interactionBody(viewSubmissionPayload({ view, values, user })));
      const raw = await res.text();
      return { status: res.status, body: raw ? JSON.parse(raw) : {} };
    },
    shortcut(channel, message, user = PAT, callbackId = 'add_to_timeline') {
      const payload = messageShortcutPayload({
        callbackId,
        channel: { id: channel, name: slack.channel(channel)?.name ?? channel },
        message,
        user,
        triggerId: slack.issueTriggerId(user.id),
      });
      return signed(interactionBody(payload));
    },
    event(event) {
      const body = eventCallbackBody(event);
      return signed(body, { 'content-type': 'application/json' });
    },
    signed,
    async restart() {
      await bot.close();
      ({ bot, url } = await start());
    },
    settle: () => bot.queue.idle(),
    messageText() {
      const [message] = slack.topLevelMessages(ALERTS);
      return `${message?.text ?? ''}\n${JSON.stringify(message?.blocks ?? [])}`;
    },
    async close() {
      // The stand-in first: calls it is holding (latency) fail at once, so the bot stops quickly.
      await slack.close();
      await bot.close();
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true, maxRetries: 5 });
    },
  };
  return harness;
}

export async function fixture(name: string) {
  const { readFile } = await import('node:fs/promises');
  return readFile(new URL(`../fixtures/${name}`, import.meta.url));
}

export async function fixtureJson<T = Record<string, unknown>>(name: string): Promise<T> {
  return JSON.parse((await fixture(name)).toString('utf8')) as T;
}

/** Polls until `check` returns a truthy value or the time is up. */
export async function eventually<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 5_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A JSON answer's body, for assertions. */
export async function json(res: Response) {
  return (await res.json()) as Record<string, unknown>;
}
