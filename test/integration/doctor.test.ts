import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.ts';
import { doctorInput } from '../../src/doctor/doctor-input.ts';
import { doctorTerminalText } from '../../src/doctor/doctor-text.ts';
import { runDoctor, type DoctorResult } from '../../src/doctor/run-doctor.ts';
import { createLogger } from '../../src/logger.ts';
import { BOT_SCOPES } from '../../src/slack/bot-scopes.ts';
import { DEFAULT_TOKEN, GitHubStandIn } from '../fakes/github/github-stand-in.ts';
import {
  DEFAULT_API_TOKEN,
  DEFAULT_EMAIL,
  JiraStandIn,
  type JiraStandInOptions,
} from '../fakes/jira/jira-stand-in.ts';
import { DEFAULT_API_KEY, PagerDutyStandIn } from '../fakes/pagerduty/pagerduty-stand-in.ts';
import {
  DEFAULT_API_KEY as STATUSPAGE_KEY,
  DEFAULT_PAGE_ID,
  StatuspageStandIn,
} from '../fakes/statuspage/statuspage-stand-in.ts';
import {
  ALERTS,
  botEnv,
  SIGNING_SECRET,
  startHarness,
  TOKEN,
  WEBHOOK_TOKEN,
  type Harness,
} from '../support/harness.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RULES = path.join(import.meta.dirname, '..', 'fixtures', 'rules', 'firebreak.yml');
const PAYMENTS = 'C0PAYMENTS1';
const SECRETS = [TOKEN, SIGNING_SECRET, DEFAULT_API_KEY, DEFAULT_API_TOKEN, DEFAULT_TOKEN];
SECRETS.push(STATUSPAGE_KEY, WEBHOOK_TOKEN);
const silent = createLogger({ level: 'silent', format: 'json' });

let h: Harness | undefined;
let services: Services | undefined;

interface Services {
  pd: PagerDutyStandIn;
  jira: JiraStandIn;
  gh: GitHubStandIn;
  sp: StatuspageStandIn;
}

afterEach(async () => {
  await h?.close();
  await Promise.all([services?.pd.close(), services?.jira.close(), services?.gh.close()]);
  await services?.sp.close();
  h = services = undefined;
});

/** Every integration against its stand-in, set up right, and the rule file's channel and groups. */
async function serviceEnv(options: { jira?: JiraStandInOptions } = {}) {
  services = {
    pd: await PagerDutyStandIn.start(),
    jira: await JiraStandIn.start(options.jira ?? {}),
    gh: await GitHubStandIn.start(),
    sp: await StatuspageStandIn.start(),
  };
  return {
    PAGERDUTY_TOKEN: DEFAULT_API_KEY,
    PAGERDUTY_FROM_EMAIL: 'firebreak@example.com',
    PAGERDUTY_API_URL: services.pd.url,
    JIRA_BASE_URL: services.jira.url,
    JIRA_EMAIL: DEFAULT_EMAIL,
    JIRA_API_TOKEN: DEFAULT_API_TOKEN,
    JIRA_PROJECT_KEY: 'OPS',
    JIRA_ISSUE_TYPE: 'Incident',
    GITHUB_TOKEN: DEFAULT_TOKEN,
    GITHUB_REPOSITORY: 'acme/checkout',
    GITHUB_API_URL: services.gh.url,
    STATUSPAGE_API_KEY: STATUSPAGE_KEY,
    STATUSPAGE_PAGE_ID: DEFAULT_PAGE_ID,
    STATUSPAGE_API_URL: services.sp.url,
    CONFIG_FILE: RULES,
  };
}

async function start(options: { jira?: JiraStandInOptions; rulesReady?: boolean } = {}) {
  h = await startHarness({ env: await serviceEnv(options) });
  if (options.rulesReady !== false) {
    h.slack.addChannel({ id: PAYMENTS, name: 'payments-alerts', isMember: true });
    h.slack.setUsergroup('S0PAYTEAM1', ['U0ALEX001']);
    h.slack.setUsergroup('S0ONCALL01', ['U0SAM0001']);
  }
  return h;
}

/** The doctor as `npm run doctor` runs it, on the harness's configuration changed by `change`. */
async function doctor(change: (config: Config) => Config = (c) => c, timeoutMs?: number) {
  if (!h) throw new Error('not started');
  const input = doctorInput(change(h.config), silent);
  const results = await runDoctor({ ...input, ...(timeoutMs ? { timeoutMs } : {}) });
  expectNoSecrets(JSON.stringify(results));
  return results;
}

