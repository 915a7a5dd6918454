import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

import { Octokit } from '@octokit/rest';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';

import {
  DEFAULT_LOGIN,
  DEFAULT_TOKEN,
  GitHubStandIn,
  gitHubSignature,
  type GitHubStandInOptions,
} from './github-stand-in.ts';

const OWNER = 'acme';
const REPO = 'checkout';
const SECRET = 'gh-webhook-secret';
const FIXTURES = new URL('../../fixtures/github/', import.meta.url);

let standIn: GitHubStandIn;

/** Octokit logs every error answer; these tests expect many. */
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** The real client against the stand-in. */
function octokit(auth: string = DEFAULT_TOKEN, target: GitHubStandIn = standIn): Octokit {
  return new Octokit({ auth, baseUrl: target.url, request: { retries: 0 }, log: quiet });
}

async function startStandIn(options: GitHubStandInOptions): Promise<GitHubStandIn> {
  const started = await GitHubStandIn.start(options);
  onTestFinished(() => started.close());
  return started;
}

/** The error a promise rejects with (Octokit's RequestError), for its status and response. */
async function failure(promise: Promise<unknown>) {
  const error = await promise.then(
    () => expect.fail('expected the request to fail'),
    (caught: unknown) => caught,
  );
  return error as {
    status: number;
    message: string;
    response: { headers: Record<string, string>; data: Record<string, unknown> };
  };
}

function createIssue(title = 'INC-42: checkout 5xx above 5%') {
  return octokit().rest.issues.create({
    owner: OWNER,
    repo: REPO,
    title,
    body: 'Opened by Firebreak',
    labels: ['incident', 'sev1'],
  });
}

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A receiver on 127.0.0.1 that records each request and answers `status`. */
async function receiver(status = 200): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/github`,
    received,
  };
}

/** What the bot must do: HMAC the raw bytes and compare in constant time. */
function verifies(secret: string, body: string, header: string | undefined): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
  const given = Buffer.from(header ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

beforeEach(async () => {
  standIn = await GitHubStandIn.start();
});

afterEach(async () => {
  await standIn.close();
});

describe('issues', () => {
  it('creates an issue with labels and answers 201 with GitHub’s shape', async () => {
    const { status, data, headers } = await createIssue();

    expect(status).toBe(201);
    expect(data).toMatchObject({
      number: 1,
      title: 'INC-42: checkout 5xx above 5%',
      body: 'Opened by Firebreak',
      state: 'open',
      state_reason: null,
      labels: [{ name: 'incident' }, { name: 'sev1' }],
      html_url: 'https://github.invalid/acme/checkout/issues/1',
      user: { login: DEFAULT_LOGIN },
    });
    expect(data.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(headers['x-ratelimit-limit']).toBe('5000');
    expect(headers['x-ratelimit-remaining']).toBe('4999');
    expect(headers['x-ratelimit-used']).toBe('1');
    expect(headers['x-ratelimit-resource']).toBe('core');
    expect(Number(headers['x-ratelimit-reset'])).toBeGreaterThan(Date.now() / 1000);
    expect(standIn.issues(OWNER, REPO)).toHaveLength(1);
  });

  it('accepts `token` and `Bearer` schemes and an API version, and redacts the token', async () => {
    const bearer = await fetch(`${standIn.url}/repos/${OWNER}/${REPO}/issues`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${DEFAULT_TOKEN}`,
        'X-GitHub-Api-Version': '2022-11-28',
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({ title: 'by fetch' }),
    });
    expect(bearer.status).toBe(201);
    await createIssue(); // Octokit sends `authorization: token <t>`

    const [first, second] = standIn.callsTo('POST /repos/*/*/issues');
    expect(first?.headers.authorization).toBe('Bearer [redacted]');
    expect(second?.headers.authorization).toBe('token [redacted]');
    expect(JSON.stringify(standIn.calls)).not.toContain(DEFAULT_TOKEN);
  });

  it('answers 400 for an API version GitHub does not support', async () => {
    const error = await failure(
      octokit().rest.issues.listForRepo({
        owner: OWNER,
        repo: REPO,
        headers: { 'x-github-api-version': '2019-01-01' },
      }),
    );

    expect(error.status).toBe(400);
  });

  it('answers 401 Bad credentials for a wrong token, 404 for an unknown repo', async () => {
    const unauthorized = await failure(
      octokit('ghp_wrong').rest.issues.create({ owner: OWNER, repo: REPO, title: 'x' }),
    );
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.response.data).toMatchObject({ message: 'Bad credentials' });
    expect(unauthorized.response.headers['x-ratelimit-limit']).toBe('60');

    const missing = await failure(
      octokit().rest.issues.create({ owner: OWNER, repo: 'nope', title: 'x' }),
    );
    expect(missing.status).toBe(404);
    expect(missing.response.data).toMatchObject({ message: 'Not Found' });
    expect(standIn.issues(OWNER, REPO)).toEqual([]);
  });

  it('answers 422 Validation Failed when the title is missing', async () => {
    const error = await failure(
      octokit().request('POST /repos/acme/checkout/issues', { body: 'no title' }),
    );

    expect(error.status).toBe(422);
    expect(error.response.data).toMatchObject({
      message: 'Validation Failed',
      errors: [{ resource: 'Issue', field: 'title', code: 'missing_field' }],
    });
  });

  it('closes with a state_reason, reopens, and comments with pagination', async () => {
    const gh = octokit();
    const { data: issue } = await createIssue();
    const ref = { owner: OWNER, repo: REPO, issue_number: issue.number };

    const closed = await gh.rest.issues.update({
      ...ref,
      state: 'closed',
      state_reason: 'not_planned',
    });
    expect(closed.data).toMatchObject({ state: 'closed', state_reason: 'not_planned' });
    expect(closed.data.closed_at).not.toBeNull();
    const reopened = await gh.rest.issues.update({ ...ref, state: 'open' });
    expect(reopened.data).toMatchObject({
      state: 'open',
      state_reason: 'reopened',
      closed_at: null,
    });
    const bad = await failure(
      gh.request(`PATCH /repos/acme/checkout/issues/${issue.number}`, { state: 'done' }),
    );
    expect(bad.status).toBe(422);

    for (let n = 1; n <= 5; n += 1) {
      const { status, data } = await gh.rest.issues.createComment({ ...ref, body: `update ${n}` });
      expect(status).toBe(201);
      expect(data.html_url).toBe(`${issue.html_url}#issuecomment-${data.id}`);
    }
    const comments = await gh.paginate(gh.rest.issues.listComments, { ...ref, per_page: 2 });
    expect(comments.map((comment) => comment.body)).toEqual(
      [1, 2, 3, 4, 5].map((n) => `update ${n}`),
    );
    expect(standIn.comments(OWNER, REPO, issue.number)).toHaveLength(5);
    expect((await gh.rest.issues.get(ref)).data.comments).toBe(5);
  });
});

