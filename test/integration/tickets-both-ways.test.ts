import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_TOKEN, GitHubStandIn } from '../fakes/github/github-stand-in.ts';
import {
  DEFAULT_API_TOKEN,
  DEFAULT_EMAIL,
  JiraStandIn,
  PAT as JIRA_PAT,
  SAM as JIRA_SAM,
  jiraSignature,
  type JiraStandInOptions,
} from '../fakes/jira/jira-stand-in.ts';
import type { ViewStateValue } from '../fakes/slack/sign.ts';
import {
  ALERTS,
  eventually,
  fixture,
  SAM,
  startHarness,
  type Harness,
} from '../support/harness.ts';

const JIRA_SECRET = 'jira-webhook-secret-0123456789';
const GITHUB_SECRET = 'github-webhook-secret-0123456789';
let h: Harness | undefined;
let jira: JiraStandIn | undefined;
let gh: GitHubStandIn | undefined;

afterEach(async () => {
  await h?.close();
  await jira?.close();
  await gh?.close();
  h = jira = gh = undefined;
});

async function start(
  options: {
    jira?: JiraStandInOptions | false;
    github?: boolean;
    env?: Record<string, string>;
  } = {},
) {
  const env: Record<string, string> = {};
  if (options.jira !== false) {
    jira = await JiraStandIn.start(options.jira ?? {});
    Object.assign(env, {
      JIRA_BASE_URL: jira.url,
      JIRA_EMAIL: DEFAULT_EMAIL,
      JIRA_API_TOKEN: DEFAULT_API_TOKEN,
      JIRA_PROJECT_KEY: 'OPS',
      JIRA_ISSUE_TYPE: 'Incident',
      JIRA_WEBHOOK_SECRET: JIRA_SECRET,
    });
  }
  if (options.github !== false) {
    gh = await GitHubStandIn.start();
    Object.assign(env, {
      GITHUB_TOKEN: DEFAULT_TOKEN,
      GITHUB_REPOSITORY: 'acme/checkout',
      GITHUB_API_URL: gh.url,
      GITHUB_WEBHOOK_SECRET: GITHUB_SECRET,
    });
  }
  h = await startHarness({ env: { ...env, ...options.env } });
  jira?.subscribe({ url: `${h.url}/webhooks/jira`, secret: JIRA_SECRET });
  return h;
}

function bot() {
  if (!h) throw new Error('not started');
  return h;
}

/** A SEV1 alert incident (INC-1) from the Alertmanager fixture, its message posted. */
async function alertIncident() {
  await bot().postAlert('alertmanager', await fixture('alertmanager/firing-group.json'));
  await eventually(() => bot().messageText().includes('incident_ticket'));
}

function input(value: string): ViewStateValue {
  return { type: 'plain_text_input', value };
}

function radio(value: string): ViewStateValue {
  return {
    type: 'radio_buttons',
    selected_option: { value, text: { type: 'plain_text', text: value } },
  };
}

function select(value: string): ViewStateValue {
  return {
    type: 'static_select',
    selected_option: { value, text: { type: 'plain_text', text: value } },
  };
}

/** Presses Create ticket and submits the form as it was pre-filled, with `system` chosen. */
async function createTicket(system: 'jira' | 'github', extra: Record<string, ViewStateValue> = {}) {
  const views = bot().slack.views().length;
  await bot().click('incident_ticket', 'INC-1');
  const form = await eventually(() =>
    bot().slack.views().length > views ? bot().slack.lastView('incident_ticket_form') : undefined,
  );
  const blocks = (
    form.view as { blocks: { block_id: string; element?: { initial_value?: string } }[] }
  ).blocks;
  const initial = (id: string) =>
    blocks.find((b) => b.block_id === id)?.element?.initial_value ?? '';
  const values: Record<string, Record<string, ViewStateValue>> = {
    system: { value: radio(system) },
    title: { value: input(initial('title')) },
    description: { value: input(initial('description')) },
    labels: { value: input('checkout') },
  };
  for (const [block, value] of Object.entries(extra)) values[block] = { value };
  const result = await bot().submit('incident_ticket_form', values);
  return { form, result };
}

