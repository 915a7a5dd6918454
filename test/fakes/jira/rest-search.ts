/**
 * JQL search (wire-formats.md §4.3): the current `GET|POST /rest/api/3/search/jql` with
 * `nextPageToken` paging, no `total`, the token key absent on the last page (JRACLOUD-92184) and
 * only issue ids unless `fields` are asked for; and, when the stand-in is started with
 * `legacySearch`, the removed `GET|POST /rest/api/3/search` with startAt/maxResults/total.
 */
import { JqlError, parseJql } from './jql.ts';
import type { IssueState, Site } from './site.ts';
import { isObject, jiraError, json, type Reply } from './wire.ts';

const DEFAULT_PAGE = 50;
const MAX_PAGE = 100;

function matching(site: Site, jql: unknown): IssueState[] | Reply {
  if (typeof jql !== 'string') return jiraError(400, ['The JQL query is missing.']);
  try {
    const parsed = parseJql(jql, site);
    return [...site.issues.values()].filter(parsed.matches).sort(parsed.compare);
  } catch (error) {
    if (error instanceof JqlError) return jiraError(400, [error.message]);
    throw error;
  }
}

function pageSize(value: unknown): number | undefined {
  if (value === undefined) return DEFAULT_PAGE;
  const size = Number(value);
  return Number.isInteger(size) && size >= 0 ? Math.min(size, MAX_PAGE) : undefined;
}

export function searchJql(site: Site, params: unknown): Reply {
  const input = isObject(params) ? params : {};
  const found = matching(site, input.jql);
  if (!Array.isArray(found)) return found;
  const size = pageSize(input.maxResults);
  if (size === undefined) return jiraError(400, ['maxResults must be a positive number.']);

  let offset = 0;
  if (input.nextPageToken !== undefined) {
    const decoded = /^o(\d+)$/.exec(
      Buffer.from(String(input.nextPageToken), 'base64url').toString('utf8'),
    );
    if (decoded === null) return jiraError(400, ['The provided next page token is invalid.']);
    offset = Number(decoded[1]);
  }
  const page = found.slice(offset, offset + Math.max(size, 1));
  const next = offset + page.length;
  const fields = fieldFilter(input.fields);
  const issues = page.map((issue) =>
    fields === undefined ? { id: issue.id } : site.issueView(issue, fields),
  );
  const isLast = next >= found.length;
  const token = isLast ? {} : { nextPageToken: Buffer.from(`o${next}`).toString('base64url') };
  return json(200, { issues, ...token, isLast });
}

export function searchLegacy(site: Site, params: unknown): Reply {
  const input = isObject(params) ? params : {};
  const found = matching(site, input.jql);
  if (!Array.isArray(found)) return found;
  const size = pageSize(input.maxResults);
  const startAt = Number(input.startAt ?? 0);
  if (size === undefined || !Number.isInteger(startAt) || startAt < 0) {
    return jiraError(400, ['startAt and maxResults must be non-negative numbers.']);
  }
  const fields = fieldFilter(input.fields ?? '*navigable');
  const issues = found.slice(startAt, startAt + size).map((issue) => site.issueView(issue, fields));
  return json(200, {
    expand: 'schema,names',
    startAt,
    maxResults: size,
    total: found.length,
    issues,
  });
}

/** Jira's `fields` parameter: '*all', '*navigable', or names, '-name' to leave one out. */
export function fieldFilter(fields: unknown): ((name: string) => boolean) | undefined {
  const list = Array.isArray(fields)
    ? fields.map(String)
    : typeof fields === 'string'
      ? fields.split(',').map((field) => field.trim())
      : [];
  if (list.length === 0) return undefined;
  const excluded = new Set(list.filter((f) => f.startsWith('-')).map((f) => f.slice(1)));
  const everything = list.includes('*all') || list.includes('*navigable');
  return (name) => !excluded.has(name) && (everything || list.includes(name));
}