describe('pagination', () => {
  it('pages 250 closed pulls by updated desc with Link headers that paginate follows', async () => {
    const base = Date.parse('2026-03-01T00:00:00Z');
    standIn.addPulls(
      OWNER,
      REPO,
      Array.from({ length: 250 }, (_, i) => ({
        state: 'closed' as const,
        updatedAt: new Date(base + i * 60_000).toISOString().replace('.000Z', 'Z'),
      })),
    );
    standIn.addPulls(OWNER, REPO, [{ state: 'open' }]);
    const gh = octokit();

    const first = await gh.rest.pulls.list({
      owner: OWNER,
      repo: REPO,
      state: 'closed',
      sort: 'updated',
      direction: 'desc',
      per_page: 100,
    });
    expect(first.data).toHaveLength(100);
    expect(first.headers.link).toMatch(/<[^>]*[?&]page=2[^>]*>; rel="next"/);
    expect(first.headers.link).toMatch(/<[^>]*[?&]page=3[^>]*>; rel="last"/);
    expect(first.headers.link).toContain('state=closed');

    const all = await gh.paginate(gh.rest.pulls.list, {
      owner: OWNER,
      repo: REPO,
      state: 'closed',
      sort: 'updated',
      direction: 'desc',
      per_page: 100,
    });
    expect(all).toHaveLength(250);
    expect(all[0]?.number).toBe(250);
    expect(all.at(-1)?.number).toBe(1);
    expect(standIn.callsTo('GET /repos/acme/checkout/pulls')).toHaveLength(4);
  });

  it('caps per_page at 100 and lists deployments newest first', async () => {
    standIn.addDeployments(
      OWNER,
      REPO,
      Array.from({ length: 120 }, (_, i) => ({ ref: `v1.${i}` })),
    );
    const gh = octokit();

    const page = await gh.rest.repos.listDeployments({ owner: OWNER, repo: REPO, per_page: 500 });
    expect(page.data).toHaveLength(100);
    expect(page.data[0]).toMatchObject({
      ref: 'v1.119',
      environment: 'production',
      task: 'deploy',
    });
    const second = await gh.rest.repos.listDeployments({
      owner: OWNER,
      repo: REPO,
      page: 2,
      per_page: 100,
    });
    expect(second.data).toHaveLength(20);
    expect(second.headers.link).toContain('rel="prev"');
    expect(second.headers.link).not.toContain('rel="next"');
  });
});

