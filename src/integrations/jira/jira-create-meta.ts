/**
 * Create metadata for one project and issue type (wire-formats.md §4.3, field report F13):
 * `GET /rest/api/3/issue/createmeta/{project}/issuetypes` to find the type by name, then
 * `…/issuetypes/{id}` for its fields, every page of both (startAt/maxResults/total/isLast).
 */
import type { Version3Client } from 'jira.js';
import type { z } from 'zod';

import type { Logger } from '../../core/ports.ts';
import { OutboundError } from '../../outbound/outbound-error.ts';
import * as answers from './jira-answers.ts';
import type { MetaField } from './jira-answers.ts';

/** One checked jira.js call, as JiraClient makes them (failures as OutboundError). */
export type JiraCall = <S extends z.ZodType>(
  what: string,
  schema: S,
  work: () => Promise<unknown>,
) => Promise<z.infer<S>>;

const PAGE_SIZE = 100;
/** More pages than any create screen has; a guard against a server that never says "last". */
const MAX_PAGES = 50;

export interface CreateMetaInput {
  jira: Version3Client;
  call: JiraCall;
  projectKey: string;
  /** By name, case-insensitive. */
  issueType: string;
  logger: Logger;
}

/** Every field of the create screen; throws `issue_type_not_found` naming the types there are. */
export async function loadCreateMeta(input: CreateMetaInput): Promise<MetaField[]> {
  const { jira, call, projectKey: projectIdOrKey, logger } = input;
  const typesWhat = 'GET /issue/createmeta/{project}/issuetypes';
  const types = await pages(typesWhat, logger, async (startAt) => {
    const page = await call(typesWhat, answers.issueTypesPage, () =>
      jira.issues.getCreateIssueMetaIssueTypes({ projectIdOrKey, startAt, maxResults: PAGE_SIZE }),
    );
    return { ...page, items: page.issueTypes };
  });

  const wanted = input.issueType.toLowerCase();
  const type = types.find((candidate) => candidate.name.toLowerCase() === wanted);
  if (type === undefined) {
    throw new OutboundError({
      service: 'jira',
      code: 'issue_type_not_found',
      message:
        `Jira project ${projectIdOrKey} has no issue type "${input.issueType}" ` +
        `(available: ${types.map((t) => t.name).join(', ')}); check the configured issue type`,
    });
  }

  const fieldsWhat = 'GET /issue/createmeta/{project}/issuetypes/{id}';
  return pages(fieldsWhat, logger, async (startAt) => {
    const page = await call(fieldsWhat, answers.fieldsPage, () =>
      jira.issues.getCreateIssueMetaIssueTypeId({
        projectIdOrKey,
        issueTypeId: type.id,
        startAt,
        maxResults: PAGE_SIZE,
      }),
    );
    return { ...page, items: page.fields };
  });
}

/** Every item of a startAt/maxResults list; stops at `isLast`, `total` or an empty page. */
async function pages<T>(
  what: string,
  logger: Logger,
  page: (startAt: number) => Promise<{ items: T[]; total?: number; isLast?: boolean }>,
): Promise<T[]> {
  const items: T[] = [];
  for (let round = 0; round < MAX_PAGES; round += 1) {
    const answer = await page(items.length);
    items.push(...answer.items);
    const end = answer.isLast ?? (answer.total !== undefined && items.length >= answer.total);
    if (end || answer.items.length === 0) return items;
  }
  logger.warn({ what, items: items.length }, 'jira list cut');
  return items;
}
