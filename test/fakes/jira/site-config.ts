/**
 * The Jira Cloud site the stand-in plays: the API user, people, projects with their issue types,
 * required custom fields (field report F13) and one workflow shared by every project. Defaults
 * match the fixtures (project OPS "Operations", issue type Incident 10009, the bot's accountId).
 */

export const DEFAULT_EMAIL = 'firebreak@example.com';
export const DEFAULT_API_TOKEN = 'sandbox-jira-api-token';
/** The API user's accountId: "Incident Bot" in test/fixtures/jira. */
export const BOT_ACCOUNT_ID = '5e8f1a2b3c4d5e6f7a8b9c0d';

export interface StandInUser {
  accountId: string;
  displayName: string;
  emailAddress?: string;
  timeZone?: string;
}

export interface StandInIssueType {
  id: string;
  name: string;
  description?: string;
}

export interface StandInProject {
  id: string;
  key: string;
  name: string;
  issueTypes: StandInIssueType[];
}

/** A custom field the create screen of a project and issue type insists on. */
export interface RequiredField {
  projectKey: string;
  /** Issue type name. */
  issueType: string;
  /** 'customfield_10042'. */
  fieldId: string;
  /** 'Impact': the 400 says "Impact is required.". */
  name: string;
  /** createmeta `schema`; default `{ type: 'option', custom: '…:select', customId }`. */
  schema?: Record<string, unknown>;
  /** createmeta `allowedValues`, e.g. [{ id: '10100', value: 'High' }]. */
  allowedValues?: unknown[];
}

export type StatusCategoryKey = 'new' | 'indeterminate' | 'done';

export interface StandInStatus {
  id: string;
  name: string;
  category: StatusCategoryKey;
}

export interface StandInTransition {
  /** Workflow-specific string ids, as in Jira. */
  id: string;
  name: string;
  /** Status names it is available from; empty: from every other status (a global transition). */
  from: string[];
  to: string;
}

export interface StandInWorkflow {
  /** The first is where new issues start. */
  statuses: StandInStatus[];
  transitions: StandInTransition[];
}

export interface SiteOptions {
  /** Basic-auth email and API token the stand-in accepts. */
  email?: string;
  apiToken?: string;
  /** The API user (GET /myself, reporter of created issues). Default Incident Bot. */
  bot?: StandInUser;
  /** Other people, e.g. for transitionIssue's `byAccountId`. Default Pat Example, Sam Sample. */
  users?: StandInUser[];
  projects?: StandInProject[];
  requiredFields?: RequiredField[];
  workflow?: StandInWorkflow;
  /** The number of the first issue in every project. Default 1 ('OPS-1'). */
  firstIssueNumber?: number;
}

export interface SiteConfig {
  email: string;
  apiToken: string;
  bot: StandInUser;
  users: StandInUser[];
  projects: StandInProject[];
  requiredFields: RequiredField[];
  workflow: StandInWorkflow;
  firstIssueNumber: number;
}

export const PAT: StandInUser = {
  accountId: '712020:5f1d2c3b-8a9e-4b6f-9c0d-1e2f3a4b5c6d',
  displayName: 'Pat Example',
  timeZone: 'Europe/Berlin',
};
export const SAM: StandInUser = {
  accountId: '712020:0b7e4a91-26c3-4d58-8f1e-9a3b5c7d2e40',
  displayName: 'Sam Sample',
  timeZone: 'America/New_York',
};

export const DEFAULT_PROJECTS: StandInProject[] = [
  {
    id: '10004',
    key: 'OPS',
    name: 'Operations',
    issueTypes: [
      { id: '10009', name: 'Incident', description: 'A production incident' },
      { id: '10001', name: 'Task', description: 'A small, distinct piece of work.' },
      { id: '10004', name: 'Bug', description: 'A problem or error.' },
    ],
  },
];

/** To Do → In Progress → Done, as the brief and the fixtures name them (status ids from them). */
export const DEFAULT_WORKFLOW: StandInWorkflow = {
  statuses: [
    { id: '10000', name: 'To Do', category: 'new' },
    { id: '3', name: 'In Progress', category: 'indeterminate' },
    { id: '10001', name: 'Done', category: 'done' },
  ],
  transitions: [
    { id: '11', name: 'Start Progress', from: ['To Do'], to: 'In Progress' },
    { id: '21', name: 'Resolve', from: ['In Progress'], to: 'Done' },
    { id: '31', name: 'Done', from: ['To Do'], to: 'Done' },
    { id: '41', name: 'Reopen', from: ['Done'], to: 'To Do' },
  ],
};

export function resolveSiteConfig(options: SiteOptions): SiteConfig {
  const config: SiteConfig = {
    email: options.email ?? DEFAULT_EMAIL,
    apiToken: options.apiToken ?? DEFAULT_API_TOKEN,
    bot: options.bot ?? {
      accountId: BOT_ACCOUNT_ID,
      displayName: 'Incident Bot',
      emailAddress: options.email ?? DEFAULT_EMAIL,
      timeZone: 'Etc/UTC',
    },
    users: options.users ?? [PAT, SAM],
    projects: structuredClone(options.projects ?? DEFAULT_PROJECTS),
    requiredFields: structuredClone(options.requiredFields ?? []),
    workflow: structuredClone(options.workflow ?? DEFAULT_WORKFLOW),
    firstIssueNumber: options.firstIssueNumber ?? 1,
  };
  checkSiteConfig(config);
  return config;
}

/** Throws on a site Jira could not have, so a typo in a test fails loudly. */
function checkSiteConfig(config: SiteConfig): void {
  const statusNames = new Set(config.workflow.statuses.map((status) => status.name));
  if (statusNames.size === 0) throw new Error('JiraStandIn: the workflow needs a status');
  for (const transition of config.workflow.transitions) {
    for (const name of [transition.to, ...transition.from]) {
      if (!statusNames.has(name)) throw new Error(`JiraStandIn: unknown status '${name}'`);
    }
  }
  for (const field of config.requiredFields) {
    const project = config.projects.find((candidate) => candidate.key === field.projectKey);
    if (!project?.issueTypes.some((type) => type.name === field.issueType)) {
      throw new Error(`JiraStandIn: ${field.fieldId} names an unknown project or issue type`);
    }
  }
}
