import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { Clock } from '../../src/core/ports.ts';
import { GitHubClient } from '../../src/integrations/github/github-client.ts';
import type { GitHubClientOptions } from '../../src/integrations/github/github-client.ts';
import type { TicketDraft } from '../../src/integrations/tickets/ticket-system.ts';
import { OutboundError } from '../../src/outbound/outbound-error.ts';
import { outboundFailure } from '../support/outbound-failure.ts';
import { DEFAULT_LOGIN, DEFAULT_TOKEN, GitHubStandIn } from '../fakes/github/github-stand-in.ts';
import type { GitHubStandInOptions } from '../fakes/github/github-stand-in.ts';
import { memoryLogger } from '../support/memory-logger.ts';

const OWNER = 'acme';
const REPO = 'checkout';
const CREATE = 'POST /repos/acme/checkout/issues';

let gh: GitHubStandIn;
let client: GitHubClient;
/** One clock for the stand-in and the client, so rate windows and waits can be skipped. */
let now: number;
const clock: Clock = { now: () => new Date(now) };

async function start(
  standIn: GitHubStandInOptions = {},
  options: Partial<GitHubClientOptions> = {},
): Promise<void> {
  await gh?.close();
  gh = await GitHubStandIn.start({ clock: () => now, ...standIn });
  client = new GitHubClient({
    apiUrl: gh.url,
    token: DEFAULT_TOKEN,
    repository: `${OWNER}/${REPO}`,
    logger: memoryLogger(),
    clock,
    ...options,
  });
}

function draft(n: number, fields: Partial<TicketDraft> = {}): TicketDraft {
  return {
    incidentId: `INC-${n}`,
    purpose: 'incident',
    title: `INC-${n}: checkout 5xx above 5%`,
    body: [
      { type: 'heading', text: 'What happened' },
      { type: 'paragraph', lines: [[{ text: 'Error rate 12% <2> & @oncall' }]] },
    ],
    labels: ['checkout'],
    severity: 'critical',
    marker: `fb-INC-${n}-3k2j9a`,
    ...fields,
  };
}

beforeEach(async () => {
  now = Date.parse('2026-03-14T03:00:00Z');
  await start();
});

afterEach(async () => {
  await gh.close();
});

describe('GitHubClient tickets against the GitHub stand-in', () => {
  it('opens an issue with our labels, Markdown body and marker', async () => {
    const state = await client.create(draft(42, { title: `INC-42 ${'x'.repeat(300)}` }));

    const [issue] = gh.issues(OWNER, REPO);
    expect(state).toEqual({
      key: '1',
      url: 'https://github.invalid/acme/checkout/issues/1',
      status: 'open',
      done: false,
      title: issue?.title,
    });
    expect([...(issue?.title ?? '')]).toHaveLength(256);
    expect(issue?.title.endsWith('…')).toBe(true);
    expect(issue?.labels).toEqual(['firebreak', 'firebreak:INC-42', 'checkout', 'sev1']);
    expect(issue?.body).toBe(
      '### What happened\n\nError rate 12% &lt;2&gt; &amp; @\u200boncall\n\n' +
        '<!-- firebreak:fb-INC-42-3k2j9a -->',
    );
    expect(gh.callsTo(CREATE)[0]?.headers).toMatchObject({
      'x-github-api-version': '2022-11-28',
      authorization: 'token [redacted]',
    });
    expect(gh.callsTo(CREATE)[0]?.headers['user-agent']).toMatch(/^firebreak /);
  });

  it('finds the issue an earlier attempt opened by its marker, newest first', async () => {
    await client.create(draft(42));
    await client.create(draft(42, { marker: 'fb-INC-42-second' }));
    await client.create(draft(7));

    const found = await client.findByMarker('INC-42', 'fb-INC-42-3k2j9a');
    const missing = await client.findByMarker('INC-42', 'fb-INC-42-never');

    expect(found?.key).toBe('1');
    expect(missing).toBeUndefined();
    expect(gh.callsTo('GET /repos/acme/checkout/issues')[0]?.query).toMatchObject({
      state: 'all',
      labels: 'firebreak:INC-42',
      per_page: '100',
    });
  });

  it('comments, closes as completed once, and reads the state back', async () => {
    const { key } = await client.create(draft(42));

    await client.comment(key, [{ type: 'paragraph', lines: [[{ text: 'Rolled back' }]] }]);
    const closed = await client.close(key);
    const again = await client.close(key);
    const state = await client.get(key);

    expect(gh.comments(OWNER, REPO, 1).map((c) => c.body)).toEqual(['Rolled back']);
    expect(closed).toEqual({ outcome: 'closed', status: 'closed' });
    expect(again).toEqual({ outcome: 'already', status: 'closed' });
    expect(state).toMatchObject({ key, status: 'closed', done: true });
    expect(gh.issue(OWNER, REPO, 1)?.stateReason).toBe('completed');
    expect(gh.callsTo('PATCH /repos/acme/checkout/issues/1')).toHaveLength(1);
  });

  it('knows its own login', async () => {
    expect(await client.login()).toBe(DEFAULT_LOGIN);
  });
});

