import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { Version3Client } from 'jira.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { adfToText } from '../../src/integrations/jira/jira-adf.ts';
import { JiraClient, type JiraClientOptions } from '../../src/integrations/jira/jira-client.ts';
import { textToDoc } from '../../src/integrations/tickets/text-to-doc.ts';
import type { TicketDraft } from '../../src/integrations/tickets/ticket-system.ts';
import { outboundFailure } from '../support/outbound-failure.ts';
import { adfProblem } from '../fakes/jira/adf.ts';
import {
  BOT_ACCOUNT_ID,
  DEFAULT_API_TOKEN,
  DEFAULT_EMAIL,
  JiraStandIn,
  type JiraStandInOptions,
} from '../fakes/jira/jira-stand-in.ts';
import { memoryLogger, type LogLine } from '../support/memory-logger.ts';

/** Field report F12's alert description, verbatim. */
const F12 =
  'Error rate 12%\n\nStack:\n  at svc.handler (app.js:10)\n\t• pod=api-7f9c\n' +
  'Unicode: Zürich ✓ 🔥\nLink: https://grafana.test/d/abc?var=1&x=<2>';
/** Field report F13's two mandatory custom fields. */
const IMPACTED_SERVICE = 'customfield_12001';
const REPORTER_TEAM = 'customfield_12002';
const F13_FIELDS: JiraStandInOptions['requiredFields'] = [
  {
    projectKey: 'OPS',
    issueType: 'Incident',
    fieldId: IMPACTED_SERVICE,
    name: 'Impacted service',
    allowedValues: [
      { id: '10100', value: 'checkout-api' },
      { id: '10101', value: 'payments' },
    ],
  },
  {
    projectKey: 'OPS',
    issueType: 'Incident',
    fieldId: REPORTER_TEAM,
    name: 'Reporter team',
    schema: {
      type: 'user',
      custom: 'com.atlassian.jira.plugin.system.customfieldtypes:userpicker',
    },
  },
];

let standIn: JiraStandIn;
let lines: LogLine[];
let now: number;

function client(options: Partial<JiraClientOptions> = {}): JiraClient {
  return new JiraClient({
    baseUrl: standIn.url,
    email: DEFAULT_EMAIL,
    apiToken: DEFAULT_API_TOKEN,
    projectKey: 'OPS',
    issueType: 'Incident',
    resolveTransitions: ['Done', 'Resolve'],
    priorities: { critical: 'Highest', error: 'High', warning: 'Medium', info: 'Low' },
    logger: memoryLogger(lines),
    timeoutMs: 2_000,
    clock: { now: () => new Date(now) },
    ...options,
  });
}

function draft(fields: Partial<TicketDraft> = {}): TicketDraft {
  return {
    incidentId: 'INC-42',
    purpose: 'incident',
    title: '[P1] Payments 5xx',
    body: textToDoc(F12),
    labels: ['checkout api'],
    severity: 'critical',
    marker: 'fb-INC-42-3k2j9a',
    ...fields,
  };
}

beforeEach(async () => {
  lines = [];
  now = Date.parse('2026-03-14T03:00:00Z');
  standIn = await JiraStandIn.start();
});

afterEach(async () => {
  await standIn.close();
});

async function restart(options: JiraStandInOptions): Promise<void> {
  await standIn.close();
  standIn = await JiraStandIn.start(options);
}

