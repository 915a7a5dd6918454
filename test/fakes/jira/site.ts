/**
 * The state of the stand-in's Jira site (issues, comments, workflow position) and the JSON views
 * Jira Cloud REST v3 returns for them (wire-formats.md §4.3; fixture shapes in test/fixtures/jira).
 */
import { adfProblem } from './adf.ts';
import type { SiteConfig, StandInProject, StandInStatus, StandInUser } from './site-config.ts';
import type { StandInTransition } from './site-config.ts';
import { isObject } from './wire.ts';

export interface IssueState {
  id: string;
  key: string;
  projectKey: string;
  issueTypeId: string;
  summary: string;
  /** ADF, as sent. */
  description: unknown;
  labels: string[];
  priority: string | null;
  /** Status name. */
  status: string;
  assigneeAccountId: string | null;
  reporterAccountId: string;
  /** customfield_* values as sent. */
  customFields: Record<string, unknown>;
  /** Epoch milliseconds. */
  created: number;
  updated: number;
}

export interface CommentState {
  id: string;
  issueKey: string;
  /** ADF, as sent. */
  body: unknown;
  authorAccountId: string;
  created: number;
}

/** An input's value, or the field errors Jira answers 400 with. */
export type Checked<T> = { value: T } | { errors: Record<string, string>; messages?: string[] };

export const PRIORITIES = [
  { id: '1', name: 'Highest' },
  { id: '2', name: 'High' },
  { id: '3', name: 'Medium' },
  { id: '4', name: 'Low' },
  { id: '5', name: 'Lowest' },
];

/** Jira's timestamp form: '2026-03-14T03:01:22.512+0000'. */
export function jiraTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

export class Site {
  readonly issues = new Map<string, IssueState>();
  readonly comments: CommentState[] = [];
  private nextIssueId = 10001;
  private nextCommentId = 10001;
  private readonly numbers = new Map<string, number>();

  constructor(
    readonly config: SiteConfig,
    /** The base URL ending in '/', for `self` links. */
    readonly baseUrl: string,
    readonly now: () => number,
  ) {}

  clear(): void {
    this.issues.clear();
    this.comments.length = 0;
    this.numbers.clear();
  }

  project(keyOrId: unknown): StandInProject | undefined {
    return this.config.projects.find((p) => p.key === keyOrId || p.id === keyOrId);
  }

  user(accountId: string): StandInUser | undefined {
    return [this.config.bot, ...this.config.users].find((u) => u.accountId === accountId);
  }

  status(name: string): StandInStatus {
    const status = this.config.workflow.statuses.find((candidate) => candidate.name === name);
    if (status === undefined) throw new Error(`JiraStandIn: unknown status '${name}'`);
    return status;
  }

  /** By key, or by numeric id as Jira also accepts. */
  findIssue(keyOrId: string): IssueState | undefined {
    const upper = keyOrId.toUpperCase();
    return this.issues.get(upper) ?? [...this.issues.values()].find((i) => i.id === keyOrId);
  }