/** INC-1 with a Jira ticket (OPS-1) and a GitHub issue (#1) opened from its message. */
async function withBothTickets() {
  await start();
  await alertIncident();
  await createTicket('jira');
  await eventually(() => bot().bot.incidents.get('INC-1')?.refs['ticket:jira:OPS-1']);
  await createTicket('github');
  await eventually(() => bot().bot.incidents.get('INC-1')?.refs['ticket:github:1']);
}

async function timelineTexts(id = 'INC-1') {
  return (await bot().bot.incidents.timeline(id)).map((e) => e.text);
}

describe('Tickets, both ways', () => {
  it('opens a Jira issue from the Create ticket button: pre-filled form, ADF, labels, priority, linked once', async () => {
    await start({ github: false });
    await alertIncident();

    const { form, result } = await createTicket('jira');

    expect(result.status).toBe(200);
    const view = JSON.stringify(form.view);
    expect(view).toContain('SEV1');
    expect(view).toContain('Timeline so far');
    const ref = await eventually(() => bot().bot.incidents.get('INC-1')?.refs['ticket:jira:OPS-1']);
    expect(ref).toMatchObject({ key: 'OPS-1', purpose: 'incident', status: 'To Do' });
    const [issue] = jira!.issues();
    expect(issue).toMatchObject({ priority: 'Highest' });
    expect(issue?.labels).toEqual(
      expect.arrayContaining(['firebreak', 'firebreak-INC-1', 'checkout']),
    );
    expect(JSON.stringify(issue?.description)).toContain('"type":"doc"');
    await eventually(() => bot().messageText().includes('Jira OPS-1'));
    expect(await timelineTexts()).toContain(
      `Opened ticket Jira OPS-1: INC-1: ${issue?.summary.slice(7)}`,
    );

    // The same button again: the form says the ticket exists, and without "another" nothing opens.
    const again = await createTicket('jira');
    expect(JSON.stringify(again.form.view)).toContain('already has');
    await bot().settle();
    expect(jira!.issues()).toHaveLength(1);
    await eventually(() =>
      bot().slack.ephemerals.some((e) => e.text?.includes('has <') && e.text.includes('OPS-1')),
    );
  });

  it('collects the fields the Jira project requires (F13) and cuts a long summary to 255', async () => {
    await start({
      github: false,
      jira: {
        requiredFields: [
          {
            projectKey: 'OPS',
            issueType: 'Incident',
            fieldId: 'customfield_12001',
            name: 'Impacted service',
            allowedValues: [
              { id: '20001', value: 'Checkout' },
              { id: '20002', value: 'Payments' },
            ],
          },
        ],
      },
    });
    await bot().postAlert(
      'generic',
      JSON.stringify({
        dedup_key: 'long',
        status: 'firing',
        title: 'x'.repeat(300),
        severity: 'critical',
      }),
    );
    await eventually(() => bot().messageText().includes('incident_ticket'));

    const first = await createTicket('jira');
    expect(JSON.stringify(first.form.view)).toContain('Impacted service');
    expect(first.result.body).toMatchObject({
      response_action: 'errors',
      errors: { field_customfield_12001: expect.stringContaining('Impacted service') },
    });
    expect(jira!.issues()).toHaveLength(0);

    await createTicket('jira', { field_customfield_12001: select('20001') });
    const ref = await eventually(() => bot().bot.incidents.get('INC-1')?.refs['ticket:jira:OPS-1']);
    expect(ref?.key).toBe('OPS-1');
    const issues = jira!.issues();
    expect(issues).toHaveLength(1);
    expect(issues[0]!.summary.length).toBeLessThanOrEqual(255);
  });

  it('bookmarks the ticket in the incident channel and opens follow-ups from a message there', async () => {
    await start({ github: false });
    await bot().command('declare sev2 Checkout fails for EU cards');
    const incident = await eventually(() => {
      const i = bot().bot.incidents.get('INC-1');
      return i?.refs.channel?.state === 'ready' ? i : undefined;
    });
    const channel = incident.refs.channel!.id!;
    await createTicket('jira');

    const bookmark = await eventually(() =>
      bot()
        .slack.channel(channel)
        ?.bookmarks.find((b) => b.title === 'Jira OPS-1'),
    );
    expect(bookmark.link).toBe(`${jira!.url.replace(/\/$/, '')}/browse/OPS-1`);
    await eventually(() =>
      JSON.stringify(bot().slack.messages(channel)[0]?.blocks ?? []).includes('Jira OPS-1'),
    );

    const ts = bot().slack.postUserMessage(channel, {
      user: SAM.id,
      text: 'We need an alert on 3-D Secure timeouts\nthe PSP never told us',
    });
    const views = bot().slack.views().length;
    await bot().shortcut(
      channel,
      { ts, text: 'We need an alert on 3-D Secure timeouts\nthe PSP never told us', user: SAM.id },
      SAM,
      'create_followup',
    );
    const form = await eventually(() =>
      bot().slack.views().length > views ? bot().slack.lastView('incident_ticket_form') : undefined,
    );
    expect(JSON.stringify(form.view)).toContain('We need an alert on 3-D Secure timeouts');
    await bot().submit(
      'incident_ticket_form',
      {
        system: { value: radio('jira') },
        title: { value: input('We need an alert on 3-D Secure timeouts') },
        description: { value: input('the PSP never told us') },
      },
      SAM,
    );
    const followUp = await eventually(
      () => bot().bot.incidents.get('INC-1')?.refs['ticket:jira:OPS-2'],
    );
    expect(followUp).toMatchObject({
      purpose: 'followup',
      title: 'We need an alert on 3-D Secure timeouts',
    });
    await bot().settle();
    // Follow-ups are listed on the message, not bookmarked.
    expect(
      bot()
        .slack.channel(channel)
        ?.bookmarks.some((b) => b.title.includes('OPS-2')),
    ).toBe(false);
  });

  it('comments status updates and the resolution, and moves the Jira issue to done', async () => {
    await withBothTickets();

    await bot().command('status INC-1 identified Bad deploy of v1.4; rolling back');
    await eventually(() => jira!.comments('OPS-1').length === 1);
    await eventually(() => gh!.comments('acme', 'checkout', 1).length === 1);
    expect(JSON.stringify(jira!.comments('OPS-1')[0]!.body)).toContain('rolling back');
    expect(gh!.comments('acme', 'checkout', 1)[0]!.body).toContain('Identified');

    await bot().command('resolve INC-1 rolled back to v1.3');
    await eventually(() => jira!.issue('OPS-1')?.status === 'Done');
    await eventually(() => gh!.issue('acme', 'checkout', 1)?.state === 'closed');
    await eventually(() => jira!.comments('OPS-1').length === 2);
    await jira!.webhooksSettled();
    await bot().settle();
    // The bot's own changes came back through the webhook: echoes, not timeline entries.
    const texts = await timelineTexts();
    expect(texts.filter((t) => t.includes('moved Jira OPS-1'))).toEqual([]);
    expect(texts.some((t) => t.includes('commented on'))).toBe(false);
    await eventually(
      () => bot().messageText().includes('Jira OPS-1') && bot().messageText().includes('Done'),
    );
  });

  it('reopens the tickets when the incident is reopened', async () => {
    await withBothTickets();
    // Resolved and reopened at once: whenever the job runs, the tickets end open.
    await bot().command('resolve INC-1 rolled back');
    await bot().command('reopen INC-1');
    await bot().bot.queue.idle();
    expect(jira!.issue('OPS-1')?.status).toBe('To Do');
    expect(gh!.issue('acme', 'checkout', 1)?.state).toBe('open');

    await bot().command('resolve INC-1 fixed for good');
    await eventually(() => jira!.issue('OPS-1')?.status === 'Done');
    await bot().command('reopen INC-1');
    await eventually(() => jira!.issue('OPS-1')?.status === 'To Do');
    await eventually(() => gh!.issue('acme', 'checkout', 1)?.state === 'open');
    expect(await timelineTexts()).toContain('Moved Jira OPS-1 to To Do');
  });

  it('knows its own comments when it could not look up its accounts at start', async () => {
    jira = await JiraStandIn.start();
    jira.failNext('GET /rest/api/3/myself', { status: 503, times: 3 });
    h = await startHarness({
      env: {
        JIRA_BASE_URL: jira.url,
        JIRA_EMAIL: DEFAULT_EMAIL,
        JIRA_API_TOKEN: DEFAULT_API_TOKEN,
        JIRA_PROJECT_KEY: 'OPS',
        JIRA_WEBHOOK_SECRET: JIRA_SECRET,
      },
    });
    jira.subscribe({ url: `${h.url}/webhooks/jira`, secret: JIRA_SECRET });
    await alertIncident();
    await bot().command('followup INC-1 Add an alert');
    await eventually(() => bot().bot.incidents.get('INC-1')?.refs['ticket:jira:OPS-1']);
    // A follow-up gets no comments; link an incident ticket as well.
    await createTicket('jira');
    await eventually(() => bot().bot.incidents.get('INC-1')?.refs['ticket:jira:OPS-2']);

    await bot().command('status INC-1 identified the pool');
    await eventually(() => jira!.comments('OPS-2').length === 1);
    await jira.webhooksSettled();
    await bot().settle();

    expect(JSON.stringify(jira.comments('OPS-2')[0]!.body)).toContain('Posted by Firebreak');
    expect((await timelineTexts()).some((t) => t.includes('commented on'))).toBe(false);
  });

  it('opens one ticket for requests that arrive together', async () => {
    await start({ github: false });
    await alertIncident();

    await Promise.all([
      bot().command('followup INC-1 Add an alert on replication lag'),
      bot().command('followup INC-1 Add an alert on replication lag'),
      bot().command('followup INC-1 Add an alert on replication lag'),
    ]);

    await eventually(() => bot().bot.incidents.get('INC-1')?.refs['ticket:jira:OPS-1']);
    await bot().bot.queue.idle();
    expect(jira!.issues()).toHaveLength(1);
  });

  it('says clearly when no configured transition is available', async () => {
    await start({ github: false, env: { JIRA_RESOLVE_TRANSITION: 'Close Issue' } });
    await alertIncident();
    await createTicket('jira');
    await eventually(() => bot().bot.incidents.get('INC-1')?.refs['ticket:jira:OPS-1']);

    await bot().command('resolve INC-1 fixed');

    const text = await eventually(async () =>
      (await timelineTexts()).find((t) => t.startsWith('Could not move Jira OPS-1')),
    );
    expect(text).toContain('"Close Issue"');
    expect(text).toContain('available: Start Progress, Done');
    expect(jira!.issue('OPS-1')?.status).toBe('To Do');
    await eventually(() =>
      bot()
        .slack.messages(ALERTS)
        .some((m) => m.text?.includes('Could not move Jira OPS-1')),
    );
  });

  it('records people’s changes from Jira and GitHub webhooks, once, and drops bad signatures', async () => {
    await withBothTickets();

    jira!.transitionIssue('OPS-1', 'In Progress', JIRA_PAT.accountId);
    jira!.assignIssue('OPS-1', JIRA_SAM.accountId, JIRA_PAT.accountId);
    jira!.addComment('OPS-1', 'Looking at the DB pool\nsecond line', JIRA_SAM.accountId);
    await jira!.webhooksSettled();
    const hook = `${bot().url}/webhooks/github`;
    const comment = gh!.addComment('acme', 'checkout', 1, 'Pinned the release @team', 'sam-sample');
    const delivered = await gh!.sendWebhook(hook, 'issue_comment', comment, {
      secret: GITHUB_SECRET,
    });
    expect(delivered.status).toBe(202);
    const again = await gh!.sendWebhook(hook, 'issue_comment', comment, {
      secret: GITHUB_SECRET,
      deliveryId: delivered.deliveryId,
    });
    expect(again.status).toBe(202);
    const closed = gh!.setIssueState('acme', 'checkout', 1, 'closed', 'pat-example');
    await gh!.sendWebhook(hook, 'issues', closed, { secret: GITHUB_SECRET });
    const echo = gh!.addComment('acme', 'checkout', 1, 'from the bot', 'firebreak-bot');
    await gh!.sendWebhook(hook, 'issue_comment', echo, { secret: GITHUB_SECRET });

    const texts = await eventually(async () => {
      const all = await timelineTexts();
      return all.some((t) => t.includes('pat-example moved GitHub #1 to closed')) ? all : undefined;
    });
    expect(texts).toContain('Pat Example moved Jira OPS-1 to In Progress');
    expect(texts).toContain('Pat Example assigned Jira OPS-1 to Sam Sample');
    expect(texts).toContain(
      'Sam Sample commented on Jira OPS-1: Looking at the DB pool\nsecond line',
    );
    expect(texts.filter((t) => t.includes('Pinned the release'))).toHaveLength(1);
    expect(texts.some((t) => t.includes('from the bot'))).toBe(false);
    await eventually(() => bot().messageText().includes('In Progress'));

    // A forged delivery changes nothing.
    const before = (await timelineTexts()).length;
    const body = JSON.stringify(jira!.issueUpdatedPayload('OPS-1', [], JIRA_PAT.accountId));
    const forged = await fetch(`${bot().url}/webhooks/jira`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-hub-signature': jiraSignature('wrong-secret-0123456789', body),
      },
      body,
    });
    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ error: 'bad_signature' });
    expect(await timelineTexts()).toHaveLength(before);
  });

  it('opens the incident ticket at once when the command gives a title', async () => {
    await start({ github: false });
    await alertIncident();

    const reply = await bot().command('ticket INC-1 jira Replica lag on pg-replica-2');

    expect(reply.body.text).toContain('is opening a Jira ticket');
    const ref = await eventually(() => bot().bot.incidents.get('INC-1')?.refs['ticket:jira:OPS-1']);
    expect(ref).toMatchObject({ purpose: 'incident', title: 'Replica lag on pg-replica-2' });
    expect(JSON.stringify(jira!.issue('OPS-1')?.description)).toContain('Timeline so far');
    const again = await bot().command('ticket INC-1 jira Replica lag again');
    expect(again.body.text).toContain('To open another, use the Create ticket form');
    expect(jira!.issues()).toHaveLength(1);
  });

  it('opens follow-ups and lists them in the review with their state', async () => {
    await start();
    await alertIncident();

    const reply = await bot().command('followup INC-1 Add an alert on DB pool saturation');
    expect(reply.body.text).toContain('opening');
    await eventually(() => bot().bot.incidents.get('INC-1')?.refs['ticket:jira:OPS-1']);
    await bot().command('followup INC-1 github Document the rollback');
    await eventually(() => bot().bot.incidents.get('INC-1')?.refs['ticket:github:1']);
    // The same follow-up twice (case and end punctuation aside) is one ticket.
    const twice = await bot().command('followup INC-1 add an alert on DB pool  saturation.');
    expect(twice.body.text).toContain('the follow-up <');
    expect(twice.body.text).toContain('OPS-1');
    expect(jira!.issues()).toHaveLength(1);

    jira!.transitionIssue('OPS-1', 'Done', JIRA_PAT.accountId);
    await jira!.webhooksSettled();
    await eventually(
      () => bot().bot.incidents.get('INC-1')?.refs['ticket:jira:OPS-1']?.done === 'true',
    );

    await bot().command('review INC-1');
    const file = await eventually(() => bot().slack.files()[0]);
    expect(file.content).toContain('[x] [Jira OPS-1]');
    expect(file.content).toContain('Add an alert on DB pool saturation (Done)');
    expect(file.content).toContain('[ ] [GitHub #1]');
  });

  it('publishes the review as a GitHub issue and shows context from Jira and GitHub', async () => {
    await start();
    await alertIncident();
    // An open issue of the service, opened by someone in Jira.
    jira!.createIssue(
      {
        project: { key: 'OPS' },
        issuetype: { name: 'Task' },
        summary: 'Checkout latency regression',
        labels: ['checkout'],
      },
      JIRA_PAT.accountId,
    );
    gh!.addDeployments('acme', 'checkout', [{ environment: 'production', ref: 'v1.4.0' }]);

    const context = await bot().command('context INC-1 checkout');
    expect(context.body.text).toContain('Checkout latency regression');
    expect(context.body.text).toContain('production');

    await bot().command('review INC-1 github');
    const issue = await eventually(() =>
      gh!.issues('acme', 'checkout').find((i) => i.title.startsWith('Post-incident review')),
    );
    expect(issue.body).toContain('Timeline');
    await eventually(() => bot().bot.incidents.get('INC-1')?.refs[`ticket:github:${issue.number}`]);
  });

  it('hides ticket actions when nothing is configured and says how to enable them', async () => {
    await start({ jira: false, github: false });
    await bot().postAlert('alertmanager', await fixture('alertmanager/firing-group.json'));
    await eventually(() => bot().messageText().includes('incident_ack'));
    expect(bot().messageText()).not.toContain('incident_ticket');

    const reply = await bot().command('ticket INC-1');
    expect(reply.body.text).toContain('JIRA_BASE_URL');
    const jiraWebhook = await fetch(`${bot().url}/webhooks/jira`, { method: 'POST', body: '{}' });
    expect(jiraWebhook.status).toBe(404);
  });
});

