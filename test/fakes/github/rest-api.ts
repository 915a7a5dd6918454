/**
 * The REST endpoints an incident bot uses (wire-formats.md §4.4): the token's user, issues
 * (create, read, list, update state), issue comments, closed pull requests and deployments,
 * behind GitHub's token auth and primary rate limit.
 */
import type { IncomingHttpHeaders } from 'node:http';

import { paginate } from './paging.ts';
import type { PrimaryRateLimit } from './rate-limit.ts';
import type { Repositories } from './repositories.ts';
import { commentJson, deploymentJson, issueJson, pullJson, userJson } from './shapes.ts';
import type { Links } from './shapes.ts';
import type { IssueState, PullState } from './shapes.ts';
import { ghError, isObject, json, notFound, validationFailed, type Reply } from './wire.ts';

export interface RestRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: unknown;
  invalidJson: boolean;
}

/**
 * The versions GitHub's REST API accepts in `X-GitHub-Api-Version` (docs.github.com "API
 * Versions": only 2022-11-28 so far; it is also the default; others get 400).
 */
export const API_VERSIONS: readonly string[] = ['2022-11-28'];

export interface RestApiConfig {
  token: string;
  login: string;
  apiVersions: readonly string[];
  /** The status of a primary-limit refusal: GitHub documents 403 or 429. */
  limitStatus: 403 | 429;
}

const STATE_REASONS = ['completed', 'not_planned', 'reopened'];

export class RestApi {
  private readonly login: string;

  constructor(
    private readonly repos: Repositories,
    private readonly config: RestApiConfig,
    /** The token's limit, and the one for requests with bad credentials (60/h, GitHub's). */
    private readonly rateLimit: PrimaryRateLimit,
    private readonly anonymousLimit: PrimaryRateLimit,
    private readonly links: Links,
  ) {
    this.login = config.login;
  }

  handle(request: RestRequest): Reply {
    const credential = /^(?:token|bearer)\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    if (credential?.[1] !== this.config.token) {
      this.anonymousLimit.take();
      return { ...ghError(401, 'Bad credentials'), headers: this.anonymousLimit.headers() };
    }

    const version = headerValue(request.headers['x-github-api-version']);
    if (version !== undefined && !this.config.apiVersions.includes(version)) {
      return ghError(400, `API version ${version} is not supported.`);
    }
    if (!this.rateLimit.take()) {
      const message = `API rate limit exceeded for user ID 1 (${this.login}).`;
      return { ...ghError(this.config.limitStatus, message), headers: this.rateLimit.headers() };
    }

    const reply = this.route(request);
    const selected = version ?? this.config.apiVersions[0] ?? '2022-11-28';
    const versionHeader = { 'x-github-api-version-selected': selected };
    return {
      ...reply,
      headers: { ...this.rateLimit.headers(), ...versionHeader, ...reply.headers },
    };
  }

  private route(request: RestRequest): Reply {
    const parts = request.url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const [root, owner = '', repo = '', collection, numberText, sub, ...rest] = parts;
    if (root === 'user' && parts.length === 1 && request.method === 'GET') {
      return json(200, userJson(this.login, this.links));
    }
    if (root !== 'repos' || collection === undefined || rest.length > 0) return notFound();
    if (!this.repos.has(owner, repo)) return notFound();
    if (request.invalidJson) return ghError(400, 'Problems parsing JSON');
    const method = request.method;

    if (collection === 'pulls' && numberText === undefined && method === 'GET') {
      return this.listPulls(owner, repo, request.url);
    }
    if (collection === 'deployments' && numberText === undefined && method === 'GET') {
      return this.listDeployments(owner, repo, request.url);
    }
    if (collection !== 'issues') return notFound();
    if (numberText === undefined) {
      if (method === 'POST') return this.createIssue(owner, repo, request.body);
      if (method === 'GET') return this.listIssues(owner, repo, request.url);
      return notFound();
    }

    const issue = /^\d+$/.test(numberText)
      ? this.repos.issue(owner, repo, Number(numberText))
      : undefined;
    if (issue === undefined) return notFound();
    if (sub === undefined) {
      if (method === 'GET') return json(200, issueJson(issue, this.links));
      if (method === 'PATCH') return this.updateIssue(issue, request.body);
      return notFound();
    }
    if (sub !== 'comments') return notFound();
    if (method === 'POST') return this.comment(issue, request.body);
    if (method !== 'GET') return notFound();
    const since = request.url.searchParams.get('since');
    const comments = this.repos
      .comments(owner, repo, issue.number)
      .filter((comment) => since === null || comment.updatedAt >= since);
    return this.page(comments, request.url, (comment) => commentJson(comment, this.links));
  }

  private createIssue(owner: string, repo: string, body: unknown): Reply {
    const input = isObject(body) ? body : {};
    const { title, labels, assignees } = input;
    if ((typeof title !== 'string' || title.trim() === '') && typeof title !== 'number') {
      return validationFailed({ resource: 'Issue', field: 'title', code: 'missing_field' });
    }
    if (labels !== undefined && !isNameList(labels)) {
      return validationFailed({ resource: 'Issue', field: 'labels', code: 'invalid' });
    }
    if (assignees !== undefined && !isNameList(assignees)) {
      return validationFailed({ resource: 'Issue', field: 'assignees', code: 'invalid' });
    }
    const issue = this.repos.createIssue(owner, repo, {
      title: String(title),
      body: typeof input.body === 'string' ? input.body : null,
      labels: labels?.map(nameOf),
      assignees: assignees?.map(nameOf),
      author: this.login,
    });
    const location = `${this.links.api}/repos/${owner}/${repo}/issues/${issue.number}`;
    return json(201, issueJson(issue, this.links), { Location: location });
  }

