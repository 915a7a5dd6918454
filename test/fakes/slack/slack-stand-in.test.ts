import { createHmac } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import { LogLevel, WebClient, type Logger } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';

import {
  buttonClickPayload,
  eventCallbackBody,
  messageShortcutPayload,
  slackJsonSignatureHeaders,
  viewSubmissionPayload,
} from './sign.ts';
import { SlackStandIn, type RecordedCall } from './slack-stand-in.ts';

const TOKEN = 'xoxb-sandbox-token';
const ALERTS = 'C0ALERTS01';
const OPS = 'C0OPS00001';
const OLD = 'C0OLD00001';
const BOT = 'U0FIREBRK';
const PAT = 'U0PAT0001';
const SAM = 'U0SAM0001';
const ALEX = 'U0ALEX001';

// WebClient logs `[ERROR]` response messages and warnings; keep test output clean.
const quietLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => LogLevel.ERROR,
  setName: () => {},
};

/** `token: null` builds a client that sends no Authorization header. */
function clientFor(standIn: SlackStandIn, token: string | null = TOKEN): WebClient {
  return new WebClient(token ?? undefined, {
    slackApiUrl: standIn.url,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logger: quietLogger,
  });
}

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
const buttonRow = (label: string) => ({
  type: 'actions',
  elements: [{ type: 'button', action_id: 'ack', text: { type: 'plain_text', text: label } }],
});
const platformError = (error: string) => ({ code: 'slack_webapi_platform_error', data: { error } });
const invalidArguments = (pointer: string) => ({
  data: {
    error: 'invalid_arguments',
    response_metadata: { messages: [expect.stringContaining(`[json-pointer:${pointer}]`)] },
  },
});

/** The modal the bot might open to declare an incident; `overrides` replace top-level fields. */
const modal = (overrides: Record<string, unknown> = {}) => ({
  type: 'modal',
  callback_id: 'incident_declare',
  private_metadata: '{"channel_id":"C0ALERTS01"}',
  title: { type: 'plain_text', text: 'Declare incident' },
  submit: { type: 'plain_text', text: 'Declare' },
  close: { type: 'plain_text', text: 'Cancel' },
  blocks: [
    {
      type: 'input',
      block_id: 'title',
      label: { type: 'plain_text', text: 'Title' },
      element: { type: 'plain_text_input', action_id: 'title_input' },
    },
  ],
  ...overrides,
});
const home = (overrides: Record<string, unknown> = {}) => ({
  type: 'home',
  blocks: [section('*Open incidents*: none')],
  ...overrides,
});
const dividers = (count: number) => Array.from({ length: count }, () => ({ type: 'divider' }));
/** The `view` of a views.* answer (WebClient's apiCall result does not declare it). */
const viewIn = (result: object) => (result as { view: { id: string; hash: string } }).view;

let standIn: SlackStandIn;
let slack: WebClient;

beforeEach(async () => {
  standIn = await SlackStandIn.start();
  slack = clientFor(standIn);
});

afterEach(async () => {
  await standIn.close();
});

describe('authentication', () => {
  it('auth.test answers with the sandbox bot identity', async () => {
    const identity = await slack.auth.test();

    expect(identity).toMatchObject({
      ok: true,
      team_id: 'T0SANDBOX',
      user_id: 'U0FIREBRK',
      bot_id: 'B0FIREBRK',
    });
  });

  it('refuses a call without a token as not_authed', async () => {
    const anonymous = clientFor(standIn, null);

    await expect(anonymous.auth.test()).rejects.toMatchObject(platformError('not_authed'));
  });

  it('refuses a different token as invalid_auth and creates nothing', async () => {
    const stranger = clientFor(standIn, 'xoxb-someone-else');

    const posting = stranger.chat.postMessage({ channel: ALERTS, text: 'hi' });

    await expect(posting).rejects.toMatchObject(platformError('invalid_auth'));
    expect(standIn.messages(ALERTS)).toEqual([]);
  });

  it('records calls without the token, even one passed per call', async () => {
    await slack.chat.postMessage({ channel: ALERTS, text: 'hi', token: TOKEN });

    expect(standIn.calls[0]?.args).toEqual({ channel: ALERTS, text: 'hi' });
    expect(JSON.stringify(standIn.calls)).not.toContain(TOKEN);
  });

  it('answers unknown_method for a method it does not implement', async () => {
    await expect(slack.apiCall('emoji.list')).rejects.toMatchObject(
      platformError('unknown_method'),
    );
  });
});

describe('messages', () => {
  const metadata = { event_type: 'incident_opened', event_payload: { incident_id: 'INC-7' } };

  it('round-trips post, update and history with blocks and metadata', async () => {
    const posted = await slack.chat.postMessage({
      channel: ALERTS,
      text: 'INC-7 opened',
      blocks: [section('*INC-7* opened')],
      metadata,
    });
    await slack.chat.update({ channel: ALERTS, ts: posted.ts!, text: 'INC-7 resolved' });

    const history = await slack.conversations.history({
      channel: ALERTS,
      include_all_metadata: true,
    });

    expect(history.messages).toHaveLength(1);
    expect(history.messages![0]).toMatchObject({
      ts: posted.ts,
      text: 'INC-7 resolved',
      blocks: [section('*INC-7* opened')],
      metadata,
      bot_id: 'B0FIREBRK',
    });
    expect(standIn.messages(ALERTS)[0]).toMatchObject({ text: 'INC-7 resolved', edited: 1 });
  });

  it('leaves metadata out of history unless include_all_metadata is set', async () => {
    await slack.chat.postMessage({ channel: ALERTS, text: 'INC-7 opened', metadata });

    const history = await slack.conversations.history({ channel: ALERTS });

    expect(history.messages![0]).not.toHaveProperty('metadata');
  });

  it('hands out unique, increasing ts values', async () => {
    const first = await slack.chat.postMessage({ channel: ALERTS, text: 'one' });
    const second = await slack.chat.postMessage({ channel: ALERTS, text: 'two' });

    expect(first.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(Number(second.ts)).toBeGreaterThan(Number(first.ts));
  });

  it('keeps thread replies out of history and lists them as replies', async () => {
    const parent = await slack.chat.postMessage({ channel: ALERTS, text: 'INC-7 opened' });
    await slack.chat.postMessage({ channel: ALERTS, thread_ts: parent.ts!, text: 'paged sam' });

    const history = await slack.conversations.history({ channel: ALERTS });

    expect(history.messages).toHaveLength(1);
    expect(history.messages![0]).toMatchObject({ reply_count: 1, thread_ts: parent.ts });
    expect(standIn.topLevelMessages(ALERTS)).toHaveLength(1);
    expect(standIn.replies(ALERTS, parent.ts!).map((m) => m.text)).toEqual(['paged sam']);
  });

  it('refuses a reply to an unknown thread as thread_not_found', async () => {
    const replying = slack.chat.postMessage({ channel: ALERTS, thread_ts: '1.000001', text: 'x' });

    await expect(replying).rejects.toMatchObject(platformError('thread_not_found'));
  });

  it('pages history newest first with a cursor', async () => {
    for (const text of ['one', 'two', 'three']) {
      await slack.chat.postMessage({ channel: ALERTS, text });
    }

    const first = await slack.conversations.history({ channel: ALERTS, limit: 2 });
    const cursor = first.response_metadata!.next_cursor!;
    const second = await slack.conversations.history({ channel: ALERTS, limit: 2, cursor });

    expect(first.messages!.map((m) => m.text)).toEqual(['three', 'two']);
    expect(first.has_more).toBe(true);
    expect(second.messages!.map((m) => m.text)).toEqual(['one']);
    expect(second).toMatchObject({ has_more: false, response_metadata: { next_cursor: '' } });
  });

  it('refuses to update an unknown ts as message_not_found', async () => {
    const updating = slack.chat.update({ channel: ALERTS, ts: '1700000000.000100', text: 'x' });

    await expect(updating).rejects.toMatchObject(platformError('message_not_found'));
  });

  it('refuses a message without text or blocks as no_text', async () => {
    const posting = slack.chat.postMessage({ channel: ALERTS, text: '' });

    await expect(posting).rejects.toMatchObject(platformError('no_text'));
  });

  it('refuses text over 40,000 characters as msg_too_long', async () => {
    const posting = slack.chat.postMessage({ channel: ALERTS, text: 'x'.repeat(40_001) });

    await expect(posting).rejects.toMatchObject(platformError('msg_too_long'));
  });

  it('accepts a JSON body as well as a form body', async () => {
    const response = await fetch(`${standIn.url}chat.postMessage`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ channel: ALERTS, blocks: [section('from JSON')] }),
    });

    expect(await response.json()).toMatchObject({ ok: true, channel: ALERTS });
    expect(standIn.messages(ALERTS)[0]?.blocks).toEqual([section('from JSON')]);
  });
});