function check(results: DoctorResult[], name: string) {
  const found = results.find((r) => r.name === name);
  if (!found) throw new Error(`no check ${name} in ${results.map((r) => r.name).join(', ')}`);
  return found;
}

function expectNoSecrets(text: string) {
  for (const secret of SECRETS) expect(text).not.toContain(secret);
}

describe('the doctor', () => {
  it('passes every check against stand-ins set up right, and /incident doctor says so privately', async () => {
    const bot = await start();

    const results = await doctor();
    const reply = await bot.command('doctor');

    expect(results.map((r) => r.name)).toEqual([
      'Slack token',
      'Slack scopes',
      'Alerts channel',
      'PagerDuty API key',
      'PagerDuty From user',
      'Jira credentials',
      'Jira project',
      'Jira required fields',
      'GitHub token',
      'GitHub repository',
      'Statuspage',
      'Rule file',
      `Rule channel ${PAYMENTS}`,
      'User group S0PAYTEAM1',
      'User group S0ONCALL01',
    ]);
    expect(results.filter((r) => r.status !== 'pass')).toEqual([]);
    expect(check(results, 'Alerts channel').detail).toContain(`#alerts (${ALERTS})`);
    expect(reply.body.response_type).toBe('ephemeral');
    expect(reply.body.text).toContain('all 15 checks passed');
    expect(reply.body.text).toContain(':white_check_mark: *Slack scopes*');
    expectNoSecrets(reply.body.text ?? '');
  });

  it('changes nothing: only reads go out', async () => {
    await start();

    await doctor();

    const slackMethods = new Set(h?.slack.calls.map((call) => call.method));
    expect([...slackMethods].sort()).toEqual(
      ['auth.test', 'conversations.info', 'usergroups.users.list'].sort(),
    );
    expect(services?.pd.calls.every((call) => call.method === 'GET')).toBe(true);
    expect(services?.jira.issues()).toEqual([]);
    expect(services?.gh.issues('acme', 'checkout')).toEqual([]);
    expect(services?.sp.incidents()).toEqual([]);
  });

  it('fails a refused Slack token with its fix and skips the checks that need it', async () => {
    await start();

    const results = await doctor((c) => ({
      ...c,
      slack: { ...c.slack, botToken: 'xoxb-revoked' },
    }));

    expect(check(results, 'Slack token')).toMatchObject({ status: 'fail' });
    expect(check(results, 'Slack token').detail).toContain('invalid_auth');
    expect(check(results, 'Slack token').fix).toContain('SLACK_BOT_TOKEN');
    expect(check(results, 'Slack scopes').status).toBe('skipped');
    expect(check(results, `Rule channel ${PAYMENTS}`).status).toBe('skipped');
    expect(check(results, 'PagerDuty API key').status).toBe('pass');
  });

  it('names the scopes manifest.yml asks for that the token lacks', async () => {
    const bot = await start();
    bot.slack.setScopes(BOT_SCOPES.filter((s) => s !== 'files:write' && s !== 'usergroups:read'));

    const scopes = check(await doctor(), 'Slack scopes');

    expect(scopes.status).toBe('fail');
    expect(scopes.detail).toContain('usergroups:read, files:write');
    expect(scopes.fix).toMatch(/reinstall the app/);
  });

  it('fails when the bot is not in the alerts channel, naming /invite', async () => {
    const bot = await start();
    bot.slack.setMember(ALERTS, false);

    const results = await doctor();
    const reply = await bot.command('doctor');

    expect(check(results, 'Alerts channel')).toEqual({
      name: 'Alerts channel',
      status: 'fail',
      detail: `the bot is not a member of #alerts (${ALERTS})`,
      fix: `Type \`/invite @Firebreak\` in #alerts (${ALERTS}).`,
    });
    expect(reply.body.text).toContain('1 of 15 checks failed');
    expect(reply.body.text).toContain(':x: *Alerts channel*');
  });

  it('fails an alerts channel Slack does not know', async () => {
    await start();

    const results = await doctor((c) => ({ ...c, alertsChannel: 'C0TYPO0001' }));

    expect(check(results, 'Alerts channel').detail).toContain('channel_not_found');
    expect(check(results, 'Alerts channel').fix).toContain('ALERTS_CHANNEL');
  });

  it('fails a wrong PagerDuty key, and a From email no PagerDuty user has', async () => {
    await start();
    const pagerduty = (c: Config, change: Partial<Config['pagerduty']>) => ({
      ...c,
      pagerduty: { ...c.pagerduty, ...change },
    });

    const badKey = await doctor((c) => pagerduty(c, { token: 'wrong-pd-api-key0000' }));
    const badUser = await doctor((c) => pagerduty(c, { fromEmail: 'nobody@example.com' }));

    expect(check(badKey, 'PagerDuty API key').status).toBe('fail');
    expect(check(badKey, 'PagerDuty API key').fix).toContain('PAGERDUTY_TOKEN');
    expect(check(badKey, 'PagerDuty From user').status).toBe('skipped');
    expect(JSON.stringify(badKey)).not.toContain('wrong-pd-api-key0000');
    expect(check(badUser, 'PagerDuty From user')).toMatchObject({
      status: 'fail',
      detail: 'no PagerDuty user has the email nobody@example.com',
    });
    expect(check(badUser, 'PagerDuty From user').fix).toContain('PAGERDUTY_FROM_EMAIL');
  });

  it('checks only the routing key format when pages go through the Events API', async () => {
    await start();

    const results = await doctor((c) => ({
      ...c,
      pagerduty: { ...c.pagerduty, token: undefined, routingKey: 'R'.repeat(31) },
    }));

    expect(check(results, 'PagerDuty Events API').status).toBe('fail');
    expect(check(results, 'PagerDuty Events API').fix).toContain('Integration Key');
    expect(results.some((r) => r.name === 'PagerDuty API key')).toBe(false);
  });

  it('names the Jira fields the create screen requires that the bot cannot fill', async () => {
    await start({
      jira: {
        requiredFields: [
          {
            projectKey: 'OPS',
            issueType: 'Incident',
            fieldId: 'customfield_10042',
            name: 'Impact',
          },
        ],
      },
    });

    const results = await doctor();

    expect(check(results, 'Jira project').status).toBe('pass');
    expect(check(results, 'Jira required fields').status).toBe('fail');
    expect(check(results, 'Jira required fields').detail).toContain('requires Impact');
    expect(check(results, 'Jira required fields').fix).toContain('Make Impact optional');
  });

  it('fails Jira credentials, a missing project and an unknown issue type, each with its fix', async () => {
    await start();
    const jira = (c: Config, change: Partial<NonNullable<Config['jira']>>) => ({
      ...c,
      jira: { ...c.jira!, ...change },
    });

    const badToken = await doctor((c) => jira(c, { apiToken: 'not-the-jira-token' }));
    const noProject = await doctor((c) => jira(c, { projectKey: 'NOPE' }));
    const noType = await doctor((c) => jira(c, { issueType: 'Epic' }));

    expect(check(badToken, 'Jira credentials').fix).toContain('JIRA_API_TOKEN');
    expect(check(badToken, 'Jira project').status).toBe('skipped');
    expect(JSON.stringify(badToken)).not.toContain('not-the-jira-token');
    expect(check(noProject, 'Jira project').status).toBe('fail');
    expect(check(noProject, 'Jira project').fix).toContain('JIRA_PROJECT_KEY');
    expect(check(noType, 'Jira project').detail).toContain('no issue type "Epic"');
    expect(check(noType, 'Jira project').fix).toContain('JIRA_ISSUE_TYPE');
  });

  it('fails a GitHub repository the token cannot see, and a refused token', async () => {
    await start();
    const github = (c: Config, change: Partial<NonNullable<Config['github']>>) => ({
      ...c,
      github: { ...c.github!, ...change },
    });

    const missing = await doctor((c) => github(c, { repository: 'acme/missing' }));
    const refused = await doctor((c) => github(c, { token: 'ghp_notTheToken' }));

    expect(check(missing, 'GitHub token').status).toBe('pass');
    expect(check(missing, 'GitHub repository').status).toBe('fail');
    expect(check(missing, 'GitHub repository').fix).toContain('GITHUB_REPOSITORY');
    expect(check(refused, 'GitHub token').fix).toContain('GITHUB_TOKEN');
    expect(check(refused, 'GitHub repository').status).toBe('skipped');
  });

  it('fails a wrong Statuspage page ID', async () => {
    await start();

    const results = await doctor((c) => ({
      ...c,
      statuspage: { ...c.statuspage!, pageId: 'nosuchpage01' },
    }));

    expect(check(results, 'Statuspage').status).toBe('fail');
    expect(check(results, 'Statuspage').fix).toContain('STATUSPAGE_PAGE_ID');
  });

  it('fails a rule channel the bot cannot see and a user group Slack does not know', async () => {
    await start({ rulesReady: false });
    h?.slack.setUsergroup('S0PAYTEAM1', ['U0ALEX001']);

    const results = await doctor();

    expect(check(results, 'Rule file').status).toBe('pass');
    expect(check(results, `Rule channel ${PAYMENTS}`).detail).toContain('channel_not_found');
    expect(check(results, `Rule channel ${PAYMENTS}`).fix).toContain('"payments-critical"');
    expect(check(results, 'User group S0PAYTEAM1').status).toBe('pass');
    expect(check(results, 'User group S0ONCALL01').detail).toContain('no_such_subteam');
    expect(check(results, 'User group S0ONCALL01').fix).toContain(RULES);
  });

  it('gives up on a service that does not answer in time, and goes on with the others', async () => {
    const bot = await start();
    bot.slack.setLatency('conversations.info', 5_000);

    const started = Date.now();
    const results = await doctor((c) => c, 300);

    expect(Date.now() - started).toBeLessThan(3_000);
    expect(check(results, 'Alerts channel')).toMatchObject({
      status: 'fail',
      detail: 'Slack did not answer within 0.3 s',
    });
    expect(check(results, 'Alerts channel').fix).toContain('SLACK_API_URL');
    expect(check(results, 'Statuspage').status).toBe('pass');
  });

  it('skips what is not configured', async () => {
    h = await startHarness();

    const results = await doctor();

    expect(results.filter((r) => r.status === 'skipped').map((r) => r.name)).toEqual([
      'PagerDuty',
      'Jira',
      'GitHub',
      'Statuspage',
      'Rule file',
    ]);
    expect(doctorTerminalText(results)).toContain('all 3 checks passed (5 skipped).');
  });
});

