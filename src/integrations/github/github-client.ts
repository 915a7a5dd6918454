import { Octokit } from '@octokit/rest';

import { systemClock, type Clock, type Logger } from '../../core/ports.ts';
import type { Severity } from '../../core/types.ts';
import type { Metrics } from '../../metrics.ts';
import { OutboundError, unreachable } from '../../outbound/outbound-error.ts';
import type { TicketDoc } from '../tickets/ticket-doc.ts';
import type { CloseOutcome, TicketDraft, TicketState } from '../tickets/ticket-system.ts';
import type { TicketSystem } from '../tickets/ticket-system.ts';
import { httpFailure, isHttpError, type GitHubErrorBody } from './github-failure.ts';
import { toMarkdown } from './github-markdown.ts';
import { GitHubRateLimits } from './github-rate-limits.ts';

/** GitHub refuses longer issue titles (422). */
const MAX_TITLE = 256;
/** https://docs.github.com/en/rest/about-the-rest-api/api-versions */
const API_VERSION = '2022-11-28';
/** Largest page GitHub serves. */
const PAGE_SIZE = 100;
/** recentChanges reads at most this many pages of each list, however old `since` is. */
const MAX_PAGES = 10;
const SEVERITY_LABELS: Record<Severity, string> = {
  critical: 'sev1',
  error: 'sev2',
  warning: 'sev3',
  info: 'sev4',
};

export interface GitHubClientOptions {
  /** REST API base: https://api.github.com, or https://<host>/api/v3 for Enterprise Server. */
  apiUrl: string;
  token: string;
  /** 'owner/name': where issues are opened. */
  repository: string;
  logger: Logger;
  /** Least wait after a secondary rate limit without `retry-after`, ms. Default 60 000. */
  secondaryWaitMs?: number;
  /** Each refused write waits this much longer than the one before, ms. Default 1 000. */
  writeStaggerMs?: number;
  /** Per request, ms. Default 10 000. */
  timeoutMs?: number;
  metrics?: Metrics;
  /** Default the system clock; drives rate-limit waits. */
  clock?: Clock;
}

/** A deployment or merged pull request, for "what changed before this incident?". */
export interface RecentChange {
  kind: 'deployment' | 'pull';
  title: string;
  url: string;
  /** Created (deployment) or merged (pull request), ISO. */
  at: string;
  who?: string;
  /** Deployed ref, or the branch a pull request was merged into. */
  ref?: string;
  environment?: string;
}

interface IssueData {
  number: number;
  html_url: string;
  state: string;
  title: string;
  body?: string | null;
}

/**
 * GitHub issues as a TicketSystem, through `@octokit/rest`, plus what GitHub knows about recent
 * changes. The SDK never retries or waits: every failure becomes an OutboundError the outbound
 * queue understands (`retryAfterMs` from GitHub's rate-limit headers, see GitHubRateLimits;
 * 5xx and network retryable; the rest final, naming the setting to fix).
 */
export class GitHubClient implements TicketSystem {
  readonly name = 'github';
  readonly label = 'GitHub';
  readonly container: string;
  readonly #o: GitHubClientOptions;
  readonly #repo: { owner: string; repo: string };
  readonly #octokit: Octokit;
  readonly #limits: GitHubRateLimits;
  readonly #clock: Clock;

