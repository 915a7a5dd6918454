import { isValidSlackRequest } from '@slack/bolt';
import { describe, expect, it } from 'vitest';

import { interactionBody, slackSignatureHeaders, slashCommandBody } from './sign.ts';

const SECRET = 'sandbox-signing-secret';

function boltAccepts(headers: Record<string, string>, body: string, secret = SECRET): boolean {
  return isValidSlackRequest({
    signingSecret: secret,
    body,
    headers: {
      'x-slack-signature': headers['X-Slack-Signature']!,
      'x-slack-request-timestamp': Number(headers['X-Slack-Request-Timestamp']),
    },
  });
}

describe('slackSignatureHeaders', () => {
  it("signs a body so that Bolt's own verifier accepts it", () => {
    const body = slashCommandBody({ text: 'declare checkout down' });

    const headers = slackSignatureHeaders(SECRET, body);

    expect(boltAccepts(headers, body)).toBe(true);
    expect(headers['Content-Type']).toBe('application/x-www-form-urlencoded');
  });

  it('produces a signature Bolt rejects for another secret or a stale timestamp', () => {
    const body = interactionBody({ type: 'block_actions' });
    const tenMinutesAgo = Math.floor(Date.now() / 1000) - 600;

    const stale = slackSignatureHeaders(SECRET, body, tenMinutesAgo);
    const fresh = slackSignatureHeaders(SECRET, body);

    expect(boltAccepts(stale, body)).toBe(false);
    expect(boltAccepts(fresh, body, 'another-secret')).toBe(false);
  });

  it('follows the documented recipe for a fixed timestamp', () => {
    const headers = slackSignatureHeaders('secret', 'a=b', 1_700_000_000);

    expect(headers['X-Slack-Request-Timestamp']).toBe('1700000000');
    expect(headers['X-Slack-Signature']).toMatch(/^v0=[0-9a-f]{64}$/);
  });
});

describe('request bodies', () => {
  it('interactionBody carries the payload as JSON in one form field', () => {
    const payload = { type: 'block_actions', actions: [{ action_id: 'ack', value: 'INC-7 & co' }] };

    const body = interactionBody(payload);

    expect([...new URLSearchParams(body).keys()]).toEqual(['payload']);
    expect(JSON.parse(new URLSearchParams(body).get('payload')!)).toEqual(payload);
  });

  it('slashCommandBody fills sandbox defaults and lets fields override them', () => {
    const body = new URLSearchParams(
      slashCommandBody({ text: 'declare sev1', user_id: 'U0SAM0001' }),
    );

    expect(body.get('command')).toBe('/incident');
    expect(body.get('text')).toBe('declare sev1');
    expect(body.get('user_id')).toBe('U0SAM0001');
    expect(body.get('channel_id')).toBe('C0ALERTS01');
    expect(body.get('response_url')).toBe('http://127.0.0.1:9/unused');
    expect(body.get('trigger_id')).toBeTruthy();
  });
});
