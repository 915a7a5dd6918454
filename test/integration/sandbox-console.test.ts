/**
 * The sandbox console's server, as the page (or anyone else on this machine) talks to it, with
 * the bot started as `npm start` starts it in the sandbox: what it sends the bot, what it refuses
 * and why, and that it is off while a real service's credentials are set. The page itself is
 * tested in a browser (test/e2e).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBotProcess, type BotProcess } from '../support/bot-process.ts';

const PAT = 'U0PAT0001';
const ALERTS = 'C0ALERTS01';

interface ConsoleState {
  version: number;
  channels: { id: string; name: string }[];
  messages: Record<string, { ts: string; text?: string; user: string; blocks?: Block[] }[]>;
  notes: { user?: string; text: string; command?: string }[];
  modal?: { id: string; view: { callback_id: string; blocks: Block[] } };
}
type Block = { type: string; block_id?: string; elements?: { action_id: string }[] };

describe('the sandbox console server', () => {
  let dir: string;
  let bot: BotProcess;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'firebreak-console-api-'));
    bot = await startBotProcess({ DATA_DIR: dir });
  }, 30_000);
  afterAll(async () => {
    await bot?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const state = async (user = PAT) =>
    (await (await fetch(`${bot.url}/sandbox/api/state?user=${user}`)).json()) as ConsoleState;
  const post = async (route: string, body: unknown) => {
    const res = await fetch(`${bot.url}/sandbox/api/${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const until = async <T>(read: () => Promise<T | undefined>) => {
    for (let i = 0; i < 100; i += 1) {
      const value = await read();
      if (value !== undefined) return value;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('timed out');
  };
  const incidentMessage = () =>
    until(async () => (await state()).messages[ALERTS]?.find((m) => m.text?.startsWith('INC-1')));

  it('serves the page with a policy that loads nothing from elsewhere', async () => {
    const res = await fetch(`${bot.url}/sandbox`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<title>Firebreak sandbox</title>');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect((await fetch(`${bot.url}/sandbox/assets/console.js`)).status).toBe(200);
  });

  it('answers only to localhost names, so another site cannot rebind a name to it', async () => {
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${bot.url}/sandbox/api/state`, {
        headers: { host: 'attacker.example:80' },
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject).end();
    });
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body)).toMatchObject({ error: 'forbidden_host', field: 'Host' });
  });

  it('refuses a form post and a cross-site post without sending the bot anything', async () => {
    const form = await fetch(`${bot.url}/sandbox/api/alert`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'sample=checkout-latency&action=fire',
    });
    expect(form.status).toBe(415);
    expect(await form.json()).toMatchObject({ field: 'Content-Type' });

    const crossSite = await fetch(`${bot.url}/sandbox/api/alert`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://attacker.example' },
      body: JSON.stringify({ sample: 'checkout-latency', action: 'fire' }),
    });
    expect(crossSite.status).toBe(403);
    expect(await crossSite.json()).toMatchObject({ field: 'Origin' });

    const bad = await post('alert', { sample: 'no-such-sample', action: 'fire' });
    expect(bad).toMatchObject({ status: 400, body: { field: 'sample' } });
    expect((await state()).messages[ALERTS]).toEqual([]);
  });

  it('answers a body it cannot read with a 4xx naming it, never a 500', async () => {
    const send = (body: string, headers: Record<string, string> = {}) =>
      fetch(`${bot.url}/sandbox/api/message`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      }).then(async (res) => ({ status: res.status, body: await res.json() }));

    expect(await send('{"user":')).toMatchObject({ status: 400, body: { field: 'body' } });
    const huge = JSON.stringify({ user: PAT, channel: ALERTS, text: 'x'.repeat(70_000) });
    expect(await send(huge)).toMatchObject({ status: 413, body: { field: 'body' } });
    const charset = { 'content-type': 'application/json; charset=koi8-r' };
    expect(await send('{}', charset)).toMatchObject({ status: 415, body: { field: 'body' } });
    const typed = await post('action', {
      user: PAT,
      channel: ALERTS,
      messageTs: '1.1',
      blockIndex: { toString: 'x' },
      actionId: 'incident_ack',
    });
    expect(typed).toMatchObject({ status: 400, body: { field: 'blockIndex' } });
    const closed = await post('view/close', { user: PAT, viewId: 'V0NOTOPEN' });
    expect(closed).toMatchObject({ status: 409, body: { field: 'viewId' } });
    expect(bot.output()).not.toContain('"level":50');
  });

  it('fires a sample through the alert webhook and pushes the change to open pages', async () => {
    const events = await fetch(`${bot.url}/sandbox/api/events`);
    const reader = events.body!.getReader();
    await reader.read(); // the first `change`, sent on connect

    const fired = await post('alert', { sample: 'checkout-latency', action: 'fire' });
    expect(fired).toMatchObject({ status: 200, body: { status: 202 } });
    expect(fired.body.answer).toMatchObject({ incident: 'INC-1', created: true });

    const pushed = new TextDecoder().decode((await reader.read()).value);
    expect(pushed).toMatch(/^event: change\ndata: \d+/);
    await reader.cancel();
    const message = await incidentMessage();
    expect(message.blocks?.some((block) => block.type === 'actions')).toBe(true);
  });

  it('sends a click as Slack would, read from the message, and refuses a stale one', async () => {
    const message = await incidentMessage();
    const blockIndex = message.blocks!.findIndex((b) => b.block_id === 'inc_actions');
    const stale = await post('action', {
      user: PAT,
      channel: ALERTS,
      messageTs: message.ts,
      blockIndex,
      actionId: 'no_such_button',
    });
    expect(stale).toMatchObject({ status: 409, body: { field: 'actionId' } });
    const stranger = await post('action', {
      user: 'U0NOBODY1',
      channel: ALERTS,
      messageTs: message.ts,
      blockIndex,
      actionId: 'incident_ack',
    });
    expect(stranger).toMatchObject({ status: 400, body: { field: 'user' } });
    expect((await incidentMessage()).text).toContain('Firing');

    const click = await post('action', {
      user: PAT,
      channel: ALERTS,
      messageTs: message.ts,
      blockIndex,
      actionId: 'incident_ack',
    });
    expect(click).toMatchObject({ status: 200, body: { ok: true } });
    await until(async () =>
      (await incidentMessage()).text?.includes('Acknowledged') ? 1 : undefined,
    );
  });

  it('runs /incident as the chosen person and shows its reply to them only', async () => {
    const sent = await post('message', { user: PAT, channel: ALERTS, text: '/incident list' });
    expect(sent.status).toBe(200);
    const mine = (await state(PAT)).notes.filter((note) => note.command === '/incident list');
    expect(mine).toHaveLength(1);
    expect(mine[0]!.text).toContain('INC-1');
    expect((await state('U0SAM0001')).notes.filter((n) => n.command === '/incident list')).toEqual(
      [],
    );

    const other = await post('message', { user: PAT, channel: ALERTS, text: '/deploy now' });
    expect(other).toMatchObject({ status: 400, body: { field: 'text' } });
  });

  it('posts other text as the person and hands mentions of the bot to it', async () => {
    const said = await post('message', { user: PAT, channel: ALERTS, text: '@firebreak list' });
    expect(said.status).toBe(200);
    const messages = () => state().then((s) => s.messages[ALERTS] ?? []);
    expect((await messages()).find((m) => m.user === PAT)?.text).toBe('<@U0FIREBRK> list');
    // The bot answers a mention in the channel, as in Slack.
    const reply = await until(async () =>
      (await messages()).find((m) => m.user === 'U0FIREBRK' && !m.text?.startsWith('INC-1')),
    );
    expect(reply.text).toContain('INC-1');
  });

  it('submits a modal as Slack does: a required field left empty is refused before the bot', async () => {
    const message = await incidentMessage();
    const blockIndex = message.blocks!.findIndex((b) => b.block_id === 'inc_actions');
    await post('action', {
      user: PAT,
      channel: ALERTS,
      messageTs: message.ts,
      blockIndex,
      actionId: 'incident_declare',
    });
    const modal = await until(async () => (await state()).modal);
    const blocks = modal.view.blocks;
    const at = (id: string) => String(blocks.findIndex((b) => b.block_id === id));

    const empty = await post('view', {
      user: PAT,
      viewId: modal.id,
      values: { [at('title')]: '' },
    });
    expect(empty).toMatchObject({ status: 422, body: { errors: { title: expect.any(String) } } });
    const badChoice = await post('view', {
      user: PAT,
      viewId: modal.id,
      values: { [at('title')]: 'Checkout slow', [at('severity')]: 'sev9' },
    });
    expect(badChoice).toMatchObject({ status: 400, body: { field: 'severity' } });
    expect((await state()).channels).toHaveLength(1);

    const declared = await post('view', {
      user: PAT,
      viewId: modal.id,
      values: {
        [at('title')]: 'Checkout slow',
        [at('severity')]: 'error',
        [at('lead')]: PAT,
        [at('options')]: ['channel'],
      },
    });
    expect(declared).toMatchObject({ status: 200, body: { ok: true } });
    expect((await state()).modal).toBeUndefined();
    const room = await until(async () =>
      (await state()).channels.find((c) => c.name.includes('checkout-slow')),
    );
    expect(room.name).toMatch(/^inc-/);
  });
});

describe('the sandbox console with a real service configured', () => {
  it('is off, and /sandbox says which variable turned it off', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'firebreak-console-off-'));
    const bot = await startBotProcess({
      DATA_DIR: dir,
      PAGERDUTY_ROUTING_KEY: 'r0utingkey0123456789abcdef012345',
      // A closed local port: nothing may leave the machine, even by mistake.
      PAGERDUTY_EVENTS_URL: 'http://127.0.0.1:9/',
    });
    try {
      const res = await fetch(`${bot.url}/sandbox`);
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({
        error: 'console_off',
        message: expect.stringContaining('PAGERDUTY_ROUTING_KEY'),
      });
      expect(bot.output()).toContain('sandbox console is off');
    } finally {
      await bot.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
