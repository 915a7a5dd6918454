import type { GitHubClient } from '../integrations/github/github-client.ts';
import type { JiraClient } from '../integrations/jira/jira-client.ts';
import type { PagerDutyClient } from '../integrations/pagerduty/pagerduty-client.ts';
import type { StatuspageClient } from '../integrations/statuspage/statuspage-client.ts';
import { attempt, CheckFailed, fail, pass, skipped, type DoctorResult } from './doctor-check.ts';

const PAGERDUTY = { service: 'PagerDuty', urlVariable: 'PAGERDUTY_API_URL' };
const JIRA = { service: 'Jira', urlVariable: 'JIRA_BASE_URL' };
const GITHUB = { service: 'GitHub', urlVariable: 'GITHUB_API_URL' };
const STATUSPAGE = { service: 'Statuspage', urlVariable: 'STATUSPAGE_API_URL' };

/** What the doctor knows of PagerDuty: the REST client, or only an Events API routing key. */
export interface PagerDutyProbe {
  client?: PagerDutyClient;
  /** Set when pages go through the Events API (no PAGERDUTY_TOKEN). */
  eventsApi?: boolean;
  /** The routing key, for its format; absent when only its presence is known. */
  routingKey?: string;
}

/** The REST key (services listed), the From user; or, with only Events API, the key's format. */
export async function checkPagerDuty(probe: PagerDutyProbe, timeoutMs: number) {
  const { client } = probe;
  if (!client && probe.eventsApi) return [checkRoutingKey(probe.routingKey)];
  if (!client) return [skipped('PagerDuty', 'PAGERDUTY_TOKEN and PAGERDUTY_ROUTING_KEY not set')];

  const services = await attempt(
    'PagerDuty API key',
    PAGERDUTY,
    timeoutMs,
    () => client.listServices(),
    (error) =>
      error.code === '401' || error.code === '2006'
        ? 'Set PAGERDUTY_TOKEN to a REST API key (Integrations → API Access Keys).'
        : 'Check PAGERDUTY_TOKEN: the key must be able to read services, users and incidents.',
  );
  if (services instanceof CheckFailed) {
    return [services.result, skipped('PagerDuty From user', 'needs a working PAGERDUTY_TOKEN')];
  }
  const results: DoctorResult[] = [
    services.length > 0
      ? pass('PagerDuty API key', `${services.length} services to page`)
      : fail(
          'PagerDuty API key',
          'the key sees no services: there is nothing to page',
          'Use a key of the PagerDuty account whose services should be paged.',
        ),
  ];

  const email = client.fromEmail;
  const user = await attempt(
    'PagerDuty From user',
    PAGERDUTY,
    timeoutMs,
    () => client.userIdByEmail(email),
    () => 'Check PAGERDUTY_TOKEN: the key must be able to read users.',
  );
  if (user instanceof CheckFailed) results.push(user.result);
  else if (user === undefined) {
    results.push(
      fail(
        'PagerDuty From user',
        `no PagerDuty user has the email ${email}`,
        'Set PAGERDUTY_FROM_EMAIL to the email of the PagerDuty user the bot acts as.',
      ),
    );
  } else results.push(pass('PagerDuty From user', `${email} is user ${user}`));
  return results;
}

function checkRoutingKey(routingKey: string | undefined): DoctorResult {
  const name = 'PagerDuty Events API';
  if (routingKey !== undefined && !/^[A-Za-z0-9]{32}$/.test(routingKey)) {
    return fail(
      name,
      'PAGERDUTY_ROUTING_KEY is not a 32-character integration key',
      'Copy the Integration Key of the service’s Events API v2 integration.',
    );
  }
  return pass(name, 'the routing key is well formed (not sent: a test event would page someone)');
}

