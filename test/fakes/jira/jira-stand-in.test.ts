import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

import { HttpException, Version3Client } from 'jira.js';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';

import {
  adfDoc,
  adfText,
  BOT_ACCOUNT_ID,
  DEFAULT_API_TOKEN,
  DEFAULT_EMAIL,
  JiraStandIn,
  jiraSignature,
  NOT_ADF_MESSAGE,
  PAT,
  type JiraStandInOptions,
} from './jira-stand-in.ts';

const SECRET = 'jira-webhook-secret';
const IMPACT = 'customfield_10042';

let standIn: JiraStandIn;

async function restart(options: JiraStandInOptions): Promise<void> {
  await standIn.close();
  standIn = await JiraStandIn.start(options);
}

/** The real jira.js client against the stand-in. */
function jira(apiToken = DEFAULT_API_TOKEN): Version3Client {
  return new Version3Client({
    host: standIn.url,
    authentication: { basic: { email: DEFAULT_EMAIL, apiToken } },
  });
}

/** A request below jira.js's own conveniences (it wraps string descriptions and comments). */
function rawRequest(url: string, data: object): Promise<unknown> {
  return jira().sendRequest({ url, method: 'POST', data }, undefined as never);
}

/** The status, body and headers of a refused jira.js call. */
async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(
    () => expect.unreachable('the call should have been refused'),
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(HttpException);
  const { status, response, cause } = error as HttpException & {
    response: { data: unknown };
    cause: { response: { headers: Record<string, string> } };
  };
  return { status, data: response.data, headers: cause.response.headers };
}

const fields = (extra: Record<string, unknown> = {}) => ({
  project: { key: 'OPS' },
  issuetype: { name: 'Incident' },
  summary: '[P1] Payments 5xx',
  description: adfDoc('Error rate 12%\nSee the dashboard'),
  labels: ['incident', 'INC-42'],
  priority: { name: 'Highest' },
  ...extra,
});

async function createIssue(extra: Record<string, unknown> = {}): Promise<string> {
  const created = await jira().issues.createIssue({ fields: fields(extra) as never });
  return created.key;
}

beforeEach(async () => {
  standIn = await JiraStandIn.start();
});

afterEach(async () => {
  await standIn.close();
});

describe('auth, myself and serverInfo', () => {
  it('refuses a wrong API token with 401 and Jira’s message', async () => {
    const { status, data } = await refusal(jira('wrong').myself.getCurrentUser());
    expect(status).toBe(401);
    expect(data).toEqual({
      errorMessages: ['Client must be authenticated to access this resource.'],
      errors: {},
    });
  });

  it('answers myself with the bot and serverInfo as Cloud, and redacts the credentials', async () => {
    const me = await jira().myself.getCurrentUser();
    expect(me).toMatchObject({ accountId: BOT_ACCOUNT_ID, emailAddress: DEFAULT_EMAIL });
    const info = await jira().serverInfo.getServerInfo();
    expect(info).toMatchObject({ deploymentType: 'Cloud', baseUrl: standIn.url.slice(0, -1) });
    expect(standIn.calls[0]!.headers.authorization).toBe('Basic [redacted]');
    expect(JSON.stringify(standIn.calls)).not.toContain(DEFAULT_API_TOKEN);
  });
});