describe('JiraClient.create', () => {
  it('opens an issue with F12’s text as valid ADF, labels, priority and the marker', async () => {
    const state = await client().create(draft());

    expect(state).toEqual({
      key: 'OPS-1',
      url: `${standIn.url}browse/OPS-1`,
      status: 'To Do',
      done: false,
      title: '[P1] Payments 5xx',
    });
    const issue = standIn.issue('OPS-1')!;
    expect(adfProblem(issue.description)).toBeUndefined();
    const text = adfToText(issue.description);
    expect(text).toContain('Unicode: Zürich ✓ 🔥');
    expect(text).toContain('https://grafana.test/d/abc?var=1&x=<2>');
    expect(text).toContain('  at svc.handler (app.js:10)\n\t• pod=api-7f9c');
    expect(text.endsWith('Firebreak ref: fb-INC-42-3k2j9a')).toBe(true);
    expect(issue.labels).toEqual(['firebreak', 'firebreak-INC-42', 'checkout-api']);
    expect(issue.priority).toBe('Highest');
    expect(lines.some((l) => l.level === 'info' && l.msg === 'jira issue created')).toBe(true);
  });

  it('cuts a 300-character title to at most 255 characters, ending in … (F13)', async () => {
    const title = `${'x'.repeat(250)}🔥${'y'.repeat(48)}`;

    const state = await client().create(draft({ title }));

    const summary = standIn.issue(state.key)!.summary;
    expect(summary.length).toBeLessThanOrEqual(255);
    expect(summary.endsWith('…')).toBe(true);
    expect(summary.startsWith('x'.repeat(250))).toBe(true);
    expect(summary).not.toMatch(/[\uD800-\uDBFF]…$/); // no half of the emoji left behind
  });

  it('names both missing fields by name, opens nothing, then opens one (F13)', async () => {
    await restart({ requiredFields: F13_FIELDS });
    const jira = client();

    const error = await outboundFailure(jira.create(draft()));

    expect(error).toMatchObject({ service: 'jira', code: '400', retryable: false });
    expect(error.fields).toEqual({
      'Impacted service': 'Impacted service is required.',
      'Reporter team': 'Reporter team is required.',
    });
    expect(error.message).toBe(
      'Jira refused the issue: Impacted service is required; Reporter team is required',
    );
    expect(standIn.issues()).toEqual([]);

    const fields = { [IMPACTED_SERVICE]: '10101', [REPORTER_TEAM]: BOT_ACCOUNT_ID };
    const state = await jira.create(draft({ fields }));

    expect(state.key).toBe('OPS-1');
    expect(standIn.issues()).toHaveLength(1);
    expect(standIn.issue('OPS-1')!.customFields).toEqual({
      [IMPACTED_SERVICE]: { id: '10101' },
      [REPORTER_TEAM]: { accountId: BOT_ACCOUNT_ID },
    });
  });

  it('sends an option by value when it is not an option id', async () => {
    await restart({ requiredFields: F13_FIELDS });
    const fields = { [IMPACTED_SERVICE]: 'payments', [REPORTER_TEAM]: BOT_ACCOUNT_ID };

    await client().create(draft({ fields }));

    expect(standIn.issue('OPS-1')!.customFields[IMPACTED_SERVICE]).toEqual({ value: 'payments' });
  });

  it('retries once without priority when Jira refuses the priority field', async () => {
    const jira = client({
      priorities: { critical: 'P0', error: 'High', warning: 'Medium', info: 'Low' },
    });

    const state = await jira.create(draft());

    expect(state.key).toBe('OPS-1');
    expect(standIn.callsTo('POST /rest/api/3/issue').map((c) => c.status)).toEqual([400, 201]);
    expect(standIn.issue('OPS-1')!.priority).toBe('Medium'); // Jira's default
    expect(lines.find((l) => l.level === 'warn')?.msg).toBe(
      'jira priority refused; created without',
    );
  });
});

describe('JiraClient.requiredFields', () => {
  it('lists required custom fields with kinds and options, cached 10 minutes', async () => {
    await restart({ requiredFields: F13_FIELDS });
    const jira = client();

    const fields = await jira.requiredFields();
    await jira.requiredFields();

    expect(fields).toEqual([
      {
        id: IMPACTED_SERVICE,
        name: 'Impacted service',
        kind: 'option',
        options: [
          { id: '10100', value: 'checkout-api' },
          { id: '10101', value: 'payments' },
        ],
      },
      { id: REPORTER_TEAM, name: 'Reporter team', kind: 'user' },
    ]);
    expect(standIn.callsTo('GET /rest/api/3/issue/createmeta/*/issuetypes/*')).toHaveLength(1);

    now += 10 * 60_000;
    await jira.requiredFields();
    expect(standIn.callsTo('GET /rest/api/3/issue/createmeta/*/issuetypes/*')).toHaveLength(2);
  });

  it('says so when the configured issue type does not exist', async () => {
    const error = await outboundFailure(client({ issueType: 'Epic' }).requiredFields());

    expect(error.code).toBe('issue_type_not_found');
    expect(error.message).toContain('available: Incident, Task, Bug');
  });
});

