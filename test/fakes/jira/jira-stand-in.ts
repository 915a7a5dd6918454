/**
 * A local HTTP stand-in of Jira Cloud, for integration tests and the sandbox: REST API v3 as an
 * incident bot uses it (issues, comments, transitions, create metadata, JQL search, myself,
 * serverInfo) and admin webhooks sent back to the bot, with the rules of wire-formats.md §2.3
 * and §4.3 and field reports F12/F13. Listens on 127.0.0.1 only and sends webhooks only to
 * 127.0.0.1.
 *
 * Point jira.js at it with `new Version3Client({ host: standIn.url, authentication: { basic:
 * { email: DEFAULT_EMAIL, apiToken: DEFAULT_API_TOKEN } } })`.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { adfDoc } from './adf.ts';
import { failureReply, queueFailure, requestMatcher, takeFailure } from './faults.ts';
import type { Failure, QueuedFailure } from './faults.ts';
import { headerRecord, queryRecord, type RecordedCall } from './recorded-call.ts';
import { answered, RestApi, type Outcome } from './rest-api.ts';
import { resolveSiteConfig, type SiteOptions } from './site-config.ts';
import type { RequiredField, StandInProject, StandInUser, StandInWorkflow } from './site-config.ts';
import { changeItem, Site, type CommentState, type IssueState } from './site.ts';
import type { ChangelogItem } from './site.ts';
import * as events from './webhook-events.ts';
import type { JiraWebhookPayload } from './webhook-events.ts';
import { assertLoopback, postWebhook } from './webhook-sender.ts';
import type { WebhookDelivery, WebhookSendOptions } from './webhook-sender.ts';
import { parseJson, readBody, send } from './wire.ts';

export type { ChangelogItem, Failure, JiraWebhookPayload, RecordedCall, RequiredField };
export type { StandInProject, StandInUser, StandInWorkflow, WebhookDelivery, WebhookSendOptions };
export { adfDoc, adfText, NOT_ADF_MESSAGE } from './adf.ts';
export { BOT_ACCOUNT_ID, DEFAULT_API_TOKEN, DEFAULT_EMAIL, PAT, SAM } from './site-config.ts';
export { DEFAULT_PROJECTS, DEFAULT_WORKFLOW } from './site-config.ts';
export { jiraSignature } from './webhook-events.ts';

/** An issue / a comment as tests read them back (copies); times are epoch milliseconds. */
export type StandInIssue = IssueState;
export type StandInComment = CommentState;

export interface JiraStandInOptions extends SiteOptions {
  /** If set, requests per credential per rolling 60 s; more get 429. Default: no limit. */
  requestsPerMinute?: number;
  /** Serve the removed `/rest/api/3/search` (startAt/total). Default false: 410 as Jira does now. */
  legacySearch?: boolean;
  /** Default 0 (ephemeral). Binds 127.0.0.1. */
  port?: number;
  /** Epoch milliseconds; drives timestamps and the rate window. Default Date.now. */
  clock?: () => number;
  /** Called after each handled request. Never sees the credentials. */
  onCall?: (call: RecordedCall) => void;
}

/** Where subscribe() sends the webhooks of every change (REST calls and test actions alike). */
export interface StandInSubscription {
  url: string;
  /** Signs with `X-Hub-Signature` when set. */
  secret?: string;
  /** `webhookEvent` names to send; default all. */
  events?: string[];
}

export class JiraStandIn {
  readonly calls: RecordedCall[] = [];
  /** Every webhook POST made by subscriptions and sendWebhook, in order; the live array. */
  readonly webhookDeliveries: WebhookDelivery[] = [];
  private readonly failures: QueuedFailure[] = [];
  private readonly subscriptions: StandInSubscription[] = [];
  private pending: Promise<unknown> = Promise.resolve();

  private constructor(
    /** The site's base URL, ending in '/'. */
    readonly url: string,
    private readonly server: Server,
    private readonly site: Site,
    private readonly rest: RestApi,
    private readonly options: JiraStandInOptions,
  ) {}

  static async start(options: JiraStandInOptions = {}): Promise<JiraStandIn> {
    const clock = options.clock ?? Date.now;
    const config = resolveSiteConfig(options); // before listening: a bad site leaves no server
    const server = await listen(options.port ?? 0);
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const site = new Site(config, url, clock);
    const rest = new RestApi(site, options.requestsPerMinute, options.legacySearch ?? false);
    const standIn = new JiraStandIn(url, server, site, rest, options);
    server.on('request', (req, res) => void standIn.handle(req, res));
    return standIn;
  }

