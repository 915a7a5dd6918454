import { Version3Client } from 'jira.js';
import type { z } from 'zod';

import { systemClock } from '../../core/ports.ts';
import type { Clock, Logger } from '../../core/ports.ts';
import type { Severity } from '../../core/types.ts';
import type { Metrics } from '../../metrics.ts';
import { OutboundError } from '../../outbound/outbound-error.ts';
import type { TicketDoc } from '../tickets/ticket-doc.ts';
import type { CloseOutcome, RequiredField, TicketDraft } from '../tickets/ticket-system.ts';
import type { TicketState, TicketSystem } from '../tickets/ticket-system.ts';
import { adfToText, toAdf } from './jira-adf.ts';
import * as answers from './jira-answers.ts';
import type { IssueAnswer, MetaField } from './jira-answers.ts';
import { jiraFailure, refusalOf } from './jira-failure.ts';
import { loadCreateMeta } from './jira-create-meta.ts';
import { fieldValue, requiredOf } from './jira-fields.ts';

/** Jira's limit for a summary, in UTF-16 units as Jira (Java) counts them (F13). */
const SUMMARY_MAX = 255;
/** Create metadata changes rarely; a project admin's change shows within this. */
const META_TTL_MS = 10 * 60_000;
/** The largest page `/search/jql` serves. */
const PAGE_SIZE = 100;
/** findByMarker looks at this many of the incident's tickets, newest first. */
const MARKER_SEARCH_MAX = 200;

export interface JiraClientOptions {
  /** The site: https://acme.atlassian.net (or a stand-in). */
  baseUrl: string;
  /** The API user's email and API token (Basic auth). */
  email: string;
  apiToken: string;
  projectKey: string;
  /** Issue type by name: 'Incident', 'Task'. */
  issueType: string;
  /** Transition names that move an issue to done, tried in order (case-insensitive). */
  resolveTransitions: string[];
  /** Jira priority name per severity (critical → 'Highest'). */
  priorities: Record<Severity, string>;
  logger: Logger;
  /** Per request, ms. Default 10 s. */
  timeoutMs?: number;
  /** Default the system clock; drives the createmeta cache and `X-RateLimit-Reset`. */
  clock?: Clock;
  metrics?: Metrics;
}

/**
 * Jira Cloud REST v3 through jira.js (wire-formats.md §4.3) as a ticket system: issues created
 * with ADF descriptions (F12) and the project's required custom fields (F13), comments,
 * transitions to done, JQL search with `nextPageToken`. jira.js does not retry, so every 429
 * reaches the outbound queue as an OutboundError with the wait Jira asked for.
 */
export class JiraClient implements TicketSystem {
  readonly name = 'jira' as const;
  readonly label = 'Jira';
  readonly container: string;
  readonly #o: JiraClientOptions;
  readonly #jira: Version3Client;
  readonly #site: string;
  readonly #clock: Clock;
  #meta: { at: number; fields: Promise<MetaField[]> } | undefined;