describe('Tickets when the systems misbehave', () => {
  it('reports refused Jira credentials on /healthz at start, without the token', async () => {
    await start({ github: false, env: { JIRA_API_TOKEN: 'ATATT-wrong-secret-token' } });

    const health = (await (await fetch(`${bot().url}/healthz`)).json()) as {
      status: string;
      problems: { component: string; message: string }[];
    };

    expect(health.status).toBe('degraded');
    expect(health.problems).toContainEqual(
      expect.objectContaining({
        component: 'jira',
        message: expect.stringContaining('JIRA_API_TOKEN'),
      }),
    );
    expect(JSON.stringify(health)).not.toContain('ATATT-wrong');
  });

  it('shows Jira’s refusal by field in Slack and links nothing (F12, F13)', async () => {
    await start({ github: false });
    await alertIncident();
    jira!.failNext('POST /rest/api/3/issue', {
      status: 400,
      body: { errorMessages: [], errors: { customfield_12001: 'Impacted service is required.' } },
    });

    await bot().command('followup INC-1 Add an alert on replication lag');

    const notice = await eventually(() =>
      bot()
        .slack.messages(ALERTS)
        .find((m) => m.text?.includes('Impacted service is required')),
    );
    expect(notice.text).toContain('Jira');
    expect(Object.keys(bot().bot.incidents.get('INC-1')!.refs)).not.toContain('ticket:jira:OPS-1');
    expect(jira!.issues()).toHaveLength(0);
    expect((await timelineTexts()).some((t) => t.includes('Impacted service is required'))).toBe(
      true,
    );
  });

  it('finds a ticket whose answer was lost instead of opening a second one', async () => {
    await start();
    await alertIncident();
    jira!.failNext('POST /rest/api/3/issue', { loseAnswer: true });
    gh!.failNext('POST /repos/acme/checkout/issues', { loseAnswer: true });

    await bot().command('followup INC-1 Add an alert on replication lag');
    await bot().command('followup INC-1 github Document the failover');

    await eventually(() => bot().bot.incidents.get('INC-1')?.refs['ticket:jira:OPS-1']);
    await eventually(() => bot().bot.incidents.get('INC-1')?.refs['ticket:github:1']);
    expect(jira!.issues()).toHaveLength(1);
    expect(gh!.issues('acme', 'checkout')).toHaveLength(1);
    expect(jira!.callsTo('POST /rest/api/3/issue')).toHaveLength(1);
    expect(gh!.callsTo('POST /repos/acme/checkout/issues')).toHaveLength(1);
  });

  it('rides out GitHub’s secondary rate limit on a burst of 40 issues without duplicates (F14)', async () => {
    let now = Date.now();
    gh = await GitHubStandIn.start({
      issueCreationsPerMinute: 30,
      secondaryRetryAfterSeconds: 1,
      clock: () => now,
    });
    h = await startHarness({
      env: {
        GITHUB_TOKEN: DEFAULT_TOKEN,
        GITHUB_REPOSITORY: 'acme/checkout',
        GITHUB_API_URL: gh.url,
      },
      gitHubSecondaryWaitMs: 200,
    });
    await alertIncident();

    for (let n = 1; n <= 40; n += 1) {
      const reply = await bot().command(`followup INC-1 Follow-up number ${n}`);
      expect(reply.status).toBe(200);
      expect(reply.body.text).toContain('opening');
    }
    await eventually(() => gh!.issues('acme', 'checkout').length === 30);
    await eventually(() => bot().messageText().includes('opening follow-up GitHub issue'));
    const refused = gh.calls.filter((c) => c.path.endsWith('/issues') && c.status === 403);
    expect(refused.length).toBeGreaterThan(0);
    // While GitHub holds writes back, the bot does not keep knocking.
    expect(refused.length).toBeLessThanOrEqual(4);

    now += 61_000;
    await eventually(() => gh!.issues('acme', 'checkout').length === 40, 30_000);
    await bot().settle();
    const titles = gh.issues('acme', 'checkout').map((i) => i.title);
    expect(new Set(titles).size).toBe(40);
    const links = Object.keys(bot().bot.incidents.get('INC-1')!.refs).filter((r) =>
      r.startsWith('ticket:github:'),
    );
    expect(links).toHaveLength(40);
  }, 60_000);
});