describe('channels', () => {
  it('refuses an unknown channel as channel_not_found', async () => {
    const posting = slack.chat.postMessage({ channel: 'C0NOWHERE', text: 'hi' });

    await expect(posting).rejects.toMatchObject(platformError('channel_not_found'));
  });

  it('refuses a channel the bot is not in as not_in_channel, and posts after joining', async () => {
    standIn.addChannel({ id: 'C0OPS00001', name: 'ops' });
    await expect(
      slack.chat.postMessage({ channel: 'C0OPS00001', text: 'hi' }),
    ).rejects.toMatchObject(platformError('not_in_channel'));

    const joined = await slack.conversations.join({ channel: 'C0OPS00001' });
    await slack.chat.postMessage({ channel: 'C0OPS00001', text: 'hi' });

    expect(joined.channel).toMatchObject({ id: 'C0OPS00001', name: 'ops', is_member: true });
    expect(standIn.messages('C0OPS00001')).toHaveLength(1);
  });

  it('refuses to join a private channel', async () => {
    standIn.addChannel({ id: 'G0SECRET01', name: 'secret', isPrivate: true });

    const joining = slack.conversations.join({ channel: 'G0SECRET01' });

    await expect(joining).rejects.toMatchObject(
      platformError('method_not_supported_for_channel_type'),
    );
  });

  it('refuses to post to an archived channel as is_archived', async () => {
    standIn.addChannel({ id: 'C0OLD00001', name: 'old', isMember: true, isArchived: true });

    const posting = slack.chat.postMessage({ channel: 'C0OLD00001', text: 'hi' });

    await expect(posting).rejects.toMatchObject(platformError('is_archived'));
  });

  it('hides a private channel the bot is not in from conversations.info', async () => {
    standIn.addChannel({ id: 'G0SECRET01', name: 'secret', isPrivate: true });

    const info = slack.conversations.info({ channel: 'G0SECRET01' });

    await expect(info).rejects.toMatchObject(platformError('channel_not_found'));
  });

  it('describes a visible channel with conversations.info', async () => {
    const info = await slack.conversations.info({ channel: ALERTS });

    expect(info.channel).toMatchObject({ id: ALERTS, name: 'alerts', is_member: true });
  });
});

describe('Block Kit validation', () => {
  it.each([
    ['51 blocks', Array.from({ length: 51 }, () => ({ type: 'divider' })), '/blocks'],
    ['a 3001-character section text', [section('x'.repeat(3001))], '/blocks/0/text/text'],
    ['a 76-character button text', [buttonRow('x'.repeat(76))], '/blocks/0/elements/0/text/text'],
    [
      'a mrkdwn header',
      [{ type: 'header', text: { type: 'mrkdwn', text: 'x' } }],
      '/blocks/0/text/type',
    ],
  ])('refuses %s as invalid_blocks naming the json-pointer', async (_name, blocks, pointer) => {
    const posting = slack.chat.postMessage({ channel: ALERTS, text: 'fallback', blocks });

    await expect(posting).rejects.toMatchObject({
      data: {
        error: 'invalid_blocks',
        response_metadata: { messages: [expect.stringContaining(`[json-pointer:${pointer}]`)] },
      },
    });
    expect(standIn.messages(ALERTS)).toEqual([]);
  });

  it('accepts blocks exactly at the documented limits', async () => {
    const blocks = [
      section('x'.repeat(3000)),
      buttonRow('x'.repeat(75)),
      ...Array.from({ length: 48 }, () => ({ type: 'divider' })),
    ];

    const posted = await slack.chat.postMessage({ channel: ALERTS, text: 'fallback', blocks });

    expect(posted.ok).toBe(true);
  });

  it('refuses more than 13,200 characters of block text as msg_blocks_too_long', async () => {
    const blocks = Array.from({ length: 5 }, () => section('x'.repeat(3000)));

    const posting = slack.chat.postMessage({ channel: ALERTS, text: 'fallback', blocks });

    await expect(posting).rejects.toMatchObject(platformError('msg_blocks_too_long'));
  });

  it('applies the same checks to chat.update', async () => {
    const posted = await slack.chat.postMessage({ channel: ALERTS, text: 'INC-7' });

    const updating = slack.chat.update({
      channel: ALERTS,
      ts: posted.ts!,
      blocks: [section('x'.repeat(3001))],
    });

    await expect(updating).rejects.toMatchObject(platformError('invalid_blocks'));
    expect(standIn.messages(ALERTS)[0]).toMatchObject({ text: 'INC-7', edited: 0 });
  });
});

describe('injected failures', () => {
  it('fails the next call with 429 and Retry-After, then recovers', async () => {
    standIn.failNext('chat.postMessage', { status: 429, retryAfter: 7 });

    const posting = slack.chat.postMessage({ channel: ALERTS, text: 'hi' });

    await expect(posting).rejects.toMatchObject({
      code: 'slack_webapi_rate_limited_error',
      retryAfter: 7,
    });
    expect(standIn.calls[0]).toMatchObject({ status: 429, response: { error: 'ratelimited' } });
    expect(standIn.messages(ALERTS)).toEqual([]);
    await expect(slack.chat.postMessage({ channel: ALERTS, text: 'hi' })).resolves.toBeTruthy();
  });

  it('sends a 429 without Retry-After when retryAfter is null', async () => {
    standIn.failNext('chat.postMessage', { status: 429, retryAfter: null });

    const posting = slack.chat.postMessage({ channel: ALERTS, text: 'hi' });

    // WebClient cannot tell how long to wait, so it throws a plain Error without a code.
    await expect(posting).rejects.toThrow(/Retry header did not contain a valid timeout/);
    expect(standIn.calls[0]?.status).toBe(429);
  });

  it('fails the next call with HTTP 500', async () => {
    standIn.failNext('chat.update', { status: 500 });

    const updating = slack.chat.update({ channel: ALERTS, ts: '1.000100', text: 'x' });

    await expect(updating).rejects.toMatchObject({
      code: 'slack_webapi_http_error',
      statusCode: 500,
    });
  });

  it('fails a given number of calls with an API error and extra body fields', async () => {
    const messages = ['[ERROR] something [json-pointer:/blocks/0]'];
    standIn.failNext('auth.test', {
      error: 'invalid_blocks',
      times: 2,
      body: { response_metadata: { messages } },
    });

    const outcomes: string[] = [];
    for (let i = 0; i < 3; i++) {
      outcomes.push(
        await slack.auth.test().then(
          () => 'ok',
          (error) => error.data.error,
        ),
      );
    }

    expect(outcomes).toEqual(['invalid_blocks', 'invalid_blocks', 'ok']);
    expect(standIn.calls[0]?.response).toMatchObject({ response_metadata: { messages } });
    expect(standIn.callsTo('auth.test').map((call) => call.status)).toEqual([200, 200, 200]);
  });

  it('rate-limits chat.postMessage per channel when postsPerSecondPerChannel is set', async () => {
    const ops = { id: 'C0OPS00001', name: 'ops', isMember: true };
    const limited = await SlackStandIn.start({
      postsPerSecondPerChannel: 2,
      rateLimitRetryAfterSeconds: 3,
      channels: [{ id: ALERTS, name: 'alerts', isMember: true }, ops],
    });
    onTestFinished(() => limited.close());
    const client = clientFor(limited);
    await client.chat.postMessage({ channel: ALERTS, text: '1' });
    await client.chat.postMessage({ channel: ALERTS, text: '2' });

    const third = client.chat.postMessage({ channel: ALERTS, text: '3' });
    const elsewhere = client.chat.postMessage({ channel: ops.id, text: '1' });

    await expect(third).rejects.toMatchObject({
      code: 'slack_webapi_rate_limited_error',
      retryAfter: 3,
    });
    await expect(elsewhere).resolves.toMatchObject({ ok: true });
    expect(limited.messages(ALERTS)).toHaveLength(2);
  });

  it('delays responses of a method by the configured latency', async () => {
    standIn.setLatency('auth.test', 150);

    const started = performance.now();
    await slack.auth.test();
    const elapsed = performance.now() - started;

    expect(elapsed).toBeGreaterThanOrEqual(140);
  });
});