describe('POST /rest/api/3/issue', () => {
  it('creates an issue from ADF and reads it back', async () => {
    const created = await jira().issues.createIssue({ fields: fields() as never });
    expect(created).toEqual({
      id: expect.any(String),
      key: 'OPS-1',
      self: `${standIn.url}rest/api/3/issue/${created.id}`,
    });
    const issue = await jira().issues.getIssue({ issueIdOrKey: 'OPS-1' });
    expect(issue.fields.summary).toBe('[P1] Payments 5xx');
    expect(issue.fields.status.name).toBe('To Do');
    expect(issue.fields.labels).toEqual(['incident', 'INC-42']);
    expect(issue.fields.priority?.name).toBe('Highest');
    expect(adfText(issue.fields.description)).toBe('Error rate 12%\nSee the dashboard');
    expect(standIn.issue('OPS-1')).toMatchObject({
      status: 'To Do',
      reporterAccountId: BOT_ACCOUNT_ID,
    });
    expect(await createIssue()).toBe('OPS-2');
  });

  it('refuses a plain-string description with 400 (F12)', async () => {
    // jira.js wraps strings into ADF itself, so this goes below it, as other clients send it.
    const { status, data } = await refusal(
      rawRequest('/rest/api/3/issue', { fields: { ...fields(), description: 'Error rate 12%' } }),
    );
    expect(status).toBe(400);
    expect(data).toEqual({ errorMessages: [], errors: { description: NOT_ADF_MESSAGE } });
    expect(NOT_ADF_MESSAGE).toMatch(/^Operation value must be an Atlassian Document/);
    expect(standIn.issues()).toEqual([]);
  });

  it('refuses multi-line text in one ADF text node, as jira.js makes of a string (F12)', async () => {
    const description = 'Error rate 12%\n\nStack:\n  at svc.handler (app.js:10)';
    const { status, data } = await refusal(
      jira().issues.createIssue({ fields: { ...fields(), description } as never }),
    );
    expect(status).toBe(400);
    expect(data).toMatchObject({ errors: { description: NOT_ADF_MESSAGE } });
    // The same text as a codeBlock is fine.
    const codeBlock = {
      type: 'doc',
      version: 1,
      content: [{ type: 'codeBlock', content: [{ type: 'text', text: description }] }],
    };
    expect(await createIssue({ description: codeBlock })).toBe('OPS-1');
  });

  it('names the bad fields: project, issue type, summary', async () => {
    const bad = async (extra: Record<string, unknown>) =>
      (await refusal(jira().issues.createIssue({ fields: fields(extra) as never }))).data;
    expect(await bad({ project: { key: 'NOPE' } })).toEqual({
      errorMessages: [],
      errors: { project: 'Specify a valid project ID or key' },
    });
    expect(await bad({ issuetype: { name: 'Epic' } })).toEqual({
      errorMessages: [],
      errors: { issuetype: 'The issue type selected is invalid.' },
    });
    expect(await bad({ summary: undefined })).toEqual({
      errorMessages: [],
      errors: { summary: 'You must specify a summary of the issue.' },
    });
    expect(await bad({ summary: 'x'.repeat(256) })).toMatchObject({
      errors: { summary: 'Summary must be less than 255 characters.' },
    });
  });

  it('requires configured custom fields, and createmeta lists them as required (F13)', async () => {
    await restart({
      requiredFields: [
        { projectKey: 'OPS', issueType: 'Incident', fieldId: IMPACT, name: 'Impact' },
      ],
    });
    const { status, data } = await refusal(
      jira().issues.createIssue({ fields: fields() as never }),
    );
    expect(status).toBe(400);
    expect(data).toEqual({ errorMessages: [], errors: { [IMPACT]: 'Impact is required.' } });

    const meta = await jira().issues.getCreateIssueMetaIssueTypeId({
      projectIdOrKey: 'OPS',
      issueTypeId: '10009',
    });
    const required = meta.fields?.filter((field) => field.required).map((field) => field.fieldId);
    expect(required).toEqual(['issuetype', 'project', 'summary', IMPACT]);
    expect(await createIssue({ [IMPACT]: { value: 'High' } })).toBe('OPS-1');
    // Tasks have no such requirement, and unknown custom fields are refused.
    expect(await createIssue({ issuetype: { name: 'Task' } })).toBe('OPS-2');
    const unknown = await refusal(
      jira().issues.createIssue({
        fields: fields({ customfield_99: 'x', [IMPACT]: 'y' }) as never,
      }),
    );
    expect(Object.keys((unknown.data as { errors: object }).errors)).toEqual(['customfield_99']);
  });

  it('pages createmeta issue types with startAt/maxResults/total/isLast', async () => {
    const first = await jira().issues.getCreateIssueMetaIssueTypes({
      projectIdOrKey: 'OPS',
      maxResults: 2,
    });
    expect(first).toMatchObject({ startAt: 0, maxResults: 2, total: 3, isLast: false });
    expect(first.issueTypes?.map((type) => type.name)).toEqual(['Incident', 'Task']);
    const second = await jira().issues.getCreateIssueMetaIssueTypes({
      projectIdOrKey: 'OPS',
      startAt: 2,
      maxResults: 2,
    });
    expect(second).toMatchObject({ startAt: 2, total: 3, isLast: true });
    expect(second.issueTypes?.map((type) => type.name)).toEqual(['Bug']);
  });
});