  constructor(options: GitHubClientOptions) {
    const [owner = '', repo = ''] = options.repository.split('/');
    this.#o = options;
    this.container = options.repository;
    this.#repo = { owner, repo };
    this.#clock = options.clock ?? systemClock;
    this.#limits = new GitHubRateLimits({
      secondaryWaitMs: options.secondaryWaitMs ?? 60_000,
      staggerMs: options.writeStaggerMs ?? 1_000,
      now: () => this.#clock.now().getTime(),
    });
    this.#octokit = createOctokit(options);
  }

  async create(draft: TicketDraft): Promise<TicketState> {
    const labels = [
      'firebreak',
      `firebreak:${draft.incidentId}`,
      ...draft.labels,
      SEVERITY_LABELS[draft.severity],
    ];
    const { data } = await this.#write('POST /repos/{o}/{r}/issues', () =>
      this.#octokit.rest.issues.create({
        ...this.#repo,
        title: cutTitle(draft.title),
        body: `${toMarkdown(draft.body)}\n\n${markerComment(draft.marker)}`,
        labels: [...new Set(labels)],
      }),
    );
    this.#o.logger.info({ key: data.number, incidentId: draft.incidentId }, 'github issue opened');
    return stateOf(data);
  }

  async findByMarker(incidentId: string, marker: string): Promise<TicketState | undefined> {
    const { data } = await this.#call('GET /repos/{o}/{r}/issues', () =>
      this.#octokit.rest.issues.listForRepo({
        ...this.#repo,
        state: 'all',
        labels: `firebreak:${incidentId}`,
        sort: 'created',
        direction: 'desc',
        per_page: PAGE_SIZE,
      }),
    );
    const comment = markerComment(marker);
    const found = data.find((issue) => issue.body?.includes(comment));
    return found && stateOf(found);
  }

  async comment(key: string, body: TicketDoc): Promise<void> {
    const text = toMarkdown(body);
    if (text === '') return; // GitHub refuses an empty comment; there is nothing to say
    await this.#write(
      'POST /repos/{o}/{r}/issues/{n}/comments',
      () =>
        this.#octokit.rest.issues.createComment({
          ...this.#repo,
          issue_number: issueNumber(key),
          body: text,
        }),
      key,
    );
  }

  async close(key: string): Promise<CloseOutcome> {
    const current = await this.get(key);
    if (current.done) return { outcome: 'already', status: current.status };
    return { outcome: 'closed', status: await this.#setState(key, 'closed') };
  }

  async reopen(key: string): Promise<CloseOutcome> {
    const current = await this.get(key);
    if (!current.done) return { outcome: 'already', status: current.status };
    return { outcome: 'reopened', status: await this.#setState(key, 'open') };
  }

  /** Closes (as completed) or reopens an issue; its state as GitHub then reports it. */
  async #setState(key: string, state: 'open' | 'closed') {
    const { data } = await this.#write(
      'PATCH /repos/{o}/{r}/issues/{n}',
      () =>
        this.#octokit.rest.issues.update({
          ...this.#repo,
          issue_number: issueNumber(key),
          state,
          ...(state === 'closed' && { state_reason: 'completed' as const }),
        }),
      key,
    );
    return data.state;
  }

  async get(key: string): Promise<TicketState> {
    const { data } = await this.#call(
      'GET /repos/{o}/{r}/issues/{n}',
      () => this.#octokit.rest.issues.get({ ...this.#repo, issue_number: issueNumber(key) }),
      key,
    );
    return stateOf(data);
  }

  /** The login behind the token, so the bot knows its own changes when webhooks echo them. */
  async login(): Promise<string> {
    const { data } = await this.#call('GET /user', () =>
      this.#octokit.rest.users.getAuthenticated(),
    );
    return data.login;
  }

  /**
   * Reads one issue of the repository, changing nothing: fails (404) when the token cannot see
   * the repository and (410) when its issues are turned off.
   */
  async checkIssues(): Promise<void> {
    await this.#call('GET /repos/{o}/{r}/issues', () =>
      this.#octokit.rest.issues.listForRepo({ ...this.#repo, state: 'all', per_page: 1 }),
    );
  }

  /**
   * Deployments and merged pull requests since `sinceIso`, newest first, at most `limit`. Pages
   * are read only until items are older than `since` (or `limit` are found).
   */
  async recentChanges(sinceIso: string, limit: number): Promise<RecentChange[]> {
    const since = Date.parse(sinceIso);
    if (!Number.isFinite(since)) throw new Error(`recentChanges: bad time ${sinceIso}`);
    if (limit < 1) return [];

    const [deployments, pulls] = await Promise.all([
      this.#deployments(since, limit),
      this.#mergedPulls(since, limit),
    ]);
    return [...deployments, ...pulls]
      .sort((a, b) => Date.parse(b.at) - Date.parse(a.at))
      .slice(0, limit);
  }

  async #deployments(since: number, limit: number): Promise<RecentChange[]> {
    const web = webBase(this.#o.apiUrl);
    const pages = this.#octokit.paginate.iterator(this.#octokit.rest.repos.listDeployments, {
      ...this.#repo,
      per_page: PAGE_SIZE,
    });
    return this.#collect('GET /repos/{o}/{r}/deployments', pages, limit, (d) => {
      if (Date.parse(d.created_at) < since) return 'stop';
      return {
        kind: 'deployment',
        title: d.description || `Deployed ${d.ref} to ${d.environment}`,
        url: `${web}/${this.container}/commit/${d.sha}`,
        at: d.created_at,
        ...(d.creator?.login ? { who: d.creator.login } : {}),
        ref: d.ref,
        environment: d.environment,
      };
    });
  }

  /** Sorted by last update: once that is before `since`, so is every later merge. */
  async #mergedPulls(since: number, limit: number): Promise<RecentChange[]> {
    const pages = this.#octokit.paginate.iterator(this.#octokit.rest.pulls.list, {
      ...this.#repo,
      state: 'closed',
      sort: 'updated',
      direction: 'desc',
      per_page: PAGE_SIZE,
    });
    return this.#collect('GET /repos/{o}/{r}/pulls', pages, limit, (pull) => {
      if (Date.parse(pull.updated_at) < since) return 'stop';
      if (!pull.merged_at || Date.parse(pull.merged_at) < since) return undefined;
      return {
        kind: 'pull',
        title: `#${pull.number} ${pull.title}`,
        url: pull.html_url,
        at: pull.merged_at,
        ...(pull.user?.login ? { who: pull.user.login } : {}),
        ref: pull.base.ref,
      };
    });
  }

  /** Reads pages until `pick` says stop, `limit` changes are found, or MAX_PAGES. */
  async #collect<T>(
    what: string,
    pages: AsyncIterable<{ data: T[] }>,
    limit: number,
    pick: (item: T) => RecentChange | 'stop' | undefined,
  ): Promise<RecentChange[]> {
    const changes: RecentChange[] = [];
    await this.#call(what, async () => {
      let read = 0;
      for await (const page of pages) {
        for (const item of page.data) {
          const change = pick(item);
          if (change === 'stop') return;
          if (change) changes.push(change);
          if (changes.length >= limit) return;
        }
        if ((read += 1) >= MAX_PAGES) return;
      }
    });
    return changes;
  }

  /** A write: one at a time, and not at all while GitHub asked us to hold off. */
  async #write<T>(what: string, work: () => Promise<T>, key?: string): Promise<T> {
    this.#limits.check(what, true);
    return this.#limits.serialise(async () => {
      this.#limits.check(what, true);
      const result = await this.#call(what, work, key);
      this.#limits.wrote();
      return result;
    });
  }

  async #call<T>(what: string, work: () => Promise<T>, key?: string): Promise<T> {
    this.#limits.check(what, false);
    const started = Date.now();
    const timer = this.#o.metrics?.outboundDuration.startTimer({ service: 'github', method: what });
    try {
      const result = await work();
      this.#o.logger.debug({ what, ms: Date.now() - started }, 'github call');
      this.#count(what, 'ok');
      return result;
    } catch (error) {
      const failure = this.#failure(what, error, key);
      this.#o.logger.debug({ what, code: failure.code, ms: Date.now() - started }, 'github call');
      this.#count(what, failure.code ?? 'error');
      throw failure;
    } finally {
      timer?.();
    }
  }

  #failure(what: string, error: unknown, key: string | undefined): OutboundError {
    if (!isHttpError(error)) return unreachable('github', what, error);
    const { status, response } = error;
    const data = (response.data ?? {}) as GitHubErrorBody;
    const message = typeof data.message === 'string' ? data.message : '';
    const wait = this.#limits.refused(status, response.headers, message);
    if (wait) {
      const { kind, waitMs } = wait;
      this.#o.logger.warn({ what, kind, retryAfterMs: waitMs }, 'github rate limit');
      this.#o.metrics?.rateLimitWaits.inc({ service: 'github', method: what });
      this.#o.metrics?.rateLimitWaitSeconds.inc({ service: 'github', method: what }, waitMs / 1000);
    }
    return httpFailure({ what, status, data, wait, repository: this.container, key });
  }

  #count(what: string, outcome: string) {
    this.#o.metrics?.outboundCalls.inc({ service: 'github', method: what, outcome });
  }
}