describe('ephemerals and users', () => {
  it('records an ephemeral message without adding it to the channel', async () => {
    const sent = await slack.chat.postEphemeral({
      channel: ALERTS,
      user: 'U0PAT0001',
      text: 'only you',
    });

    expect(sent.message_ts).toMatch(/^\d+\.\d{6}$/);
    expect(standIn.ephemerals).toEqual([{ channel: ALERTS, user: 'U0PAT0001', text: 'only you' }]);
    expect(standIn.messages(ALERTS)).toEqual([]);
  });

  it('refuses an ephemeral to an unknown user as user_not_in_channel', async () => {
    const sending = slack.chat.postEphemeral({ channel: ALERTS, user: 'U0NOBODY1', text: 'x' });

    await expect(sending).rejects.toMatchObject(platformError('user_not_in_channel'));
  });

  it('looks users up with users.info', async () => {
    const found = await slack.users.info({ user: 'U0PAT0001' });

    expect(found.user).toMatchObject({
      id: 'U0PAT0001',
      name: 'pat',
      profile: { email: 'pat@example.com' },
    });
    await expect(slack.users.info({ user: 'U0NOBODY1' })).rejects.toMatchObject(
      platformError('user_not_found'),
    );
  });
});

describe('bookkeeping', () => {
  it('reports every call to onCall', async () => {
    const seen: RecordedCall[] = [];
    const observed = await SlackStandIn.start({ onCall: (call) => seen.push(call) });
    onTestFinished(() => observed.close());

    await clientFor(observed).auth.test();

    expect(seen).toEqual([expect.objectContaining({ method: 'auth.test', status: 200 })]);
  });

  it('keeps only the latest calls when told to (a sandbox runs for days)', async () => {
    const seen: RecordedCall[] = [];
    const kept = await SlackStandIn.start({ keepCalls: 2, onCall: (call) => seen.push(call) });
    onTestFinished(() => kept.close());
    const client = clientFor(kept);

    await client.auth.test();
    await client.conversations.list();
    await client.users.info({ user: 'U0PAT0001' });

    expect(seen).toHaveLength(3);
    expect(kept.calls.map((call) => call.method)).toEqual(['conversations.list', 'users.info']);
  });

  it('reset clears calls, messages and failures but keeps channels and membership', async () => {
    standIn.addChannel({ id: 'C0OPS00001', name: 'ops' });
    await slack.conversations.join({ channel: 'C0OPS00001' });
    await slack.chat.postMessage({ channel: ALERTS, text: 'hi' });
    standIn.failNext('chat.postMessage', { error: 'fatal_error' });

    standIn.reset();

    expect(standIn.calls).toEqual([]);
    expect(standIn.messages(ALERTS)).toEqual([]);
    await expect(
      slack.chat.postMessage({ channel: 'C0OPS00001', text: 'hi' }),
    ).resolves.toBeTruthy();
  });
});

describe('conversations.create', () => {
  it('creates a public channel with the bot as member and creator', async () => {
    const created = await slack.conversations.create({ name: 'inc-42-checkout' });

    expect(created.channel).toMatchObject({
      id: 'C0NEW00001',
      name: 'inc-42-checkout',
      is_private: false,
      is_member: true,
      creator: BOT,
      created: expect.any(Number),
    });
    expect(standIn.channel('inc-42-checkout')).toMatchObject({
      id: 'C0NEW00001',
      isMember: true,
      isArchived: false,
      members: [],
      creator: BOT,
    });
  });

  it('creates a private channel when asked, numbering ids upward', async () => {
    await slack.conversations.create({ name: 'inc-1' });

    const second = await slack.conversations.create({ name: 'inc-2', is_private: true });

    const ids = standIn.channels().map((channel) => channel.id);
    expect(second.channel).toMatchObject({ id: 'C0NEW00002', is_private: true });
    expect(ids).toEqual([ALERTS, 'C0NEW00001', 'C0NEW00002']);
  });

  it('accepts a name of exactly 80 characters with digits, dashes and underscores', async () => {
    const name = `inc_42-${'x'.repeat(73)}`;

    const created = await slack.conversations.create({ name });

    expect(created.channel).toMatchObject({ name });
  });

  it.each([
    ['an empty name', 'invalid_name_required', ''],
    ['an 81-character name', 'invalid_name_maxlength', 'x'.repeat(81)],
    ['an upper-case letter', 'invalid_name_specials', 'Inc-42'],
    ['a space', 'invalid_name_specials', 'inc 42'],
    ['a non-ASCII letter', 'invalid_name_specials', 'incident-é'],
    ['a name of punctuation only', 'invalid_name_punctuation', '-_-'],
    ['the name of an existing channel', 'name_taken', 'alerts'],
    ['the name of an archived channel', 'name_taken', 'old'],
  ])('refuses %s as %s', async (_what, error, name) => {
    standIn.addChannel({ id: OLD, name: 'old', isArchived: true });

    const creating = slack.conversations.create({ name });

    await expect(creating).rejects.toMatchObject(platformError(error));
    expect(standIn.channels()).toHaveLength(2);
  });

  it('passes on an injected missing_scope with its needed and provided scopes', async () => {
    standIn.failNext('conversations.create', {
      error: 'missing_scope',
      body: { needed: 'channels:manage', provided: 'chat:write' },
    });

    const creating = slack.conversations.create({ name: 'inc-42' });

    await expect(creating).rejects.toMatchObject({
      data: { error: 'missing_scope', needed: 'channels:manage', provided: 'chat:write' },
    });
    expect(standIn.channel('inc-42')).toBeUndefined();
  });
});

describe('conversations.invite', () => {
  it('adds people to a channel the bot is in', async () => {
    const invited = await slack.conversations.invite({ channel: ALERTS, users: `${PAT},${SAM}` });

    expect(invited.channel).toMatchObject({ id: ALERTS });
    expect(standIn.channel(ALERTS)?.members).toEqual([PAT, SAM]);
  });

  it('invites the newcomers when some listed people are already in', async () => {
    await slack.conversations.invite({ channel: ALERTS, users: PAT });

    const invited = await slack.conversations.invite({ channel: ALERTS, users: `${PAT},${SAM}` });

    expect(invited.ok).toBe(true);
    expect(standIn.channel(ALERTS)?.members).toEqual([PAT, SAM]);
  });

  it('answers already_in_channel when every listed person is already in', async () => {
    standIn.addChannel({ id: OPS, name: 'ops', isMember: true, members: [PAT, SAM] });

    const inviting = slack.conversations.invite({ channel: OPS, users: `${SAM},${PAT}` });

    await expect(inviting).rejects.toMatchObject(platformError('already_in_channel'));
  });

  const thousandAndOne = Array.from({ length: 1001 }, (_, i) => `U0X${i}`).join(',');

  it.each([
    ['an unknown channel', 'channel_not_found', 'C0NOWHERE', PAT],
    ['an archived channel', 'is_archived', OLD, PAT],
    ['a channel the bot is not in', 'not_in_channel', OPS, PAT],
    ['an empty user list', 'no_user', ALERTS, ''],
    ['more than 1000 users', 'too_many_users', ALERTS, thousandAndOne],
    ['the bot itself', 'cant_invite_self', ALERTS, `${PAT},${BOT}`],
    ['an unknown user', 'user_not_found', ALERTS, `${PAT},U0NOBODY1`],
  ])('refuses %s as %s', async (_what, error, channel, users) => {
    standIn.addChannel({ id: OLD, name: 'old', isMember: true, isArchived: true });
    standIn.addChannel({ id: OPS, name: 'ops' });

    const inviting = slack.conversations.invite({ channel, users });

    await expect(inviting).rejects.toMatchObject(platformError(error));
    expect(standIn.channel(ALERTS)?.members).toEqual([]);
  });
});

