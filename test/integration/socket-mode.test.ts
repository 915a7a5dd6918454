import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFirebreak } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { SlackSocketStandIn } from '../fakes/slack-socket/slack-socket-stand-in.ts';
import { buttonClickPayload, eventCallbackBody, slashCommandBody } from '../fakes/slack/sign.ts';
import { SlackStandIn } from '../fakes/slack/slack-stand-in.ts';
import {
  ALERTS,
  botEnv,
  eventually,
  fixture,
  PAT,
  startHarness,
  TOKEN,
  type Harness,
} from '../support/harness.ts';
import { memoryLogger } from '../support/memory-logger.ts';

const APP_TOKEN = 'xapp-1-A0FIREBRK-1-test';

let socket: SlackSocketStandIn;
let h: Harness;

/** The payload of a slash_commands envelope: the fields of the HTTP form, as JSON. */
function slashCommand(text: string) {
  const fields = new URLSearchParams(
    slashCommandBody({ text, trigger_id: h.slack.issueTriggerId(PAT.id) }),
  );
  return Object.fromEntries(fields);
}

function click(actionId: string, incidentId: string) {
  const triggerId = h.slack.issueTriggerId(PAT.id);
  return buttonClickPayload({ actionId, value: incidentId, user: PAT, channel: ALERTS, triggerId });
}

describe('Socket Mode (SLACK_APP_TOKEN)', () => {
  beforeEach(async () => {
    socket = await SlackSocketStandIn.start({ appToken: APP_TOKEN });
    h = await startHarness({
      env: { SLACK_APP_TOKEN: APP_TOKEN, SLACK_SIGNING_SECRET: '' },
      // A short ping timeout is also a short wait before each reconnect.
      slackSocket: { apiUrl: socket.apiUrl, clientPingTimeoutMs: 600 },
    });
  });

  afterEach(async () => {
    await h.close();
    await socket.close();
  });

  it('connects with the app-level token and does not serve /slack/events', async () => {
    const res = await fetch(`${h.url}/slack/events`, { method: 'POST', body: 'payload=%7B%7D' });

    expect(socket.opens).toEqual([{ authorized: true }]);
    expect(socket.connected).toBe(true);
    expect(res.status).toBe(404);
    expect(h.slack.callsTo('apps.connections.open')).toHaveLength(0);
  });

  it('declares an incident from a slash command envelope and acknowledges it in time', async () => {
    const ack = await socket.deliver('slash_commands', slashCommand('declare sev2 Socket test'));
    await h.settle();

    expect(ack.afterMs).toBeLessThan(3_000);
    expect(ack.payload?.['text']).toContain('declared *INC-1* (SEV2)');
    expect(h.bot.incidents.get('INC-1')?.title).toContain('Socket test');
    expect(h.messageText()).toContain('Socket test');
  });

  it('acknowledges an incident when its button is clicked over the socket', async () => {
    await socket.deliver('slash_commands', slashCommand('declare sev2 Socket test'));
    await h.settle();

    const ack = await socket.deliver('interactive', click('incident_ack', 'INC-1'));
    await h.settle();

    expect(ack.envelope_id).toBeTruthy();
    expect(h.bot.incidents.get('INC-1')?.status).toBe('acknowledged');
  });

  it('takes an @mention from an events_api envelope', async () => {
    const event = {
      type: 'app_mention',
      user: PAT.id,
      text: '<@U0FIREBRK> declare payments-down',
      channel: ALERTS,
      ts: '1717000000.000200',
    };

    const ack = await socket.deliver('events_api', JSON.parse(eventCallbackBody(event)));
    await h.settle();

    expect(ack.afterMs).toBeLessThan(3_000);
    expect(h.bot.incidents.get('INC-1')?.title).toContain('payments-down');
  });

  it('reconnects after a refresh request and a dropped socket, then takes envelopes', async () => {
    socket.requestRefresh();
    await eventually(() => socket.connections === 2 && socket.connected);
    const afterRefresh = await socket.deliver('slash_commands', slashCommand('declare sev2 One'));
    const problemsLoggedAfterRefresh = h.logs.filter((line) =>
      ['warn', 'error'].includes(line.level),
    );
    socket.dropConnection();
    const alert = await h.postAlert('generic', await fixture('generic/firing.json'));
    await eventually(() => socket.connections === 3 && socket.connected);
    const afterDrop = await socket.deliver('slash_commands', slashCommand('declare sev3 Two'));
    await h.settle();

    expect(socket.opens).toHaveLength(3);
    expect(afterRefresh.payload?.['text']).toContain('declared *INC-1*');
    expect(alert.status).toBe(202);
    expect(afterDrop.payload?.['text']).toContain('declared *INC-3*');
    expect(h.bot.incidents.list({ all: true })).toHaveLength(3);
    expect(socket.unexpected).toEqual([]);
    // A refresh is routine; a dropped socket is logged by the socket-mode client as an error.
    expect(problemsLoggedAfterRefresh).toEqual([]);
  });

  it('reports the dropped socket in /healthz until it is back', async () => {
    socket.dropConnection();
    const down = await eventually(async () => {
      const body = (await (await fetch(`${h.url}/healthz`)).json()) as { problems?: unknown[] };
      return JSON.stringify(body).includes('slack-socket') && body;
    });
    await eventually(() => socket.connections === 2 && socket.connected);
    const up = await eventually(async () => {
      const text = await (await fetch(`${h.url}/healthz`)).text();
      return !text.includes('slack-socket') && text;
    });

    expect(JSON.stringify(down)).toContain('Socket Mode connection is down');
    expect(up).not.toContain('slack-socket');
  });
});

