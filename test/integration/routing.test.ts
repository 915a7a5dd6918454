import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JiraStandIn, DEFAULT_API_TOKEN, DEFAULT_EMAIL } from '../fakes/jira/jira-stand-in.ts';
import { DEFAULT_API_KEY, PagerDutyStandIn } from '../fakes/pagerduty/pagerduty-stand-in.ts';
import {
  ALERTS,
  eventually,
  PAT,
  SAM,
  startHarness,
  WEBHOOK_TOKEN,
  type Harness,
} from '../support/harness.ts';

const RULES = path.join(import.meta.dirname, '..', 'fixtures', 'rules', 'firebreak.yml');
const PAYMENTS = 'C0PAYMENTS1';
const ALEX = { id: 'U0ALEX001', name: 'alex' };

let h: Harness | undefined;
let pd: PagerDutyStandIn | undefined;
let jira: JiraStandIn | undefined;

afterEach(async () => {
  await h?.close();
  await pd?.close();
  await jira?.close();
  h = pd = jira = undefined;
});

function bot() {
  if (!h) throw new Error('not started');
  return h;
}

async function start(env: Record<string, string> = {}) {
  pd = await PagerDutyStandIn.start();
  jira = await JiraStandIn.start();
  h = await startHarness({
    env: {
      CONFIG_FILE: RULES,
      PAGERDUTY_TOKEN: DEFAULT_API_KEY,
      PAGERDUTY_FROM_EMAIL: 'firebreak@example.com',
      PAGERDUTY_API_URL: pd.url,
      JIRA_BASE_URL: jira.url,
      JIRA_EMAIL: DEFAULT_EMAIL,
      JIRA_API_TOKEN: DEFAULT_API_TOKEN,
      JIRA_PROJECT_KEY: 'OPS',
      ...env,
    },
  });
  bot().slack.addChannel({ id: PAYMENTS, name: 'payments-alerts', isMember: true });
  bot().slack.setUsergroup('S0PAYTEAM1', [ALEX.id]);
  bot().slack.setUsergroup('S0ONCALL01', [ALEX.id]);
}