describe('conversations.setTopic', () => {
  it('sets the topic without posting anything and reports who set it', async () => {
    const topic = 'INC-42 · SEV1 · checkout-api · lead @pat';

    const set = await slack.conversations.setTopic({ channel: ALERTS, topic });

    expect(set.channel).toMatchObject({
      id: ALERTS,
      topic: { value: topic, creator: BOT, last_set: expect.any(Number) },
    });
    expect(standIn.channel(ALERTS)?.topic).toBe(topic);
    expect(standIn.messages(ALERTS)).toEqual([]);
  });

  it('accepts 250 characters and refuses 251 as too_long', async () => {
    await slack.conversations.setTopic({ channel: ALERTS, topic: 'x'.repeat(250) });

    const setting = slack.conversations.setTopic({ channel: ALERTS, topic: 'y'.repeat(251) });

    await expect(setting).rejects.toMatchObject(platformError('too_long'));
    expect(standIn.channel(ALERTS)?.topic).toBe('x'.repeat(250));
  });

  it.each([
    ['an archived channel', 'is_archived', OLD],
    ['a channel the bot is not in', 'not_in_channel', OPS],
  ])('refuses %s as %s', async (_what, error, channel) => {
    standIn.addChannel({ id: OLD, name: 'old', isMember: true, isArchived: true });
    standIn.addChannel({ id: OPS, name: 'ops' });

    const setting = slack.conversations.setTopic({ channel, topic: 'INC-42' });

    await expect(setting).rejects.toMatchObject(platformError(error));
  });
});

describe('archiving', () => {
  it('archives a channel the bot is in; posting there then fails as is_archived', async () => {
    await slack.conversations.archive({ channel: ALERTS });

    const posting = slack.chat.postMessage({ channel: ALERTS, text: 'hi' });

    await expect(posting).rejects.toMatchObject(platformError('is_archived'));
    expect(standIn.channel(ALERTS)?.isArchived).toBe(true);
  });

  it('refuses to archive twice as already_archived', async () => {
    await slack.conversations.archive({ channel: ALERTS });

    const archiving = slack.conversations.archive({ channel: ALERTS });

    await expect(archiving).rejects.toMatchObject(platformError('already_archived'));
  });

  it('refuses to archive a channel the bot is not in as not_in_channel', async () => {
    standIn.addChannel({ id: OPS, name: 'ops' });

    const archiving = slack.conversations.archive({ channel: OPS });

    await expect(archiving).rejects.toMatchObject(platformError('not_in_channel'));
  });

  it('refuses unarchive with the bot token as not_authorized by default', async () => {
    standIn.archiveChannel(ALERTS);

    const unarchiving = slack.conversations.unarchive({ channel: ALERTS });

    await expect(unarchiving).rejects.toMatchObject(platformError('not_authorized'));
    expect(standIn.channel(ALERTS)?.isArchived).toBe(true);
  });

  it('unarchives with botsMayUnarchive, then refuses a live channel as not_archived', async () => {
    const lenient = await SlackStandIn.start({ botsMayUnarchive: true });
    onTestFinished(() => lenient.close());
    const client = clientFor(lenient);
    lenient.archiveChannel('alerts');

    await client.conversations.unarchive({ channel: ALERTS });
    const again = client.conversations.unarchive({ channel: ALERTS });

    await expect(again).rejects.toMatchObject(platformError('not_archived'));
    expect(lenient.channel(ALERTS)?.isArchived).toBe(false);
  });
});

describe('conversations.info and conversations.members', () => {
  it('reports topic, archival and the member count, bot included', async () => {
    standIn.addChannel({
      id: OPS,
      name: 'ops',
      isMember: true,
      members: [PAT, SAM],
      topic: 'calm',
    });

    const info = await slack.conversations.info({ channel: OPS });

    expect(info.channel).toMatchObject({
      id: OPS,
      is_archived: false,
      num_members: 3,
      topic: { value: 'calm' },
    });
  });

  it('counts the bot as a member when it is listed in members', () => {
    standIn.addChannel({ id: OPS, name: 'ops', members: [BOT, PAT] });

    expect(standIn.channel(OPS)).toMatchObject({ isMember: true, members: [PAT] });
  });

  it('pages member ids, the bot first, with a cursor', async () => {
    standIn.addChannel({ id: OPS, name: 'ops', isMember: true, members: [PAT, SAM, ALEX] });

    const first = await slack.conversations.members({ channel: OPS, limit: 2 });
    const cursor = first.response_metadata!.next_cursor!;
    const second = await slack.conversations.members({ channel: OPS, limit: 2, cursor });

    expect(first.members).toEqual([BOT, PAT]);
    expect(cursor).not.toBe('');
    expect(second).toMatchObject({ members: [SAM, ALEX], response_metadata: { next_cursor: '' } });
  });

  it('lists the people of a public channel the bot is not in, without the bot', async () => {
    standIn.addChannel({ id: OPS, name: 'ops', members: [PAT] });

    const listed = await slack.conversations.members({ channel: OPS });

    expect(listed.members).toEqual([PAT]);
  });

  it('refuses a cursor it did not hand out as invalid_cursor', async () => {
    const cursor = Buffer.from('user:U0NOBODY1').toString('base64');

    const listing = slack.conversations.members({ channel: ALERTS, cursor });

    await expect(listing).rejects.toMatchObject(platformError('invalid_cursor'));
  });
});

describe('conversations.list', () => {
  const SECRET = 'G0SECRET01';
  const HIDDEN = 'G0HIDDEN01';
  const ids = (listed: { channels?: { id?: string }[] }) => listed.channels!.map((c) => c.id);

  beforeEach(() => {
    standIn.addChannel({ id: OPS, name: 'ops', created: 1_700_000_000, creator: PAT });
    standIn.addChannel({ id: OLD, name: 'old', isMember: true, isArchived: true });
    standIn.addChannel({ id: SECRET, name: 'secret', isPrivate: true, isMember: true });
    standIn.addChannel({ id: HIDDEN, name: 'hidden', isPrivate: true });
  });

  it('lists public channels by default, archived ones included, in the order added', async () => {
    const listed = await slack.conversations.list();

    expect(ids(listed)).toEqual([ALERTS, OPS, OLD]);
    expect(listed.channels![1]).toMatchObject({
      id: OPS,
      name: 'ops',
      is_archived: false,
      is_member: false,
      is_private: false,
      created: 1_700_000_000,
      creator: PAT,
    });
    expect(listed.channels![2]).toMatchObject({ name: 'old', is_archived: true });
    expect(listed.response_metadata).toMatchObject({ next_cursor: '' });
  });

  it('lists private channels only when asked, and only those the bot is in', async () => {
    const privateOnly = await slack.conversations.list({ types: 'private_channel' });
    const both = await slack.conversations.list({ types: 'public_channel,private_channel' });

    expect(ids(privateOnly)).toEqual([SECRET]);
    expect(privateOnly.channels![0]).toMatchObject({ is_private: true, is_member: true });
    expect(ids(both)).toEqual([ALERTS, OPS, OLD, SECRET]);
  });

  it('leaves archived channels out with exclude_archived', async () => {
    const listed = await slack.conversations.list({ exclude_archived: true });

    expect(ids(listed)).toEqual([ALERTS, OPS]);
  });

  it('includes a channel the bot created, with its creator', async () => {
    const created = await slack.conversations.create({ name: 'inc-42' });

    const listed = await slack.conversations.list({ exclude_archived: true });

    expect(listed.channels!.at(-1)).toMatchObject({
      id: created.channel!.id,
      name: 'inc-42',
      creator: BOT,
      created: expect.any(Number),
    });
  });

  it('pages with limit and cursor until next_cursor is empty', async () => {
    const types = 'public_channel,private_channel';
    const first = await slack.conversations.list({ types, limit: 3 });
    const cursor = first.response_metadata!.next_cursor!;
    const second = await slack.conversations.list({ types, limit: 3, cursor });

    expect(ids(first)).toEqual([ALERTS, OPS, OLD]);
    expect(Buffer.from(cursor, 'base64').toString()).toBe(`team:${SECRET}`);
    expect(ids(second)).toEqual([SECRET]);
    expect(second.response_metadata).toMatchObject({ next_cursor: '' });
  });

  it('refuses an unknown type as invalid_types and a foreign cursor as invalid_cursor', async () => {
    const failure = (error: unknown) => error;
    const badTypes = await slack.conversations
      .list({ types: 'public_channel,shared_channel' })
      .catch(failure);
    const badCursor = await slack.conversations
      .list({ cursor: Buffer.from('user:U1').toString('base64') })
      .catch(failure);

    expect(badTypes).toMatchObject(platformError('invalid_types'));
    expect(badCursor).toMatchObject(platformError('invalid_cursor'));
  });
});

