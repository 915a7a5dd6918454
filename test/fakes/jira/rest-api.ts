/**
 * Jira Cloud REST API v3 as an incident bot uses it (wire-formats.md §4.3): Basic auth with an
 * email and API token, a per-credential rate limit, issues, comments, transitions, create
 * metadata and JQL search. Issue and comment changes also yield the webhook payloads Jira would
 * send, for the stand-in to deliver to its subscribers.
 */
import { adfProblem } from './adf.ts';
import { fieldFilter, searchJql, searchLegacy } from './rest-search.ts';
import { createMetaFields, createMetaIssueTypes } from './rest-createmeta.ts';
import type { Site } from './site.ts';
import * as events from './webhook-events.ts';
import type { JiraWebhookPayload } from './webhook-events.ts';
import { issueNotFound, isObject, jiraError, json, noContent, notFound } from './wire.ts';
import { RateWindow, rateLimited, unauthorized, type Reply } from './wire.ts';

export interface RestRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  invalidJson: boolean;
}

/** A reply and the webhook payloads the change behind it produces, sent after the reply. */
export interface Outcome {
  reply: Reply;
  events: JiraWebhookPayload[];
}

export const answered = (reply: Reply): Outcome => ({ reply, events: [] });

const API = '/rest/api/3';

export class RestApi {
  private readonly rate: RateWindow | undefined;
  private changelogId = 20001;

  constructor(
    private readonly site: Site,
    requestsPerMinute: number | undefined,
    private readonly legacySearch: boolean,
  ) {
    this.rate =
      requestsPerMinute === undefined ? undefined : new RateWindow(requestsPerMinute, site.now);
  }

  resetRateWindow(): void {
    this.rate?.clear();
  }

  nextChangelogId(): string {
    return String(this.changelogId++);
  }

  handle(request: RestRequest): Outcome {
    const { method, path } = request;
    const anonymous = method === 'GET' && path === `${API}/serverInfo`;
    if (!anonymous && !this.authenticated(request.headers.authorization)) {
      return answered(unauthorized());
    }
    if (this.rate) {
      const decision = this.rate.take(this.site.config.email);
      if (!decision.allowed) return answered(rateLimited(decision, this.site.now()));
    }
    if (request.invalidJson) {
      return answered(jiraError(400, ['Unexpected character in the request body: not JSON.']));
    }
    return this.route(request);
  }

  private authenticated(header: string | string[] | undefined): boolean {
    if (typeof header !== 'string' || !/^Basic /i.test(header)) return false;
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    return decoded === `${this.site.config.email}:${this.site.config.apiToken}`;
  }

  private route(request: RestRequest): Outcome {
    const { method, path, query, body } = request;
    const site = this.site;
    if (!path.startsWith(`${API}/`)) return answered(notFound());
    const parts = path
      .slice(API.length + 1)
      .split('/')
      .map(decodeURIComponent);
    const route = `${method} ${parts.map((part, i) => (i > 0 && isVariable(parts, i) ? '*' : part)).join('/')}`;

    switch (route) {
      case 'GET myself':
        return answered(json(200, this.myself()));
      case 'GET serverInfo':
        return answered(json(200, serverInfo(site)));
      case 'POST issue':
        return this.createIssue(body);
      case 'GET issue/createmeta/*/issuetypes':
        return answered(createMetaIssueTypes(site, parts[2]!, query));
      case 'GET issue/createmeta/*/issuetypes/*':
        return answered(createMetaFields(site, parts[2]!, parts[4]!, query));
      case 'POST search/jql':
      case 'GET search/jql':
        return answered(searchJql(site, method === 'GET' ? fromQuery(query) : body));
      case 'POST search':
      case 'GET search':
        if (!this.legacySearch) return answered(legacySearchGone());
        return answered(searchLegacy(site, method === 'GET' ? fromQuery(query) : body));
    }

    const issue = parts[0] === 'issue' && parts[1] ? site.findIssue(parts[1]) : undefined;
    if (!route.startsWith(`${method} issue/*`)) return answered(notFound());
    if (issue === undefined) return answered(issueNotFound());
    switch (route) {
      case 'GET issue/*': {
        const wanted = query.get('fields');
        return answered(json(200, site.issueView(issue, wanted ? fieldFilter(wanted) : undefined)));
      }
      case 'GET issue/*/comment': {
        const comments = site.comments.filter((comment) => comment.issueKey === issue.key);
        const views = comments.map((comment) => site.commentView(comment));
        const page = { startAt: 0, maxResults: 5000, total: views.length, comments: views };
        return answered(json(200, page));
      }
      case 'POST issue/*/comment': {
        const commentBody = isObject(body) ? body.body : undefined;
        const problem = adfProblem(commentBody);
        if (problem !== undefined) return answered(jiraError(400, [], { comment: problem }));
        const comment = site.addComment(issue, commentBody, site.config.bot.accountId);
        return {
          reply: json(201, site.commentView(comment)),
          events: [
            events.issueCommentedPayload(site, issue, comment),
            events.commentCreatedPayload(site, issue, comment),
          ],
        };
      }
      case 'GET issue/*/transitions':
        return answered(json(200, this.transitions(issue)));
      case 'POST issue/*/transitions':
        return this.doTransition(issue, body);
    }
    return answered(notFound());
  }