describe('rate limits', () => {
  it('refuses with 403 and remaining 0 past the primary limit', async () => {
    const limited = await startStandIn({ requestsPerHour: 2 });
    const gh = octokit(DEFAULT_TOKEN, limited);
    const list = () => gh.rest.issues.listForRepo({ owner: OWNER, repo: REPO });

    expect((await list()).headers['x-ratelimit-remaining']).toBe('1');
    expect((await list()).headers['x-ratelimit-remaining']).toBe('0');
    const error = await failure(list());

    expect(error.status).toBe(403);
    expect(error.response.headers['x-ratelimit-remaining']).toBe('0');
    expect(Number(error.response.headers['x-ratelimit-reset'])).toBeGreaterThan(Date.now() / 1000);
    expect(error.response.data.message).toMatch(/^API rate limit exceeded for /);
  });

  it('restores the budget after the hour, by the stand-in’s clock', async () => {
    let now = Date.parse('2026-03-14T03:00:00Z');
    const limited = await startStandIn({ requestsPerHour: 1, clock: () => now });
    const gh = octokit(DEFAULT_TOKEN, limited);
    const list = () => gh.rest.issues.listForRepo({ owner: OWNER, repo: REPO });

    await list();
    expect((await failure(list())).status).toBe(403);
    now += 3_600_000;
    expect((await list()).status).toBe(200);
  });

  it('answers secondary rate limits from failNext, with and without retry-after (F14)', async () => {
    standIn.failNext('POST /repos/*/*/issues', { status: 403, headers: { 'retry-after': '60' } });
    standIn.failNext('POST /repos/*/*/issues', { status: 429 });

    const first = await failure(createIssue());
    expect(first.status).toBe(403);
    expect(first.response.headers['retry-after']).toBe('60');
    expect(first.response.data.message).toContain('secondary rate limit');
    expect(first.response.headers['x-ratelimit-remaining']).not.toBe('0');

    const second = await failure(createIssue());
    expect(second.status).toBe(429);
    expect(second.response.headers['retry-after']).toBeUndefined();
    expect(second.response.data.message).toContain('secondary rate limit');

    expect((await createIssue()).status).toBe(201);
    expect(standIn.issues(OWNER, REPO)).toHaveLength(1); // refused creates leave nothing behind
  });

  it('refuses creations past the per-minute limit, retry-after on every other (F14)', async () => {
    let now = Date.parse('2026-03-14T03:00:00Z');
    const limited = await startStandIn({
      issueCreationsPerMinute: 3,
      secondaryRetryAfterSeconds: 7,
      clock: () => now,
    });
    const gh = octokit(DEFAULT_TOKEN, limited);
    const create = (title: string) => gh.rest.issues.create({ owner: OWNER, repo: REPO, title });
    const { data: issue } = await create('one');
    await create('two');
    await gh.rest.issues.createComment({ owner: OWNER, repo: REPO, issue_number: 1, body: 'x' });

    const first = await failure(create('four'));
    const second = await failure(
      gh.rest.issues.createComment({ owner: OWNER, repo: REPO, issue_number: 1, body: 'y' }),
    );
    const third = await failure(create('six'));
    const read = await gh.rest.issues.get({ owner: OWNER, repo: REPO, issue_number: issue.number });

    expect([first.status, second.status, third.status]).toEqual([403, 403, 403]);
    expect(first.response.data.message).toContain('secondary rate limit');
    expect(first.response.headers['retry-after']).toBe('7');
    expect(second.response.headers['retry-after']).toBeUndefined();
    expect(third.response.headers['retry-after']).toBe('7');
    expect(first.response.headers['x-ratelimit-remaining']).not.toBe('0');
    expect(read.status).toBe(200);
    expect(limited.issues(OWNER, REPO).map((item) => item.title)).toEqual(['one', 'two']);
    expect(limited.comments(OWNER, REPO, 1)).toHaveLength(1);

    now += 60_000;
    expect((await create('after a minute')).status).toBe(201);
  });

  it('fails `times` requests and can drop the connection', async () => {
    standIn.failNext('GET /repos/acme/checkout/issues', { status: 502, times: 2 });
    standIn.failNext(/^GET \/repos\/acme\/checkout\/pulls$/, { disconnect: true });
    const gh = octokit();

    expect((await failure(gh.rest.issues.listForRepo({ owner: OWNER, repo: REPO }))).status).toBe(
      502,
    );
    expect((await failure(gh.rest.issues.listForRepo({ owner: OWNER, repo: REPO }))).status).toBe(
      502,
    );
    expect((await gh.rest.issues.listForRepo({ owner: OWNER, repo: REPO })).status).toBe(200);
    await expect(gh.rest.pulls.list({ owner: OWNER, repo: REPO })).rejects.toThrow();
    expect(standIn.callsTo('GET /repos/*/*/pulls')[0]?.status).toBe(0);
  });
});