describe('pins.add', () => {
  it('pins a message once and answers already_pinned the second time', async () => {
    const posted = await slack.chat.postMessage({ channel: ALERTS, text: 'INC-42 opened' });
    await slack.pins.add({ channel: ALERTS, timestamp: posted.ts! });

    const again = slack.pins.add({ channel: ALERTS, timestamp: posted.ts! });

    await expect(again).rejects.toMatchObject(platformError('already_pinned'));
    expect(standIn.channel(ALERTS)?.pins).toEqual([posted.ts]);
  });

  it.each([
    ['a missing timestamp', 'no_item_specified', ALERTS, ''],
    ['a message that is not there', 'message_not_found', ALERTS, '1700000000.000100'],
    ['a channel the bot is not in', 'not_in_channel', OPS, '1700000000.000100'],
    ['an archived channel', 'is_archived', OLD, '1700000000.000100'],
  ])('refuses %s as %s', async (_what, error, channel, timestamp) => {
    standIn.addChannel({ id: OLD, name: 'old', isMember: true, isArchived: true });
    standIn.addChannel({ id: OPS, name: 'ops' });

    const pinning = slack.pins.add({ channel, timestamp });

    await expect(pinning).rejects.toMatchObject(platformError(error));
  });
});

describe('bookmarks.add', () => {
  const runbook = 'https://runbooks.example.test/checkout';
  const link = (title: string) => ({
    channel_id: ALERTS,
    title,
    type: 'link' as const,
    link: runbook,
  });

  it('adds a link bookmark and answers it', async () => {
    const added = await slack.bookmarks.add({
      channel_id: ALERTS,
      title: 'Runbook',
      type: 'link',
      link: runbook,
      emoji: ':book:',
    });

    expect(added.bookmark).toMatchObject({
      id: expect.stringMatching(/^Bk\d{10}$/),
      channel_id: ALERTS,
      title: 'Runbook',
      link: runbook,
      emoji: ':book:',
      type: 'link',
      date_created: expect.any(Number),
    });
    const { bookmarks } = standIn.channel(ALERTS)!;
    expect(bookmarks).toEqual([expect.objectContaining({ title: 'Runbook', link: runbook })]);
  });

  it.each([
    ['a type other than link', 'invalid_bookmark_type', { type: 'message' }],
    ['a link without http(s)', 'invalid_link', { link: 'ftp://files.example.test/a' }],
    ['an unknown channel', 'channel_not_found', { channel_id: 'C0NOWHERE' }],
    ['a missing title', 'invalid_arguments', { title: undefined }],
  ])('refuses %s as %s', async (_what, error, overrides) => {
    const adding = slack.apiCall('bookmarks.add', { ...link('Runbook'), ...overrides });

    await expect(adding).rejects.toMatchObject(platformError(error));
    expect(standIn.channel(ALERTS)?.bookmarks).toEqual([]);
  });

  it('refuses a 101st bookmark as too_many_bookmarks', async () => {
    for (let i = 0; i < 100; i++) await slack.bookmarks.add(link(`#${i}`));

    const adding = slack.bookmarks.add(link('#100'));

    await expect(adding).rejects.toMatchObject(platformError('too_many_bookmarks'));
  });
});

describe('chat.getPermalink', () => {
  const base = `https://sandbox.slack.invalid/archives/${ALERTS}`;

  it('links a top-level message, and a thread reply through its parent', async () => {
    const parent = await slack.chat.postMessage({ channel: ALERTS, text: 'INC-42 opened' });
    const reply = await slack.chat.postMessage({
      channel: ALERTS,
      thread_ts: parent.ts!,
      text: 'paged',
    });

    const top = await slack.chat.getPermalink({ channel: ALERTS, message_ts: parent.ts! });
    const inThread = await slack.chat.getPermalink({ channel: ALERTS, message_ts: reply.ts! });

    expect(top).toMatchObject({
      channel: ALERTS,
      permalink: `${base}/p${parent.ts!.replace('.', '')}`,
    });
    expect(inThread.permalink).toBe(
      `${base}/p${reply.ts!.replace('.', '')}?thread_ts=${parent.ts}&cid=${ALERTS}`,
    );
  });

  it('refuses an unknown message as message_not_found', async () => {
    const linking = slack.chat.getPermalink({ channel: ALERTS, message_ts: '1700000000.000100' });

    await expect(linking).rejects.toMatchObject(platformError('message_not_found'));
  });

  it('refuses an unknown channel as channel_not_found', async () => {
    const linking = slack.chat.getPermalink({ channel: 'C0NOWHERE', message_ts: '1.000100' });

    await expect(linking).rejects.toMatchObject(platformError('channel_not_found'));
  });
});

describe('users.lookupByEmail', () => {
  it('finds a person by email, ignoring case', async () => {
    const found = await slack.users.lookupByEmail({ email: 'Sam@Example.com' });

    expect(found.user).toMatchObject({
      id: SAM,
      name: 'sam',
      profile: { email: 'sam@example.com' },
    });
  });

  it('answers users_not_found for an unknown email', async () => {
    const looking = slack.users.lookupByEmail({ email: 'nobody@example.com' });

    await expect(looking).rejects.toMatchObject(platformError('users_not_found'));
  });
});

