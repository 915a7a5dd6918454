/**
 * The sandbox console: a small Slack client in the browser at /sandbox, for trying the bot
 * without a Slack workspace. It shows what the local Slack stand-in holds (channels, messages,
 * modals, ephemeral replies) and turns a person's clicks and commands into the requests Slack
 * would send, signed with the signing secret, to the bot's own /slack/events. Alerts go to the
 * bot's webhooks with the alert token. Mounted only in the sandbox (see consoleRefusal).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import express, { type Request, type Response } from 'express';
import { parse as parseYaml } from 'yaml';
import type {
  RecordedCall,
  SlackStandIn,
  StandInMessage,
} from '../../../test/fakes/slack/slack-stand-in.ts';
import {
  eventCallbackBody,
  interactionBody,
  messageBlockActionsPayload,
  messageShortcutPayload,
  slackJsonSignatureHeaders,
  slackSignatureHeaders,
  slashCommandBody,
  viewSubmissionPayload,
  type ViewStateValue,
} from '../../../test/fakes/slack/sign.ts';

type StateValues = Record<string, Record<string, ViewStateValue>>;
import type { Config } from '../../config.ts';
import type { Logger } from '../../core/ports.ts';
import {
  blockAction,
  ConsoleInputError,
  viewStateValues,
  type FormInput,
} from './console-payloads.ts';
import { SAMPLE_ALERTS, sampleBody } from './sample-alerts.ts';

export interface SandboxConsoleOptions {
  standIn: SlackStandIn;
  signingSecret: string;
  /** The bearer token each alert source's webhook takes. */
  alertToken: (source: string) => string;
  logger: Logger;
}

/** A reply only the console knows: a slash command's answer, shown as Slack shows it. */
interface ConsoleNote {
  id: string;
  channel: string;
  /** Only this person sees it; undefined when the reply was posted for everyone. */
  user?: string;
  ts: string;
  text: string;
  blocks?: unknown[];
  command?: string;
}

const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));
/** The names the page may be reached by: a loopback name (a rebound foreign name is refused). */
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);
/** Methods that change what a person sees: each one pushes a refresh to the open pages. */
const VISIBLE_METHODS = /^(chat\.|conversations\.|views\.|pins\.|bookmarks\.|files\.complete)/;
const MAX_NOTES = 500;
/** Messages per channel the page gets (with their threads): more is slow and never read. */
const MAX_TOP_LEVEL = 200;
/** Open pages at once: each holds a connection. */
const MAX_STREAMS = 50;
const HEARTBEAT_MS = 20_000;

export type SandboxConsole = ReturnType<typeof createSandboxConsole>;

