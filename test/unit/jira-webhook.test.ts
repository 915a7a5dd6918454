import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { Version3Client } from 'jira.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { parseJiraWebhook, verifyJiraSignature } from '../../src/integrations/jira/jira-webhook.ts';
import {
  adfDoc,
  DEFAULT_API_TOKEN,
  DEFAULT_EMAIL,
  JiraStandIn,
  jiraSignature,
  PAT,
  SAM,
} from '../fakes/jira/jira-stand-in.ts';
import { readFixture } from './fixtures.ts';

const FIXTURE_SECRET = 'fixture-jira-webhook-secret';
const raw = (name: string) =>
  readFileSync(join(import.meta.dirname, '..', 'fixtures', 'jira', name));

describe('verifyJiraSignature', () => {
  const body = raw('issue-updated-status.json');

  it('accepts the fixture’s X-Hub-Signature over its raw bytes', () => {
    const header = 'sha256=05c4cd19ca37f6cf3d857d358f343b292c720c067e5dfef6bf6e15185ccfbec0';

    expect(verifyJiraSignature(header, body, FIXTURE_SECRET)).toBe(true);
    expect(
      verifyJiraSignature(header.toUpperCase().replace('SHA256', 'sha256'), body, FIXTURE_SECRET),
    ).toBe(true);
  });

  it.each([
    ['a missing header', undefined],
    ['an empty header', ''],
    ['another secret', jiraSignature('someone-else', body.toString('utf8'))],
    ['a tampered body', jiraSignature(FIXTURE_SECRET, `${body.toString('utf8')} `)],
    ['sha1', 'sha1=f038b38b391d4332ff0a4153607ac8d608535f9f'],
    ['no scheme', jiraSignature(FIXTURE_SECRET, body.toString('utf8')).slice(7)],
    ['short hex', 'sha256=abcd'],
    ['not hex', `sha256=${'z'.repeat(64)}`],
  ])('refuses %s', (_what, header) => {
    expect(verifyJiraSignature(header, body, FIXTURE_SECRET)).toBe(false);
  });

  it('refuses everything when no secret is configured', () => {
    expect(verifyJiraSignature(jiraSignature('', body.toString('utf8')), body, '')).toBe(false);
  });
});

describe('parseJiraWebhook with the shared fixtures', () => {
  it('reads a person’s transition to Done as one status event, not the resolution', () => {
    const parsed = parseJiraWebhook(readFixture('jira/issue-updated-status.json'), 'd-1');

    expect(parsed).toEqual({
      ok: true,
      events: [
        {
          system: 'jira',
          deliveryId: 'd-1',
          key: 'OPS-311',
          container: 'OPS',
          kind: 'status',
          actor: { id: PAT.accountId, name: 'Pat Example', bot: false },
          status: 'Done',
          done: true,
          url: 'https://example-corp.atlassian.example.test/browse/OPS-311',
          at: '2026-03-14T03:33:27.689Z',
        },
      ],
    });
  });

  it('reads comment_created with a plain-string (wiki) body as its text', () => {
    const parsed = parseJiraWebhook(readFixture('jira/comment-created.json'), 'd-2');

    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.events).toHaveLength(1);
    expect(parsed.events[0]).toMatchObject({
      kind: 'comment',
      key: 'OPS-311',
      container: 'OPS',
      actor: { id: SAM.accountId, name: 'Sam Sample', bot: false },
      url: 'https://example-corp.atlassian.example.test/browse/OPS-311',
      at: '2026-03-14T03:14:05.233Z',
    });
    expect(parsed.events[0]!.text).toMatch(/^Root cause: connection pool shrank/);
    expect(parsed.events[0]!.text).toContain('\nFollow-up:');
  });
});