describe('comments and transitions', () => {
  it('adds an ADF comment and refuses a plain string body', async () => {
    await createIssue();
    const comment = await jira().issueComments.addComment({
      issueIdOrKey: 'OPS-1',
      comment: adfDoc('Mitigated\nRolled back 4.18.2') as never,
    });
    expect(comment).toMatchObject({
      id: expect.any(String),
      author: { accountId: BOT_ACCOUNT_ID },
    });
    expect(standIn.calls.at(-1)!.status).toBe(201);
    expect(adfText(standIn.comments('OPS-1')[0]!.body)).toBe('Mitigated\nRolled back 4.18.2');

    const { status, data } = await refusal(
      rawRequest('/rest/api/3/issue/OPS-1/comment', { body: 'plain' }),
    );
    expect(status).toBe(400);
    expect(data).toEqual({ errorMessages: [], errors: { comment: NOT_ADF_MESSAGE } });
    const missing = await refusal(jira().issues.getIssue({ issueIdOrKey: 'OPS-99' }));
    expect(missing.status).toBe(404);
  });

  it('offers transitions by status, moves with 204, refuses unavailable ids with 400', async () => {
    await createIssue();
    const names = async () =>
      (await jira().issues.getTransitions({ issueIdOrKey: 'OPS-1' })).transitions?.map(
        (t) => `${t.id}:${t.name}->${t.to?.name}`,
      );
    expect(await names()).toEqual(['11:Start Progress->In Progress', '31:Done->Done']);

    await jira().issues.doTransition({ issueIdOrKey: 'OPS-1', transition: { id: '11' } });
    expect(standIn.calls.at(-1)!.status).toBe(204);
    expect(standIn.issue('OPS-1')!.status).toBe('In Progress');
    expect(await names()).toEqual(['21:Resolve->Done']);

    const { status, data } = await refusal(
      jira().issues.doTransition({ issueIdOrKey: 'OPS-1', transition: { id: '11' } }),
    );
    expect(status).toBe(400);
    expect(data).toEqual({
      errorMessages: ["Transition id '11' is not valid for this issue."],
      errors: {},
    });
  });
});