describe('webhooks', () => {
  it('signs like the fixtures: sha256 HMAC of the raw bytes', () => {
    const raw = readFileSync(new URL('issues-closed.json', FIXTURES), 'utf8');

    expect(gitHubSignature('fixture-github-webhook-secret', raw)).toBe(
      'sha256=9eb741679f1708b78a8d62f8ac4a10d3dcc2e3e68ee6eaabc02cb07e0a54deb7',
    );
  });

  it('sends a signed issues.closed webhook that a receiver verifies', async () => {
    const { url, received } = await receiver();
    const { data: issue } = await createIssue();
    const payload = standIn.setIssueState(OWNER, REPO, issue.number, 'closed', 'pat-example');

    const delivery = await standIn.sendWebhook(url, 'issues', payload, {
      secret: SECRET,
      deliveryId: '9b1f6e40-1f3a-11f1-8e7c-5a2b4c9d0e1f',
    });

    expect(delivery.status).toBe(200);
    const [request] = received;
    expect(request?.headers['x-github-event']).toBe('issues');
    expect(request?.headers['x-github-delivery']).toBe('9b1f6e40-1f3a-11f1-8e7c-5a2b4c9d0e1f');
    expect(request?.headers['user-agent']).toMatch(/^GitHub-Hookshot\//);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(
      verifies(SECRET, request?.body ?? '', request?.headers['x-hub-signature-256'] as string),
    ).toBe(true);
    expect(
      verifies('other', request?.body ?? '', request?.headers['x-hub-signature-256'] as string),
    ).toBe(false);
    expect(JSON.parse(request?.body ?? '{}')).toMatchObject({
      action: 'closed',
      issue: { number: issue.number, state: 'closed', state_reason: 'completed' },
      repository: { full_name: 'acme/checkout' },
      sender: { login: 'pat-example' },
    });
    expect(standIn.webhookDeliveries).toEqual([delivery]);
  });

  it('builds issues and issue_comment payloads with only fields the fixtures have', async () => {
    const fixture = (name: string) =>
      JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as Record<
        string,
        Record<string, unknown>
      >;
    const closedFixture = fixture('issues-closed.json');
    const commentFixture = fixture('issue-comment-created.json');
    const { data: issue } = await createIssue();

    const assigned = standIn.issuesPayload('assigned', OWNER, REPO, issue.number, {
      sender: 'pat-example',
      assignee: 'pat-example',
    });
    expect(assigned).toMatchObject({ action: 'assigned', assignee: { login: 'pat-example' } });
    const created = standIn.addComment(OWNER, REPO, issue.number, 'Rolled back', 'sam-sample');
    expect(created).toMatchObject({
      action: 'created',
      comment: { body: 'Rolled back', user: { login: 'sam-sample' } },
      sender: { login: 'sam-sample' },
    });

    const keysWithin = (ours: unknown, theirs: unknown) =>
      expect(Object.keys(ours as object).filter((key) => !(key in (theirs as object)))).toEqual([]);
    for (const part of ['issue', 'repository', 'sender'] as const) {
      keysWithin(assigned[part], closedFixture[part]);
      keysWithin(created[part], commentFixture[part]);
    }
    keysWithin(created.comment, commentFixture.comment);
  });

  it('refuses to send anywhere but loopback', async () => {
    await expect(
      standIn.sendWebhook('https://example.com/hook', 'issues', {}, { secret: SECRET }),
    ).rejects.toThrow(/127\.0\.0\.1 only/);
  });
});