describe('npm run doctor', () => {
  it('exits 0 when every check passes and 1 with the failure and its fix, never printing secrets', async () => {
    const bot = await start();
    const env = { ...botEnv(bot.slack.url, bot.dataDir), ...(await serviceEnvOf(bot)) };

    const good = await runScript(env);
    const bad = await runScript({ ...env, PAGERDUTY_TOKEN: 'wrong-pd-api-key0000' });

    expect(good.code).toBe(0);
    expect(good.output).toContain('PASS  Slack token');
    expect(good.output).toContain('all 15 checks passed');
    expect(bad.code).toBe(1);
    expect(bad.output).toContain('FAIL  PagerDuty API key');
    expect(bad.output).toContain('fix: Set PAGERDUTY_TOKEN');
    for (const output of [good.output, bad.output]) expectNoSecrets(output);
    expect(bad.output).not.toContain('wrong-pd-api-key0000');
  });

  it('says there is nothing to check in sandbox mode and exits 0', async () => {
    const sandbox = await runScript({});

    expect(sandbox.code).toBe(0);
    expect(sandbox.output).toContain('none is configured');
  });
});

/** The service part of the harness's environment, as `npm run doctor` would read it. */
async function serviceEnvOf(bot: Harness): Promise<Record<string, string>> {
  const { pagerduty, jira, github, statuspage } = bot.config;
  return {
    PAGERDUTY_TOKEN: pagerduty.token ?? '',
    PAGERDUTY_FROM_EMAIL: pagerduty.fromEmail ?? '',
    PAGERDUTY_API_URL: pagerduty.apiUrl,
    JIRA_BASE_URL: jira?.baseUrl ?? '',
    JIRA_EMAIL: jira?.email ?? '',
    JIRA_API_TOKEN: jira?.apiToken ?? '',
    JIRA_PROJECT_KEY: jira?.projectKey ?? '',
    JIRA_ISSUE_TYPE: jira?.issueType ?? '',
    GITHUB_TOKEN: github?.token ?? '',
    GITHUB_REPOSITORY: github?.repository ?? '',
    GITHUB_API_URL: github?.apiUrl ?? '',
    STATUSPAGE_API_KEY: statuspage?.apiKey ?? '',
    STATUSPAGE_PAGE_ID: statuspage?.pageId ?? '',
    STATUSPAGE_API_URL: statuspage?.apiUrl ?? '',
    CONFIG_FILE: RULES,
  };
}

/** `npm run doctor` as a child process (tsx, as npm runs it), in the repository. */
function runScript(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/doctor.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, output })));
}
