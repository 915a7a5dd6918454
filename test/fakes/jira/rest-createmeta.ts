/**
 * Create metadata (wire-formats.md §4.3): `GET /rest/api/3/issue/createmeta/{project}/issuetypes`
 * and `…/issuetypes/{issueTypeId}`, paged with startAt/maxResults/total (plus `isLast`), the
 * fields listing `required` so a bot can find mandatory custom fields (field report F13).
 */
import type { Site } from './site.ts';
import { PRIORITIES } from './site.ts';
import { jiraError, json, type Reply } from './wire.ts';

function page<T>(items: T[], query: URLSearchParams, name: string): Reply {
  const startAt = Number(query.get('startAt') ?? 0);
  const maxResults = Number(query.get('maxResults') ?? 50);
  if (
    !Number.isInteger(startAt) ||
    startAt < 0 ||
    !Number.isInteger(maxResults) ||
    maxResults < 1
  ) {
    return jiraError(400, ['startAt and maxResults must be non-negative numbers.']);
  }
  const slice = items.slice(startAt, startAt + Math.min(maxResults, 200));
  const isLast = startAt + slice.length >= items.length;
  return json(200, { maxResults, startAt, total: items.length, isLast, [name]: slice });
}

const noProject = () => jiraError(404, ['No project could be found with key or id.']);

export function createMetaIssueTypes(
  site: Site,
  projectKey: string,
  query: URLSearchParams,
): Reply {
  const project = site.project(projectKey);
  if (project === undefined) return noProject();
  const types = project.issueTypes.map((type) => ({
    self: `${site.baseUrl}rest/api/3/issuetype/${type.id}`,
    id: type.id,
    description: type.description ?? '',
    name: type.name,
    subtask: false,
    hierarchyLevel: 0,
  }));
  return page(types, query, 'issueTypes');
}

export function createMetaFields(
  site: Site,
  projectKey: string,
  issueTypeId: string,
  query: URLSearchParams,
): Reply {
  const project = site.project(projectKey);
  if (project === undefined) return noProject();
  const issueType = project.issueTypes.find((type) => type.id === issueTypeId);
  if (issueType === undefined) return jiraError(400, ['The issue type selected is invalid.']);

  const system = (fieldId: string, name: string, required: boolean, schema: object) => ({
    required,
    schema,
    name,
    key: fieldId,
    fieldId,
    hasDefaultValue: false,
    operations: ['set'],
  });
  const fields: object[] = [
    system('issuetype', 'Issue Type', true, { type: 'issuetype', system: 'issuetype' }),
    system('project', 'Project', true, { type: 'project', system: 'project' }),
    system('summary', 'Summary', true, { type: 'string', system: 'summary' }),
    system('description', 'Description', false, { type: 'string', system: 'description' }),
    {
      ...system('priority', 'Priority', false, { type: 'priority', system: 'priority' }),
      allowedValues: PRIORITIES,
      hasDefaultValue: true,
    },
    system('labels', 'Labels', false, { type: 'array', items: 'string', system: 'labels' }),
    system('assignee', 'Assignee', false, { type: 'user', system: 'assignee' }),
  ];
  for (const field of site.config.requiredFields) {
    if (field.projectKey !== project.key || field.issueType !== issueType.name) continue;
    const customId = Number(field.fieldId.replace('customfield_', ''));
    const schema = field.schema ?? {
      type: 'option',
      custom: 'com.atlassian.jira.plugin.system.customfieldtypes:select',
      customId,
    };
    fields.push({
      ...system(field.fieldId, field.name, true, schema),
      ...(field.allowedValues !== undefined && { allowedValues: field.allowedValues }),
    });
  }
  return page(fields, query, 'fields');
}
