import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import {
  parseGitHubWebhook,
  verifyGitHubSignature,
} from '../../src/integrations/github/github-webhook.ts';

/** The fixtures' README gives the secret and the signatures over the stored bytes. */
const SECRET = 'fixture-github-webhook-secret';
const CLOSED_SIGNATURE = 'sha256=9eb741679f1708b78a8d62f8ac4a10d3dcc2e3e68ee6eaabc02cb07e0a54deb7';
const COMMENT_SIGNATURE = 'sha256=12364c3b347b7be8139260fd0128ea0387ce863c41c4ff7998ffcda36a2c6c69';
const CLOSED_DELIVERY = '9b1f6e40-1f3a-11f1-8e7c-5a2b4c9d0e1f';
const COMMENT_DELIVERY = '4c7a2d10-1f39-11f1-9a51-3e6f8b2c1d0a';

function raw(name: string): Buffer {
  return readFileSync(join(import.meta.dirname, '..', 'fixtures', 'github', name));
}

function payload(name: string): Record<string, Record<string, unknown>> {
  return JSON.parse(raw(name).toString('utf8')) as Record<string, Record<string, unknown>>;
}

describe('verifyGitHubSignature', () => {
  it('accepts the fixtures’ signatures over their exact bytes', () => {
    expect(verifyGitHubSignature(CLOSED_SIGNATURE, raw('issues-closed.json'), SECRET)).toBe(true);
    expect(
      verifyGitHubSignature(COMMENT_SIGNATURE, raw('issue-comment-created.json'), SECRET),
    ).toBe(true);
  });

  it('refuses the body with one byte changed', () => {
    const body = raw('issues-closed.json');
    const index = body.indexOf('closed');
    body[index] = 'C'.charCodeAt(0);

    expect(verifyGitHubSignature(CLOSED_SIGNATURE, body, SECRET)).toBe(false);
  });

  it.each([
    ['a missing header', undefined],
    ['an empty header', ''],
    ['the legacy SHA-1 header', 'sha1=f038b38b391d4332ff0a4153607ac8d608535f9f'],
    ['the other fixture’s signature', COMMENT_SIGNATURE],
    ['no scheme', CLOSED_SIGNATURE.slice('sha256='.length)],
    ['hex that is too short', 'sha256=9eb741'],
    ['not hex', `sha256=${'z'.repeat(64)}`],
  ])('refuses %s', (_what, header) => {
    expect(verifyGitHubSignature(header, raw('issues-closed.json'), SECRET)).toBe(false);
  });

  it('refuses another secret, and any signature when no secret is configured', () => {
    const body = raw('issues-closed.json');

    expect(verifyGitHubSignature(CLOSED_SIGNATURE, body, 'another-secret')).toBe(false);
    expect(verifyGitHubSignature(CLOSED_SIGNATURE, body, '')).toBe(false);
  });
});

