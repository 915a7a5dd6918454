import type { Config } from '../config.ts';
import type { Logger } from '../core/ports.ts';
import { GitHubClient } from '../integrations/github/github-client.ts';
import { JiraClient } from '../integrations/jira/jira-client.ts';
import { PagerDutyClient } from '../integrations/pagerduty/pagerduty-client.ts';
import { StatuspageClient } from '../integrations/statuspage/statuspage-client.ts';
import { SlackGateway } from '../slack/slack-gateway.ts';
import type { DoctorInput } from './run-doctor.ts';

/**
 * The doctor's clients for `npm run doctor`, built from the configuration as the bot builds
 * them (same URLs and credentials), with the configuration's secrets to keep out of its answer.
 */
export function doctorInput(config: Config, logger: Logger): DoctorInput {
  const { pagerduty: pd, jira, github, statuspage } = config;
  const secrets = [
    config.slack.botToken,
    config.slack.signingSecret,
    pd.token,
    pd.routingKey,
    jira?.apiToken,
    github?.token,
    statuspage?.apiKey,
  ];
  return {
    slack: new SlackGateway({ token: config.slack.botToken, apiUrl: config.slack.apiUrl, logger }),
    alertsChannel: config.alertsChannel,
    pagerduty: {
      ...(pd.token && pd.fromEmail
        ? {
            client: new PagerDutyClient({
              token: pd.token,
              fromEmail: pd.fromEmail,
              apiUrl: pd.apiUrl,
              logger,
            }),
          }
        : {}),
      eventsApi: !pd.token && pd.routingKey !== undefined,
      ...(pd.routingKey ? { routingKey: pd.routingKey } : {}),
    },
    ...(jira ? { jira: new JiraClient({ ...jira, logger }) } : {}),
    ...(github ? { github: new GitHubClient({ ...github, logger }) } : {}),
    ...(statuspage ? { statuspage: new StatuspageClient({ ...statuspage, logger }) } : {}),
    rules: config.rules,
    secrets: secrets.filter((s): s is string => s !== undefined),
  };
}
