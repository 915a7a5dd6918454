/**
 * Payloads of the `issues` and `issue_comment` webhook events (wire-formats.md §2.2), shaped like
 * the fixtures in test/fixtures/github/: `action`, `issue`, `comment` (issue_comment), `assignee`
 * (assigned/unassigned), `repository`, `sender`. Built from the stand-in's state as it stands.
 */
import { commentJson, issueJson, repositoryJson, userJson } from './shapes.ts';
import type { CommentState, IssueState, Links } from './shapes.ts';

export type IssuesAction = 'opened' | 'closed' | 'reopened' | 'assigned' | 'unassigned' | 'edited';
export type IssueCommentAction = 'created' | 'edited' | 'deleted';
export type WebhookEventName = 'issues' | 'issue_comment';

export interface PayloadOptions {
  /** The login of who did it. Default: the issue's (or comment's) author. */
  sender?: string;
}

export interface IssuesPayloadOptions extends PayloadOptions {
  /** For assigned/unassigned: whose assignment changed. Default: the first assignee, or sender. */
  assignee?: string;
}

export function issuesPayload(
  action: IssuesAction,
  issue: IssueState,
  links: Links,
  options: IssuesPayloadOptions = {},
): Record<string, unknown> {
  const sender = options.sender ?? issue.author;
  const assignee =
    action === 'assigned' || action === 'unassigned'
      ? { assignee: userJson(options.assignee ?? issue.assignees[0] ?? sender, links) }
      : {};
  return {
    action,
    issue: issueJson(issue, links),
    ...assignee,
    repository: repositoryJson(issue.owner, issue.repo, links),
    sender: userJson(sender, links),
  };
}

export function issueCommentPayload(
  action: IssueCommentAction,
  issue: IssueState,
  comment: CommentState,
  links: Links,
  options: PayloadOptions = {},
): Record<string, unknown> {
  return {
    action,
    issue: issueJson(issue, links),
    comment: commentJson(comment, links),
    repository: repositoryJson(issue.owner, issue.repo, links),
    sender: userJson(options.sender ?? comment.author, links),
  };
}