describe('JiraClient.findByMarker, comment, get and close', () => {
  it('finds the issue an earlier attempt opened by its marker, and only that one', async () => {
    const jira = client();
    await jira.create(draft({ marker: 'fb-INC-42-first' }));
    await jira.create(draft({ marker: 'fb-INC-42-second' }));
    await jira.create(draft({ incidentId: 'INC-43', marker: 'fb-INC-43-x' }));

    const found = await jira.findByMarker('INC-42', 'fb-INC-42-first');
    const missing = await jira.findByMarker('INC-42', 'fb-INC-42-never');

    expect(found).toMatchObject({ key: 'OPS-1', status: 'To Do', done: false });
    expect(missing).toBeUndefined();
    const search = standIn.callsTo('POST /rest/api/3/search/jql')[0]!;
    expect(search.body).toMatchObject({
      jql: 'project = "OPS" AND labels = "firebreak-INC-42" ORDER BY created DESC',
      fields: ['summary', 'status', 'description'],
    });
  });

  it('comments in ADF', async () => {
    const jira = client();
    await jira.create(draft());

    await jira.comment('OPS-1', textToDoc('Mitigated\nRolled back 4.18.2'));

    const [comment] = standIn.comments('OPS-1');
    expect(adfProblem(comment!.body)).toBeUndefined();
    expect(adfToText(comment!.body)).toBe('Mitigated\nRolled back 4.18.2');
  });

  it('closes through "Done" from To Do, then says already', async () => {
    const jira = client();
    await jira.create(draft());

    const closed = await jira.close('OPS-1');
    const again = await jira.close('OPS-1');

    expect(closed).toEqual({ outcome: 'closed', status: 'Done' });
    expect(again).toEqual({ outcome: 'already', status: 'Done' });
    expect(await jira.get('OPS-1')).toMatchObject({ status: 'Done', done: true });
  });

  it('tries the configured names in order: "Resolve" from In Progress', async () => {
    const jira = client();
    await jira.create(draft());
    standIn.transitionIssue('OPS-1', 'In Progress', BOT_ACCOUNT_ID);

    expect(await jira.close('OPS-1')).toEqual({ outcome: 'closed', status: 'Done' });
  });

  it('reports unavailable with what it wanted and what Jira offers', async () => {
    const jira = client({ resolveTransitions: ['Close Issue'] });
    await jira.create(draft());

    const outcome = await jira.close('OPS-1');

    expect(outcome).toEqual({
      outcome: 'unavailable',
      status: 'To Do',
      wanted: ['Close Issue'],
      available: ['Start Progress', 'Done'],
    });
    expect(standIn.issue('OPS-1')!.status).toBe('To Do');
  });

  it('fails plainly for an issue that does not exist', async () => {
    const error = await outboundFailure(client().get('OPS-99'));

    expect(error).toMatchObject({ code: '404', retryable: false });
    expect(error.message).toContain('Issue does not exist');
  });
});

describe('JiraClient.searchOpen and myself', () => {
  it('returns the issues with summary and status, up to the limit', async () => {
    const jira = client();
    for (let i = 0; i < 5; i += 1) await jira.create(draft({ title: `T${i}` }));
    standIn.transitionIssue('OPS-2', 'Done', BOT_ACCOUNT_ID);
    const jql = 'project = OPS AND statusCategory != Done ORDER BY created ASC';

    const all = await jira.searchOpen(jql, 10);
    const two = await jira.searchOpen(jql, 2);

    expect(all.map((s) => `${s.key}:${s.title}:${s.status}`)).toEqual([
      'OPS-1:T0:To Do',
      'OPS-3:T2:To Do',
      'OPS-4:T3:To Do',
      'OPS-5:T4:To Do',
    ]);
    expect(two.map((s) => s.key)).toEqual(['OPS-1', 'OPS-3']);
  });

  it('asks for the rest with the token, and stops where the key is absent or null', async () => {
    const jira = new Version3Client({
      host: standIn.url,
      authentication: { basic: { email: DEFAULT_EMAIL, apiToken: DEFAULT_API_TOKEN } },
    });
    const fields = { project: { key: 'OPS' }, issuetype: { name: 'Task' }, summary: 'load' };
    for (let i = 0; i < 120; i += 1) await jira.issues.createIssue({ fields });
    standIn.calls.length = 0;

    const some = await client().searchOpen('project = OPS ORDER BY created ASC', 110);
    const all = await client().searchOpen('project = OPS', 500);
    standIn.failNext('POST /rest/api/3/search/jql', {
      status: 200,
      body: { issues: [{ id: '1', key: 'OPS-1', fields: {} }], nextPageToken: null },
    });
    const documented = await client().searchOpen('project = OPS', 500);

    expect(some.map((s) => s.key).slice(-1)).toEqual(['OPS-110']);
    expect(all).toHaveLength(120);
    expect(documented).toEqual([
      { key: 'OPS-1', url: `${standIn.url}browse/OPS-1`, status: '', done: false },
    ]);
    const bodies = standIn.callsTo('POST /rest/api/3/search/jql').map((c) => c.body);
    expect(bodies).toHaveLength(5);
    expect(bodies[0]).toMatchObject({ maxResults: 100, fields: ['summary', 'status'] });
    expect(bodies[1]).toMatchObject({ maxResults: 10, nextPageToken: expect.any(String) });
    expect(bodies[3]).toMatchObject({ maxResults: 100, nextPageToken: expect.any(String) });
  });

  it('names the bot’s own account', async () => {
    expect(await client().myself()).toEqual({ accountId: BOT_ACCOUNT_ID });
  });
});

