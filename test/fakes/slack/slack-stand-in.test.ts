import { LogLevel, WebClient, type Logger } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';

import { SlackStandIn, type RecordedCall } from './slack-stand-in.ts';

const TOKEN = 'xoxb-sandbox-token';
const ALERTS = 'C0ALERTS01';

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