async function alert(labels: Record<string, string>, severity = 'error', key = 'a1') {
  const res = await fetch(`${bot().url}/webhooks/generic`, {
    method: 'POST',
    headers: { authorization: `Bearer ${WEBHOOK_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ dedup_key: key, title: 'Card payments failing', severity, labels }),
  });
  return (await res.json()) as { incident: string };
}

async function texts(id: string) {
  return (await bot().bot.incidents.timeline(id)).map((e) => e.text);
}

describe('Routing rules and automations', () => {
  it('sends a matching alert to the rule’s channel, severity and runbook, and runs its automations once', async () => {
    await start();

    const { incident: id } = await alert({ service: 'payments', env: 'prod-eu' });

    const message = await eventually(() => bot().slack.topLevelMessages(PAYMENTS)[0]);
    expect(JSON.stringify(message.blocks)).toContain('https://runbooks.example.test/payments');
    expect(bot().slack.topLevelMessages(ALERTS)).toHaveLength(0);
    expect(bot().bot.incidents.get(id)).toMatchObject({ severity: 'critical' });
    expect((await texts(id))[1]).toBe(
      `Routed by rule "payments-critical" to channel ${PAYMENTS}, as SEV1, with Runbook, then page ` +
        'Payments Gateway; open a Jira ticket; declare it with a channel; post "Runbook first: ' +
        'https://runbooks.example.test/payments"; invite user group S0PAYTEAM1',
    );

    await eventually(() => pd!.incidents().length === 1);
    await eventually(() => jira!.issues().length === 1);
    const channel = await eventually(() => {
      const ref = bot().bot.incidents.get(id)?.refs.channel;
      return ref?.state === 'ready' ? ref.id : undefined;
    });
    await eventually(() => bot().slack.channel(channel!)?.members.includes(ALEX.id));
    await eventually(async () => (await texts(id)).some((t) => t.startsWith('Automation 5/5')));
    const steps = (await texts(id)).filter((t) => t.startsWith('Automation '));
    expect(steps).toHaveLength(5);
    expect(steps[0]).toContain('page Payments Gateway: paging Payments Gateway');
    expect(bot().bot.incidents.get(id)).toMatchObject({ declaredAt: expect.any(String) });
    expect(bot().bot.incidents.get(id)?.roles?.lead).toBeUndefined();

    // A restart runs nothing again.
    await bot().restart();
    await bot().settle();
    expect(pd!.incidents()).toHaveLength(1);
    expect(jira!.issues()).toHaveLength(1);
    expect((await texts(id)).filter((t) => t.startsWith('Automation '))).toHaveLength(5);

    // Resolving resolves what the automations opened.
    await bot().command(`resolve ${id} fixed the card processor`, SAM);
    await eventually(() => pd!.incidents()[0]?.status === 'resolved');
    await eventually(() => jira!.issues()[0]?.status === 'Done');
  });

  it('falls back to ALERTS_CHANNEL when the rule’s channel does not work, and says why', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'firebreak-rules-'));
    const file = path.join(dir, 'firebreak.yml');
    await writeFile(
      file,
      [
        'rules:',
        '  - name: typo',
        '    channel: C0MISSING1',
        '    automations:',
        '      - post: "Runbook: https://runbooks.example.test/x"',
        '      - invite: S0NOSUCH01',
      ].join('\n'),
    );
    await start({ CONFIG_FILE: file });

    const { incident: id } = await alert({ service: 'search' }, 'critical', 'f1');

    const [message] = await eventually(() => {
      const top = bot().slack.topLevelMessages(ALERTS);
      return top.length > 0 ? top : undefined;
    });
    const replies = await eventually(() => {
      const thread = bot().slack.replies(ALERTS, message!.ts);
      return thread.length >= 2 ? thread : undefined;
    });
    expect(replies.map((r) => r.text).join('\n')).toContain('Could not post to channel C0MISSING1');
    expect(replies.map((r) => r.text).join('\n')).toContain(
      'Runbook: https://runbooks.example.test/x',
    );
    // Only the incident message is top-level: the runbook note waited for it.
    expect(bot().slack.topLevelMessages(ALERTS)).toHaveLength(1);
    const steps = await eventually(async () => {
      const all = (await texts(id)).filter((t) => t.startsWith('Automation '));
      return all.length === 2 ? all : undefined;
    });
    expect(steps[1]).toContain('failed');
    expect(steps[1]).toContain('no_such_subteam');
    const health = (await (await fetch(`${bot().url}/healthz`)).json()) as {
      problems: { message: string }[];
    };
    expect(health.problems.map((p) => p.message).join('\n')).toContain(
      'cannot post to rule channel C0MISSING1 (rule "typo", channel_not_found)',
    );
  });

  it('lets the first matching rule win, and leaves unmatched alerts with the defaults', async () => {
    await start();

    const staging = await alert({ service: 'payments', env: 'staging' }, 'critical', 's1');
    const other = await alert({ service: 'search' }, 'warning', 'o1');

    expect(bot().bot.incidents.get(staging.incident)).toMatchObject({ severity: 'info' });
    expect(bot().bot.incidents.get(other.incident)).toMatchObject({ severity: 'warning' });
    await eventually(() => bot().slack.topLevelMessages(ALERTS).length === 2);
    await bot().settle();
    expect(pd!.incidents()).toHaveLength(0);
  });

  it('explains which rule a payload follows with /incident rules test', async () => {
    await start();

    const reply = await bot().command(
      'rules test {"source": "alertmanager", "severity": "warning", "labels": {"service": "payments", "env": "prod"}}',
    );

    expect(reply.body.text).toContain(
      ':x: *payments-critical*: severity is SEV3, wanted one of "critical", "error"',
    );
    expect(reply.body.text).toContain(':x: *noisy-staging*: label env is "prod", wanted "staging"');
    expect(reply.body.text).toContain('Follows *everything-else*');
    const list = await bot().command('rules');
    expect(list.body.text).toContain('1. *payments-critical*: to <#C0PAYMENTS1> · as SEV1');
    const bad = await bot().command('rules test {"labels": ');
    expect(bad.body.text).toContain('That is not JSON');
    const nagios = await bot().command('rules test nagios {"a": 1}');
    expect(nagios.body.text).toContain('`nagios` is not a source I can read a payload of here');
  });

  it('lets only the people and user groups the file names page and close', async () => {
    await start();
    const { incident: id } = await alert({ service: 'search' }, 'warning', 'p1');

    const refused = await bot().command(`page ${id} checkout`, PAT);
    expect(refused.body.text).toContain('You may not page people here');
    expect(refused.body.text).toContain('<@U0SAM0001>');
    expect(refused.body.text).toContain('<!subteam^S0ONCALL01>');
    expect(pd!.incidents()).toHaveLength(0);
    expect(bot().logs.filter((l) => l.msg === 'action refused by permissions')).toHaveLength(1);

    const byGroup = await bot().command(`page ${id} checkout`, ALEX);
    expect(byGroup.body.text).not.toContain('You may not');
    await eventually(() => pd!.incidents().length === 1);

    // Marking as noise closes the incident: the close permission applies.
    const { incident: noisy } = await alert({ service: 'search' }, 'warning', 'n1');
    const noise = await bot().command(`noise ${noisy} flapping`, ALEX);
    expect(noise.body.text).toContain('You may not close incidents here');
    expect(bot().bot.incidents.get(noisy)?.closedAt).toBeUndefined();

    await bot().command(`resolve ${id} ok`, SAM);
    const close = await bot().command(`close ${id}`, ALEX);
    expect(close.body.text).toContain('You may not close incidents here');
  });
});