describe('parseJiraWebhook with payloads from the Jira stand-in', () => {
  let standIn: JiraStandIn;

  beforeEach(async () => {
    standIn = await JiraStandIn.start();
    const jira = new Version3Client({
      host: standIn.url,
      authentication: { basic: { email: DEFAULT_EMAIL, apiToken: DEFAULT_API_TOKEN } },
    });
    await jira.issues.createIssue({
      fields: {
        project: { key: 'OPS' },
        issuetype: { name: 'Incident' },
        summary: 'INC-7 Checkout 5xx',
        description: adfDoc('x') as never,
      },
    });
  });

  afterEach(async () => {
    await standIn.close();
  });

  it('reads a move to In Progress as not done, with the stand-in’s browse URL', () => {
    const payload = standIn.transitionIssue('OPS-1', 'In Progress', SAM.accountId);

    const parsed = parseJiraWebhook(JSON.parse(JSON.stringify(payload)), 'd-3');

    expect(parsed).toMatchObject({
      ok: true,
      events: [
        {
          kind: 'status',
          status: 'In Progress',
          done: false,
          actor: { id: SAM.accountId, name: 'Sam Sample' },
          url: `${standIn.url}browse/OPS-1`,
        },
      ],
    });
  });

  it('reads assignment and unassignment', () => {
    const assigned = parseJiraWebhook(
      standIn.assignIssue('OPS-1', PAT.accountId, SAM.accountId),
      'a',
    );
    const unassigned = parseJiraWebhook(standIn.assignIssue('OPS-1', null, SAM.accountId), 'b');

    expect(assigned).toMatchObject({
      ok: true,
      events: [{ kind: 'assigned', assignee: 'Pat Example', actor: { id: SAM.accountId } }],
    });
    expect(unassigned).toMatchObject({ ok: true, events: [{ kind: 'unassigned' }] });
    if (unassigned.ok) expect(unassigned.events[0]).not.toHaveProperty('assignee');
  });

  it('reads an ADF comment once: from comment_created, not the issue_updated beside it', () => {
    const created = standIn.addComment('OPS-1', 'Mitigated\nRolled back 4.18.2', PAT.accountId);
    const beside = standIn.issueUpdatedPayload('OPS-1', [], PAT.accountId);
    const withComment = {
      ...beside,
      issue_event_type_name: 'issue_commented',
      comment: created.comment,
    };

    expect(parseJiraWebhook(created, 'c')).toMatchObject({
      ok: true,
      events: [{ kind: 'comment', text: 'Mitigated\nRolled back 4.18.2', actor: { bot: false } }],
    });
    expect(parseJiraWebhook(withComment, 'u')).toEqual({ ok: true, events: [] });
  });

  it('marks an app account as a bot and a change without user as Jira itself', () => {
    const payload = standIn.issueUpdatedPayload(
      'OPS-1',
      [
        {
          field: 'status',
          fieldtype: 'jira',
          fieldId: 'status',
          from: '10000',
          fromString: 'To Do',
          to: '3',
          toString: 'In Progress',
        },
      ],
      null,
    );
    const app = {
      ...payload,
      user: { accountId: 'app-1', displayName: 'Automation', accountType: 'app' },
    };

    expect(parseJiraWebhook(payload, 'n')).toMatchObject({
      ok: true,
      events: [{ actor: { id: 'jira', name: 'Jira', bot: true }, done: false }],
    });
    expect(parseJiraWebhook(app, 'n')).toMatchObject({
      ok: true,
      events: [{ actor: { id: 'app-1', name: 'Automation', bot: true } }],
    });
  });
});

describe('parseJiraWebhook refusals', () => {
  it.each([
    ['a string', 'hello', '(body)'],
    ['an array', [], '(body)'],
    ['null', null, '(body)'],
    ['no webhookEvent', { timestamp: 1 }, 'webhookEvent'],
    ['an issue_updated without issue', { webhookEvent: 'jira:issue_updated' }, 'issue'],
    [
      'an issue without key',
      { webhookEvent: 'comment_created', issue: {}, comment: {} },
      'issue.key',
    ],
  ])('refuses %s, naming the field', (_what, body, field) => {
    const parsed = parseJiraWebhook(body, 'x');

    expect(parsed).toMatchObject({ ok: false, field });
  });

  it('accepts other events with no ticket events', () => {
    expect(parseJiraWebhook({ webhookEvent: 'jira:issue_created', timestamp: 1 }, 'x')).toEqual({
      ok: true,
      events: [],
    });
  });
});