describe('GitHubClient recent changes', () => {
  it('lists deployments and merged pulls since a time across pages, newest first', async () => {
    const at = (minutesAgo: number) =>
      new Date(now - minutesAgo * 60_000).toISOString().replace('.000Z', 'Z');
    gh.addDeployments(
      OWNER,
      REPO,
      Array.from({ length: 250 }, (_, i) => ({ ref: `v1.${i}`, createdAt: at(300 - i) })),
    );
    gh.addPulls(
      OWNER,
      REPO,
      Array.from({ length: 250 }, (_, i) => ({
        state: 'closed' as const,
        updatedAt: at(250 - i),
        mergedAt: i % 2 === 0 ? at(250 - i) : null,
      })),
    );

    const changes = await client.recentChanges(at(200), 1000);

    const deployments = changes.filter((c) => c.kind === 'deployment');
    const pulls = changes.filter((c) => c.kind === 'pull');
    expect(deployments).toHaveLength(150); // created 200..51 minutes ago
    expect(pulls).toHaveLength(100); // merged (every other one) 200..2 minutes ago
    expect(changes.map((c) => Date.parse(c.at))).toEqual(
      changes.map((c) => Date.parse(c.at)).sort((a, b) => b - a),
    );
    expect(deployments[0]).toMatchObject({
      title: 'Deployed v1.249 to production',
      ref: 'v1.249',
      environment: 'production',
      who: 'deploy-bot',
    });
    expect(pulls[0]).toMatchObject({ url: expect.stringMatching(/\/pull\/\d+$/), ref: 'main' });
    expect(gh.callsTo('GET /repos/acme/checkout/deployments')).toHaveLength(2);
    expect(gh.callsTo('GET /repos/acme/checkout/pulls')).toHaveLength(3);
  });

  it('stops reading pages once it has `limit` changes', async () => {
    gh.addDeployments(
      OWNER,
      REPO,
      Array.from({ length: 250 }, () => ({})),
    );

    const changes = await client.recentChanges('2026-03-01T00:00:00Z', 5);

    expect(changes).toHaveLength(5);
    expect(gh.callsTo('GET /repos/acme/checkout/deployments')).toHaveLength(1);
  });
});

describe('GitHubClient failures', () => {
  it('names GITHUB_TOKEN on 401 and GITHUB_REPOSITORY on an unknown repository', async () => {
    const wrongToken = new GitHubClient({
      apiUrl: gh.url,
      token: 'ghp_wrong',
      repository: 'acme/checkout',
      logger: memoryLogger(),
    });
    const wrongRepo = new GitHubClient({
      apiUrl: gh.url,
      token: DEFAULT_TOKEN,
      repository: 'acme/nope',
      logger: memoryLogger(),
    });

    const unauthorized = await outboundFailure(wrongToken.create(draft(1)));
    const missing = await outboundFailure(wrongRepo.create(draft(1)));
    const noIssue = await outboundFailure(client.get('99'));

    expect(unauthorized).toMatchObject({ code: '401', retryable: false, service: 'github' });
    expect(unauthorized.message).toContain('GITHUB_TOKEN');
    expect(missing).toMatchObject({ code: '404', retryable: false });
    expect(missing.message).toContain('GITHUB_REPOSITORY');
    expect(noIssue.message).toContain('no issue #99');
  });

  it('reports 410 as issues disabled and 422 with GitHub’s errors by field', async () => {
    gh.failNext(CREATE, { status: 410, body: { message: 'Issues are disabled for this repo' } });
    gh.failNext(CREATE, {
      status: 422,
      body: {
        message: 'Validation Failed',
        errors: [{ resource: 'Issue', field: 'assignees', code: 'invalid' }],
      },
    });

    const disabled = await outboundFailure(client.create(draft(1)));
    const invalid = await outboundFailure(client.create(draft(1)));

    expect(disabled.message).toContain('issues are disabled in acme/checkout');
    expect(invalid).toMatchObject({ code: '422', fields: { assignees: 'invalid' } });
    expect(invalid.message).toContain('Issue assignees invalid');
  });

  it('retries 5xx and network failures', async () => {
    gh.failNext(CREATE, { status: 502 });
    gh.failNext(CREATE, { disconnect: true });

    const bad = await outboundFailure(client.create(draft(1)));
    const dropped = await outboundFailure(client.create(draft(1)));

    expect(bad).toMatchObject({ code: '502', retryable: true });
    expect(dropped).toMatchObject({ code: 'request_error', retryable: true });
  });
});