  /** Recorded calls matching 'METHOD /path' (`*` = one segment) or a RegExp on the same. */
  callsTo(pattern: string | RegExp): RecordedCall[] {
    const matches = requestMatcher(pattern);
    return this.calls.filter((call) => matches(call.method, call.path));
  }

  /**
   * The next `times` requests matching `pattern` ('POST /rest/api/3/issue', a RegExp on
   * 'METHOD /path') get `failure` instead of an answer, before auth and state; with
   * `loseAnswer` they are handled as usual and the answer is dropped instead.
   */
  failNext(pattern: string | RegExp, failure: Failure = {}): void {
    this.failures.push(queueFailure(pattern, failure));
  }

  /** Every issue, oldest first; copies. */
  issues(): StandInIssue[] {
    return structuredClone([...this.site.issues.values()]);
  }

  issue(key: string): StandInIssue | undefined {
    const issue = this.site.findIssue(key);
    return issue && structuredClone(issue);
  }

  /** The comments of an issue, oldest first; copies (bodies are ADF). */
  comments(key: string): StandInComment[] {
    const issueKey = this.site.findIssue(key)?.key;
    return structuredClone(this.site.comments.filter((comment) => comment.issueKey === issueKey));
  }

  /**
   * Moves an issue to `toStatusName` as a person in Jira would, through an available workflow
   * transition, and returns the `jira:issue_updated` payload, also sent to subscribers. Throws
   * when no transition from the current status leads there.
   */
  transitionIssue(key: string, toStatusName: string, byAccountId: string): JiraWebhookPayload {
    const issue = this.mustFind(key);
    const transition = this.site.transitionsFor(issue).find((t) => t.to === toStatusName);
    if (transition === undefined) {
      throw new Error(`JiraStandIn: no transition from '${issue.status}' to '${toStatusName}'`);
    }
    const items = this.site.applyTransition(issue, transition);
    const changelogId = this.rest.nextChangelogId();
    return this.emit(events.issueUpdatedPayload(this.site, issue, byAccountId, items, changelogId));
  }

  /**
   * Opens an issue as a person in Jira would (no webhook: seeding), e.g. `{ project: { key:
   * 'OPS' }, issuetype: { name: 'Bug' }, summary, labels }`; throws what Jira would refuse.
   */
  createIssue(fields: Record<string, unknown>, byAccountId: string): StandInIssue {
    const checked = this.site.createIssue({ fields }, byAccountId);
    if ('errors' in checked) throw new Error(`JiraStandIn: ${JSON.stringify(checked.errors)}`);
    return structuredClone(checked.value);
  }

  /** Assigns (null: unassigns) as a person in Jira; returns the `jira:issue_updated`, also sent. */
  assignIssue(key: string, accountId: string | null, byAccountId: string): JiraWebhookPayload {
    const issue = this.mustFind(key);
    const name = (id: string | null) =>
      id === null ? null : (this.site.user(id)?.displayName ?? id);
    const item = changeItem(
      'assignee',
      issue.assigneeAccountId,
      name(issue.assigneeAccountId),
      accountId,
      name(accountId),
    );
    issue.assigneeAccountId = accountId;
    issue.updated = this.site.now();
    const changelogId = this.rest.nextChangelogId();
    return this.emit(
      events.issueUpdatedPayload(this.site, issue, byAccountId, [item], changelogId),
    );
  }

  /**
   * Adds a comment as a person in Jira (text becomes ADF paragraphs with hardBreaks) and returns
   * the `comment_created` payload; subscribers get it and the matching `jira:issue_updated`.
   */
  addComment(key: string, text: string, byAccountId: string): JiraWebhookPayload {
    const issue = this.mustFind(key);
    const comment = this.site.addComment(issue, adfDoc(text), byAccountId);
    this.emit(events.issueCommentedPayload(this.site, issue, comment));
    return this.emit(events.commentCreatedPayload(this.site, issue, comment));
  }

