import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { normalizeSeverity } from './core/severity.ts';
import type { Severity } from './core/types.ts';
import { loadRulesFile, NO_RULES, RulesFileError, type RulesConfig } from './rules/rules-file.ts';

/** Everything the bot reads from its environment, checked once at start-up. */
export interface Config {
  /** True when no SLACK_BOT_TOKEN is set: the bot talks to its local Slack stand-in. */
  sandbox: boolean;
  slack: {
    botToken: string;
    /** Undefined only in Socket Mode (SLACK_APP_TOKEN), whose payloads are not signed. */
    signingSecret: string | undefined;
    /** App-level token (`xapp-…`): Slack's requests come over Socket Mode, not /slack/events. */
    appToken: string | undefined;
    /** Web API base URL, ending in `/`; undefined means Slack's own. */
    apiUrl: string | undefined;
  };
  /** Channel ID of the alerts channel (C0123ABCDEF). */
  alertsChannel: string;
  alertWebhookToken: string;
  /** HTTP port; default 3000. */
  port: number;
  /** Address to listen on; default all interfaces, loopback in the sandbox. */
  host: string;
  /** Where the store keeps its files; default ./data (./data/sandbox in the sandbox). */
  dataDir: string;
  logLevel: string;
  logFormat: 'json' | 'pretty';
  /** Minutes after resolution during which a re-firing alert reopens its incident; default 60. */
  reopenWindowMinutes: number;
  /** Least milliseconds between two posts to one Slack channel; default 1,100 (Slack: ~1/s). */
  slackPostIntervalMs: number;
  /** Minutes without a status update before a declared incident is reminded; 0: never. */
  reminderMinutes: Record<Severity, number>;
  pagerduty: PagerDutyConfig;
  /** Undefined until JIRA_BASE_URL, JIRA_EMAIL, JIRA_API_TOKEN and JIRA_PROJECT_KEY are set. */
  jira: JiraConfig | undefined;
  /** Undefined until GITHUB_TOKEN and GITHUB_REPOSITORY are set. */
  github: GitHubConfig | undefined;
  /** Undefined until STATUSPAGE_API_KEY and STATUSPAGE_PAGE_ID are set. */
  statuspage: StatuspageConfig | undefined;
  /** Bearer token per alert source (`grafana`…); ALERT_WEBHOOK_TOKEN where none is set. */
  sourceTokens: Record<string, string>;
  /** Sentry integration's client secret: turns on POST /webhooks/sentry. */
  sentryClientSecret: string | undefined;
  /** SNS topics whose CloudWatch alarms are taken: turns on POST /webhooks/cloudwatch. */
  cloudWatchTopicArns: string[];
  /** The rule file (CONFIG_FILE, or ./firebreak.yml if present). */
  rules: RulesConfig;
}

/** Atlassian Statuspage. */
export interface StatuspageConfig {
  apiKey: string;
  pageId: string;
  /** API base without a trailing slash: https://api.statuspage.io/v1. */
  apiUrl: string;
  /** Status updates (`/incident status`) of a linked incident go to the status page too. */
  mirrorStatus: boolean;
}

/** Jira Cloud (or Data Center with an API token): tickets both ways. */
export interface JiraConfig {
  /** Site URL without a trailing slash: https://acme.atlassian.net. */
  baseUrl: string;
  email: string;
  apiToken: string;
  projectKey: string;
  /** Issue type name for tickets; default Task. */
  issueType: string;
  /** Secret of the admin webhook (X-Hub-Signature); undefined: no webhook route. */
  webhookSecret: string | undefined;
  /** Transition names tried in order when the incident is resolved; default Done, Resolve. */
  resolveTransitions: string[];
  /** Jira priority name per severity. */
  priorities: Record<Severity, string>;
  /** JQL for `/incident context`; `{project}` and `{service}` are filled in. */
  contextJql: string;
}

