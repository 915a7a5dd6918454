/**
 * A local HTTP stand-in of the GitHub REST API as an incident bot uses it: issues, issue
 * comments, closed pull requests and deployments (paginated with `Link` headers), token auth,
 * primary and secondary rate limits, and `issues` / `issue_comment` webhooks sent signed to the
 * bot, with the rules of wire-formats.md §2.2 and §4.4 and field report F14. Listens on
 * 127.0.0.1 only and sends webhooks only to 127.0.0.1.
 *
 * Point `@octokit/rest` at it with `baseUrl`:
 * `new Octokit({ auth: DEFAULT_TOKEN, baseUrl: standIn.url, request: { retries: 0 } })`.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { CreationLimit } from './creation-limit.ts';
import { failureReply, queueFailure, requestMatcher, takeFailure } from './faults.ts';
import type { Failure, QueuedFailure } from './faults.ts';
import { PrimaryRateLimit } from './rate-limit.ts';
import { headerRecord, queryRecord, type RecordedCall } from './recorded-call.ts';
import { Repositories, type DeploymentInput, type PullInput } from './repositories.ts';
import { API_VERSIONS, RestApi } from './rest-api.ts';
import type { CommentState, DeploymentState, IssueState, Links, PullState } from './shapes.ts';
import { issueCommentPayload, issuesPayload } from './webhook-payloads.ts';
import type { IssueCommentAction, IssuesAction, IssuesPayloadOptions } from './webhook-payloads.ts';
import type { PayloadOptions, WebhookEventName } from './webhook-payloads.ts';
import { postGitHubWebhook } from './webhook-sender.ts';
import type { GitHubWebhookDelivery, GitHubWebhookOptions } from './webhook-sender.ts';
import { ghError, parseJson, readBody, send, type Reply } from './wire.ts';

export type { DeploymentInput, Failure, GitHubWebhookDelivery, GitHubWebhookOptions };
export type { IssueCommentAction, IssuesAction, IssuesPayloadOptions, PayloadOptions };
export type { PullInput, RecordedCall, WebhookEventName };
export { API_VERSIONS } from './rest-api.ts';
export { SECONDARY_RATE_LIMIT_MESSAGE } from './faults.ts';
export { gitHubSignature } from './webhook-sender.ts';

/** Issues, comments, pulls and deployments as tests read them back (copies). */
export type StandInIssue = IssueState;
export type StandInComment = CommentState;
export type StandInPull = PullState;
export type StandInDeployment = DeploymentState;

/** The token the stand-in accepts unless told otherwise. */
export const DEFAULT_TOKEN = 'ghp_firebreakStandIn0000000000000000000';
/** The login behind the token: the author of the bot's issues and comments. */
export const DEFAULT_LOGIN = 'firebreak-bot';

export interface GitHubStandInOptions {
  /** The token accepted as `Authorization: token <t>` or `Bearer <t>`. Default DEFAULT_TOKEN. */
  token?: string;
  /** Whose token it is. Default DEFAULT_LOGIN. */
  login?: string;
  /** 'owner/name' of each repository that exists. Default ['acme/checkout']. */
  repositories?: readonly string[];
  /** The primary limit per hour; more get 403 with remaining 0. Default 5000, GitHub's. */
  requestsPerHour?: number;
  /** The status of a primary-limit refusal; GitHub documents 403 or 429. Default 403. */
  primaryLimitStatus?: 403 | 429;
  /**
   * GitHub's content-creation secondary limit (field report F14): past this many
   * `POST /repos/{owner}/{repo}/issues` and issue comments in a rolling 60 s, answer 403 with the
   * secondary-limit message (every other one with `retry-after`). Default: no such limit.
   */
  issueCreationsPerMinute?: number;
  /** The `retry-after` those refusals carry, seconds. Default 60. */
  secondaryRetryAfterSeconds?: number;
  /** Accepted `X-GitHub-Api-Version` values; others get 400. Default API_VERSIONS. */
  apiVersions?: readonly string[];
  /** Default 0 (ephemeral). Binds 127.0.0.1. */
  port?: number;
  /** Epoch milliseconds; drives timestamps and the rate window. Default Date.now. */
  clock?: () => number;
  /** Called after each handled request. Never sees the token. */
  onCall?: (call: RecordedCall) => void;
}

export class GitHubStandIn {
  readonly calls: RecordedCall[] = [];
  /** Every webhook POST made by sendWebhook, in order. */
  readonly webhookDeliveries: GitHubWebhookDelivery[] = [];
  private readonly failures: QueuedFailure[] = [];
  private readonly links: Links;
  private readonly rest: RestApi;