export function createSandboxConsole(options: SandboxConsoleOptions) {
  const { standIn, signingSecret, logger } = options;
  const notes: ConsoleNote[] = [];
  const closedViews = new Set<string>();
  const viewErrors = new Map<string, Record<string, string>>();
  const streams = new Set<Response>();
  const shortcuts = messageShortcuts();
  /** Tells the page when the bot restarted (and its local Slack forgot everything). */
  const instance = randomUUID();
  let version = 0;
  let pending: NodeJS.Timeout | undefined;

  const changed = () => {
    version += 1;
    // A burst of calls (a message and its thread replies) becomes one refresh.
    pending ??= setTimeout(() => {
      pending = undefined;
      for (const stream of streams) stream.write(`event: change\ndata: ${version}\n\n`);
    }, 40);
  };

  const addNote = (note: Omit<ConsoleNote, 'id' | 'ts'>) => {
    notes.push({ ...note, id: randomUUID(), ts: tsNow() });
    if (notes.length > MAX_NOTES) notes.splice(0, notes.length - MAX_NOTES);
    changed();
  };

  /** Called with each Web API call the stand-in answers. */
  const observe = (call: RecordedCall) => {
    if (call.method === 'chat.postEphemeral' && call.response.ok === true) {
      const { channel, user, text } = call.args;
      const blocks = parsedBlocks(call.args.blocks);
      addNote({
        channel: String(channel),
        user: String(user),
        text: typeof text === 'string' ? text : '',
        ...(blocks && { blocks }),
      });
      return;
    }
    if (call.response.ok === true && VISIBLE_METHODS.test(call.method)) changed();
  };

  const people = () => new Set(standIn.users().map((user) => user.id));
  const userOf = (id: unknown) => {
    const user = standIn.users().find((candidate) => candidate.id === id);
    if (!user) throw new ConsoleInputError('user', 'choose one of the workspace’s people');
    return { id: user.id, name: user.name };
  };
  const channelOf = (id: unknown) => {
    if (typeof id !== 'string') throw new ConsoleInputError('channel', 'a channel ID');
    const channel = standIn.channel(id);
    if (!channel) throw new ConsoleInputError('channel', 'no such channel', 404);
    return channel;
  };
  /** A channel people can write in: Slack refuses messages and commands in archived ones. */
  const openChannelOf = (id: unknown) => {
    const channel = channelOf(id);
    if (channel.isArchived) throw new ConsoleInputError('channel', 'this channel is archived', 409);
    return channel;
  };
  const messageOf = (channel: string, ts: unknown, field = 'messageTs') => {
    if (typeof ts !== 'string') throw new ConsoleInputError(field, 'a message ts');
    const message = standIn.messages(channel).find((candidate) => candidate.ts === ts);
    if (!message) throw new ConsoleInputError(field, 'that message is gone', 404);
    return message;
  };
  /** Who acts on which message, from a request's `user`, `channel` and `messageTs`. */
  const onMessage = (body: Record<string, unknown>) => {
    const user = userOf(body.user);
    const channel = openChannelOf(body.channel);
    return { user, channel, message: messageOf(channel.id, body.messageTs) };
  };
  const openModal = (user: string) =>
    standIn
      .views()
      .filter((view) => view.type === 'modal' && view.user === user && !closedViews.has(view.id))
      .at(-1);

  /** POSTs a signed body to the bot's /slack/events, as Slack does. */
  const toBot = async (req: Request, body: string, json = false) => {
    const headers = json
      ? slackJsonSignatureHeaders(signingSecret, body)
      : slackSignatureHeaders(signingSecret, body);
    const res = await fetch(`${botUrl(req)}/slack/events`, { method: 'POST', headers, body });
    const text = await res.text();
    if (res.status >= 300) {
      logger.warn({ status: res.status }, 'sandbox console: the bot refused a Slack request');
    }
    return { status: res.status, answer: text ? parseJson(text) : undefined };
  };

  const router = express.Router();
  router.use('/sandbox', (req, res, next) => {
    securityHeaders(res);
    // Only this machine: the console signs what it is sent with the bot's signing secret.
    if (!isLoopback(req.socket.remoteAddress)) {
      res.status(403).json({
        error: 'forbidden_peer',
        message: 'the sandbox console answers only to this machine (127.0.0.1 or ::1)',
      });
      return;
    }
    const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    if (!LOOPBACK_NAMES.has(host)) {
      res.status(403).json({
        error: 'forbidden_host',
        field: 'Host',
        message: `the sandbox console answers at localhost only, not at "${host}"`,
      });
      return;
    }
    if (req.method === 'POST') {
      const origin = req.headers.origin;
      if (origin !== undefined && origin !== `http://${req.headers.host}`) {
        res.status(403).json({ error: 'forbidden_origin', field: 'Origin', message: 'cross-site' });
        return;
      }
      if (!req.is('application/json')) {
        res.status(415).json({
          error: 'unsupported_media_type',
          field: 'Content-Type',
          message: 'send application/json',
        });
        return;
      }
    }
    next();
  });
  router.get('/sandbox', (_req, res) => {
    res.sendFile('index.html', { root: PUBLIC_DIR });
  });
  router.use('/sandbox/assets', express.static(PUBLIC_DIR, { index: false, maxAge: 0 }));
  router.use('/sandbox/api', express.json({ limit: '64kb' }));

  router.get('/sandbox/api/state', (req, res) => {
    const user = typeof req.query.user === 'string' ? req.query.user : undefined;
    const { botUserId } = standIn.identity;
    const channels = standIn.channels();
    const modal = user ? openModal(user) : undefined;
    res.json({
      version,
      instance,
      bot: { id: botUserId, name: 'Firebreak' },
      users: standIn.users(),
      channels,
      messages: Object.fromEntries(
        channels.map((channel) => [channel.id, latestMessages(standIn.messages(channel.id))]),
      ),
      notes: notes.filter((note) => note.user === undefined || note.user === user),
      modal: modal && {
        id: modal.id,
        hash: modal.hash,
        view: modal.view,
        errors: viewErrors.get(modal.id) ?? {},
      },
      samples: SAMPLE_ALERTS.map(({ id, label, resolved, source }) => ({
        id,
        label,
        source,
        resolvable: true,
        resolvedBy: resolved ? 'its resolved payload' : 'the same payload marked resolved',
      })),
      shortcuts,
    });
  });

  router.get('/sandbox/api/events', (req, res) => {
    if (streams.size >= MAX_STREAMS) {
      res.status(503).json({ error: 'too_many_pages', message: 'close some console tabs' });
      return;
    }
    res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
    });
    res.write(`event: change\ndata: ${version}\n\n`);
    streams.add(res);
    const beat = setInterval(() => res.write(': still here\n\n'), HEARTBEAT_MS);
    req.on('close', () => {
      clearInterval(beat);
      streams.delete(res);
    });
  });

  router.post('/sandbox/api/message', async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const user = userOf(body.user);
    const channel = openChannelOf(body.channel);
    const text = typeof body.text === 'string' ? body.text.trim() : '';
    if (!text) throw new ConsoleInputError('text', 'type a message or an /incident command');
    if (text.length > 4000) throw new ConsoleInputError('text', 'at most 4,000 characters');

    if (text.startsWith('/')) {
      const [command = '', ...rest] = text.split(/\s+/);
      if (command !== '/incident') {
        throw new ConsoleInputError('text', `${command} is not a command here: try /incident help`);
      }
      const typed = escapeEntities(text.slice(command.length).trim());
      const commandText = escapeMentions(typed, standIn, 'command');
      const sent = slashCommandBody({
        text: commandText,
        user_id: user.id,
        user_name: user.name,
        channel_id: channel.id,
        channel_name: channel.name,
        trigger_id: standIn.issueTriggerId(user.id),
      });
      const { status, answer } = await toBot(req, sent);
      const reply = replyOf(answer);
      if (reply.text || reply.blocks) {
        addNote({
          channel: channel.id,
          ...(reply.public ? {} : { user: user.id }),
          text: reply.text,
          ...(reply.blocks && { blocks: reply.blocks }),
          command: `/incident ${rest.join(' ')}`.trim(),
        });
      }
      relay(res, status);
      return;
    }

    const parent =
      body.threadTs === undefined ? undefined : messageOf(channel.id, body.threadTs, 'threadTs');
    if (parent?.threadTs !== undefined) {
      throw new ConsoleInputError('threadTs', 'reply to the thread’s first message');
    }
    const threadTs = parent?.ts;
    const escaped = escapeMentions(escapeEntities(text), standIn, 'message');
    const ts = standIn.postUserMessage(channel.id, {
      user: user.id,
      text: escaped,
      ...(threadTs && { threadTs }),
    });
    changed();
    const event = {
      user: user.id,
      text: escaped,
      ts,
      channel: channel.id,
      event_ts: ts,
      ...(threadTs && { thread_ts: threadTs }),
    };
    await toBot(
      req,
      eventCallbackBody({ type: 'message', channel_type: 'channel', ...event }),
      true,
    );
    if (escaped.includes(`<@${standIn.identity.botUserId}>`)) {
      await toBot(req, eventCallbackBody({ type: 'app_mention', ...event }), true);
    }
    res.json({ ok: true, ts });
  });

  router.post('/sandbox/api/action', async (req, res) => {
    const body = req.body as Record<string, unknown>;
    if (!Number.isInteger(body.blockIndex) || typeof body.actionId !== 'string') {
      const field = Number.isInteger(body.blockIndex) ? 'actionId' : 'blockIndex';
      throw new ConsoleInputError(field, 'blockIndex is a number, actionId a string');
    }
    if (body.choice !== undefined && typeof body.choice !== 'string') {
      throw new ConsoleInputError('choice', 'the chosen option’s value or person’s ID');
    }
    const { user, channel, message } = onMessage(body);
    const action = blockAction(
      message.blocks ?? [],
      {
        blockIndex: body.blockIndex as number,
        actionId: body.actionId,
        ...(body.choice !== undefined && { choice: body.choice }),
      },
      tsNow(),
      people(),
    );
    const payload = messageBlockActionsPayload({
      action,
      user,
      channel: { id: channel.id, name: channel.name },
      message: {
        ts: message.ts,
        ...(message.text !== undefined && { text: message.text }),
        ...(message.blocks !== undefined && { blocks: message.blocks }),
        user: message.user,
        ...(message.threadTs !== undefined && { threadTs: message.threadTs }),
      },
      ...(message.botId !== undefined && { botId: message.botId }),
      triggerId: standIn.issueTriggerId(user.id),
    });
    const { status } = await toBot(req, interactionBody(payload));
    relay(res, status);
  });

  router.post('/sandbox/api/shortcut', async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const { user, channel, message } = onMessage(body);
    const shortcut = shortcuts.find((candidate) => candidate.callbackId === body.callbackId);
    if (!shortcut) throw new ConsoleInputError('callbackId', 'no such message shortcut');
    const payload = messageShortcutPayload({
      callbackId: shortcut.callbackId,
      channel: { id: channel.id, name: channel.name },
      message: {
        ts: message.ts,
        text: message.text ?? '',
        user: message.user,
        ...(message.threadTs !== undefined && { threadTs: message.threadTs }),
      },
      user,
      triggerId: standIn.issueTriggerId(user.id),
    });
    const { status } = await toBot(req, interactionBody(payload));
    relay(res, status);
  });

  router.post('/sandbox/api/view', async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const user = userOf(body.user);
    const view = openModal(user.id);
    if (!view || view.id !== body.viewId) {
      throw new ConsoleInputError('viewId', 'that form is closed', 409);
    }
    const input = body.values;
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw new ConsoleInputError('values', 'the form’s answers, by field');
    }
    const { values, errors } = viewStateValues(view.view, input as FormInput, people());
    if (Object.keys(errors).length > 0) {
      viewErrors.set(view.id, errors);
      res.status(422).json({ ok: false, errors });
      return;
    }
    const payload = viewSubmissionPayload({ view, values: values as StateValues, user });
    const { status, answer } = await toBot(req, interactionBody(payload));
    const action = isRecord(answer) ? answer.response_action : undefined;
    if (status === 200 && action === 'errors' && isRecord(answer) && isRecord(answer.errors)) {
      const shown = answer.errors as Record<string, string>;
      viewErrors.set(view.id, shown);
      changed();
      res.status(422).json({ ok: false, errors: shown });
      return;
    }
    if (status === 200) {
      closedViews.add(view.id);
      viewErrors.delete(view.id);
      changed();
    }
    relay(res, status);
  });

  router.post('/sandbox/api/view/close', (req, res) => {
    const body = req.body as Record<string, unknown>;
    const user = userOf(body.user);
    const view = openModal(user.id);
    if (!view || view.id !== body.viewId) {
      throw new ConsoleInputError('viewId', 'that form is not open', 409);
    }
    closedViews.add(view.id);
    changed();
    res.json({ ok: true });
  });

  router.post('/sandbox/api/alert', async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const sample = SAMPLE_ALERTS.find((candidate) => candidate.id === body.sample);
    if (!sample) throw new ConsoleInputError('sample', 'no such sample alert');
    if (body.action !== 'fire' && body.action !== 'resolve') {
      throw new ConsoleInputError('action', 'fire or resolve');
    }
    const sent = await fetch(`${botUrl(req)}/webhooks/${sample.source}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${options.alertToken(sample.source)}`,
        'content-type': 'application/json',
      },
      body: await sampleBody(sample, body.action),
    });
    const answer = parseJson(await sent.text());
    res.status(sent.ok ? 200 : 502).json({ ok: sent.ok, status: sent.status, answer });
  });

  router.use('/sandbox', (req, res) => {
    res.status(404).json({ error: 'not_found', message: `no console route ${req.path}` });
  });
  router.use(
    '/sandbox',
    (error: unknown, _req: Request, res: Response, _next: express.NextFunction) => {
      if (error instanceof ConsoleInputError) {
        logger.info({ field: error.field, reason: error.message }, 'sandbox console: refused');
        res
          .status(error.status)
          .json({ error: 'invalid', field: error.field, message: error.message });
        return;
      }
      const refused = bodyProblem(error);
      if (refused) {
        logger.info({ status: refused.status, reason: refused.type }, 'sandbox console: refused');
        res.status(refused.status).json({
          error: refused.type,
          field: 'body',
          message: refused.status === 413 ? 'at most 64 kB' : 'send a JSON body, as the page does',
        });
        return;
      }
      logger.error({ err: error }, 'sandbox console: request failed');
      res.status(500).json({ error: 'console_failed', message: 'see the bot’s log' });
    },
  );

  return {
    router,
    observe,
    /** Ends the open pages' live streams, so shutdown does not wait for them. */
    close() {
      clearTimeout(pending);
      for (const stream of streams) stream.end();
      streams.clear();
    },
  };
}