describe('views.open', () => {
  const open = (triggerId: string, view: unknown = modal()) =>
    slack.apiCall('views.open', { trigger_id: triggerId, view });

  it('opens a modal with a fresh trigger_id and keeps it for the test', async () => {
    const triggerId = standIn.issueTriggerId(PAT);

    const opened = await open(triggerId);

    expect(triggerId).toMatch(/^\d{10}\.\d{10}\.[0-9a-f]{32}$/);
    expect(viewIn(opened)).toMatchObject({
      id: expect.stringMatching(/^V0\d{9}$/),
      type: 'modal',
      callback_id: 'incident_declare',
      private_metadata: '{"channel_id":"C0ALERTS01"}',
      state: { values: {} },
      hash: expect.any(String),
      title: { type: 'plain_text', text: 'Declare incident' },
    });
    expect(standIn.lastView('incident_declare')).toMatchObject({
      id: viewIn(opened).id,
      type: 'modal',
      user: PAT,
      view: modal(),
    });
  });

  it('refuses a trigger_id it never issued as invalid_trigger_id', async () => {
    const opening = open('1700000000.1000000000.0123456789abcdef0123456789abcdef');

    await expect(opening).rejects.toMatchObject(platformError('invalid_trigger_id'));
    expect(standIn.views()).toEqual([]);
  });

  it('refuses a trigger_id used before as exchanged_trigger_id', async () => {
    const triggerId = standIn.issueTriggerId();
    await open(triggerId);

    const reopening = open(triggerId);

    await expect(reopening).rejects.toMatchObject(platformError('exchanged_trigger_id'));
    expect(standIn.views()).toHaveLength(1);
  });

  it('refuses a trigger_id older than triggerTtlMs as expired_trigger_id', async () => {
    const hasty = await SlackStandIn.start({ triggerTtlMs: 20 });
    onTestFinished(() => hasty.close());
    const client = clientFor(hasty);
    const triggerId = hasty.issueTriggerId();
    await sleep(40);

    const opening = client.apiCall('views.open', { trigger_id: triggerId, view: modal() });

    await expect(opening).rejects.toMatchObject(platformError('expired_trigger_id'));
  });

  const text = (length: number) => ({ type: 'plain_text', text: 'x'.repeat(length) });
  const input = (fields: Record<string, unknown>) => ({ blocks: [{ type: 'input', ...fields }] });
  const label = { type: 'plain_text', text: 'Title' };
  const element = { type: 'plain_text_input', action_id: 'title_input' };

  it.each([
    ['a 25-character title', { title: text(25) }, '/view/title/text'],
    ['a mrkdwn title', { title: { type: 'mrkdwn', text: 'Declare' } }, '/view/title/type'],
    ['no title', { title: undefined }, '/view'],
    ['a 25-character submit', { submit: text(25) }, '/view/submit/text'],
    ['a 25-character close', { close: text(25) }, '/view/close/text'],
    ['a 256-character callback_id', { callback_id: 'x'.repeat(256) }, '/view/callback_id'],
    ['a 3001-character metadata', { private_metadata: 'x'.repeat(3001) }, '/view/private_metadata'],
    ['101 blocks', { blocks: dividers(101) }, '/view/blocks'],
    ['type home', { type: 'home' }, '/view/type'],
    ['an input block without label', input({ element }), '/view/blocks/0'],
    ['an input block without element', input({ label }), '/view/blocks/0'],
    ['a 2001-character label', input({ label: text(2001), element }), '/view/blocks/0/label/text'],
    ['input blocks but no submit', { submit: undefined }, '/view'],
  ])('refuses %s as invalid_arguments naming the pointer', async (_what, overrides, pointer) => {
    const triggerId = standIn.issueTriggerId();

    const opening = open(triggerId, modal(overrides));

    await expect(opening).rejects.toMatchObject(invalidArguments(pointer));
    expect(standIn.views()).toEqual([]);
  });

  it('accepts a modal exactly at the limits', async () => {
    const view = modal({
      title: { type: 'plain_text', text: 'x'.repeat(24) },
      callback_id: 'x'.repeat(255),
      private_metadata: 'x'.repeat(3000),
      blocks: [...modal().blocks, ...dividers(99)],
    });

    const opened = await open(standIn.issueTriggerId(), view);

    expect(opened.ok).toBe(true);
  });

  it('refuses a view over 250,000 characters as view_too_large', async () => {
    const view = modal({ private_metadata: 'x'.repeat(250_001) });

    const opening = open(standIn.issueTriggerId(), view);

    await expect(opening).rejects.toMatchObject(platformError('view_too_large'));
  });

  it('refuses a view that is not JSON as invalid_arguments', async () => {
    const opening = open(standIn.issueTriggerId(), '{not json');

    await expect(opening).rejects.toMatchObject(invalidArguments('/view'));
  });

  it('keeps the trigger_id usable after a refused view', async () => {
    const triggerId = standIn.issueTriggerId();
    await open(triggerId, modal({ title: undefined })).catch(() => undefined);

    const opened = await open(triggerId);

    expect(opened.ok).toBe(true);
  });
});

describe('views.update and views.publish', () => {
  const openModal = async () => {
    const opened = await slack.apiCall('views.open', {
      trigger_id: standIn.issueTriggerId(PAT),
      view: modal(),
    });
    return viewIn(opened);
  };

  it('replaces an open view and gives it a new hash', async () => {
    const { id, hash } = await openModal();
    const view = modal({ title: { type: 'plain_text', text: 'Declared' }, blocks: [] });

    const updated = await slack.apiCall('views.update', { view_id: id, hash, view });

    expect(viewIn(updated)).toMatchObject({ id, title: { text: 'Declared' } });
    expect(viewIn(updated).hash).not.toBe(hash);
    expect(standIn.lastView()).toMatchObject({ id, view, updatedAt: expect.any(Number) });
    expect(standIn.views()).toHaveLength(1);
  });

  it('refuses an unknown view_id as not_found', async () => {
    const updating = slack.apiCall('views.update', { view_id: 'V0999999999', view: modal() });

    await expect(updating).rejects.toMatchObject(platformError('not_found'));
  });

  it('refuses a stale hash as hash_conflict', async () => {
    const { id } = await openModal();

    const updating = slack.apiCall('views.update', { view_id: id, hash: '1.stale', view: modal() });

    await expect(updating).rejects.toMatchObject(platformError('hash_conflict'));
  });

  it('checks the new view like views.open does', async () => {
    const { id } = await openModal();
    const view = modal({ title: { type: 'plain_text', text: 'x'.repeat(25) } });

    const updating = slack.apiCall('views.update', { view_id: id, view });

    await expect(updating).rejects.toMatchObject(invalidArguments('/view/title/text'));
    expect(standIn.lastView()?.view).toEqual(modal());
  });

  it('publishes a Home tab per user and replaces it on the next publish', async () => {
    const first = await slack.apiCall('views.publish', { user_id: PAT, view: home() });
    const view = home({ blocks: [section('*Open incidents*: INC-42')] });

    const second = await slack.apiCall('views.publish', { user_id: PAT, view });

    expect(viewIn(second)).toMatchObject({ id: viewIn(first).id, type: 'home' });
    expect(standIn.homeView(PAT)).toMatchObject({ type: 'home', user: PAT, view });
    expect(standIn.homeView(SAM)).toBeUndefined();
    expect(standIn.lastView()).toBeUndefined();
  });

  it('refuses to publish for an unknown user as user_not_found', async () => {
    const publishing = slack.apiCall('views.publish', { user_id: 'U0NOBODY1', view: home() });

    await expect(publishing).rejects.toMatchObject(platformError('user_not_found'));
  });

  it.each([
    ['a modal', modal(), '/view/type'],
    ['101 blocks', home({ blocks: dividers(101) }), '/view/blocks'],
  ])('refuses to publish %s as invalid_arguments', async (_what, view, pointer) => {
    const publishing = slack.apiCall('views.publish', { user_id: PAT, view });

    await expect(publishing).rejects.toMatchObject(invalidArguments(pointer));
    expect(standIn.homeView(PAT)).toBeUndefined();
  });
});

