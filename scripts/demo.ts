/**
 * `npm run demo`: plays one incident night against a running bot (`npm start`), using the
 * sample payloads in test/fixtures. Alerts fire, repeat, partly resolve; in the sandbox a
 * person also clicks Acknowledge and types `/incident` commands, as signed Slack requests.
 * Talks only to the bot on 127.0.0.1 (or BOT_URL).
 */
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { markResolved, type Payload } from '../src/sandbox/console/sample-alerts.ts';
import { buttonClickPayload, interactionBody } from '../test/fakes/slack/sign.ts';
import {
  alertToken as token,
  alertsChannel as channel,
  bot,
  sandbox,
  sendToSlackEndpoint as slack,
  slashCommand,
  SANDBOX_USERS,
} from './sandbox-client.ts';

const person = SANDBOX_USERS.pat;

async function sendAlert(route: string, fixture: string, change?: (payload: Payload) => void) {
  const body = JSON.parse(
    await readFile(new URL(`../test/fixtures/${fixture}`, import.meta.url), 'utf8'),
  ) as Payload;
  change?.(body);
  const res = await fetch(`${bot}/webhooks/${route}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = (await res.json()) as Record<string, unknown>;
  const label = change ? `${fixture} (resolved)` : fixture;
  console.log(`POST /webhooks/${route} ${label} -> ${res.status} ${JSON.stringify(answer)}`);
  return answer;
}

function command(text: string, where = channel, quiet = false) {
  return slashCommand(text, { channel: where, user: person, quiet });
}

/** The incident's channel once it is set up (its message in #alerts comes first, paced). */
async function channelOf(id: string) {
  for (let i = 0; i < 40; i += 1) {
    const list = await command('list', channel, true);
    const line = list.split('\n').find((l) => l.includes(`*${id}*`));
    const room = /<#(C[A-Z0-9]+)>/.exec(line ?? '')?.[1];
    if (room) return room;
    await sleep(500);
  }
  return undefined;
}

function click(actionId: string, incidentId: string) {
  const payload = buttonClickPayload({ actionId, value: incidentId, user: person, channel });
  return slack(interactionBody(payload), `click ${actionId} on ${incidentId}`);
}

async function main() {
  const health = await fetch(`${bot}/healthz`).catch(() => undefined);
  if (!health?.ok) {
    console.error(
      `No bot answers at ${bot}/healthz. Start it first with "npm start" (another terminal).`,
    );
    process.exit(1);
  }

  console.log('1. Alerts fire');
  await sendAlert('alertmanager', 'alertmanager/firing-single.json');
  const group = await sendAlert('alertmanager', 'alertmanager/firing-group.json');
  await sendAlert('generic', 'generic/firing.json');
  await sendAlert('generic', 'hostile/generic-mrkdwn-injection.json');
  await sendAlert('alertmanager', 'hostile/alertmanager-long-description.json');
  await sleep(1500);

  console.log('2. The group repeats, then three of its five alerts resolve');
  await sendAlert('alertmanager', 'alertmanager/firing-group.json');
  await sendAlert('alertmanager', 'alertmanager/partially-resolved.json');
  const id = String(group.incident);

  if (sandbox) {
    console.log(
      `3. ${person.name} acknowledges ${id} (twice: the second click is told it is done) and adds a note`,
    );
    await click('incident_ack', id);
    await click('incident_ack', id);
    await command(`note ${id} rolled back checkout-api to v2.41.0`);
    await command('list');
  } else {
    console.log(
      '3. (Slack clicks are played only in the sandbox: click Acknowledge in Slack yourself.)',
    );
  }
  await sleep(1000);

  console.log('4. Everything resolves');
  await sendAlert('alertmanager', 'alertmanager/resolved-group.json');
  await sendAlert('generic', 'generic/resolved.json');
  await sendAlert('alertmanager', 'alertmanager/firing-single.json', markResolved);
  await sendAlert('generic', 'hostile/generic-mrkdwn-injection.json', markResolved);
  await sendAlert('alertmanager', 'hostile/alertmanager-long-description.json', markResolved);
  if (sandbox) await command(`timeline ${id}`);

  if (sandbox) {
    console.log('5. A real incident: declared with its own channel, worked there, reviewed');
    const declared = await command('declare sev2 Checkout error rate above 5% in EU');
    const declaredId = /\*(INC-\d+)\*/.exec(declared)?.[1] ?? '';
    const room = await channelOf(declaredId);
    await command('list');
    if (room) {
      await command('status identified Bad deploy of cart v2.3; rolling back', room);
      await command('summary EU card payments fail at checkout for about 1 in 20 customers', room);
      await command('status monitoring Rollback done, error rate back under 0.1%', room);
      await command('resolve Rolled back cart v2.3; a fix follows', room);
      await sleep(1500);
      await command('review', room);
    }
  }
  console.log(
    'Done. The bot’s log shows each Slack call it made: one chat.postMessage per incident, then chat.update in place.',
  );
}

await main();
