import { DEFAULT_TOKEN, GitHubStandIn } from '../../test/fakes/github/github-stand-in.ts';
import {
  DEFAULT_API_TOKEN,
  DEFAULT_EMAIL,
  JiraStandIn,
  PAT,
} from '../../test/fakes/jira/jira-stand-in.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../core/ports.ts';

/** Published on purpose: the sandbox's Jira and GitHub are stand-ins on loopback. */
const SANDBOX_JIRA_SECRET = 'sandbox-jira-webhook-secret';
const SANDBOX_GITHUB_SECRET = 'sandbox-github-webhook-secret';
const REPOSITORY = 'acme/checkout';

/**
 * Runs the project's Jira and GitHub stand-ins (the ones the tests use) on loopback when the
 * sandbox has neither of its own, seeded so that `/incident context` has something to show: an
 * open Jira issue of the demo's service (checkout-api), a deployment and a merged pull request.
 * Jira sends its webhooks to the bot once it listens; every call is logged.
 */
export async function startSandboxTickets(config: Config, logger: Logger) {
  const log = (system: string) => (call: { method: string; path: string; status: number }) =>
    logger.info({ method: call.method, path: call.path, status: call.status }, `${system} call`);
  const jira = config.jira ? undefined : await JiraStandIn.start({ onCall: log('jira') });
  const github = config.github ? undefined : await GitHubStandIn.start({ onCall: log('github') });
  let next = config;
  if (jira) {
    // An open issue of the demo's service, reported by a person.
    jira.createIssue(
      {
        project: { key: 'OPS' },
        issuetype: { name: 'Bug' },
        summary: 'Checkout latency spikes after the pool change',
        labels: ['checkout-api'],
      },
      PAT.accountId,
    );
    next = {
      ...next,
      jira: {
        baseUrl: jira.url.replace(/\/$/, ''),
        email: DEFAULT_EMAIL,
        apiToken: DEFAULT_API_TOKEN,
        projectKey: 'OPS',
        issueType: 'Incident',
        webhookSecret: SANDBOX_JIRA_SECRET,
        resolveTransitions: ['Done', 'Resolve'],
        priorities: { critical: 'Highest', error: 'High', warning: 'Medium', info: 'Low' },
        contextJql:
          'project = {project} AND statusCategory != Done AND labels = "{service}" ' +
          'ORDER BY updated DESC',
      },
    };
    logger.info({ url: jira.url, project: 'OPS' }, 'local Jira stand-in listening');
  }
  if (github) {
    const [owner = '', repo = ''] = REPOSITORY.split('/');
    github.addDeployments(owner, repo, [{ environment: 'production', ref: 'v2.14.0' }]);
    github.addPulls(owner, repo, [{ title: 'Raise the checkout DB pool to 40', state: 'closed' }]);
    next = {
      ...next,
      github: {
        token: DEFAULT_TOKEN,
        repository: REPOSITORY,
        apiUrl: github.url,
        webhookSecret: SANDBOX_GITHUB_SECRET,
        closeOnResolve: true,
      },
    };
    logger.info({ url: github.url, repository: REPOSITORY }, 'local GitHub stand-in listening');
  }
  return {
    config: next,
    /** Sends Jira's webhooks to the bot, now that it listens. */
    subscribe(port: number) {
      jira?.subscribe({
        url: `http://127.0.0.1:${port}/webhooks/jira`,
        secret: SANDBOX_JIRA_SECRET,
      });
    },
  };
}
