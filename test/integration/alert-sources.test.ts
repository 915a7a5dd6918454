import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ALERTS, eventually, fixture, startHarness, WEBHOOK_TOKEN } from '../support/harness.ts';
import type { Harness } from '../support/harness.ts';

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures');
const CERT_URL =
  'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-2fa560267aff7849704eaaa72e572734.pem';
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:incident-bot-alarms';
const SENTRY_SECRET = 'fixture-sentry-client-secret';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function text(name: string) {
  return (await fixture(name)).toString('utf8');
}

function bot() {
  if (!h) throw new Error('not started');
  return h;
}

async function post(route: string, body: string, headers: Record<string, string>) {
  const res = await fetch(`${bot().url}/webhooks/${route}`, { method: 'POST', headers, body });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const bearer = (token = WEBHOOK_TOKEN) => ({
  authorization: `Bearer ${token}`,
  'content-type': 'application/json',
});

function onlyIncident() {
  const [incident] = bot().bot.incidents.list({ all: true });
  if (!incident) throw new Error('no incident');
  return incident;
}

describe('Alert sources through the bot', () => {
  it('takes Grafana: firing, repeated, resolved, with its dashboard and silence links', async () => {
    h = await startHarness({ env: { GRAFANA_WEBHOOK_TOKEN: 'grafana-only-token-0123456789' } });
    const firing = await text('grafana/firing.json');

    const refused = await post('grafana', firing, bearer());
    expect(refused.status).toBe(401);
    expect(refused.body.message).toContain('GRAFANA_WEBHOOK_TOKEN');
    const token = bearer('grafana-only-token-0123456789');
    expect((await post('grafana', firing, token)).body).toMatchObject({ status: 'accepted' });
    expect((await post('grafana', firing, token)).body).toMatchObject({ created: false });
    await post('grafana', await text('grafana/resolved.json'), token);

    const incident = onlyIncident();
    expect(incident).toMatchObject({ source: 'grafana', status: 'resolved', severity: 'critical' });
    expect(
      incident.links
        .concat(...Object.values(incident.alerts).map((a) => a.links))
        .map((l) => l.title),
    ).toEqual(expect.arrayContaining(['Dashboard', 'Silence']));
    const kinds = (await bot().bot.incidents.timeline(incident.id)).map((e) => e.kind);
    expect(kinds).toContain('alert.repeated');
    await eventually(() => bot().slack.topLevelMessages(ALERTS).length === 1);
  });

  it('takes Datadog’s documented template: triggered, then recovered', async () => {
    h = await startHarness();

    const triggered = await post('datadog', await text('datadog/triggered.json'), bearer());
    expect(triggered.body).toMatchObject({ status: 'accepted', created: true });
    await post('datadog', await text('datadog/recovered.json'), bearer());

    expect(onlyIncident()).toMatchObject({ source: 'datadog', status: 'resolved' });
  });

  it('takes Sentry issue alerts signed with the client secret, on the raw bytes (F02)', async () => {
    h = await startHarness({ env: { SENTRY_CLIENT_SECRET: SENTRY_SECRET } });
    const body = await text('sentry/issue-alert-triggered.json');
    const signature = createHmac('sha256', SENTRY_SECRET).update(body).digest('hex');
    const headers = {
      'content-type': 'application/json',
      'sentry-hook-resource': 'event_alert',
      'sentry-hook-signature': signature,
    };

    const forged = await post('sentry', `${body} `, headers);
    expect(forged.status).toBe(401);
    expect(bot().bot.incidents.list({ all: true })).toHaveLength(0);
    const accepted = await post('sentry', body, headers);

    expect(accepted).toMatchObject({
      status: 202,
      body: { status: 'accepted', incident: 'INC-1' },
    });
    expect(onlyIncident()).toMatchObject({ source: 'sentry', status: 'triggered' });
  });

  it('takes CloudWatch alarms through SNS as text/plain, signature checked with a cached certificate (F10)', async () => {
    const fetched: string[] = [];
    const cert = await readFile(
      path.join(FIXTURES, 'cloudwatch', 'sns-test-signing-cert.pem'),
      'utf8',
    );
    h = await startHarness({
      env: { CLOUDWATCH_TOPIC_ARNS: TOPIC },
      fetchSnsText: (url) => {
        fetched.push(url);
        return url === CERT_URL ? Promise.resolve(cert) : Promise.reject(new Error('no'));
      },
    });
    const plain = { 'content-type': 'text/plain; charset=UTF-8' };

    const alarm = await post('cloudwatch', await text('cloudwatch/sns-alarm.json'), plain);
    expect(alarm).toMatchObject({ status: 202, body: { status: 'accepted' } });
    await post('cloudwatch', await text('cloudwatch/sns-ok.json'), plain);

    expect(onlyIncident()).toMatchObject({ source: 'cloudwatch', status: 'resolved' });
    expect(fetched).toEqual([CERT_URL]);
    // SNS redelivering the ALARM (or someone replaying it) does not re-fire the resolved alarm.
    const again = await post('cloudwatch', await text('cloudwatch/sns-alarm.json'), plain);
    expect(again).toMatchObject({ status: 202, body: { status: 'duplicate' } });
    expect(onlyIncident()).toMatchObject({ status: 'resolved' });
    const tampered = (await text('cloudwatch/sns-alarm.json')).replace('ALARM', 'OK');
    expect((await post('cloudwatch', tampered, plain)).status).toBe(401);
  });

  it('does not fetch a confirmation address that is not Amazon SNS', async () => {
    const fetched: string[] = [];
    h = await startHarness({
      env: { CLOUDWATCH_TOPIC_ARNS: TOPIC },
      fetchSnsText: (url) => {
        fetched.push(url);
        return Promise.reject(new Error('no'));
      },
    });
    const confirmation = JSON.parse(await text('cloudwatch/sns-subscription-confirmation.json'));
    confirmation.SubscribeURL = 'https://sns.eu-west-1.amazonaws.com.evil.test/?Action=Confirm';

    const refused = await post('cloudwatch', JSON.stringify(confirmation), {
      'content-type': 'text/plain',
    });

    expect(refused.status).toBe(400);
    expect(fetched).toEqual([]);
  });

  it('keeps Sentry and CloudWatch off until configured', async () => {
    h = await startHarness();

    const sentry = await post('sentry', '{}', { 'content-type': 'application/json' });
    const cloudwatch = await post('cloudwatch', '{}', { 'content-type': 'application/json' });

    expect(sentry).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect(sentry.body.message).toContain('set SENTRY_CLIENT_SECRET to turn it on');
    expect(cloudwatch.body.message).toContain('set CLOUDWATCH_TOPIC_ARNS to turn it on');
  });
});

describe('Every signed webhook checks the bytes as they arrived (F02)', () => {
  const SECRET = 'one-secret-for-every-tool-0123456789';
  /** JSON as some senders write it: spaces after colons, `\/` and `\u00e9` escapes. */
  function oddlyEncoded(json: string) {
    return JSON.stringify(JSON.parse(json), null, 1)
      .replace(/":/g, '": ')
      .replace(/\//g, '\\/')
      .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  }
  const hmac = (body: string) => createHmac('sha256', SECRET).update(body).digest('hex');

  it.each([
    [
      'pagerduty',
      'pagerduty/incident-triggered.json',
      (b: string) => ({ 'x-pagerduty-signature': `v1=${hmac(b)}` }),
    ],
    [
      'jira',
      'jira/issue-updated-status.json',
      (b: string) => ({ 'x-hub-signature': `sha256=${hmac(b)}` }),
    ],
    [
      'github',
      'github/issue-comment-created.json',
      (b: string) => ({
        'x-hub-signature-256': `sha256=${hmac(b)}`,
        'x-github-event': 'issue_comment',
      }),
    ],
    [
      'sentry',
      'sentry/issue-alert-triggered.json',
      (b: string) => ({ 'sentry-hook-signature': hmac(b), 'sentry-hook-resource': 'event_alert' }),
    ],
  ])('%s: accepted as sent, refused with one byte changed', async (route, name, sign) => {
    h = await startHarness({
      env: {
        PAGERDUTY_WEBHOOK_SECRET: SECRET,
        JIRA_BASE_URL: 'http://127.0.0.1:9',
        JIRA_EMAIL: 'bot@example.com',
        JIRA_API_TOKEN: 'token',
        JIRA_PROJECT_KEY: 'OPS',
        JIRA_WEBHOOK_SECRET: SECRET,
        GITHUB_TOKEN: 'token',
        GITHUB_REPOSITORY: 'acme/checkout',
        GITHUB_API_URL: 'http://127.0.0.1:9',
        GITHUB_WEBHOOK_SECRET: SECRET,
        SENTRY_CLIENT_SECRET: SECRET,
      },
    });
    const body = oddlyEncoded(await text(name));
    const headers = { 'content-type': 'application/json', ...sign(body) };

    const accepted = await post(route, body, headers);
    const tampered = await post(route, body.replace('": ', '":  '), headers);

    expect(accepted.status).toBe(202);
    expect(tampered).toMatchObject({ status: 401, body: { error: 'bad_signature' } });
  });
});