  private constructor(
    /** The API base for Octokit's `baseUrl`, without a trailing '/'. */
    readonly url: string,
    private readonly server: Server,
    private readonly repos: Repositories,
    private readonly rateLimit: PrimaryRateLimit,
    private readonly anonymousLimit: PrimaryRateLimit,
    private readonly creationLimit: CreationLimit | undefined,
    private readonly options: GitHubStandInOptions,
  ) {
    this.links = { api: url };
    const config = {
      token: options.token ?? DEFAULT_TOKEN,
      login: options.login ?? DEFAULT_LOGIN,
      apiVersions: options.apiVersions ?? API_VERSIONS,
      limitStatus: options.primaryLimitStatus ?? 403,
    };
    this.rest = new RestApi(repos, config, rateLimit, anonymousLimit, this.links);
  }

  static async start(options: GitHubStandInOptions = {}): Promise<GitHubStandIn> {
    const clock = options.clock ?? Date.now;
    // Checked before listening, so a bad option leaves no server behind.
    const repos = new Repositories(options.repositories ?? ['acme/checkout'], clock);
    const rateLimit = new PrimaryRateLimit(options.requestsPerHour ?? 5000, clock);
    const anonymousLimit = new PrimaryRateLimit(60, clock);
    const creationLimit =
      options.issueCreationsPerMinute === undefined
        ? undefined
        : new CreationLimit(
            options.issueCreationsPerMinute,
            options.secondaryRetryAfterSeconds ?? 60,
            clock,
          );
    const server = await listen(options.port ?? 0);
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const standIn = new GitHubStandIn(
      url,
      server,
      repos,
      rateLimit,
      anonymousLimit,
      creationLimit,
      options,
    );
    server.on('request', (req, res) => void standIn.handle(req, res));
    return standIn;
  }

  /** Recorded calls matching 'METHOD /path' (`*` = one segment) or a RegExp on the same. */
  callsTo(pattern: string | RegExp): RecordedCall[] {
    const matches = requestMatcher(pattern);
    return this.calls.filter((call) => matches(call.method, call.path));
  }

  /**
   * The next `times` requests matching `pattern` (e.g. 'POST /repos/acme/checkout/issues', `*`
   * for one segment, or a RegExp on 'METHOD /path') get `failure` instead of an answer, before
   * auth and state. A 403 or 429 without a body is a secondary rate limit. With `loseAnswer`
   * they are handled as usual and the answer is dropped instead.
   */
  failNext(pattern: string | RegExp, failure: Failure = {}): void {
    this.failures.push(queueFailure(pattern, failure));
  }

  /** The issues of a repository, by number; copies. */
  issues(owner: string, repo: string): StandInIssue[] {
    return structuredClone(this.repos.issues(owner, repo));
  }

  issue(owner: string, repo: string, number: number): StandInIssue | undefined {
    const issue = this.repos.issue(owner, repo, number);
    return issue && structuredClone(issue);
  }

  /** The comments on an issue, oldest first; copies. */
  comments(owner: string, repo: string, number: number): StandInComment[] {
    return structuredClone(this.repos.comments(owner, repo, number));
  }

  /** Seeds pull requests (numbers continue the issue sequence); returns copies. */
  addPulls(owner: string, repo: string, pulls: readonly PullInput[]): StandInPull[] {
    return structuredClone(this.repos.addPulls(owner, repo, pulls));
  }

  /** Seeds deployments; returns copies. */
  addDeployments(
    owner: string,
    repo: string,
    deployments: readonly DeploymentInput[],
  ): StandInDeployment[] {
    return structuredClone(this.repos.addDeployments(owner, repo, deployments));
  }

  /**
   * Acts as a person on GitHub: opens, closes or reopens an issue (closing: reason 'completed'),
   * and returns the `issues` payload for that action, to send with sendWebhook.
   */
  setIssueState(
    owner: string,
    repo: string,
    number: number,
    state: 'open' | 'closed',
    sender: string,
  ): Record<string, unknown> {
    const issue = this.mustFindIssue(owner, repo, number);
    if (issue.state === state) throw new Error(`issue #${number} is already ${state}`);
    this.repos.setState(issue, state, undefined);
    return issuesPayload(state === 'closed' ? 'closed' : 'reopened', issue, this.links, { sender });
  }