function createOctokit(options: GitHubClientOptions): Octokit {
  const { logger } = options;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const octokit = new Octokit({
    auth: options.token,
    baseUrl: options.apiUrl.replace(/\/+$/, ''),
    userAgent: 'firebreak',
    // No retries and no throttling in the SDK: the outbound queue waits and tries again.
    request: { retries: 0 },
    log: {
      debug: () => undefined,
      info: () => undefined,
      warn: (detail: string) => logger.warn({ detail }, 'github sdk warning'),
      error: () => undefined, // every failure becomes an OutboundError, logged by its handler
    },
  });
  // @octokit/request 9 has no timeout option of its own: each request gets an abort signal.
  octokit.hook.before('request', (request) => {
    request.headers['x-github-api-version'] = API_VERSION;
    request.request = { ...request.request, signal: AbortSignal.timeout(timeoutMs) };
  });
  return octokit;
}

/** The hidden comment that finds an issue again after a lost answer (ours: safe characters). */
function markerComment(marker: string): string {
  return `<!-- firebreak:${marker.replace(/[^\w.:-]/g, '').replace(/-{2,}/g, '-')} -->`;
}

function cutTitle(title: string): string {
  const chars = [...title.replace(/\s+/g, ' ').trim()];
  if (chars.length <= MAX_TITLE) return chars.join('');
  return `${chars.slice(0, MAX_TITLE - 1).join('')}…`;
}

function issueNumber(key: string): number {
  if (!/^\d+$/.test(key)) {
    throw new OutboundError({ service: 'github', message: `not a GitHub issue number: ${key}` });
  }
  return Number(key);
}

function stateOf(issue: IssueData): TicketState {
  return {
    key: String(issue.number),
    url: issue.html_url,
    status: issue.state,
    done: issue.state === 'closed',
    title: issue.title,
  };
}

/** Web pages' base for an API base: github.com for api.github.com, the host for GHES. */
function webBase(apiUrl: string): string {
  const url = new URL(apiUrl);
  if (url.hostname === 'api.github.com') return 'https://github.com';
  return `${url.origin}${url.pathname.replace(/\/+$/, '').replace(/\/api\/v3$/, '')}`;
}