  constructor(options: JiraClientOptions) {
    this.#o = options;
    this.container = options.projectKey;
    this.#site = options.baseUrl.replace(/\/+$/, '');
    this.#clock = options.clock ?? systemClock;
    this.#jira = new Version3Client({
      host: this.#site,
      authentication: { basic: { email: options.email, apiToken: options.apiToken } },
      baseRequestConfig: { timeout: options.timeoutMs ?? 10_000 },
    });
  }

  async create(draft: TicketDraft): Promise<TicketState> {
    const fields = await this.#createFields(draft);
    let created: { key: string };
    try {
      created = await this.#createIssue(fields);
    } catch (error) {
      if (!(error instanceof OutboundError) || error.fields?.priority === undefined) throw error;
      // Projects often leave Priority off the create screen; the issue matters more.
      this.#o.logger.warn(
        { error: error.fields.priority },
        'jira priority refused; created without',
      );
      delete fields.priority;
      created = await this.#createIssue(fields);
    }
    this.#o.logger.info({ key: created.key, incidentId: draft.incidentId }, 'jira issue created');
    return this.#stateAfterCreate(created.key, fields.summary as string);
  }

  async findByMarker(incidentId: string, marker: string): Promise<TicketState | undefined> {
    const jql = `project = ${jqlValue(this.#o.projectKey)} AND labels = ${jqlValue(
      incidentLabel(incidentId),
    )} ORDER BY created DESC`;
    const found = await this.#search(jql, MARKER_SEARCH_MAX, ['summary', 'status', 'description']);
    const issue = found.find((candidate) =>
      adfToText(candidate.fields.description).includes(marker),
    );
    return issue && this.#state(issue);
  }

  async comment(key: string, body: TicketDoc): Promise<void> {
    await this.#call('POST /issue/{key}/comment', answers.anything, () =>
      this.#jira.issueComments.addComment({ issueIdOrKey: idOrKey(key), comment: toAdf(body) }),
    );
  }

  async close(key: string): Promise<CloseOutcome> {
    const current = await this.get(key);
    if (current.done) return { outcome: 'already', status: current.status };

    const { transitions } = await this.#call(
      'GET /issue/{key}/transitions',
      answers.transitions,
      () => this.#jira.issues.getTransitions({ issueIdOrKey: idOrKey(key) }),
    );
    const wanted = this.#o.resolveTransitions;
    const transition = wanted
      .map((name) => transitions.find((t) => t.name.toLowerCase() === name.toLowerCase()))
      .find((candidate) => candidate !== undefined);
    if (transition === undefined) {
      const available = transitions.map((t) => t.name);
      return { outcome: 'unavailable', status: current.status, wanted: [...wanted], available };
    }

    await this.#call('POST /issue/{key}/transitions', answers.anything, () =>
      this.#jira.issues.doTransition({
        issueIdOrKey: idOrKey(key),
        transition: { id: transition.id },
      }),
    );
    const status = transition.to?.name ?? (await this.get(key)).status;
    this.#o.logger.info({ key, status, transition: transition.name }, 'jira issue closed');
    return { outcome: 'closed', status };
  }

  /** Out of done through the first transition to a status that is not done ("Reopen"). */
  async reopen(key: string): Promise<CloseOutcome> {
    const current = await this.get(key);
    if (!current.done) return { outcome: 'already', status: current.status };
    const { transitions } = await this.#call(
      'GET /issue/{key}/transitions',
      answers.transitions,
      () => this.#jira.issues.getTransitions({ issueIdOrKey: idOrKey(key) }),
    );
    const open = transitions.filter((t) => t.to?.statusCategory?.key !== 'done');
    const transition = open.find((t) => /reopen/i.test(t.name)) ?? open[0];
    if (transition === undefined) {
      const available = transitions.map((t) => t.name);
      return { outcome: 'unavailable', status: current.status, wanted: ['Reopen'], available };
    }
    await this.#call('POST /issue/{key}/transitions', answers.anything, () =>
      this.#jira.issues.doTransition({
        issueIdOrKey: idOrKey(key),
        transition: { id: transition.id },
      }),
    );
    const status = transition.to?.name ?? (await this.get(key)).status;
    this.#o.logger.info({ key, status, transition: transition.name }, 'jira issue reopened');
    return { outcome: 'reopened', status };
  }

  async get(key: string): Promise<TicketState> {
    const issue = await this.#call('GET /issue/{key}', answers.issue, () =>
      this.#jira.issues.getIssue({ issueIdOrKey: idOrKey(key), fields: ['summary', 'status'] }),
    );
    return this.#state(issue);
  }

  /** The issue type tickets are opened as (JIRA_ISSUE_TYPE). */
  get issueType() {
    return this.#o.issueType;
  }

  /** Required fields the bot does not fill itself, from create metadata (cached 10 minutes). */
  async requiredFields(): Promise<RequiredField[]> {
    return requiredOf(await this.#metaFields());
  }

  /** Issues matching `jql`, at most `limit`, following `nextPageToken` across pages. */
  async searchOpen(jql: string, limit: number): Promise<TicketState[]> {
    const issues = await this.#search(jql, limit, ['summary', 'status']);
    return issues.map((issue) => this.#state(issue));
  }

  /** The API user, to recognise the bot's own changes when Jira's webhooks echo them. */
  async myself(): Promise<{ accountId: string }> {
    const me = await this.#call('GET /myself', answers.myself, () =>
      this.#jira.myself.getCurrentUser(),
    );
    return { accountId: me.accountId };
  }

  async #createFields(draft: TicketDraft): Promise<Record<string, unknown>> {
    const meta =
      draft.fields && Object.keys(draft.fields).length > 0 ? await this.#metaFields() : [];
    const custom = Object.entries(draft.fields ?? {}).map(([id, value]) => [
      id,
      fieldValue(
        meta.find((field) => field.fieldId === id),
        value,
      ),
    ]);
    const priority = this.#o.priorities[draft.severity];
    const marker: TicketDoc = [
      { type: 'paragraph', lines: [[{ text: `Firebreak ref: ${draft.marker}` }]] },
    ];
    return {
      project: { key: this.#o.projectKey },
      issuetype: { name: this.#o.issueType },
      summary: summaryOf(draft.title, draft.incidentId),
      description: toAdf([...draft.body, ...marker]),
      labels: labelsOf(draft),
      ...(priority ? { priority: { name: priority } } : {}),
      ...Object.fromEntries(custom),
    };
  }

  /** POST /issue; a 400 names the refused fields by their names, as people know them (F13). */
  async #createIssue(fields: Record<string, unknown>) {
    try {
      return await this.#call('POST /issue', answers.createdIssue, () =>
        this.#jira.issues.createIssue({ fields: fields as never }),
      );
    } catch (error) {
      if (!(error instanceof OutboundError) || error.code !== '400' || !error.fields) throw error;
      if (error.fields.priority !== undefined) throw error;
      throw await this.#namedRefusal(error, error.fields);
    }
  }

  async #namedRefusal(error: OutboundError, errors: Record<string, string>) {
    const names = new Map<string, string>();
    try {
      for (const field of await this.#metaFields()) names.set(field.fieldId, field.name);
    } catch (metaError) {
      this.#o.logger.debug({ error: String(metaError) }, 'jira createmeta unavailable for names');
    }
    const named = Object.fromEntries(
      Object.entries(errors).map(([id, message]) => [names.get(id) ?? id, message]),
    );
    const problems = Object.entries(named).map(([name, message]) => {
      // Jira says "Impacted service is required."; other messages get the field's name.
      const text = message.replace(/\.$/, '');
      return text.startsWith(name) ? text : `${name}: ${text}`;
    });
    return new OutboundError({
      service: 'jira',
      code: '400',
      message: `Jira refused the issue: ${problems.join('; ')}`,
      fields: named,
      cause: error,
    });
  }

  /** The new issue's status; the issue exists even if this read fails, so that is not fatal. */
  async #stateAfterCreate(key: string, title: string): Promise<TicketState> {
    try {
      return await this.get(key);
    } catch (error) {
      this.#o.logger.warn({ key, error: String(error) }, 'jira issue created, status unread');
      return { key, url: this.#browse(key), status: 'To Do', done: false, title };
    }
  }

  /** Every field of the create screen for the project and issue type, cached. */
  #metaFields(): Promise<MetaField[]> {
    const now = this.#clock.now().getTime();
    if (this.#meta && now - this.#meta.at < META_TTL_MS) return this.#meta.fields;
    const fields = loadCreateMeta({
      jira: this.#jira,
      call: (what, schema, work) => this.#call(what, schema, work),
      projectKey: this.#o.projectKey,
      issueType: this.#o.issueType,
      logger: this.#o.logger,
    });
    this.#meta = { at: now, fields };
    fields.catch(() => {
      if (this.#meta?.fields === fields) this.#meta = undefined; // a failure is not cached
    });
    return fields;
  }

  async #search(jql: string, limit: number, fields: string[]): Promise<IssueAnswer[]> {
    const issues: IssueAnswer[] = [];
    let nextPageToken: string | undefined;
    while (issues.length < limit) {
      const page = await this.#call('POST /search/jql', answers.searchPage, () =>
        this.#jira.issueSearch.searchForIssuesUsingJqlEnhancedSearchPost({
          jql,
          fields,
          maxResults: Math.min(PAGE_SIZE, limit - issues.length),
          ...(nextPageToken !== undefined && { nextPageToken }),
        }),
      );
      issues.push(...page.issues.slice(0, limit - issues.length));
      // The last page has no token, or a null one (JRACLOUD-92184); `isLast` says so too.
      if (!page.nextPageToken || page.isLast === true || page.issues.length === 0) break;
      nextPageToken = page.nextPageToken;
    }
    return issues;
  }

  /** One jira.js call: timed, logged at debug, its answer checked, failures as OutboundError. */
  async #call<S extends z.ZodType>(
    what: string,
    schema: S,
    work: () => Promise<unknown>,
  ): Promise<z.infer<S>> {
    const started = performance.now();
    const timer = this.#o.metrics?.outboundDuration.startTimer({ service: 'jira', method: what });
    let answer: unknown;
    try {
      answer = await work();
    } catch (error) {
      const failure = jiraFailure(what, error, this.#clock.now().getTime());
      const status = refusalOf(error)?.status;
      this.#o.logger.debug(
        { what, status, ms: Math.round(performance.now() - started) },
        'jira call failed',
      );
      this.#count(what, failure.code ?? 'error');
      if (failure.retryAfterMs !== undefined) {
        this.#o.logger.warn({ what, retryAfterMs: failure.retryAfterMs }, 'jira rate limit');
        this.#o.metrics?.rateLimitWaits.inc({ service: 'jira', method: what });
      }
      throw failure;
    } finally {
      timer?.();
    }
    this.#o.logger.debug({ what, ms: Math.round(performance.now() - started) }, 'jira call');
    this.#count(what, 'ok');

    const parsed = schema.safeParse(answer);
    if (parsed.success) return parsed.data;
    const where = parsed.error.issues[0]?.path.join('.') || '(body)';
    throw new OutboundError({
      service: 'jira',
      code: 'bad_response',
      message: `${what}: unexpected answer from Jira at ${where}`,
    });
  }

  #count(what: string, outcome: string) {
    this.#o.metrics?.outboundCalls.inc({ service: 'jira', method: what, outcome });
  }

  #state(issue: IssueAnswer): TicketState {
    const status = issue.fields.status;
    const summary = issue.fields.summary;
    return {
      key: issue.key,
      url: this.#browse(issue.key),
      status: status?.name ?? '',
      done: status?.statusCategory?.key === 'done',
      ...(typeof summary === 'string' && { title: summary }),
    };
  }

  #browse(key: string): string {
    return `${this.#site}/browse/${encodeURIComponent(key)}`;
  }
}