/**
 * The variables set that connect the bot to a real service other than Slack: with any of them,
 * the console is not served, since whoever reaches it could page real people or file real tickets.
 */
export function consoleRefusal(config: Config) {
  return [
    config.pagerduty.token && 'PAGERDUTY_TOKEN',
    config.pagerduty.routingKey && 'PAGERDUTY_ROUTING_KEY',
    config.jira && 'JIRA_API_TOKEN',
    config.github && 'GITHUB_TOKEN',
    config.statuspage && 'STATUSPAGE_API_KEY',
    // The console answers only to this machine: bound elsewhere, nobody could reach it.
    !isLoopback(config.host) &&
      !['0.0.0.0', '::', 'localhost'].includes(config.host) &&
      `HOST=${config.host} (not this machine's loopback)`,
  ].filter((name): name is string => typeof name === 'string');
}

/** What /sandbox answers while the console is off: why, and what turns it on. */
export function consoleOffRouter(refusedFor: string[]) {
  const router = express.Router();
  router.use('/sandbox', (_req, res) => {
    res.status(404).json({
      error: 'console_off',
      message:
        `the sandbox console is off while ${refusedFor.join(', ')} is set: ` + 'unset it to use it',
    });
  });
  return router;
}

/** The latest top-level messages of a channel, each with all its thread's replies. */
export function latestMessages(messages: StandInMessage[]) {
  const kept = new Set(
    messages
      .filter((message) => message.threadTs === undefined)
      .slice(-MAX_TOP_LEVEL)
      .map((message) => message.ts),
  );
  return messages.filter((message) => kept.has(message.threadTs ?? message.ts));
}

