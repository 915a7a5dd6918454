/**
 * What the stand-in keeps (issues, comments, pulls, deployments) and how GitHub shows it: the
 * JSON of the REST API and of webhook payloads (wire-formats.md §2.2; the fixtures in
 * test/fixtures/github/), trimmed to the fields an incident bot reads. Web links go to
 * `https://github.invalid`; API links to the stand-in.
 */
export const HTML_BASE = 'https://github.invalid';

export interface Links {
  /** The stand-in's API base, without a trailing '/'. */
  api: string;
}

export interface IssueState {
  id: number;
  owner: string;
  repo: string;
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  stateReason: 'completed' | 'not_planned' | 'reopened' | null;
  labels: string[];
  assignees: string[];
  author: string;
  commentCount: number;
  /** ISO times, second precision like GitHub's. */
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
}

export interface CommentState {
  id: number;
  owner: string;
  repo: string;
  issueNumber: number;
  body: string;
  author: string;
  createdAt: string;
  updatedAt: string;
}

/** A pull request as seeded by `addPulls`; missing fields get defaults. */
export interface PullState {
  id: number;
  number: number;
  title: string;
  state: 'open' | 'closed';
  author: string;
  headRef: string;
  headSha: string;
  baseRef: string;
  mergeCommitSha: string | null;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  mergedAt: string | null;
}

/** A deployment as seeded by `addDeployments`; missing fields get defaults. */
export interface DeploymentState {
  id: number;
  sha: string;
  ref: string;
  task: string;
  environment: string;
  description: string | null;
  creator: string;
  createdAt: string;
  updatedAt: string;
}

let nextUserId = 90_000;
const userIds = new Map<string, number>();

function userId(login: string): number {
  let id = userIds.get(login);
  if (id === undefined) {
    id = nextUserId += 1;
    userIds.set(login, id);
  }
  return id;
}

/** A user (or app bot, when the login ends in '[bot]') as GitHub embeds it. */
export function userJson(login: string, links: Links): object {
  return {
    login,
    id: userId(login),
    node_id: `U_${Buffer.from(login).toString('base64url')}`,
    url: `${links.api}/users/${encodeURIComponent(login)}`,
    html_url: `${HTML_BASE}/${login}`,
    type: login.endsWith('[bot]') ? 'Bot' : 'User',
    site_admin: false,
  };
}

export function repositoryJson(owner: string, repo: string, links: Links): object {
  return {
    id: userId(`${owner}/${repo}`),
    node_id: `R_${Buffer.from(`${owner}/${repo}`).toString('base64url')}`,
    name: repo,
    full_name: `${owner}/${repo}`,
    private: true,
    owner: { ...userJson(owner, links), type: 'Organization' },
    html_url: `${HTML_BASE}/${owner}/${repo}`,
    url: `${links.api}/repos/${owner}/${repo}`,
    default_branch: 'main',
  };
}

export function issueJson(issue: IssueState, links: Links): object {
  const apiUrl = `${links.api}/repos/${issue.owner}/${issue.repo}/issues/${issue.number}`;
  const assignees = issue.assignees.map((login) => userJson(login, links));
  return {
    url: apiUrl,
    repository_url: `${links.api}/repos/${issue.owner}/${issue.repo}`,
    comments_url: `${apiUrl}/comments`,
    html_url: `${HTML_BASE}/${issue.owner}/${issue.repo}/issues/${issue.number}`,
    id: issue.id,
    node_id: `I_${issue.id.toString(36)}`,
    number: issue.number,
    title: issue.title,
    user: userJson(issue.author, links),
    labels: issue.labels.map((name) => labelJson(issue, name, links)),
    state: issue.state,
    locked: false,
    assignee: assignees[0] ?? null,
    assignees,
    milestone: null,
    comments: issue.commentCount,
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    closed_at: issue.closedAt,
    author_association: 'MEMBER',
    body: issue.body,
    state_reason: issue.stateReason,
  };
}

function labelJson(issue: IssueState, name: string, links: Links): object {
  return {
    id: userId(`label:${name}`),
    name,
    url: `${links.api}/repos/${issue.owner}/${issue.repo}/labels/${encodeURIComponent(name)}`,
    color: 'ededed',
    default: false,
    description: null,
  };
}

export function commentJson(comment: CommentState, links: Links): object {
  const repoApi = `${links.api}/repos/${comment.owner}/${comment.repo}`;
  const issueHtml = `${HTML_BASE}/${comment.owner}/${comment.repo}/issues/${comment.issueNumber}`;
  return {
    url: `${repoApi}/issues/comments/${comment.id}`,
    html_url: `${issueHtml}#issuecomment-${comment.id}`,
    issue_url: `${repoApi}/issues/${comment.issueNumber}`,
    id: comment.id,
    node_id: `IC_${comment.id.toString(36)}`,
    user: userJson(comment.author, links),
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
    author_association: 'MEMBER',
    body: comment.body,
  };
}

export function pullJson(owner: string, repo: string, pull: PullState, links: Links): object {
  return {
    url: `${links.api}/repos/${owner}/${repo}/pulls/${pull.number}`,
    id: pull.id,
    number: pull.number,
    html_url: `${HTML_BASE}/${owner}/${repo}/pull/${pull.number}`,
    state: pull.state,
    title: pull.title,
    user: userJson(pull.author, links),
    created_at: pull.createdAt,
    updated_at: pull.updatedAt,
    closed_at: pull.closedAt,
    merged_at: pull.mergedAt,
    merge_commit_sha: pull.mergeCommitSha,
    head: { ref: pull.headRef, sha: pull.headSha, label: `${owner}:${pull.headRef}` },
    base: { ref: pull.baseRef, label: `${owner}:${pull.baseRef}` },
  };
}

export function deploymentJson(
  owner: string,
  repo: string,
  deployment: DeploymentState,
  links: Links,
): object {
  const url = `${links.api}/repos/${owner}/${repo}/deployments/${deployment.id}`;
  return {
    url,
    id: deployment.id,
    node_id: `DE_${deployment.id.toString(36)}`,
    sha: deployment.sha,
    ref: deployment.ref,
    task: deployment.task,
    payload: {},
    original_environment: deployment.environment,
    environment: deployment.environment,
    description: deployment.description,
    creator: userJson(deployment.creator, links),
    created_at: deployment.createdAt,
    updated_at: deployment.updatedAt,
    statuses_url: `${url}/statuses`,
    repository_url: `${links.api}/repos/${owner}/${repo}`,
    transient_environment: false,
    production_environment: /prod/i.test(deployment.environment),
  };
}

/** GitHub's timestamps: ISO 8601 UTC without milliseconds. */
export function isoSeconds(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