  /** Acts as a person on GitHub: comments, and returns the `issue_comment` created payload. */
  addComment(
    owner: string,
    repo: string,
    number: number,
    body: string,
    sender: string,
  ): Record<string, unknown> {
    const issue = this.mustFindIssue(owner, repo, number);
    const comment = this.repos.addComment(issue, body, sender);
    return issueCommentPayload('created', issue, comment, this.links, { sender });
  }

  /** Builds (does not send) an `issues` payload for an issue as it stands now. */
  issuesPayload(
    action: IssuesAction,
    owner: string,
    repo: string,
    number: number,
    options?: IssuesPayloadOptions,
  ): Record<string, unknown> {
    return issuesPayload(action, this.mustFindIssue(owner, repo, number), this.links, options);
  }

  /** Builds (does not send) an `issue_comment` payload for a stored comment. */
  issueCommentPayload(
    action: IssueCommentAction,
    owner: string,
    repo: string,
    commentId: number,
    options?: PayloadOptions,
  ): Record<string, unknown> {
    const issues = this.repos.issues(owner, repo);
    for (const issue of issues) {
      const comment = this.repos
        .comments(owner, repo, issue.number)
        .find((item) => item.id === commentId);
      if (comment) return issueCommentPayload(action, issue, comment, this.links, options);
    }
    throw new Error(`GitHubStandIn: no comment ${commentId} in ${owner}/${repo}`);
  }

  /** POSTs a signed webhook to a local URL once (GitHub does not retry); resolves with it. */
  async sendWebhook(
    targetUrl: string,
    event: WebhookEventName,
    payload: object,
    options: GitHubWebhookOptions,
  ): Promise<GitHubWebhookDelivery> {
    const delivery = await postGitHubWebhook(targetUrl, event, payload, options);
    this.webhookDeliveries.push(delivery);
    return delivery;
  }

  /** Clears calls, issues, comments, pulls, deployments, failures, rate windows, deliveries. */
  reset(): void {
    this.calls.length = 0;
    this.failures.length = 0;
    this.webhookDeliveries.length = 0;
    this.repos.clear();
    this.rateLimit.clear();
    this.anonymousLimit.clear();
    this.creationLimit?.clear();
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private mustFindIssue(owner: string, repo: string, number: number): IssueState {
    const issue = this.repos.has(owner, repo) && this.repos.issue(owner, repo, number);
    if (!issue) throw new Error(`GitHubStandIn: no issue ${owner}/${repo}#${number}`);
    return issue;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const path = url.pathname;

    try {
      const raw = await readBody(req);
      const { value: body, invalid } = parseJson(raw ?? '');
      const query = queryRecord(url.searchParams);
      const call = { method, path, query, headers: headerRecord(req), body };
      const failure = takeFailure(this.failures, method, path);
      if (failure?.disconnect) {
        this.record({ ...call, status: 0, response: undefined, at: this.repos.now() });
        res.destroy();
        return;
      }

      const lost = failure?.loseAnswer === true;
      const reply =
        failure && !lost
          ? failureReply(failure, this.rateLimit.headers())
          : this.answer({ method, url, headers: req.headers, body, invalidJson: invalid }, raw);
      if (lost) {
        this.record({ ...call, status: 0, response: reply.body, at: this.repos.now() });
        res.destroy();
        return;
      }
      const requestId = `F1RE:${(this.calls.length + 1).toString(16).padStart(6, '0').toUpperCase()}`;
      send(res, { ...reply, headers: { 'x-github-request-id': requestId, ...reply.headers } });
      this.record({ ...call, status: reply.status, response: reply.body, at: this.repos.now() });
    } catch {
      res.destroy(); // the client went away mid-request, or we are closing
    }
  }

  /** A bug in the stand-in answers HTTP 500 with its message rather than killing the process. */
  private answer(request: Parameters<RestApi['handle']>[0], raw: string | undefined): Reply {
    try {
      if (raw === undefined) return ghError(413, 'Payload too large');
      const path = request.url.pathname;
      const headers = this.rateLimit.headers();
      return this.creationLimit?.check(request.method, path, headers) ?? this.rest.handle(request);
    } catch (error) {
      return { status: 500, headers: {}, body: `GitHubStandIn bug: ${String(error)}` };
    }
  }

  private record(call: RecordedCall): void {
    this.calls.push(call);
    try {
      this.options.onCall?.(call);
    } catch (error) {
      console.error('GitHubStandIn: onCall threw', error);
    }
  }
}

function listen(port: number): Promise<Server> {
  const server = createServer();
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