/** `firebreak-INC-12`: Jira labels cannot hold spaces. */
function incidentLabel(incidentId: string): string {
  return label(`firebreak-${incidentId}`);
}

function label(text: string): string {
  return text.trim().replace(/\s+/g, '-').slice(0, 255);
}

function labelsOf(draft: TicketDraft): string[] {
  const all = ['firebreak', incidentLabel(draft.incidentId), ...draft.labels.map(label)];
  return [...new Set(all.filter((l) => l !== ''))];
}

/**
 * One line of at most 255 UTF-16 units, cut between graphemes (never inside an emoji or a
 * letter with its accent) and ended with '…' when cut. Jira refuses longer ones (F13).
 */
export function summaryOf(title: string, fallback: string): string {
  const line = title.replace(/[\r\n]+/g, ' ').trim() || fallback;
  if (line.length <= SUMMARY_MAX) return line;
  let cut = '';
  for (const { segment } of new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(line)) {
    if (cut.length + segment.length > SUMMARY_MAX - 1) break;
    cut += segment;
  }
  return `${cut.trimEnd()}…`;
}

/** jira.js puts the key into the path as given; a key from a webhook must not steer it. */
function idOrKey(key: string): string {
  return encodeURIComponent(key);
}

/** A JQL string literal. */
function jqlValue(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}
