import type { GitHubClient } from '../integrations/github/github-client.ts';
import type { JiraClient } from '../integrations/jira/jira-client.ts';
import type { StatuspageClient } from '../integrations/statuspage/statuspage-client.ts';
import type { RulesConfig } from '../rules/rules-file.ts';
import type { SlackGateway } from '../slack/slack-gateway.ts';
import type { DoctorResult } from './doctor-check.ts';
import { checkGitHub, checkJira, checkPagerDuty, checkStatuspage } from './service-checks.ts';
import type { PagerDutyProbe } from './service-checks.ts';
import { checkRules, checkSlack, slackIdentity } from './slack-checks.ts';

export type { DoctorResult } from './doctor-check.ts';

/** Each service call of the doctor gives up after this long; default 10 s. */
export const DOCTOR_TIMEOUT_MS = 10_000;

/** The clients the doctor asks, built from the configuration (absent: not configured). */
export interface DoctorInput {
  slack: SlackGateway;
  alertsChannel: string;
  pagerduty: PagerDutyProbe;
  jira?: JiraClient;
  github?: GitHubClient;
  statuspage?: StatuspageClient;
  rules: RulesConfig;
  /** Per call, ms; default DOCTOR_TIMEOUT_MS. */
  timeoutMs?: number;
  /** Values never to show, should a service echo one back: replaced by `[redacted]`. */
  secrets?: string[];
}

/**
 * Checks the configuration against the real services with read-only calls, and changes
 * nothing: Slack (token, scopes, alerts channel), PagerDuty, Jira, GitHub, Statuspage and the
 * rule file's channels and user groups. Services are asked in parallel; the answer keeps that
 * order. Never throws: a failure is a `fail` line with its fix.
 */
export async function runDoctor(input: DoctorInput): Promise<DoctorResult[]> {
  const timeoutMs = input.timeoutMs ?? DOCTOR_TIMEOUT_MS;
  const identity = slackIdentity(input.slack, timeoutMs);

  const groups = await Promise.all([
    identity.then((who) => checkSlack(input.slack, who, input.alertsChannel, timeoutMs)),
    checkPagerDuty(input.pagerduty, timeoutMs),
    checkJira(input.jira, timeoutMs),
    checkGitHub(input.github, timeoutMs),
    checkStatuspage(input.statuspage, timeoutMs),
    identity.then((who) => checkRules(input.slack, who, input.rules, timeoutMs)),
  ]);
  return groups.flat().map((result) => scrubbed(result, input.secrets ?? []));
}

function scrubbed(result: DoctorResult, secrets: string[]): DoctorResult {
  const scrub = (text: string) =>
    secrets.filter((s) => s.length >= 4).reduce((t, s) => t.replaceAll(s, '[redacted]'), text);
  return {
    ...result,
    detail: scrub(result.detail),
    ...(result.fix === undefined ? {} : { fix: scrub(result.fix) }),
  };
}