describe('Socket Mode when Slack refuses connections (F16)', () => {
  it('backs off with jitter on too_many_websockets, says why, keeps taking alerts, then recovers', async () => {
    socket = await SlackSocketStandIn.start({ appToken: APP_TOKEN });
    h = await startHarness({
      env: { SLACK_APP_TOKEN: APP_TOKEN, SLACK_SIGNING_SECRET: '' },
      slackSocket: { apiUrl: socket.apiUrl, clientPingTimeoutMs: 100 },
    });
    try {
      socket.refuseNext(5);
      socket.requestRefresh();

      const down = await eventually(async () => {
        const text = await (await fetch(`${h.url}/healthz`)).text();
        return text.includes('too_many') || text.includes('more than 10') ? text : undefined;
      });
      const alert = await h.postAlert('generic', await fixture('generic/firing.json'));
      // The first connection, five refused ones, then one Slack keeps.
      await eventually(() => socket.connections === 7 && socket.connected, 15_000);
      const ack = await socket.deliver('slash_commands', slashCommand('declare sev2 After F16'));

      expect(down).toContain('stop other bots running with this SLACK_APP_TOKEN');
      expect(alert.status).toBe(202);
      expect(ack.payload?.['text']).toContain('declared');
      // Not a tight loop: the waits between refused connections grow.
      const gaps = socket.refusedAt.slice(1).map((at, i) => at - socket.refusedAt[i]!);
      expect(gaps.at(-1)!).toBeGreaterThan(gaps[0]! * 2);
      await eventually(
        async () => !(await (await fetch(`${h.url}/healthz`)).text()).includes('slack-socket'),
      );
    } finally {
      await h.close();
      await socket.close();
    }
  }, 30_000);
});

describe('Socket Mode start-up', () => {
  it('stops start-up naming SLACK_APP_TOKEN when Slack refuses it', async () => {
    const slack = await SlackStandIn.start({ token: TOKEN });
    const refusing = await SlackSocketStandIn.start({ appToken: 'xapp-1-another-app' });
    const dataDir = await mkdtemp(path.join(tmpdir(), 'firebreak-socket-'));
    const env = { ...botEnv(slack.url, dataDir), SLACK_APP_TOKEN: APP_TOKEN };
    const bot = await createFirebreak(loadConfig(env), {
      logger: memoryLogger(),
      slackSocket: { apiUrl: refusing.apiUrl },
    });

    const started = bot.listen(0, '127.0.0.1');

    await expect(started).rejects.toThrow(/SLACK_APP_TOKEN was refused by Slack \(invalid_auth\)/);
    expect(refusing.opens).toEqual([{ authorized: false }]);
    await bot.close();
    await Promise.all([slack.close(), refusing.close()]);
    await rm(dataDir, { recursive: true, force: true });
  });
});