  private myself(): object {
    const { bot } = this.site.config;
    return {
      ...this.site.userView(bot.accountId),
      emailAddress: bot.emailAddress ?? this.site.config.email,
      locale: 'en_US',
      groups: { size: 1, items: [] },
      applicationRoles: { size: 1, items: [] },
      expand: 'groups,applicationRoles',
    };
  }

  private createIssue(body: unknown): Outcome {
    const created = this.site.createIssue(body, this.site.config.bot.accountId);
    if ('errors' in created)
      return answered(jiraError(400, created.messages ?? [], created.errors));
    const issue = created.value;
    const reply = json(201, {
      id: issue.id,
      key: issue.key,
      self: `${this.site.baseUrl}rest/api/3/issue/${issue.id}`,
    });
    return {
      reply,
      events: [events.issueCreatedPayload(this.site, issue, issue.reporterAccountId)],
    };
  }

  private transitions(issue: Parameters<Site['transitionsFor']>[0]): object {
    return {
      expand: 'transitions',
      transitions: this.site.transitionsFor(issue).map((transition) => ({
        id: transition.id,
        name: transition.name,
        to: this.site.statusView(transition.to),
        hasScreen: false,
        isGlobal: transition.from.length === 0,
        isInitial: false,
        isAvailable: true,
        isConditional: false,
        isLooped: false,
      })),
    };
  }

  private doTransition(issue: Parameters<Site['transitionsFor']>[0], body: unknown): Outcome {
    const ref = isObject(body) && isObject(body.transition) ? body.transition : undefined;
    const id = ref?.id === undefined ? undefined : String(ref.id);
    if (id === undefined) return answered(jiraError(400, ["Missing 'transition' identifier"]));
    const transition = this.site.transitionsFor(issue).find((candidate) => candidate.id === id);
    if (transition === undefined) {
      return answered(jiraError(400, [`Transition id '${id}' is not valid for this issue.`]));
    }
    const items = this.site.applyTransition(issue, transition);
    const byBot = this.site.config.bot.accountId;
    const payload = events.issueUpdatedPayload(
      this.site,
      issue,
      byBot,
      items,
      this.nextChangelogId(),
    );
    return { reply: noContent(), events: [payload] };
  }
}

/** Which path segments are ids: issue/{key}/…, createmeta/{project}/issuetypes/{id}. */
function isVariable(parts: string[], index: number): boolean {
  if (parts[0] !== 'issue') return false;
  if (parts[1] === 'createmeta') return index === 2 || index === 4;
  return index === 1;
}

function fromQuery(query: URLSearchParams): Record<string, unknown> {
  return Object.fromEntries(query.entries());
}

function legacySearchGone(): Reply {
  return jiraError(410, [
    'The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046',
  ]);
}

function serverInfo(site: Site): object {
  return {
    baseUrl: site.baseUrl.slice(0, -1),
    displayUrl: site.baseUrl.slice(0, -1),
    version: '1001.0.0-SNAPSHOT',
    versionNumbers: [1001, 0, 0],
    deploymentType: 'Cloud',
    buildNumber: 100294,
    buildDate: '2026-03-01T00:00:00.000+0000',
    serverTime: new Date(site.now()).toISOString().replace('Z', '+0000'),
    scmInfo: '0000000000000000000000000000000000000000',
    serverTitle: 'Jira',
    defaultLocale: { locale: 'en_US' },
    serverTimeZone: 'Etc/UTC',
  };
}