/** GitHub or GitHub Enterprise Server issues, both ways. */
export interface GitHubConfig {
  token: string;
  /** owner/name. */
  repository: string;
  /** REST API base without a trailing slash: https://api.github.com, or GHES's /api/v3. */
  apiUrl: string;
  webhookSecret: string | undefined;
  /** Close the incident's GitHub issue when the incident is resolved; default true. */
  closeOnResolve: boolean;
}

/** PagerDuty, both ways; every part is off until its variables are set. */
export interface PagerDutyConfig {
  /** REST API key (PAGERDUTY_TOKEN); undefined: no paging from Slack. */
  token: string | undefined;
  /** Email of the PagerDuty user the bot acts as (the `From` header PagerDuty requires). */
  fromEmail: string | undefined;
  /** Events API v2 integration key (PAGERDUTY_ROUTING_KEY). */
  routingKey: string | undefined;
  /** Webhook signing secrets, comma-separated while one is rotated; none: no webhook route. */
  webhookSecrets: string[];
  /** Services whose incidents opened in PagerDuty open an incident here too. */
  inboundServices: string[];
  /** Notes written in Slack become PagerDuty incident notes too (PAGERDUTY_MIRROR_NOTES). */
  mirrorNotes: boolean;
  apiUrl: string;
  eventsUrl: string;
}

/** REMINDER_MINUTES's default: SEV1 every 30 min, SEV2 every hour, SEV3 every 4 h, SEV4 never. */
export const DEFAULT_REMINDER_MINUTES = 'sev1=30,sev2=60,sev3=240,sev4=0';
/** JIRA_PRIORITIES's default: the names of Jira's default priority scheme. */
export const DEFAULT_JIRA_PRIORITIES = 'sev1=Highest,sev2=High,sev3=Medium,sev4=Low';
/** JIRA_CONTEXT_JQL's default: the project's open issues labelled with the service. */
export const DEFAULT_JIRA_CONTEXT_JQL =
  'project = {project} AND statusCategory != Done AND labels = "{service}" ORDER BY updated DESC';

export class ConfigError extends Error {
  readonly problems: string[];