describe('parseGitHubWebhook', () => {
  it('reads issues.closed from the fixture as a done status by a person', () => {
    const result = parseGitHubWebhook('issues', payload('issues-closed.json'), CLOSED_DELIVERY);

    expect(result).toEqual({
      ok: true,
      events: [
        {
          system: 'github',
          deliveryId: CLOSED_DELIVERY,
          key: '118',
          container: 'example-corp/incidents',
          kind: 'status',
          status: 'closed',
          done: true,
          actor: { id: 'pat-example', name: 'pat-example', bot: false },
          url: 'https://github.example.test/example-corp/incidents/issues/118',
          at: payload('issues-closed.json').issue?.updated_at,
        },
      ],
    });
  });

  it('reads issue_comment.created from the fixture with the comment as text', () => {
    const body = payload('issue-comment-created.json');

    const result = parseGitHubWebhook('issue_comment', body, COMMENT_DELIVERY);

    expect(result).toEqual({
      ok: true,
      events: [
        {
          system: 'github',
          deliveryId: COMMENT_DELIVERY,
          key: '118',
          container: 'example-corp/incidents',
          kind: 'comment',
          text: body.comment?.body,
          actor: { id: 'sam-sample', name: 'sam-sample', bot: false },
          url: 'https://github.example.test/example-corp/incidents/issues/118#issuecomment-2724601138',
          at: '2026-03-14T03:12:40Z',
        },
      ],
    });
  });

  it('reads reopened as open, and assigned/unassigned with the assignee', () => {
    const body = payload('issues-closed.json');
    const assignee = { login: 'sam-sample', type: 'User' };

    const reopened = parseGitHubWebhook('issues', { ...body, action: 'reopened' }, 'd1');
    const assigned = parseGitHubWebhook('issues', { ...body, action: 'assigned', assignee }, 'd2');
    const unassigned = parseGitHubWebhook(
      'issues',
      { ...body, action: 'unassigned', assignee },
      'd3',
    );

    expect(reopened).toMatchObject({ ok: true, events: [{ kind: 'status', status: 'open' }] });
    expect(reopened.ok && reopened.events[0]?.done).toBe(false);
    expect(assigned).toMatchObject({
      ok: true,
      events: [{ kind: 'assigned', assignee: 'sam-sample', deliveryId: 'd2' }],
    });
    expect(unassigned).toMatchObject({
      ok: true,
      events: [{ kind: 'unassigned', assignee: 'sam-sample' }],
    });
  });

  it('marks an app’s actions as a bot’s', () => {
    const body = payload('issues-closed.json');
    const sender = { login: 'firebreak[bot]', type: 'Bot' };

    const result = parseGitHubWebhook('issues', { ...body, sender }, 'd1');

    expect(result).toMatchObject({
      ok: true,
      events: [{ actor: { id: 'firebreak[bot]', name: 'firebreak[bot]', bot: true } }],
    });
  });

  it('skips comments on pull requests', () => {
    const body = payload('issue-comment-created.json');
    const issue = { ...body.issue, pull_request: { url: 'https://github.example.test/pr/1' } };

    expect(parseGitHubWebhook('issue_comment', { ...body, issue }, 'd1')).toEqual({
      ok: true,
      events: [],
    });
  });

  it.each([
    ['ping', { zen: 'Design for failure.', hook_id: 48213 }],
    ['push', { ref: 'refs/heads/main' }],
    [undefined, {}],
    ['issues', { ...payload('issues-closed.json'), action: 'labeled' }],
    ['issue_comment', { ...payload('issue-comment-created.json'), action: 'edited' }],
  ])('accepts %s (and other actions) with no events', (event, body) => {
    expect(parseGitHubWebhook(event, body, 'd1')).toEqual({ ok: true, events: [] });
  });

  it('names the field of a malformed body', () => {
    const closed = payload('issues-closed.json');
    const comment = payload('issue-comment-created.json');

    expect(parseGitHubWebhook('issues', [], 'd1')).toMatchObject({ ok: false, field: '(body)' });
    expect(parseGitHubWebhook('issues', { issue: {} }, 'd1')).toMatchObject({
      ok: false,
      field: 'action',
      message: 'is required',
    });
    expect(
      parseGitHubWebhook('issues', { ...closed, issue: { ...closed.issue, number: '118' } }, 'd1'),
    ).toMatchObject({ ok: false, field: 'issue.number' });
    expect(parseGitHubWebhook('issues', { ...closed, sender: undefined }, 'd1')).toMatchObject({
      ok: false,
      field: 'sender',
    });
    expect(parseGitHubWebhook('issues', { ...closed, action: 'assigned' }, 'd1')).toMatchObject({
      ok: false,
      field: 'assignee',
    });
    expect(
      parseGitHubWebhook('issue_comment', { ...comment, comment: { html_url: 'x' } }, 'd1'),
    ).toMatchObject({ ok: false, field: 'comment.body', message: 'is required' });
  });
});