describe('file uploads', () => {
  const timeline = '# INC-42\n- 10:02 checkout is down\n- 10:07 rolled back ✅\n';
  const invalidArgumentsSaying = (text: string) => ({
    data: {
      error: 'invalid_arguments',
      response_metadata: { messages: [expect.stringContaining(text)] },
    },
  });

  /** Step 1: announces `content`'s byte length (unless `length` is given). */
  async function announce(content: string, length = Buffer.byteLength(content)) {
    const ticket = await slack.files.getUploadURLExternal({ filename: 'timeline.md', length });
    return { uploadUrl: ticket.upload_url!, fileId: ticket.file_id! };
  }

  /** Steps 1 and 2: announces and uploads `content`; answers the file id. */
  async function uploaded(content = timeline): Promise<string> {
    const { uploadUrl, fileId } = await announce(content);
    const response = await fetch(uploadUrl, { method: 'POST', body: content });
    expect(response.status).toBe(200);
    return fileId;
  }

  it('uploads in three steps and shares the file in a thread with a comment', async () => {
    const parent = await slack.chat.postMessage({ channel: ALERTS, text: 'INC-42 resolved' });

    const ticket = await slack.files.getUploadURLExternal({
      filename: 'timeline.md',
      length: Buffer.byteLength(timeline),
    });
    const response = await fetch(ticket.upload_url!, { method: 'POST', body: timeline });
    const completed = await slack.files.completeUploadExternal({
      files: [{ id: ticket.file_id!, title: 'INC-42 timeline' }],
      channel_id: ALERTS,
      initial_comment: 'Timeline attached',
      thread_ts: parent.ts!,
    });

    const port = new URL(standIn.url).port;
    expect(ticket.file_id).toMatch(/^F0\d{9}$/);
    expect(ticket.upload_url).toBe(`http://127.0.0.1:${port}/upload/${ticket.file_id}`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(`OK - ${Buffer.byteLength(timeline)}`);
    expect(completed.files).toEqual([
      expect.objectContaining({
        id: ticket.file_id,
        title: 'INC-42 timeline',
        name: 'timeline.md',
        size: Buffer.byteLength(timeline),
        permalink: `https://sandbox.slack.invalid/files/${BOT}/${ticket.file_id}/timeline.md`,
      }),
    ]);
    expect(standIn.files()).toEqual([
      {
        id: ticket.file_id,
        filename: 'timeline.md',
        title: 'INC-42 timeline',
        content: timeline,
        completed: true,
        channel: ALERTS,
        threadTs: parent.ts,
      },
    ]);
    expect(standIn.replies(ALERTS, parent.ts!)).toEqual([
      expect.objectContaining({
        user: BOT,
        text: 'Timeline attached',
        files: [{ id: ticket.file_id, name: 'timeline.md', title: 'INC-42 timeline' }],
      }),
    ]);
  });

  it('keeps a file without channel_id private: no message, titled after its name', async () => {
    const fileId = await uploaded();

    const completed = await slack.files.completeUploadExternal({ files: [{ id: fileId }] });

    expect(completed.files).toEqual([
      expect.objectContaining({ id: fileId, title: 'timeline.md' }),
    ]);
    expect(standIn.files()[0]).toMatchObject({ completed: true, title: 'timeline.md' });
    expect(standIn.files()[0]).not.toHaveProperty('channel');
    expect(standIn.messages(ALERTS)).toEqual([]);
  });

  it('shares a top-level message that history lists with its files', async () => {
    const fileId = await uploaded();

    await slack.files.completeUploadExternal({ files: [{ id: fileId }], channel_id: ALERTS });
    const history = await slack.conversations.history({ channel: ALERTS });

    expect(history.messages).toEqual([
      expect.objectContaining({
        bot_id: 'B0FIREBRK',
        text: '',
        files: [expect.objectContaining({ id: fileId })],
      }),
    ]);
  });

  it.each(['file', 'filename'])('takes the %s part of a multipart upload', async (field) => {
    const { uploadUrl, fileId } = await announce(timeline);
    const form = new FormData();
    form.append('channel', 'ignored');
    form.append(field, new Blob([timeline]), 'timeline.md');

    const response = await fetch(uploadUrl, { method: 'POST', body: form });

    expect(await response.text()).toBe(`OK - ${Buffer.byteLength(timeline)}`);
    expect(standIn.files()[0]).toMatchObject({ id: fileId, content: timeline, completed: false });
  });

  it('answers 400 for a multipart upload without a file part', async () => {
    const { uploadUrl } = await announce(timeline);
    const form = new FormData();
    form.append('title', 'no file here');

    const response = await fetch(uploadUrl, { method: 'POST', body: form });

    expect(response.status).toBe(400);
    expect(standIn.files()[0]?.content).toBe('');
  });

  it('serves WebClient files.uploadV2, which runs the same three steps', async () => {
    const result = await slack.files.uploadV2({
      channel_id: ALERTS,
      content: timeline,
      filename: 'timeline.md',
      title: 'INC-42 timeline',
      initial_comment: 'Timeline attached',
    });

    expect(result.ok).toBe(true);
    expect(standIn.files()).toEqual([
      expect.objectContaining({ content: timeline, channel: ALERTS, title: 'INC-42 timeline' }),
    ]);
    expect(standIn.messages(ALERTS)).toEqual([
      expect.objectContaining({ text: 'Timeline attached' }),
    ]);
  });

  it('answers 404 for a file id it never handed out and 405 for anything but POST', async () => {
    const { uploadUrl } = await announce(timeline);

    const unknown = await fetch(uploadUrl.replace(/F0\d+$/, 'F0999999999'), {
      method: 'POST',
      body: timeline,
    });
    const fetched = await fetch(uploadUrl);

    expect(unknown.status).toBe(404);
    expect(fetched.status).toBe(405);
    expect(standIn.files()[0]?.content).toBe('');
  });

  it.each([
    ['a missing filename', 'invalid_arguments', { length: 10 }],
    ['a missing length', 'invalid_arguments', { filename: 'a.txt' }],
    ['a length that is not an integer', 'invalid_arguments', { filename: 'a.txt', length: 'ten' }],
    ['a negative length', 'invalid_arguments', { filename: 'a.txt', length: -1 }],
    ['a length of 0', 'missing_argument', { filename: 'a.txt', length: 0 }],
    [
      'alt_txt over 1000 characters',
      'alt_txt_too_large',
      { filename: 'a.png', length: 1, alt_txt: 'x'.repeat(1001) },
    ],
  ])('refuses an upload URL for %s as %s', async (_what, error, args) => {
    const asking = slack.apiCall('files.getUploadURLExternal', args);

    await expect(asking).rejects.toMatchObject(platformError(error));
    expect(standIn.files()).toEqual([]);
  });

  it('refuses an unknown file id as file_not_found', async () => {
    const completing = slack.files.completeUploadExternal({ files: [{ id: 'F0999999999' }] });

    await expect(completing).rejects.toMatchObject(platformError('file_not_found'));
  });

  it('refuses to complete a file twice as file_not_found, and its URL is spent', async () => {
    const { uploadUrl, fileId } = await announce(timeline);
    await fetch(uploadUrl, { method: 'POST', body: timeline });
    await slack.files.completeUploadExternal({ files: [{ id: fileId }] });

    const again = await slack.files
      .completeUploadExternal({ files: [{ id: fileId }] })
      .catch((error: unknown) => error);
    const reupload = await fetch(uploadUrl, { method: 'POST', body: timeline });

    expect(again).toMatchObject(platformError('file_not_found'));
    expect(reupload.status).toBe(404);
  });

  it('refuses a file whose bytes never arrived as invalid_arguments', async () => {
    const { fileId } = await announce(timeline);

    const completing = slack.files.completeUploadExternal({ files: [{ id: fileId }] });

    await expect(completing).rejects.toMatchObject(invalidArgumentsSaying('nothing was uploaded'));
    expect(standIn.files()[0]?.completed).toBe(false);
  });

  it('refuses a file whose bytes differ from the announced length as invalid_arguments', async () => {
    const { uploadUrl, fileId } = await announce(timeline, 5);
    await fetch(uploadUrl, { method: 'POST', body: timeline });

    const completing = slack.files.completeUploadExternal({ files: [{ id: fileId }] });

    await expect(completing).rejects.toMatchObject(
      invalidArgumentsSaying(`${Buffer.byteLength(timeline)} bytes uploaded, 5 announced`),
    );
  });

  it.each([
    ['an unknown channel', 'channel_not_found', 'C0NOWHERE'],
    ['a private channel the bot is not in', 'channel_not_found', 'G0SECRET01'],
    ['a channel the bot is not in', 'not_in_channel', OPS],
    ['an archived channel', 'is_archived', OLD],
  ])('refuses to share in %s as %s, completing nothing', async (_what, error, channel) => {
    standIn.addChannel({ id: OPS, name: 'ops' });
    standIn.addChannel({ id: OLD, name: 'old', isMember: true, isArchived: true });
    standIn.addChannel({ id: 'G0SECRET01', name: 'secret', isPrivate: true });
    const fileId = await uploaded();

    const sharing = slack.files.completeUploadExternal({
      files: [{ id: fileId }],
      channel_id: channel,
      initial_comment: 'Timeline attached',
    });

    await expect(sharing).rejects.toMatchObject(platformError(error));
    expect(standIn.files()[0]?.completed).toBe(false);
    expect(standIn.messages(channel)).toEqual([]);
  });

  it('refuses a channel name for channel_id, and a thread that is not there', async () => {
    const fileId = await uploaded();

    const failure = (error: unknown) => error;
    const byName = await slack.files
      .completeUploadExternal({ files: [{ id: fileId }], channel_id: 'alerts' })
      .catch(failure);
    const orphan = await slack.files
      .completeUploadExternal({
        files: [{ id: fileId }],
        channel_id: ALERTS,
        thread_ts: '1700000000.000100',
      })
      .catch(failure);

    expect(byName).toMatchObject(invalidArgumentsSaying('[json-pointer:/channel_id]'));
    expect(orphan).toMatchObject(platformError('thread_not_found'));
  });

  it('accepts files as a JSON string in a JSON body', async () => {
    const fileId = await uploaded();

    const response = await fetch(`${standIn.url}files.completeUploadExternal`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ files: JSON.stringify([{ id: fileId, title: 'T' }]) }),
    });

    expect(await response.json()).toMatchObject({ ok: true, files: [{ id: fileId, title: 'T' }] });
  });

  it('returns copies, and reset forgets files', async () => {
    await uploaded();

    standIn.files()[0]!.content = 'changed';
    const before = standIn.files();
    standIn.reset();

    expect(before[0]?.content).toBe(timeline);
    expect(standIn.files()).toEqual([]);
  });
});