  /** Builds (does not send) `jira:issue_updated` for an issue as it stands, with given items. */
  issueUpdatedPayload(key: string, items: ChangelogItem[], byAccountId: string | null) {
    const issue = this.mustFind(key);
    return events.issueUpdatedPayload(
      this.site,
      issue,
      byAccountId,
      items,
      this.rest.nextChangelogId(),
    );
  }

  /** Builds (does not send) `comment_created` for an existing comment of the issue. */
  commentCreatedPayload(key: string, commentId: string) {
    const issue = this.mustFind(key);
    const comment = this.site.comments.find((c) => c.id === commentId && c.issueKey === issue.key);
    if (comment === undefined) throw new Error(`JiraStandIn: no comment ${commentId} on ${key}`);
    return events.commentCreatedPayload(this.site, issue, comment);
  }

  /** POSTs a webhook to a local URL (`times` times, no retries); resolves with each try. */
  async sendWebhook(
    targetUrl: string,
    payload: JiraWebhookPayload,
    options: WebhookSendOptions = {},
  ): Promise<WebhookDelivery[]> {
    const deliveries = await postWebhook(targetUrl, payload, options);
    this.webhookDeliveries.push(...deliveries);
    return deliveries;
  }

  /** From now on, changes (by REST calls and test actions) send their webhooks to `url`. */
  subscribe(subscription: StandInSubscription): void {
    assertLoopback(subscription.url);
    this.subscriptions.push({ ...subscription });
  }

  /** Resolves once every webhook queued so far was delivered or failed. */
  async webhooksSettled(): Promise<void> {
    await this.pending;
  }

  /** Clears calls, issues, comments, failures, the rate window and deliveries; keeps the site. */
  reset(): void {
    this.calls.length = 0;
    this.failures.length = 0;
    this.webhookDeliveries.length = 0;
    this.site.clear();
    this.rest.resetRateWindow();
  }

  /** Stops listening and forgets subscriptions. */
  async close(): Promise<void> {
    this.subscriptions.length = 0;
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private mustFind(key: string): IssueState {
    const issue = this.site.findIssue(key);
    if (issue === undefined) throw new Error(`JiraStandIn: no issue ${key}`);
    return issue;
  }

  /** Sends to subscribers in order, one after another, after anything queued before. */
  private emit<T extends JiraWebhookPayload>(payload: T): T {
    for (const subscription of this.subscriptions) {
      if (subscription.events && !subscription.events.includes(payload.webhookEvent)) continue;
      const { url, secret } = subscription;
      this.pending = this.pending.then(() =>
        this.sendWebhook(url, payload, secret === undefined ? {} : { secret }),
      );
    }
    return payload;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    const method = (req.method ?? 'GET').toUpperCase();
    try {
      const raw = await readBody(req);
      const { value: body, invalid } = parseJson(raw ?? '');
      const call = {
        method,
        path,
        query: queryRecord(url.searchParams),
        headers: headerRecord(req),
        body,
      };
      const failure = takeFailure(this.failures, method, path);
      if (failure?.disconnect) {
        this.record({ ...call, status: 0, response: undefined, at: this.site.now() });
        res.destroy();
        return;
      }
      const request = {
        method,
        path,
        query: url.searchParams,
        headers: req.headers,
        body,
        invalidJson: invalid,
      };
      const lost = failure?.loseAnswer === true;
      const outcome =
        failure && !lost
          ? answered(failureReply(failure))
          : raw === undefined
            ? answered({ status: 413, headers: {}, body: 'Request Entity Too Large' })
            : this.answer(request);
      if (lost) res.destroy();
      else send(res, outcome.reply);
      const { status, body: response } = outcome.reply;
      this.record({ ...call, status, response, at: this.site.now() });
      for (const payload of outcome.events) this.emit(payload);
    } catch {
      res.destroy(); // the client went away mid-request, or we are closing
    }
  }

  /** A bug in the stand-in answers HTTP 500 with its message rather than killing the process. */
  private answer(request: Parameters<RestApi['handle']>[0]): Outcome {
    try {
      return this.rest.handle(request);
    } catch (error) {
      return answered({ status: 500, headers: {}, body: `JiraStandIn bug: ${String(error)}` });
    }
  }

  private record(call: RecordedCall): void {
    this.calls.push(call);
    try {
      this.options.onCall?.(call);
    } catch (error) {
      console.error('JiraStandIn: onCall threw', error);
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