  constructor(problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export const SANDBOX_DEFAULTS = {
  botToken: 'xoxb-sandbox-token',
  signingSecret: 'sandbox-signing-secret-not-for-production',
  alertsChannel: 'C0ALERTS01',
  alertWebhookToken: 'sandbox-alert-webhook-token',
};

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

type Env = Record<string, string | undefined>;

/** The process environment over the values of `.env` (if there is one): the environment wins. */
export function readEnvironment(env: Env = process.env, file = '.env'): Env {
  if (!existsSync(file)) return env;
  return { ...parseEnv(readFileSync(file, 'utf8')), ...env };
}

/**
 * Validates the environment. Throws ConfigError with one line per problem, each naming the
 * variable and what it must look like; secrets are never echoed.
 */
export function loadConfig(env: Env, options: { isTty?: boolean } = {}): Config {
  const problems: string[] = [];
  const value = (name: string) => {
    const raw = env[name]?.trim();
    return raw === '' ? undefined : raw;
  };
  const check = (name: string, ok: boolean, rule: string) => {
    if (!ok) problems.push(`${name} ${rule}`);
  };

  const botToken = value('SLACK_BOT_TOKEN');
  const sandbox = botToken === undefined;
  const required = (name: string, fallback: string) => {
    const v = value(name);
    if (v !== undefined) return v;
    if (!sandbox) problems.push(`${name} is required when SLACK_BOT_TOKEN is set`);
    return fallback;
  };

  const token = botToken ?? SANDBOX_DEFAULTS.botToken;
  check(
    'SLACK_BOT_TOKEN',
    token.startsWith('xoxb-'),
    'must be a bot token starting with xoxb- (from OAuth & Permissions)',
  );

  const appToken = value('SLACK_APP_TOKEN');
  check(
    'SLACK_APP_TOKEN',
    appToken === undefined || appToken.startsWith('xapp-'),
    'must be an app-level token starting with xapp- (Basic Information > App-Level Tokens)',
  );
  check(
    'SLACK_APP_TOKEN',
    appToken === undefined || !sandbox,
    'needs SLACK_BOT_TOKEN too: the sandbox has no Socket Mode',
  );

  // Socket Mode payloads come over the app's own WebSocket and are not signed.
  const signingSecret = appToken
    ? value('SLACK_SIGNING_SECRET')
    : required('SLACK_SIGNING_SECRET', SANDBOX_DEFAULTS.signingSecret);
  check(
    'SLACK_SIGNING_SECRET',
    signingSecret === undefined || (signingSecret.length >= 16 && !/\s/.test(signingSecret)),
    'must be the app signing secret (Basic Information), 16 or more characters',
  );

  const apiUrl = value('SLACK_API_URL');
  check(
    'SLACK_API_URL',
    apiUrl === undefined || isHttpUrl(apiUrl),
    'must be an http(s) URL like https://slack.com/api/',
  );

  const alertsChannel = required('ALERTS_CHANNEL', SANDBOX_DEFAULTS.alertsChannel);
  check(
    'ALERTS_CHANNEL',
    /^[CG][A-Z0-9]{6,}$/.test(alertsChannel),
    `must be a channel ID like C0123ABCDEF, not a #name (got "${alertsChannel}")`,
  );

  const alertWebhookToken = required('ALERT_WEBHOOK_TOKEN', SANDBOX_DEFAULTS.alertWebhookToken);
  check(
    'ALERT_WEBHOOK_TOKEN',
    alertWebhookToken.length >= 16 && !/\s/.test(alertWebhookToken),
    'must be 16 or more characters without spaces (try: openssl rand -hex 24)',
  );

  const port = integer(value('PORT') ?? '3000');
  check(
    'PORT',
    port !== undefined && port >= 0 && port <= 65535,
    `must be a port number from 0 to 65535 (got "${value('PORT')}")`,
  );

  const reopen = integer(value('REOPEN_WINDOW_MINUTES') ?? '60');
  check(
    'REOPEN_WINDOW_MINUTES',
    reopen !== undefined && reopen >= 0,
    `must be a whole number of minutes, 0 or more (got "${value('REOPEN_WINDOW_MINUTES')}")`,
  );

  const postInterval = integer(value('SLACK_POST_INTERVAL_MS') ?? '1100');
  check(
    'SLACK_POST_INTERVAL_MS',
    postInterval !== undefined,
    `must be a whole number of milliseconds (got "${value('SLACK_POST_INTERVAL_MS')}")`,
  );

  const reminderText = value('REMINDER_MINUTES') ?? DEFAULT_REMINDER_MINUTES;
  const reminderMinutes = parseReminderMinutes(reminderText);
  check(
    'REMINDER_MINUTES',
    reminderMinutes !== undefined,
    `must list minutes per severity like ${DEFAULT_REMINDER_MINUTES} (got "${reminderText}")`,
  );

  const pagerduty = readPagerDuty(value, check);
  const jira = readJira(value, check);
  const github = readGitHub(value, check);
  const statuspage = readStatuspage(value, check);
  const sourceTokens: Record<string, string> = {};
  for (const source of ['alertmanager', 'generic', 'grafana', 'datadog']) {
    const name = `${source.toUpperCase()}_WEBHOOK_TOKEN`;
    const token = value(name);
    check(
      name,
      token === undefined || (token.length >= 16 && !/\s/.test(token)),
      'must be 16 or more characters without spaces (try: openssl rand -hex 24)',
    );
    if (token) sourceTokens[source] = token;
  }
  const sentryClientSecret = value('SENTRY_CLIENT_SECRET');
  check(
    'SENTRY_CLIENT_SECRET',
    sentryClientSecret === undefined || sentryClientSecret.length >= 16,
    'must be the Client Secret of the Sentry integration (16 or more characters)',
  );
  const cloudWatchTopicArns = list(value('CLOUDWATCH_TOPIC_ARNS') ?? '');
  check(
    'CLOUDWATCH_TOPIC_ARNS',
    cloudWatchTopicArns.every((arn) => /^arn:aws[\w-]*:sns:[\w-]+:\d{12}:[\w-]+$/.test(arn)),
    'must list SNS topic ARNs like arn:aws:sns:eu-west-1:111122223333:alarms',
  );
  let rules: RulesConfig = NO_RULES;
  try {
    rules = loadRulesFile(value('CONFIG_FILE'));
  } catch (error) {
    if (!(error instanceof RulesFileError)) throw error;
    problems.push(...error.problems.map((p) => `CONFIG_FILE ${p}`));
  }

  const logLevel = (value('LOG_LEVEL') ?? 'info').toLowerCase();
  check(
    'LOG_LEVEL',
    LOG_LEVELS.includes(logLevel),
    `must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`,
  );

  const logFormat = value('LOG_FORMAT') ?? (options.isTty ? 'pretty' : 'json');
  check(
    'LOG_FORMAT',
    logFormat === 'json' || logFormat === 'pretty',
    `must be json or pretty (got "${logFormat}")`,
  );

  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({
    sandbox,
    slack: Object.freeze({
      botToken: token,
      signingSecret,
      appToken,
      apiUrl: apiUrl && withSlash(apiUrl),
    }),
    alertsChannel,
    alertWebhookToken,
    port: port ?? 3000,
    host: value('HOST') ?? (sandbox ? '127.0.0.1' : '0.0.0.0'),
    dataDir: value('DATA_DIR') ?? (sandbox ? './data/sandbox' : './data'),
    logLevel,
    logFormat: logFormat as Config['logFormat'],
    reopenWindowMinutes: reopen ?? 60,
    slackPostIntervalMs: postInterval ?? 1100,
    pagerduty: Object.freeze(pagerduty),
    jira: jira && Object.freeze(jira),
    github: github && Object.freeze(github),
    statuspage: statuspage && Object.freeze(statuspage),
    sourceTokens: Object.freeze(sourceTokens),
    sentryClientSecret,
    cloudWatchTopicArns,
    rules,
    reminderMinutes: Object.freeze(
      reminderMinutes ?? parseReminderMinutes(DEFAULT_REMINDER_MINUTES)!,
    ),
  });
}

function readPagerDuty(value: Read, check: Check): PagerDutyConfig {
  const listOf = (name: string) => list(value(name) ?? '');
  const token = value('PAGERDUTY_TOKEN');
  const fromEmail = value('PAGERDUTY_FROM_EMAIL');
  check(
    'PAGERDUTY_FROM_EMAIL',
    !token || (fromEmail !== undefined && /^[^@\s]+@[^@\s]+$/.test(fromEmail)),
    'is required with PAGERDUTY_TOKEN: the email of the PagerDuty user the bot acts as',
  );
  const routingKey = value('PAGERDUTY_ROUTING_KEY');
  check(
    'PAGERDUTY_ROUTING_KEY',
    routingKey === undefined || /^[A-Za-z0-9]{32}$/.test(routingKey),
    'must be a 32-character Events API v2 integration key',
  );
  const webhookSecrets = listOf('PAGERDUTY_WEBHOOK_SECRET');
  check(
    'PAGERDUTY_WEBHOOK_SECRET',
    webhookSecrets.every((secret) => secret.length >= 16),
    'must be the signing secret PagerDuty showed when the webhook was created (16+ characters)',
  );
  const apiUrl = value('PAGERDUTY_API_URL') ?? 'https://api.pagerduty.com/';
  const eventsUrl = value('PAGERDUTY_EVENTS_URL') ?? 'https://events.pagerduty.com/';
  for (const [name, url] of [
    ['PAGERDUTY_API_URL', apiUrl],
    ['PAGERDUTY_EVENTS_URL', eventsUrl],
  ] as const)
    check(name, isHttpUrl(url), 'must be an http(s) URL');
  return {
    token,
    fromEmail,
    routingKey,
    webhookSecrets,
    inboundServices: listOf('PAGERDUTY_INBOUND_SERVICES'),
    mirrorNotes: value('PAGERDUTY_MIRROR_NOTES') === 'true',
    apiUrl: withSlash(apiUrl),
    eventsUrl: withSlash(eventsUrl),
  };
}

type Read = (name: string) => string | undefined;
type Check = (name: string, ok: boolean, rule: string) => void;

/**
 * All of a group of variables, or none: a half-configured integration is a mistake, and so is
 * an optional setting of one that is off (its webhook would answer 404 while people think it
 * works).
 */
function allOrNone(value: Read, check: Check, names: string[], optional: string[]) {
  const missing = names.filter((name) => value(name) === undefined);
  const needed = `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
  if (missing.length === names.length) {
    for (const name of optional.filter((n) => value(n) !== undefined))
      check(name, false, `is set, but that integration is off: set ${needed} too`);
    return false;
  }
  for (const name of missing) check(name, false, `is required with the other settings: ${needed}`);
  return missing.length === 0;
}

function readJira(value: Read, check: Check): JiraConfig | undefined {
  const names = ['JIRA_BASE_URL', 'JIRA_EMAIL', 'JIRA_API_TOKEN', 'JIRA_PROJECT_KEY'];
  const optional = ['JIRA_ISSUE_TYPE', 'JIRA_WEBHOOK_SECRET', 'JIRA_RESOLVE_TRANSITION'];
  optional.push('JIRA_PRIORITIES', 'JIRA_CONTEXT_JQL');
  if (!allOrNone(value, check, names, optional)) return undefined;
  const baseUrl = value('JIRA_BASE_URL')!;
  check(
    'JIRA_BASE_URL',
    isHttpUrl(baseUrl),
    'must be your site URL like https://acme.atlassian.net',
  );
  check(
    'JIRA_EMAIL',
    /^[^@\s]+@[^@\s]+$/.test(value('JIRA_EMAIL')!),
    'must be the email of the Atlassian account the bot acts as',
  );
  const projectKey = value('JIRA_PROJECT_KEY')!;
  check(
    'JIRA_PROJECT_KEY',
    /^[A-Z][A-Z0-9_]+$/.test(projectKey),
    `must be a project key like OPS (got "${projectKey}")`,
  );
  const prioritiesText = value('JIRA_PRIORITIES') ?? DEFAULT_JIRA_PRIORITIES;
  const priorities = parseSeverityMap(prioritiesText, (v) => v, {
    critical: 'Highest',
    error: 'High',
    warning: 'Medium',
    info: 'Low',
  });
  check(
    'JIRA_PRIORITIES',
    priorities !== undefined,
    `must name a priority per severity like ${DEFAULT_JIRA_PRIORITIES}`,
  );
  const webhookSecret = value('JIRA_WEBHOOK_SECRET');
  check(
    'JIRA_WEBHOOK_SECRET',
    webhookSecret === undefined || webhookSecret.length >= 16,
    'must be the secret set on the Jira webhook, 16 or more characters',
  );
  return {
    baseUrl: baseUrl.replace(/\/+$/, ''),
    email: value('JIRA_EMAIL')!,
    apiToken: value('JIRA_API_TOKEN')!,
    projectKey,
    issueType: value('JIRA_ISSUE_TYPE') ?? 'Task',
    webhookSecret,
    resolveTransitions: list(value('JIRA_RESOLVE_TRANSITION') ?? 'Done,Resolve'),
    priorities: priorities ?? {
      critical: 'Highest',
      error: 'High',
      warning: 'Medium',
      info: 'Low',
    },
    contextJql: value('JIRA_CONTEXT_JQL') ?? DEFAULT_JIRA_CONTEXT_JQL,
  };
}

function readGitHub(value: Read, check: Check): GitHubConfig | undefined {
  const optional = ['GITHUB_API_URL', 'GITHUB_WEBHOOK_SECRET', 'GITHUB_CLOSE_ON_RESOLVE'];
  if (!allOrNone(value, check, ['GITHUB_TOKEN', 'GITHUB_REPOSITORY'], optional)) return undefined;
  const repository = value('GITHUB_REPOSITORY')!;
  check(
    'GITHUB_REPOSITORY',
    /^[\w.-]+\/[\w.-]+$/.test(repository),
    `must be owner/name like acme/checkout (got "${repository}")`,
  );
  const apiUrl = value('GITHUB_API_URL') ?? 'https://api.github.com';
  check(
    'GITHUB_API_URL',
    isHttpUrl(apiUrl),
    'must be an http(s) URL: https://api.github.com, or https://<host>/api/v3 for Enterprise',
  );
  const webhookSecret = value('GITHUB_WEBHOOK_SECRET');
  check(
    'GITHUB_WEBHOOK_SECRET',
    webhookSecret === undefined || webhookSecret.length >= 16,
    'must be the secret set on the GitHub webhook, 16 or more characters',
  );
  const close = value('GITHUB_CLOSE_ON_RESOLVE') ?? 'true';
  check('GITHUB_CLOSE_ON_RESOLVE', close === 'true' || close === 'false', 'must be true or false');
  return {
    token: value('GITHUB_TOKEN')!,
    repository,
    apiUrl: apiUrl.replace(/\/+$/, ''),
    webhookSecret,
    closeOnResolve: close === 'true',
  };
}

function readStatuspage(value: Read, check: Check): StatuspageConfig | undefined {
  const names = ['STATUSPAGE_API_KEY', 'STATUSPAGE_PAGE_ID'];
  const optional = ['STATUSPAGE_API_URL', 'STATUSPAGE_MIRROR_STATUS'];
  if (!allOrNone(value, check, names, optional)) return undefined;
  const apiUrl = value('STATUSPAGE_API_URL') ?? 'https://api.statuspage.io/v1';
  check('STATUSPAGE_API_URL', isHttpUrl(apiUrl), 'must be an http(s) URL');
  const mirror = value('STATUSPAGE_MIRROR_STATUS') ?? 'true';
  check(
    'STATUSPAGE_MIRROR_STATUS',
    mirror === 'true' || mirror === 'false',
    'must be true or false',
  );
  return {
    apiKey: value('STATUSPAGE_API_KEY')!,
    pageId: value('STATUSPAGE_PAGE_ID')!,
    apiUrl: apiUrl.replace(/\/+$/, ''),
    mirrorStatus: mirror === 'true',
  };
}

function list(text: string) {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
}

/** `sev1=30,sev2=60,sev3=240,sev4=0`: severities left out keep their default. */
function parseReminderMinutes(text: string): Record<Severity, number> | undefined {
  return parseSeverityMap(text, (v) => (/^\d+(?:\.\d+)?$/.test(v) ? Number(v) : undefined), {
    critical: 30,
    error: 60,
    warning: 240,
    info: 0,
  });
}

/** `sev1=<value>,…`: a value per severity; those left out keep their default. */
function parseSeverityMap<T>(
  text: string,
  read: (value: string) => T | undefined,
  defaults: Record<Severity, T>,
): Record<Severity, T> | undefined {
  const map = { ...defaults };
  for (const part of list(text)) {
    const match = /^(sev[1-4])\s*=\s*(.+)$/i.exec(part);
    if (!match) return undefined;
    const parsed = read(match[2]!.trim());
    if (parsed === undefined || parsed === '') return undefined;
    map[normalizeSeverity(match[1])] = parsed;
  }
  return map;
}

function integer(text: string) {
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

function isHttpUrl(text: string) {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function withSlash(url: string) {
  return url.endsWith('/') ? url : `${url}/`;
}