  /** Checks `POST /rest/api/3/issue` fields the way Jira Cloud does and creates the issue. */
  createIssue(body: unknown, reporterAccountId: string): Checked<IssueState> {
    const fields = isObject(body) && isObject(body.fields) ? body.fields : {};
    const errors: Record<string, string> = {};
    const projectRef = isObject(fields.project) ? fields.project : {};
    const project = this.project(projectRef.key ?? projectRef.id);
    if (project === undefined) errors.project = 'Specify a valid project ID or key';

    const typeRef = isObject(fields.issuetype) ? fields.issuetype : undefined;
    const issueType = project?.issueTypes.find(
      (type) => type.id === typeRef?.id || type.name === typeRef?.name,
    );
    if (typeRef === undefined) errors.issuetype = 'Specify an issue type';
    else if (project !== undefined && issueType === undefined) {
      errors.issuetype = 'The issue type selected is invalid.';
    }

    const summary = fields.summary;
    if (typeof summary !== 'string' || summary.trim() === '') {
      errors.summary = 'You must specify a summary of the issue.';
    } else if (summary.length > 255) errors.summary = 'Summary must be less than 255 characters.';
    else if (/[\r\n]/.test(summary))
      errors.summary = 'The summary is invalid because it contains newline characters.';

    for (const name of ['description', 'environment']) {
      const problem = fields[name] == null ? undefined : adfProblem(fields[name]);
      if (problem !== undefined) errors[name] = problem;
    }
    if (fields.labels !== undefined) {
      const ok = Array.isArray(fields.labels) && fields.labels.every(isLabel);
      if (!ok) errors.labels = 'The label must not contain spaces.';
    }
    const priorityRef = isObject(fields.priority) ? fields.priority : undefined;
    const priority = PRIORITIES.find(
      (p) => p.id === priorityRef?.id || p.name === priorityRef?.name,
    );
    if (fields.priority !== undefined && priority === undefined) {
      errors.priority = 'Specify the Priority (id or name) in the string format';
    }
    const assigneeRef = isObject(fields.assignee) ? fields.assignee : undefined;
    const assignee = typeof assigneeRef?.accountId === 'string' ? assigneeRef.accountId : null;
    if (assignee !== null && this.user(assignee) === undefined) {
      errors.assignee = `User '${assignee}' cannot be assigned issues.`;
    }

    const required = this.config.requiredFields.filter(
      (field) => field.projectKey === project?.key && field.issueType === issueType?.name,
    );
    const customFields: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(fields)) {
      if (!name.startsWith('customfield_')) continue;
      if (!required.some((field) => field.fieldId === name)) {
        errors[name] =
          `Field '${name}' cannot be set. It is not on the appropriate screen, or unknown.`;
      } else customFields[name] = value;
    }
    for (const field of required) {
      if (isEmpty(fields[field.fieldId])) errors[field.fieldId] = `${field.name} is required.`;
    }

