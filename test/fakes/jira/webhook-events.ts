/**
 * Jira Cloud webhook payloads (wire-formats.md §2.3), shaped like test/fixtures/jira:
 * `jira:issue_created`, `jira:issue_updated` (a changelog of status, resolution or assignee
 * items, or a `comment`) and `comment_created` (the comment and a reduced issue).
 */
import { createHmac } from 'node:crypto';

import type { ChangelogItem, CommentState, IssueState, Site } from './site.ts';

export type JiraWebhookEventName =
  'jira:issue_created' | 'jira:issue_updated' | 'comment_created' | (string & {});

/** A webhook body; `webhookEvent` says what it is. */
export interface JiraWebhookPayload {
  timestamp: number;
  webhookEvent: JiraWebhookEventName;
  [field: string]: unknown;
}

/** `X-Hub-Signature` of an admin webhook with a secret: 'sha256=' + hex HMAC of the raw body. */
export function jiraSignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

export function issueCreatedPayload(site: Site, issue: IssueState, byAccountId: string) {
  return {
    timestamp: site.now(),
    webhookEvent: 'jira:issue_created',
    issue_event_type_name: 'issue_created',
    user: site.userView(byAccountId),
    issue: site.issueView(issue),
  } satisfies JiraWebhookPayload;
}

/**
 * `jira:issue_updated` with the issue as it is now (after the change) and the changelog items;
 * `issue_event_type_name` is 'issue_generic' for transitions, 'issue_assigned' for assignee.
 */
export function issueUpdatedPayload(
  site: Site,
  issue: IssueState,
  byAccountId: string | null,
  items: ChangelogItem[],
  changelogId: string,
) {
  const assigned = items.length > 0 && items.every((item) => item.field === 'assignee');
  return {
    timestamp: site.now(),
    webhookEvent: 'jira:issue_updated',
    issue_event_type_name: assigned ? 'issue_assigned' : 'issue_generic',
    ...(byAccountId !== null && { user: site.userView(byAccountId) }),
    issue: site.issueView(issue),
    changelog: { id: changelogId, items },
  } satisfies JiraWebhookPayload;
}

/** The `jira:issue_updated` Jira sends next to `comment_created` for a new comment. */
export function issueCommentedPayload(site: Site, issue: IssueState, comment: CommentState) {
  return {
    timestamp: site.now(),
    webhookEvent: 'jira:issue_updated',
    issue_event_type_name: 'issue_commented',
    user: site.userView(comment.authorAccountId),
    issue: site.issueView(issue),
    comment: site.commentView(comment),
  } satisfies JiraWebhookPayload;
}

export function commentCreatedPayload(site: Site, issue: IssueState, comment: CommentState) {
  const full = site.issueView(issue).fields as Record<string, unknown>;
  const reduced = ['summary', 'issuetype', 'project', 'assignee', 'priority', 'status'];
  return {
    timestamp: site.now(),
    webhookEvent: 'comment_created',
    comment: site.commentView(comment),
    issue: {
      id: issue.id,
      self: `${site.baseUrl}rest/api/3/issue/${issue.id}`,
      key: issue.key,
      fields: Object.fromEntries(reduced.map((name) => [name, full[name]])),
    },
  } satisfies JiraWebhookPayload;
}
