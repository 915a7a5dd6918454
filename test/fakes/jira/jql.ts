/**
 * The JQL subset the stand-in understands; anything else is refused with 400 as Jira refuses
 * bad JQL, so a test notices when the bot starts relying on more:
 *
 *   clause  (AND clause)*  [ORDER BY (created|updated|key) [ASC|DESC]]
 *   clause: project = X | project in (X, Y)
 *           | status = "In Progress" | status != X | status in (X, Y)
 *           | statusCategory = Done | statusCategory != Done     (names or keys: new, done, …)
 *           | labels = x | labels in (x, y) | key = OPS-1 | issuekey = OPS-1
 *           | assignee = <accountId> | assignee is EMPTY | reporter = <accountId>
 *
 * Keywords and field names are case-insensitive; values may be "quoted" or 'quoted'.
 * No OR, NOT, parentheses around clauses, functions (currentUser()) or text search (~).
 */
import type { IssueState, Site } from './site.ts';

export type IssuePredicate = (issue: IssueState) => boolean;

export interface ParsedJql {
  matches: IssuePredicate;
  compare: (a: IssueState, b: IssueState) => number;
}

export class JqlError extends Error {}

const CATEGORY_NAMES: Record<string, string> = {
  'to do': 'new',
  new: 'new',
  'in progress': 'indeterminate',
  indeterminate: 'indeterminate',
  done: 'done',
  complete: 'done',
};

const CLAUSE =
  /^\s*([a-z]+)\s*(=|!=|\bin\b|\bnot in\b|\bis not\b|\bis\b)\s*(\([^)]*\)|"[^"]*"|'[^']*'|[^\s()]+)\s*$/i;

export function parseJql(jql: string, site: Site): ParsedJql {
  const [where = '', order] = jql.split(/\border\s+by\b/i);
  if (where.trim() === '') {
    throw new JqlError(
      'Unbounded JQL queries are not allowed here. Please add a search restriction to your query.',
    );
  }
  const predicates = where.split(/\s+and\s+/i).map((clause) => parseClause(clause, site));
  return {
    matches: (issue) => predicates.every((predicate) => predicate(issue)),
    compare: parseOrder(order),
  };
}

function parseClause(clause: string, site: Site): IssuePredicate {
  const match = CLAUSE.exec(clause);
  if (match === null)
    throw new JqlError(`Error in the JQL Query: cannot parse '${clause.trim()}'.`);
  const field = match[1]!.toLowerCase();
  const operator = match[2]!.toLowerCase().replace(/\s+/g, ' ');
  const values = parseValues(match[3]!);
  const negate = operator === '!=' || operator === 'not in' || operator === 'is not';
  if ((operator === 'is' || operator === 'is not') && values[0]?.toUpperCase() !== 'EMPTY') {
    throw new JqlError(`Error in the JQL Query: only 'is EMPTY' is supported.`);
  }
  const test = fieldTest(field, values, site);
  return negate ? (issue) => !test(issue) : test;
}

function fieldTest(field: string, values: string[], site: Site): IssuePredicate {
  const lower = values.map((value) => value.toLowerCase());
  switch (field) {
    case 'project':
      return (issue) => lower.includes(issue.projectKey.toLowerCase());
    case 'status':
      return (issue) => lower.includes(issue.status.toLowerCase());
    case 'statuscategory': {
      const keys: (string | undefined)[] = lower.map((value) => CATEGORY_NAMES[value]);
      if (keys.includes(undefined)) {
        throw new JqlError(
          `The value '${values.join(', ')}' does not exist for the field 'statusCategory'.`,
        );
      }
      return (issue) => keys.includes(site.status(issue.status).category);
    }
    case 'labels':
      return (issue) => issue.labels.some((label) => lower.includes(label.toLowerCase()));
    case 'key':
    case 'issuekey':
      return (issue) => lower.includes(issue.key.toLowerCase());
    case 'assignee':
      if (lower[0] === 'empty') return (issue) => issue.assigneeAccountId === null;
      return (issue) => values.includes(issue.assigneeAccountId ?? '');
    case 'reporter':
      return (issue) => values.includes(issue.reporterAccountId);
    default:
      throw new JqlError(
        `Field '${field}' does not exist or you do not have permission to view it.`,
      );
  }
}

function parseValues(raw: string): string[] {
  const inner = raw.startsWith('(') ? raw.slice(1, -1) : raw;
  const values = inner
    .split(',')
    .map((value) => value.trim().replace(/^(["'])(.*)\1$/, '$2'))
    .filter((value) => value !== '');
  if (values.length === 0) throw new JqlError('Error in the JQL Query: a value is missing.');
  return values;
}

function parseOrder(order: string | undefined): (a: IssueState, b: IssueState) => number {
  const byCreated = (a: IssueState, b: IssueState) => a.created - b.created || +a.id - +b.id;
  if (order === undefined) return (a, b) => -byCreated(a, b); // Jira's default: newest first
  const match = /^\s*(created|updated|key)\s*(asc|desc)?\s*$/i.exec(order);
  if (match === null)
    throw new JqlError(`Error in the JQL Query: cannot order by '${order.trim()}'.`);
  const field = match[1]!.toLowerCase();
  const sign = match[2]?.toLowerCase() === 'desc' ? -1 : 1;
  const compare =
    field === 'updated'
      ? (a: IssueState, b: IssueState) => a.updated - b.updated || +a.id - +b.id
      : byCreated;
  return (a, b) => sign * compare(a, b);
}