/** The message shortcuts of the repository's manifest.yml, as the console's menu offers them. */
function messageShortcuts() {
  const text = readFileSync(new URL('../../../manifest.yml', import.meta.url), 'utf8');
  const manifest = parseYaml(text) as {
    features?: { shortcuts?: Array<{ name: string; type: string; callback_id: string }> };
  };
  return (manifest.features?.shortcuts ?? [])
    .filter((shortcut) => shortcut.type === 'message')
    .map((shortcut) => ({ name: shortcut.name, callbackId: shortcut.callback_id }));
}

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6. */
export function isLoopback(address: string | undefined) {
  const ip = (address ?? '').replace(/^::ffff:/i, '');
  return ip === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(ip);
}

/** Tells the page how the bot took what the console sent it: 502 when it refused. */
function relay(res: Response, status: number) {
  res.status(status === 200 ? 200 : 502).json({ ok: status === 200, status });
}

/** The bot, reached the way this request reached the console. */
function botUrl(req: Request) {
  const address = (req.socket.localAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  const host = address.includes(':') ? `[${address}]` : address;
  return `http://${host}:${req.socket.localPort}`;
}

/**
 * Slack turns `@name` into a user mention: `<@U…|name>` in a command when the manifest asks it
 * to escape users, `<@U…>` in a message. The console does the same for the people and the bot.
 */
function escapeMentions(text: string, standIn: SlackStandIn, within: 'command' | 'message') {
  const people = new Map(standIn.users().map((user) => [user.name.toLowerCase(), user.id]));
  people.set('firebreak', standIn.identity.botUserId);
  return text.replace(/(^|[\s(])@([a-z0-9._-]+)/gi, (whole, before: string, name: string) => {
    const id = people.get(name.toLowerCase());
    if (!id) return whole;
    return within === 'command' ? `${before}<@${id}|${name}>` : `${before}<@${id}>`;
  });
}

/** Slack sends `&`, `<` and `>` of what people type as entities (wire-formats.md §2). */
function escapeEntities(text: string) {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** What a slash command's acknowledgement says, and whether everyone sees it. */
function replyOf(answer: unknown) {
  if (!isRecord(answer)) return { text: '', public: false };
  const blocks = Array.isArray(answer.blocks) ? answer.blocks : undefined;
  return {
    text: typeof answer.text === 'string' ? answer.text : '',
    public: answer.response_type === 'in_channel',
    ...(blocks && { blocks }),
  };
}

function parsedBlocks(value: unknown): unknown[] | undefined {
  const blocks = typeof value === 'string' ? parseJson(value) : value;
  return Array.isArray(blocks) && blocks.length > 0 ? blocks : undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A request body the JSON reader refused (too large, not JSON, odd charset or encoding). */
function bodyProblem(error: unknown) {
  if (!isRecord(error) || typeof error.status !== 'number') return undefined;
  if (error.status < 400 || error.status >= 500) return undefined;
  return { status: error.status, type: typeof error.type === 'string' ? error.type : 'bad_body' };
}

function tsNow() {
  const micros = Date.now() * 1000;
  return `${Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, '0')}`;
}

/** The page loads nothing from elsewhere and runs no inline script. */
function securityHeaders(res: Response) {
  res.setHeader(
    'Content-Security-Policy',
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
      "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  );
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cache-Control', 'no-store');
}