/** The credentials (`myself`), the project and issue type, and required fields the bot lacks. */
export async function checkJira(jira: JiraClient | undefined, timeoutMs: number) {
  if (!jira) {
    return [skipped('Jira', 'JIRA_BASE_URL, JIRA_EMAIL, JIRA_API_TOKEN, JIRA_PROJECT_KEY not set')];
  }
  const me = await attempt(
    'Jira credentials',
    JIRA,
    timeoutMs,
    () => jira.myself(),
    () => 'Check JIRA_EMAIL and JIRA_API_TOKEN (id.atlassian.com → Security → API tokens).',
  );
  if (me instanceof CheckFailed) {
    const why = 'needs working Jira credentials';
    return [me.result, skipped('Jira project', why), skipped('Jira required fields', why)];
  }

  const where = `project ${jira.container}, issue type ${jira.issueType}`;
  const fields = await attempt(
    'Jira project',
    JIRA,
    timeoutMs,
    () => jira.requiredFields(),
    (error) =>
      error.code === 'issue_type_not_found'
        ? 'Set JIRA_ISSUE_TYPE to one of the issue types listed.'
        : 'Set JIRA_PROJECT_KEY to a project the account may browse and create issues in.',
  );
  if (fields instanceof CheckFailed) {
    return [
      pass('Jira credentials', `account ${me.accountId}`),
      fields.result,
      skipped('Jira required fields', `needs the ${where}`),
    ];
  }
  const names = fields.map((field) => field.name);
  return [
    pass('Jira credentials', `account ${me.accountId}`),
    pass('Jira project', where),
    names.length === 0
      ? pass('Jira required fields', 'none beyond those the bot fills')
      : fail(
          'Jira required fields',
          `the create screen requires ${names.join(', ')}: the ticket form asks for them, ` +
            'but automations and /incident followup cannot fill them',
          `Make ${names.join(', ')} optional, or give them a default, in the project's fields.`,
        ),
  ];
}

/** The token (`GET /user`) and the repository's issues (seen, and turned on). */
export async function checkGitHub(github: GitHubClient | undefined, timeoutMs: number) {
  if (!github) return [skipped('GitHub', 'GITHUB_TOKEN and GITHUB_REPOSITORY not set')];
  const login = await attempt(
    'GitHub token',
    GITHUB,
    timeoutMs,
    () => github.login(),
    () => 'Set GITHUB_TOKEN to a token with Issues: read and write on the repository.',
  );
  if (login instanceof CheckFailed) {
    return [login.result, skipped('GitHub repository', 'needs a working GITHUB_TOKEN')];
  }

  const repo = github.container;
  const issues = await attempt(
    'GitHub repository',
    GITHUB,
    timeoutMs,
    () => github.checkIssues(),
    (error) => {
      if (error.code === '410') return `Turn on Issues in ${repo}'s Settings → General → Features.`;
      if (error.code === '403') return `Give the token Issues: read and write on ${repo}.`;
      return (
        'Set GITHUB_REPOSITORY to owner/name of a repository the token can see ' +
        '(a fine-grained token lists it under Repository access).'
      );
    },
  );
  return [
    pass('GitHub token', `user @${login}`),
    issues instanceof CheckFailed ? issues.result : pass('GitHub repository', `${repo}, issues on`),
  ];
}

/** The page and its components. */
export async function checkStatuspage(statuspage: StatuspageClient | undefined, timeoutMs: number) {
  const name = 'Statuspage';
  if (!statuspage) return [skipped(name, 'STATUSPAGE_API_KEY and STATUSPAGE_PAGE_ID not set')];
  const components = await attempt(
    name,
    STATUSPAGE,
    timeoutMs,
    () => statuspage.components(),
    (error) =>
      error.code === '404'
        ? 'Set STATUSPAGE_PAGE_ID to the page’s ID (your avatar → API info).'
        : 'Set STATUSPAGE_API_KEY to an API key of the page (your avatar → API info).',
  );
  if (components instanceof CheckFailed) return [components.result];
  return [pass(name, `the page has ${components.length} components`)];
}