describe('GitHubClient rate limits', () => {
  it('waits for x-ratelimit-reset after a primary limit, calling nothing meanwhile', async () => {
    await start({ requestsPerHour: 2 });
    await client.get((await client.create(draft(1))).key);

    const limited = await outboundFailure(client.get('1'));
    const meanwhile = await outboundFailure(client.findByMarker('INC-1', 'x'));

    // The stand-in's hour started with the first call: x-ratelimit-reset is an hour later.
    const reset = Math.ceil((now + 3_600_000) / 1000) * 1000;
    expect(limited.code).toBe('primary_rate_limit');
    expect(limited.retryAfterMs).toBe(reset - now + 1_000);
    expect(meanwhile.retryAfterMs).toBe(limited.retryAfterMs);
    expect(gh.calls).toHaveLength(3);
  });

  it('waits retry-after on a secondary limit, and blocks other writes meanwhile', async () => {
    gh.failNext(CREATE, { status: 403, headers: { 'retry-after': '30' } });

    const limited = await outboundFailure(client.create(draft(1)));
    const blocked = await outboundFailure(client.comment('1', [{ type: 'heading', text: 'x' }]));
    const read = await client.findByMarker('INC-1', 'x');

    expect(limited).toMatchObject({ code: 'secondary_rate_limit', retryAfterMs: 30_000 });
    expect(blocked.retryAfterMs).toBe(30_000 + 1_000);
    expect(read).toBeUndefined();
    expect(gh.callsTo(/^POST /)).toHaveLength(1);
  });

  it('waits at least secondaryWaitMs without retry-after, doubling while it repeats', async () => {
    await start({}, { secondaryWaitMs: 5_000 });
    gh.failNext(CREATE, { status: 403, times: 3 });
    const waits: (number | undefined)[] = [];

    for (let attempt = 0; attempt < 3; attempt += 1) {
      const error = await outboundFailure(client.create(draft(1)));
      waits.push(error.retryAfterMs);
      now += error.retryAfterMs ?? 0;
    }
    await client.create(draft(1));
    gh.failNext(CREATE, { status: 429 });
    const afresh = await outboundFailure(client.create(draft(2)));

    expect(waits).toEqual([5_000, 10_000, 20_000]);
    expect(afresh.retryAfterMs).toBe(5_000);
  });

  it('F14: 40 creations at 30 a minute: 30 open, no burst, no duplicate on retry', async () => {
    await start({ issueCreationsPerMinute: 30, secondaryRetryAfterSeconds: 60 });
    const drafts = Array.from({ length: 40 }, (_, i) => draft(i + 1));

    const results = await Promise.allSettled(drafts.map((d) => client.create(d)));

    const refused = results.flatMap((r, i) => (r.status === 'rejected' ? [i] : []));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(30);
    expect(refused).toHaveLength(10);
    const waits = refused.map((i) => {
      const reason = (results[i] as PromiseRejectedResult).reason as OutboundError;
      expect(reason).toBeInstanceOf(OutboundError);
      return reason.retryAfterMs ?? 0;
    });
    expect(waits[0]).toBe(60_000);
    expect(waits.every((wait, i) => i === 0 || wait > (waits[i - 1] ?? 0))).toBe(true);
    expect(gh.callsTo(CREATE)).toHaveLength(31);

    // The outbound queue's retries, as it runs them: find the marker first, then create.
    now += Math.max(...waits);
    for (const round of [1, 2]) {
      for (const i of refused) {
        const d = drafts[i] as TicketDraft;
        const found = await client.findByMarker(d.incidentId, d.marker);
        if (!found) await client.create(d);
        expect(Boolean(found)).toBe(round === 2);
      }
    }

    const issues = gh.issues(OWNER, REPO);
    expect(issues).toHaveLength(40);
    expect(new Set(issues.map((issue) => issue.labels[1])).size).toBe(40);
    expect(gh.callsTo(CREATE)).toHaveLength(41);
  });
});
