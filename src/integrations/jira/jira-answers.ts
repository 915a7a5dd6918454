/**
 * The parts of Jira Cloud REST v3 answers the client reads (wire-formats.md §4.3), declared
 * loosely: Jira adds fields freely, and a missing optional part must not fail a call.
 * https://developer.atlassian.com/cloud/jira/platform/rest/v3/
 */
import { z } from 'zod';

export const createdIssue = z.object({ id: z.string(), key: z.string().min(1) }).loose();

const status = z
  .object({
    name: z.string(),
    statusCategory: z.object({ key: z.string().optional() }).loose().optional(),
  })
  .loose();

export const issue = z
  .object({
    key: z.string().min(1),
    fields: z
      .object({
        summary: z.string().nullable().optional(),
        status: status.nullable().optional(),
        description: z.unknown().optional(),
      })
      .loose()
      .default({}),
  })
  .loose();

export type IssueAnswer = z.infer<typeof issue>;

/**
 * `/search/jql`: no `total`; the last page lacks `nextPageToken`, or has it null
 * (JRACLOUD-92184).
 */
export const searchPage = z
  .object({
    issues: z.array(issue).default([]),
    nextPageToken: z.string().nullable().optional(),
    isLast: z.boolean().optional(),
  })
  .loose();

export const transitions = z
  .object({
    transitions: z
      .array(z.object({ id: z.string(), name: z.string(), to: status.optional() }).loose())
      .default([]),
  })
  .loose();

/** Createmeta pages (startAt/maxResults/total, and `isLast` where Jira sends it). */
const metaPage = {
  startAt: z.number().optional(),
  maxResults: z.number().optional(),
  total: z.number().optional(),
  isLast: z.boolean().optional(),
};

export const issueTypesPage = z
  .object({
    ...metaPage,
    issueTypes: z.array(z.object({ id: z.string(), name: z.string() }).loose()).default([]),
  })
  .loose();

export const metaField = z
  .object({
    fieldId: z.string(),
    name: z.string(),
    required: z.boolean().default(false),
    schema: z
      .object({
        type: z.string().optional(),
        items: z.string().optional(),
        custom: z.string().optional(),
      })
      .loose()
      .default({}),
    allowedValues: z.array(z.unknown()).optional(),
  })
  .loose();

export type MetaField = z.infer<typeof metaField>;

export const fieldsPage = z.object({ ...metaPage, fields: z.array(metaField).default([]) }).loose();

export const myself = z.object({ accountId: z.string().min(1) }).loose();

/** For calls whose answer is not read (a comment's echo, a transition's 204). */
export const anything = z.unknown();