describe('JQL search', () => {
  it('pages /search/jql with nextPageToken, no total, and no token on the last page', async () => {
    for (let i = 0; i < 3; i += 1) await createIssue({ labels: ['incident'] });
    await createIssue({ labels: ['other'] });
    standIn.transitionIssue('OPS-2', 'Done', PAT.accountId);

    const search = jira().issueSearch;
    const jql = 'project = OPS AND statusCategory != Done ORDER BY created ASC';
    const first = await search.searchForIssuesUsingJqlEnhancedSearchPost({
      jql,
      maxResults: 2,
      fields: ['summary', 'status'],
    });
    expect(first.issues?.map((issue) => issue.key)).toEqual(['OPS-1', 'OPS-3']);
    expect(first).toMatchObject({ isLast: false, nextPageToken: expect.any(String) });
    expect(first).not.toHaveProperty('total');
    const second = await search.searchForIssuesUsingJqlEnhancedSearch({
      jql,
      maxResults: 2,
      fields: ['summary'],
      nextPageToken: first.nextPageToken!,
    });
    expect(second.issues?.map((issue) => issue.key)).toEqual(['OPS-4']);
    expect(second).toMatchObject({ isLast: true });
    expect(second).not.toHaveProperty('nextPageToken');

    const labelled = await search.searchForIssuesUsingJqlEnhancedSearchPost({
      jql: 'labels = incident',
    });
    expect(labelled.issues).toEqual([
      { id: expect.any(String) },
      expect.anything(),
      expect.anything(),
    ]);

    const bad = await refusal(
      search.searchForIssuesUsingJqlEnhancedSearchPost({ jql: 'text ~ x' }),
    );
    expect(bad.status).toBe(400);
    const unbounded = await refusal(search.searchForIssuesUsingJqlEnhancedSearchPost({ jql: '' }));
    expect((unbounded.data as { errorMessages: string[] }).errorMessages[0]).toMatch(/Unbounded/);
  });

  it('answers the removed /search with 410 unless legacySearch, then pages with total', async () => {
    const gone = await refusal(
      jira().issueSearch.searchForIssuesUsingJql({ jql: 'project = OPS' }),
    );
    expect(gone.status).toBe(410);

    await restart({ legacySearch: true });
    for (let i = 0; i < 3; i += 1) await createIssue();
    const page = await jira().issueSearch.searchForIssuesUsingJql({
      jql: 'project = OPS',
      startAt: 2,
      maxResults: 2,
    });
    expect(page).toMatchObject({ startAt: 2, maxResults: 2, total: 3 });
    expect(page.issues?.map((issue) => issue.key)).toEqual(['OPS-1']); // newest first
  });
});

describe('rate limits and injected failures', () => {
  it('answers 429 with Retry-After over requestsPerMinute', async () => {
    let now = 1_773_457_000_000;
    await restart({ requestsPerMinute: 2, clock: () => now });
    await jira().myself.getCurrentUser();
    now += 10_000;
    await jira().myself.getCurrentUser();
    const { status, headers, data } = await refusal(jira().myself.getCurrentUser());
    expect(status).toBe(429);
    expect(headers['retry-after']).toBe('50');
    expect(headers['ratelimit-reason']).toBe('jira-burst-based');
    expect(data).toEqual({ errorMessages: ['Rate limit exceeded.'], errors: {} });
    now += 50_000;
    await expect(jira().myself.getCurrentUser()).resolves.toMatchObject({
      accountId: BOT_ACCOUNT_ID,
    });
  });

  it('failNext answers the given failure the given number of times', async () => {
    standIn.failNext('POST /rest/api/3/issue', {
      status: 429,
      headers: { 'Retry-After': '7' },
      times: 2,
    });
    for (let i = 0; i < 2; i += 1) {
      const { status, headers } = await refusal(
        jira().issues.createIssue({ fields: fields() as never }),
      );
      expect([status, headers['retry-after']]).toEqual([429, '7']);
    }
    expect(await createIssue()).toBe('OPS-1');
    standIn.failNext('GET /rest/api/3/issue/*', { status: 503, body: 'upstream down' });
    expect((await refusal(jira().issues.getIssue({ issueIdOrKey: 'OPS-1' }))).data).toBe(
      'upstream down',
    );
  });
});

interface Received {
  headers: IncomingHttpHeaders;
  raw: string;
}

/** A local webhook receiver answering 200 and keeping what it got. */
async function receiver(): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, raw: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/jira`,
    received,
  };
}

function verifies(secret: string, { headers, raw }: Received): boolean {
  const expected = `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
  const got = String(headers['x-hub-signature'] ?? '');
  return got.length === expected.length && timingSafeEqual(Buffer.from(got), Buffer.from(expected));
}