describe('JiraClient failures', () => {
  it('turns a 429 into the wait Jira asks for, without retrying by itself', async () => {
    standIn.failNext('POST /rest/api/3/issue', { status: 429, headers: { 'Retry-After': '7' } });

    const error = await outboundFailure(client().create(draft()));

    expect(error).toMatchObject({ service: 'jira', code: '429', retryAfterMs: 7_000 });
    expect(standIn.callsTo('POST /rest/api/3/issue')).toHaveLength(1);
    expect(standIn.issues()).toEqual([]);
  });

  it('reads X-RateLimit-Reset (ISO, epoch seconds) when Retry-After is missing', async () => {
    standIn.failNext('GET /rest/api/3/myself', {
      status: 429,
      headers: { 'X-RateLimit-Reset': '2026-03-14T03:01Z' },
    });
    standIn.failNext('GET /rest/api/3/myself', {
      status: 429,
      headers: { 'X-RateLimit-Reset': String(now / 1000 + 30) },
    });
    standIn.failNext('GET /rest/api/3/myself', { status: 429, headers: {} });

    const jira = client();
    const waits = [];
    for (let i = 0; i < 3; i += 1) waits.push((await outboundFailure(jira.myself())).retryAfterMs);

    expect(waits).toEqual([60_000, 30_000, 10_000]);
  });

  it('waits on the stand-in’s own rate limit', async () => {
    await restart({ requestsPerMinute: 1, clock: () => now });
    const jira = client();
    await jira.myself();

    const error = await outboundFailure(jira.myself());

    expect(error.retryAfterMs).toBe(60_000);
  });

  it('retries 5xx, waits on a 503 with Retry-After, and names the credentials on 401', async () => {
    standIn.failNext('GET /rest/api/3/myself', { status: 502 });
    standIn.failNext('GET /rest/api/3/myself', { status: 503, headers: { 'Retry-After': '3' } });

    const bad = await outboundFailure(client().myself());
    const busy = await outboundFailure(client().myself());
    const denied = await outboundFailure(client({ apiToken: 'wrong' }).myself());

    expect(bad).toMatchObject({ code: '502', retryable: true, retryAfterMs: undefined });
    expect(busy).toMatchObject({ code: '503', retryAfterMs: 3_000 });
    expect(denied).toMatchObject({ code: '401', retryable: false });
    expect(denied.message).toContain('JIRA_EMAIL and JIRA_API_TOKEN');
    expect(denied.message).not.toContain('wrong');
  });

  it('calls a dropped connection unreachable and retryable', async () => {
    standIn.failNext('GET /rest/api/3/issue/*', { disconnect: true });

    const error = await outboundFailure(client().get('OPS-1'));

    expect(error).toMatchObject({ code: 'request_error', retryable: true });
  });

  it('calls a closed port unreachable', async () => {
    const url = standIn.url;
    await standIn.close();
    standIn = await JiraStandIn.start();

    const error = await outboundFailure(client({ baseUrl: url }).myself());

    expect(error).toMatchObject({ code: 'request_error', retryable: true });
  });

  it('gives up after timeoutMs on a server that never answers', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;

    const error = await outboundFailure(
      client({ baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 200 }).myself(),
    );

    expect(error).toMatchObject({ code: 'request_error', retryable: true });
    silent.closeAllConnections();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });
});
