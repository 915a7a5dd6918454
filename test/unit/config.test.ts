import { describe, expect, it } from 'vitest';

import { ConfigError, loadConfig } from '../../src/config.ts';

type Env = Record<string, string | undefined>;

const BOT_TOKEN = 'xoxb-1111-2222-abcdefghijkl';

/** A complete production environment with every required variable valid. */
const FULL: Env = {
  SLACK_BOT_TOKEN: BOT_TOKEN,
  SLACK_SIGNING_SECRET: 'f00dfeedf00dfeedf00dfeedf00dfeed',
  ALERTS_CHANNEL: 'C0123ABCDEF',
  ALERT_WEBHOOK_TOKEN: 'a-webhook-token-of-enough-length',
};

/** The problems loadConfig reports for env; fails the test if it accepts env. */
function problemsOf(env: Env): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('loadConfig accepted the environment');
}

describe('loadConfig', () => {
  it('runs in the sandbox with its defaults when SLACK_BOT_TOKEN is unset', () => {
    const env: Env = {};

    const config = loadConfig(env);

    expect(config.sandbox).toBe(true);
    expect(config.host).toBe('127.0.0.1');
    expect(config.dataDir).toBe('./data/sandbox');
    expect(config.port).toBe(3000);
  });

  it('treats an empty SLACK_BOT_TOKEN like an unset one', () => {
    const env: Env = { SLACK_BOT_TOKEN: '  ' };

    const config = loadConfig(env);

    expect(config.sandbox).toBe(true);
  });

  it('names each missing required variable, one line each, when only SLACK_BOT_TOKEN is set', () => {
    const env: Env = { SLACK_BOT_TOKEN: BOT_TOKEN };
    const required = ['SLACK_SIGNING_SECRET', 'ALERTS_CHANNEL', 'ALERT_WEBHOOK_TOKEN'];

    const problems = problemsOf(env);

    for (const name of required) {
      expect(problems.filter((p) => p.includes(name))).toHaveLength(1);
    }
    for (const problem of problems) expect(problem).not.toContain('\n');
    expect(problems).toHaveLength(required.length);
  });

  it('throws a ConfigError whose message lists the problems', () => {
    const env: Env = { SLACK_BOT_TOKEN: BOT_TOKEN };

    const act = () => loadConfig(env);

    expect(act).toThrow(ConfigError);
    expect(act).toThrow(/SLACK_SIGNING_SECRET/);
  });

  it('refuses a #name for ALERTS_CHANNEL and asks for a channel ID', () => {
    const env: Env = { ...FULL, ALERTS_CHANNEL: '#alerts' };

    const problems = problemsOf(env);

    const problem = problems.find((p) => p.includes('ALERTS_CHANNEL'));
    expect(problem).toBeDefined();
    expect(problem).toContain('channel ID');
  });

  it.each(['abc', '70000', '-1', '80.5'])('refuses PORT %j, naming PORT', (port) => {
    const env: Env = { PORT: port };

    const problems = problemsOf(env);

    expect(problems.some((p) => p.includes('PORT'))).toBe(true);
  });

  it('refuses a user token without echoing it', () => {
    const env: Env = { ...FULL, SLACK_BOT_TOKEN: 'xoxp-secretvalue123' };

    const problems = problemsOf(env);

    expect(problems.some((p) => p.includes('SLACK_BOT_TOKEN'))).toBe(true);
    for (const problem of problems) expect(problem).not.toContain('secretvalue123');
  });

  it('refuses a short signing secret without echoing it', () => {
    const env: Env = { ...FULL, SLACK_SIGNING_SECRET: 'hush-hush' };

    const problems = problemsOf(env);

    expect(problems.some((p) => p.includes('SLACK_SIGNING_SECRET'))).toBe(true);
    for (const problem of problems) expect(problem).not.toContain('hush-hush');
  });

  it('refuses a webhook token with spaces without echoing it', () => {
    const env: Env = { ...FULL, ALERT_WEBHOOK_TOKEN: 'open sesame please now' };

    const problems = problemsOf(env);

    expect(problems.some((p) => p.includes('ALERT_WEBHOOK_TOKEN'))).toBe(true);
    for (const problem of problems) expect(problem).not.toContain('open sesame');
  });

  it('reads a valid full environment as production', () => {
    const env: Env = { ...FULL };

    const config = loadConfig(env);

    expect(config.sandbox).toBe(false);
    expect(config.slack.botToken).toBe(FULL.SLACK_BOT_TOKEN);
    expect(config.alertsChannel).toBe(FULL.ALERTS_CHANNEL);
  });

  it('freezes a valid config, its slack part included', () => {
    const env: Env = { ...FULL };

    const config = loadConfig(env);

    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.slack)).toBe(true);
  });

  it('adds the trailing slash SLACK_API_URL lacks', () => {
    const env: Env = { ...FULL, SLACK_API_URL: 'http://127.0.0.1:4000/api' };

    const config = loadConfig(env);

    expect(config.slack.apiUrl).toBe('http://127.0.0.1:4000/api/');
  });

  it('keeps a SLACK_API_URL that already ends in a slash as it is', () => {
    const env: Env = { ...FULL, SLACK_API_URL: 'http://127.0.0.1:4000/api/' };

    const config = loadConfig(env);

    expect(config.slack.apiUrl).toBe('http://127.0.0.1:4000/api/');
  });

  it('leaves apiUrl undefined when SLACK_API_URL is unset', () => {
    const env: Env = { ...FULL };

    const config = loadConfig(env);

    expect(config.slack.apiUrl).toBeUndefined();
  });

  describe('Socket Mode', () => {
    const APP_TOKEN = 'xapp-1-A0FIREBRK-1-secretapp';

    it('is off without SLACK_APP_TOKEN', () => {
      const config = loadConfig(FULL);

      expect(config.slack.appToken).toBeUndefined();
    });

    it('reads SLACK_APP_TOKEN and needs no signing secret with it', () => {
      const env: Env = { ...FULL, SLACK_APP_TOKEN: APP_TOKEN, SLACK_SIGNING_SECRET: undefined };

      const config = loadConfig(env);

      expect(config.slack.appToken).toBe(APP_TOKEN);
      expect(config.slack.signingSecret).toBeUndefined();
    });

    it('still checks a signing secret that is set alongside it', () => {
      const env: Env = { ...FULL, SLACK_APP_TOKEN: APP_TOKEN, SLACK_SIGNING_SECRET: 'short' };

      const problems = problemsOf(env);

      expect(problems).toEqual([expect.stringContaining('SLACK_SIGNING_SECRET')]);
    });

    it('refuses a token that is not an app-level token, without echoing it', () => {
      const env: Env = { ...FULL, SLACK_APP_TOKEN: 'xoxb-secretvalue123' };

      const problems = problemsOf(env);

      expect(problems).toEqual([expect.stringMatching(/^SLACK_APP_TOKEN .*xapp-/)]);
      for (const problem of problems) expect(problem).not.toContain('secretvalue123');
    });

    it('refuses SLACK_APP_TOKEN without SLACK_BOT_TOKEN: the sandbox has no Socket Mode', () => {
      const env: Env = { SLACK_APP_TOKEN: APP_TOKEN };

      const problems = problemsOf(env);

      expect(problems).toEqual([expect.stringContaining('SLACK_APP_TOKEN needs SLACK_BOT_TOKEN')]);
    });

    it('still names the other missing variables when only the two tokens are set', () => {
      const env: Env = { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_APP_TOKEN: APP_TOKEN };

      const problems = problemsOf(env);

      expect(problems).toHaveLength(2);
      expect(problems.join('\n')).toContain('ALERTS_CHANNEL');
      expect(problems.join('\n')).toContain('ALERT_WEBHOOK_TOKEN');
    });
  });

  describe('PagerDuty', () => {
    it('is off until its variables are set', () => {
      const config = loadConfig(FULL);

      expect(config.pagerduty).toMatchObject({
        token: undefined,
        routingKey: undefined,
        webhookSecrets: [],
        apiUrl: 'https://api.pagerduty.com/',
        eventsUrl: 'https://events.pagerduty.com/',
      });
    });

    it('needs the From email with a token, and never echoes the token', () => {
      const problems = problemsOf({ ...FULL, PAGERDUTY_TOKEN: 'u+secret-pd-key' });

      expect(problems).toEqual([expect.stringContaining('PAGERDUTY_FROM_EMAIL is required')]);
      expect(problems.join('\n')).not.toContain('u+secret-pd-key');
    });

    it('reads several webhook secrets while one is rotated, and the services to take in', () => {
      const config = loadConfig({
        ...FULL,
        PAGERDUTY_WEBHOOK_SECRET: 'old-secret-0123456789, new-secret-0123456789',
        PAGERDUTY_INBOUND_SERVICES: 'PSVC001,PSVC002',
      });

      expect(config.pagerduty.webhookSecrets).toEqual([
        'old-secret-0123456789',
        'new-secret-0123456789',
      ]);
      expect(config.pagerduty.inboundServices).toEqual(['PSVC001', 'PSVC002']);
    });

    it.each([
      ['PAGERDUTY_ROUTING_KEY', 'too-short'],
      ['PAGERDUTY_WEBHOOK_SECRET', 'short'],
      ['PAGERDUTY_API_URL', 'api.pagerduty.com'],
    ])('names %s when it is malformed', (name, value) => {
      const problems = problemsOf({ ...FULL, [name]: value });

      expect(problems.some((p) => p.startsWith(name))).toBe(true);
    });
  });

  describe('Jira and GitHub', () => {
    const JIRA: Env = {
      JIRA_BASE_URL: 'https://acme.atlassian.net/',
      JIRA_EMAIL: 'firebreak@acme.example',
      JIRA_API_TOKEN: 'ATATT-secret-jira-token',
      JIRA_PROJECT_KEY: 'OPS',
    };
    const GITHUB: Env = { GITHUB_TOKEN: 'ghp_secretgithubtoken', GITHUB_REPOSITORY: 'acme/ops' };

    it('are off until configured, and read with their defaults', () => {
      expect(loadConfig(FULL)).toMatchObject({ jira: undefined, github: undefined });

      const config = loadConfig({ ...FULL, ...JIRA, ...GITHUB });

      expect(config.jira).toMatchObject({
        baseUrl: 'https://acme.atlassian.net',
        projectKey: 'OPS',
        issueType: 'Task',
        resolveTransitions: ['Done', 'Resolve'],
        priorities: { critical: 'Highest', error: 'High', warning: 'Medium', info: 'Low' },
      });
      expect(config.github).toMatchObject({
        repository: 'acme/ops',
        apiUrl: 'https://api.github.com',
        closeOnResolve: true,
      });
    });

    it('names what is missing from a half-configured Jira, without echoing the token', () => {
      const problems = problemsOf({ ...FULL, JIRA_API_TOKEN: 'ATATT-secret-jira-token' });

      expect(problems).toHaveLength(3);
      expect(problems[0]).toMatch(/^JIRA_BASE_URL is required with the other settings/);
      expect(problems.join('\n')).not.toContain('ATATT-secret');
    });

    it.each([
      ['JIRA_WEBHOOK_SECRET', 'a-jira-secret-0123456789'],
      ['JIRA_RESOLVE_TRANSITION', 'Close'],
      ['GITHUB_WEBHOOK_SECRET', 'a-github-secret-0123456789'],
      ['GITHUB_API_URL', 'https://github.example/api/v3'],
    ])('refuses %s alone: that integration is off', (name, value) => {
      const problems = problemsOf({ ...FULL, [name]: value });

      expect(problems).toEqual([expect.stringMatching(new RegExp(`^${name} is set, but`))]);
    });

    it.each([
      ['JIRA_PROJECT_KEY', 'ops team'],
      ['JIRA_PRIORITIES', 'sev1=Highest,sev9=Low'],
      ['JIRA_BASE_URL', 'acme.atlassian.net'],
      ['GITHUB_REPOSITORY', 'https://github.com/acme/ops'],
      ['GITHUB_CLOSE_ON_RESOLVE', 'yes'],
    ])('names %s when it is malformed', (name, value) => {
      const problems = problemsOf({ ...FULL, ...JIRA, ...GITHUB, [name]: value });

      expect(problems.some((p) => p.startsWith(name))).toBe(true);
    });
  });
});