describe('webhooks', () => {
  it('signs like the fixtures: X-Hub-Signature over the raw bytes', () => {
    const raw = readFileSync(
      new URL('../../fixtures/jira/issue-updated-status.json', import.meta.url),
      'utf8',
    );
    expect(jiraSignature('fixture-jira-webhook-secret', raw)).toBe(
      'sha256=05c4cd19ca37f6cf3d857d358f343b292c720c067e5dfef6bf6e15185ccfbec0',
    );
  });

  it('sends a person’s transition, assignment and comment to a subscriber, signed', async () => {
    const { url, received } = await receiver();
    standIn.subscribe({ url, secret: SECRET, events: ['jira:issue_updated', 'comment_created'] });
    await createIssue();
    await standIn.webhooksSettled();
    expect(received).toEqual([]); // jira:issue_created is filtered out

    const event = standIn.transitionIssue('OPS-1', 'In Progress', PAT.accountId);
    expect(event).toMatchObject({
      webhookEvent: 'jira:issue_updated',
      issue_event_type_name: 'issue_generic',
      user: { accountId: PAT.accountId, displayName: 'Pat Example' },
      issue: {
        key: 'OPS-1',
        fields: { summary: '[P1] Payments 5xx', status: { name: 'In Progress' } },
      },
      changelog: { items: [{ field: 'status', fromString: 'To Do', toString: 'In Progress' }] },
    });
    standIn.assignIssue('OPS-1', PAT.accountId, PAT.accountId);
    const comment = standIn.addComment('OPS-1', 'Looking', PAT.accountId);
    expect(comment).toMatchObject({
      webhookEvent: 'comment_created',
      comment: { author: { accountId: PAT.accountId } },
      issue: { key: 'OPS-1', fields: { status: { name: 'In Progress' } } },
    });
    await standIn.webhooksSettled();

    const bodies = received.map((r) => JSON.parse(r.raw) as Record<string, unknown>);
    expect(bodies.map((b) => `${b.webhookEvent}/${b.issue_event_type_name ?? ''}`)).toEqual([
      'jira:issue_updated/issue_generic',
      'jira:issue_updated/issue_assigned',
      'jira:issue_updated/issue_commented',
      'comment_created/',
    ]);
    for (const delivery of received) {
      expect(verifies(SECRET, delivery)).toBe(true);
      expect(delivery.headers['content-type']).toBe('application/json');
      expect(delivery.headers['x-atlassian-webhook-identifier']).toMatch(/^[0-9a-f-]{36}$/);
      expect(delivery.headers['x-atlassian-webhook-flow']).toBe('Primary');
    }
    expect(verifies('wrong', received[0]!)).toBe(false);
    expect(standIn.webhookDeliveries.map((d) => d.status)).toEqual([200, 200, 200, 200]);
  });

  it('sendWebhook repeats one identifier with a retry count, and only to loopback', async () => {
    const { url, received } = await receiver();
    await createIssue();
    const payload = standIn.issueUpdatedPayload('OPS-1', [], PAT.accountId);
    const deliveries = await standIn.sendWebhook(url, payload, { secret: SECRET, times: 2 });
    expect(deliveries.map((d) => d.status)).toEqual([200, 200]);
    expect(received[0]!.headers['x-atlassian-webhook-identifier']).toBe(
      received[1]!.headers['x-atlassian-webhook-identifier'],
    );
    expect(received[0]!.headers['x-atlassian-webhook-retry']).toBeUndefined();
    expect(received[1]!.headers['x-atlassian-webhook-retry']).toBe('1');
    expect(received.every((r) => verifies(SECRET, r))).toBe(true);

    const unsigned = await standIn.sendWebhook(url, payload);
    expect(unsigned[0]!.headers).not.toHaveProperty('X-Hub-Signature');
    await expect(standIn.sendWebhook('http://example.com/hook', payload)).rejects.toThrow(
      /127\.0\.0\.1/,
    );
  });
});