  private updateIssue(issue: IssueState, body: unknown): Reply {
    const input = isObject(body) ? body : {};
    const { state, state_reason: reason, title, labels } = input;
    if (state !== undefined && state !== 'open' && state !== 'closed') {
      return validationFailed({ resource: 'Issue', field: 'state', code: 'invalid' });
    }
    if (reason !== undefined && reason !== null && !STATE_REASONS.includes(String(reason))) {
      return validationFailed({ resource: 'Issue', field: 'state_reason', code: 'invalid' });
    }
    if (title !== undefined && typeof title !== 'string') {
      return validationFailed({ resource: 'Issue', field: 'title', code: 'invalid' });
    }
    if (labels !== undefined && !isNameList(labels)) {
      return validationFailed({ resource: 'Issue', field: 'labels', code: 'invalid' });
    }

    if (typeof title === 'string') issue.title = title;
    if (typeof input.body === 'string' || input.body === null) issue.body = input.body;
    if (labels !== undefined) issue.labels = [...new Set(labels.map(nameOf))];
    const reasonValue = reason as IssueState['stateReason'] | undefined;
    if (state !== undefined) this.repos.setState(issue, state, reasonValue);
    else this.repos.touch(issue);
    return json(200, issueJson(issue, this.links));
  }

  private comment(issue: IssueState, body: unknown): Reply {
    const text = isObject(body) ? body.body : undefined;
    if (typeof text !== 'string' || text === '') {
      return validationFailed({ resource: 'IssueComment', field: 'body', code: 'missing_field' });
    }
    const comment = this.repos.addComment(issue, text, this.login);
    const location = `${this.links.api}/repos/${issue.owner}/${issue.repo}/issues/comments/${comment.id}`;
    return json(201, commentJson(comment, this.links), { Location: location });
  }

  /** `GET /repos/{o}/{r}/issues`: state (open), labels (comma list, all must match), newest first. */
  private listIssues(owner: string, repo: string, url: URL): Reply {
    const state = url.searchParams.get('state') ?? 'open';
    const labels = url.searchParams.get('labels')?.split(',').filter(Boolean) ?? [];
    const asc = url.searchParams.get('direction') === 'asc';
    const issues = this.repos
      .issues(owner, repo)
      .filter((issue) => state === 'all' || issue.state === state)
      .filter((issue) => labels.every((label) => issue.labels.includes(label)))
      .sort((a, b) => (asc ? a.number - b.number : b.number - a.number));
    return this.page(issues, url, (issue) => issueJson(issue, this.links));
  }

  /** `GET /repos/{o}/{r}/pulls`: state (open), sort created|updated, direction per GitHub. */
  private listPulls(owner: string, repo: string, url: URL): Reply {
    const state = url.searchParams.get('state') ?? 'open';
    const sort = url.searchParams.get('sort') ?? 'created';
    // GitHub: direction defaults to desc when sorting by created, asc otherwise.
    const direction = url.searchParams.get('direction') ?? (sort === 'created' ? 'desc' : 'asc');
    const field = (pull: PullState) => (sort === 'updated' ? pull.updatedAt : pull.createdAt);
    const pulls = this.repos
      .pulls(owner, repo)
      .filter((pull) => state === 'all' || pull.state === state)
      .sort((a, b) => compare(field(a), field(b)) || a.number - b.number);
    if (direction === 'desc') pulls.reverse();
    return this.page(pulls, url, (pull) => pullJson(owner, repo, pull, this.links));
  }

  /** `GET /repos/{o}/{r}/deployments`: filters sha, ref, task, environment; newest first. */
  private listDeployments(owner: string, repo: string, url: URL): Reply {
    const filters = ['sha', 'ref', 'task', 'environment'] as const;
    const deployments = this.repos
      .deployments(owner, repo)
      .filter((deployment) =>
        filters.every((name) => {
          const wanted = url.searchParams.get(name);
          return wanted === null || deployment[name] === wanted;
        }),
      )
      .sort((a, b) => compare(b.createdAt, a.createdAt) || b.id - a.id);
    return this.page(deployments, url, (item) => deploymentJson(owner, repo, item, this.links));
  }

  private page<T>(items: readonly T[], url: URL, toJson: (item: T) => object): Reply {
    const { items: pageItems, headers } = paginate(items, url, this.links.api);
    return json(200, pageItems.map(toJson), headers);
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function isNameList(value: unknown): value is (string | { name: string })[] {
  return (
    Array.isArray(value) &&
    value.every(
      (item) => typeof item === 'string' || (isObject(item) && typeof item.name === 'string'),
    )
  );
}

function nameOf(item: string | { name: string }): string {
  return typeof item === 'string' ? item : item.name;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