    if (Object.keys(errors).length > 0 || !project || !issueType) return { errors };
    const number = this.numbers.get(project.key) ?? this.config.firstIssueNumber;
    this.numbers.set(project.key, number + 1);
    const now = this.now();
    const issue: IssueState = {
      id: String(this.nextIssueId++),
      key: `${project.key}-${number}`,
      projectKey: project.key,
      issueTypeId: issueType.id,
      summary: summary as string,
      description: fields.description ?? null,
      labels: (fields.labels as string[] | undefined) ?? [],
      priority: priority?.name ?? 'Medium',
      status: this.config.workflow.statuses[0]!.name,
      assigneeAccountId: assignee,
      reporterAccountId,
      customFields,
      created: now,
      updated: now,
    };
    this.issues.set(issue.key, issue);
    return { value: issue };
  }

  /** Transitions available from the issue's status, in workflow order. */
  transitionsFor(issue: IssueState): StandInTransition[] {
    return this.config.workflow.transitions.filter((transition) =>
      transition.from.length === 0
        ? transition.to !== issue.status
        : transition.from.includes(issue.status),
    );
  }

  /** Moves the issue; returns the changelog items a webhook carries. */
  applyTransition(issue: IssueState, transition: StandInTransition): ChangelogItem[] {
    const from = this.status(issue.status);
    const to = this.status(transition.to);
    issue.status = to.name;
    issue.updated = this.now();
    const items: ChangelogItem[] = [];
    if (from.category !== 'done' && to.category === 'done') {
      items.push(changeItem('resolution', null, null, '10000', 'Done'));
    } else if (from.category === 'done' && to.category !== 'done') {
      items.push(changeItem('resolution', '10000', 'Done', null, null));
    }
    items.push(changeItem('status', from.id, from.name, to.id, to.name));
    return items;
  }

  addComment(issue: IssueState, body: unknown, authorAccountId: string): CommentState {
    const comment: CommentState = {
      id: String(this.nextCommentId++),
      issueKey: issue.key,
      body,
      authorAccountId,
      created: this.now(),
    };
    this.comments.push(comment);
    issue.updated = comment.created;
    return comment;
  }

  userView(accountId: string | null): object | null {
    if (accountId === null) return null;
    const user = this.user(accountId);
    return {
      self: `${this.baseUrl}rest/api/3/user?accountId=${encodeURIComponent(accountId)}`,
      accountId,
      displayName: user?.displayName ?? accountId,
      active: true,
      timeZone: user?.timeZone ?? 'Etc/UTC',
      accountType: 'atlassian',
    };
  }

  statusView(name: string): object {
    const status = this.status(name);
    const category = CATEGORIES[status.category];
    return {
      self: `${this.baseUrl}rest/api/3/status/${status.id}`,
      name: status.name,
      id: status.id,
      statusCategory: {
        ...category,
        self: `${this.baseUrl}rest/api/3/statuscategory/${category.id}`,
      },
    };
  }

  /** The issue as GET /issue returns it; `fields` limits the fields like Jira's `fields` param. */
  issueView(issue: IssueState, fields?: (name: string) => boolean): Record<string, unknown> {
    const project = this.project(issue.projectKey)!;
    const issueType = project.issueTypes.find((type) => type.id === issue.issueTypeId)!;
    const priority = PRIORITIES.find((p) => p.name === issue.priority);
    const all: Record<string, unknown> = {
      summary: issue.summary,
      description: issue.description,
      issuetype: { ...issueType, subtask: false, hierarchyLevel: 0 },
      project: { id: project.id, key: project.key, name: project.name },
      status: this.statusView(issue.status),
      priority: priority ?? null,
      labels: issue.labels,
      assignee: this.userView(issue.assigneeAccountId),
      reporter: this.userView(issue.reporterAccountId),
      creator: this.userView(issue.reporterAccountId),
      created: jiraTime(issue.created),
      updated: jiraTime(issue.updated),
      ...issue.customFields,
    };
    const shown = fields ? Object.entries(all).filter(([name]) => fields(name)) : [];
    return {
      expand: 'renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations',
      id: issue.id,
      self: `${this.baseUrl}rest/api/3/issue/${issue.id}`,
      key: issue.key,
      ...(fields === undefined ? { fields: all } : { fields: Object.fromEntries(shown) }),
    };
  }

  commentView(comment: CommentState): object {
    const issue = this.issues.get(comment.issueKey)!;
    const author = this.userView(comment.authorAccountId);
    return {
      self: `${this.baseUrl}rest/api/3/issue/${issue.id}/comment/${comment.id}`,
      id: comment.id,
      author,
      body: comment.body,
      updateAuthor: author,
      created: jiraTime(comment.created),
      updated: jiraTime(comment.created),
      jsdPublic: true,
    };
  }
}

export interface ChangelogItem {
  field: string;
  fieldtype: string;
  fieldId: string;
  from: string | null;
  fromString: string | null;
  to: string | null;
  toString: string | null;
}

export function changeItem(
  field: string,
  from: string | null,
  fromString: string | null,
  to: string | null,
  toString: string | null,
): ChangelogItem {
  return { field, fieldtype: 'jira', fieldId: field, from, fromString, to, toString };
}

const CATEGORIES = {
  new: { id: 2, key: 'new', colorName: 'blue-gray', name: 'To Do' },
  indeterminate: { id: 4, key: 'indeterminate', colorName: 'yellow', name: 'In Progress' },
  done: { id: 3, key: 'done', colorName: 'green', name: 'Done' },
} as const;

function isLabel(value: unknown): boolean {
  return typeof value === 'string' && value !== '' && !/\s/.test(value) && value.length <= 255;
}

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return true;
  return Array.isArray(value) && value.length === 0;
}