describe('stand-in state for tests', () => {
  it("adds, edits and deletes a person's messages without any API call", async () => {
    const ts = standIn.postUserMessage(ALERTS, { user: PAT, text: 'checkout is down' });
    const replyTs = standIn.postUserMessage(ALERTS, { user: SAM, text: 'on it', threadTs: ts });
    standIn.editUserMessage(ALERTS, ts, 'checkout is down in eu');

    const history = await slack.conversations.history({ channel: ALERTS });

    expect(history.messages).toEqual([
      expect.objectContaining({
        user: PAT,
        text: 'checkout is down in eu',
        reply_count: 1,
        edited: expect.objectContaining({ user: PAT }),
      }),
    ]);
    expect(standIn.replies(ALERTS, ts)).toEqual([
      expect.objectContaining({ ts: replyTs, user: SAM, text: 'on it', edited: 0 }),
    ]);
    expect(standIn.calls.map((call) => call.method)).toEqual(['conversations.history']);
  });

  it('deletes a message together with its pin', async () => {
    const ts = standIn.postUserMessage(ALERTS, { user: PAT, text: 'checkout is down' });
    await slack.pins.add({ channel: ALERTS, timestamp: ts });

    standIn.deleteMessage(ALERTS, ts);

    expect(standIn.messages(ALERTS)).toEqual([]);
    expect(standIn.channel(ALERTS)?.pins).toEqual([]);
  });

  it('throws on an unknown channel, message or thread instead of inventing one', () => {
    const message = { user: PAT, text: 'x' };
    const orphan = { ...message, threadTs: '1.000100' };

    expect(() => standIn.postUserMessage('C0NOWHERE', message)).toThrow(/unknown channel/);
    expect(() => standIn.postUserMessage(ALERTS, orphan)).toThrow(/no top-level message/);
    expect(() => standIn.editUserMessage(ALERTS, '1.000100', 'x')).toThrow(/no message/);
    expect(() => standIn.deleteMessage(ALERTS, '1.000100')).toThrow(/no message/);
    expect(() => standIn.archiveChannel('nowhere')).toThrow(/unknown channel/);
  });

  it('returns copies of channel state', () => {
    standIn.addChannel({ id: OPS, name: 'ops', isMember: true, members: [PAT] });

    standIn.channel(OPS)!.members.push(SAM);

    expect(standIn.channel('ops')?.members).toEqual([PAT]);
    expect(standIn.channel('nowhere')).toBeUndefined();
  });

  it('reset clears views and trigger ids but keeps topics and bookmarks', async () => {
    const triggerId = standIn.issueTriggerId();
    await slack.apiCall('views.open', { trigger_id: standIn.issueTriggerId(), view: modal() });
    await slack.conversations.setTopic({ channel: ALERTS, topic: 'INC-42' });

    standIn.reset();

    const opening = slack.apiCall('views.open', { trigger_id: triggerId, view: modal() });
    await expect(opening).rejects.toMatchObject(platformError('invalid_trigger_id'));
    expect(standIn.views()).toEqual([]);
    expect(standIn.channel(ALERTS)?.topic).toBe('INC-42');
  });
});

describe('payload builders', () => {
  it('builds a view_submission payload from the modal the bot opened', async () => {
    await slack.apiCall('views.open', { trigger_id: standIn.issueTriggerId(PAT), view: modal() });
    const opened = standIn.lastView('incident_declare')!;
    const values = { title: { title_input: { type: 'plain_text_input', value: 'Checkout down' } } };

    const payload = viewSubmissionPayload({ view: opened, values, user: { id: PAT, name: 'pat' } });

    expect(payload).toMatchObject({
      type: 'view_submission',
      user: { id: PAT, username: 'pat', name: 'pat', team_id: 'T0SANDBOX' },
      team: { id: 'T0SANDBOX' },
      view: {
        id: opened.id,
        hash: opened.hash,
        type: 'modal',
        callback_id: 'incident_declare',
        private_metadata: '{"channel_id":"C0ALERTS01"}',
        blocks: modal().blocks,
        state: { values },
      },
    });
  });

  it("builds a message_action payload for a person's message", () => {
    const ts = standIn.postUserMessage(ALERTS, { user: SAM, text: 'checkout is down' });
    const triggerId = standIn.issueTriggerId(PAT);

    const payload = messageShortcutPayload({
      callbackId: 'declare_from_message',
      channel: ALERTS,
      message: { ts, text: 'checkout is down', user: SAM },
      user: { id: PAT, name: 'pat' },
      triggerId,
    });

    expect(payload).toMatchObject({
      type: 'message_action',
      callback_id: 'declare_from_message',
      trigger_id: triggerId,
      message_ts: ts,
      channel: { id: ALERTS, name: 'alerts' },
      user: { id: PAT, name: 'pat' },
      message: { type: 'message', ts, text: 'checkout is down', user: SAM },
      response_url: 'http://127.0.0.1:9/unused',
    });
  });

  it('wraps an event in an event_callback envelope signed as JSON', () => {
    const event = { type: 'message', channel: ALERTS, user: PAT, text: 'hi', ts: '1.000100' };
    const body = eventCallbackBody(event, 'Ev0TEST0001');

    const headers = slackJsonSignatureHeaders('secret', body, 1_700_000_000);

    expect(JSON.parse(body)).toMatchObject({
      type: 'event_callback',
      team_id: 'T0SANDBOX',
      api_app_id: 'A0FIREBRK',
      event_id: 'Ev0TEST0001',
      event_time: expect.any(Number),
      event,
    });
    const digest = createHmac('sha256', 'secret').update(`v0:1700000000:${body}`).digest('hex');
    expect(headers).toEqual({
      'Content-Type': 'application/json',
      'X-Slack-Request-Timestamp': '1700000000',
      'X-Slack-Signature': `v0=${digest}`,
    });
  });

  it('lets a button click carry a real trigger_id and message ts', () => {
    const triggerId = standIn.issueTriggerId(PAT);

    const payload = buttonClickPayload({
      actionId: 'incident_ack',
      value: 'INC-42',
      user: { id: PAT, name: 'pat' },
      channel: ALERTS,
      triggerId,
      messageTs: '1700000000.000100',
    });

    expect(payload).toMatchObject({
      trigger_id: triggerId,
      container: { message_ts: '1700000000.000100' },
    });
  });
});
