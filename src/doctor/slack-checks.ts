import type { RulesConfig } from '../rules/rules-file.ts';
import { BOT_SCOPES } from '../slack/bot-scopes.ts';
import type { SlackGateway } from '../slack/slack-gateway.ts';
import { attempt, CheckFailed, fail, pass, skipped, type DoctorResult } from './doctor-check.ts';

const SLACK = { service: 'Slack', urlVariable: 'SLACK_API_URL' };
const NEEDS_TOKEN = 'needs a working SLACK_BOT_TOKEN';
const REINSTALL =
  'add it under OAuth & Permissions (or update the app from manifest.yml) and reinstall the app';

type Identity = Awaited<ReturnType<SlackGateway['authTest']>>;

/** The token (auth.test), its scopes against manifest.yml, and the bot in ALERTS_CHANNEL. */
export async function checkSlack(
  slack: SlackGateway,
  identity: Identity | CheckFailed,
  alertsChannel: string,
  timeoutMs: number,
): Promise<DoctorResult[]> {
  if (identity instanceof CheckFailed) {
    return [
      identity.result,
      skipped('Slack scopes', NEEDS_TOKEN),
      skipped('Alerts channel', NEEDS_TOKEN),
    ];
  }
  const who = `bot user ${identity.userId} in workspace ${identity.team || '(unnamed)'}`;
  return [
    pass('Slack token', who),
    await checkScopes(slack, timeoutMs),
    await checkChannel(slack, 'Alerts channel', alertsChannel, 'ALERTS_CHANNEL', timeoutMs),
  ];
}

/** auth.test, whose answer every other Slack check waits for. */
export function slackIdentity(slack: SlackGateway, timeoutMs: number) {
  return attempt(
    'Slack token',
    SLACK,
    timeoutMs,
    () => slack.authTest(),
    () =>
      'Set SLACK_BOT_TOKEN to the Bot User OAuth Token (xoxb-…, under OAuth & Permissions); ' +
      'reinstall the app if it was removed.',
  );
}

async function checkScopes(slack: SlackGateway, timeoutMs: number): Promise<DoctorResult> {
  const name = 'Slack scopes';
  const granted = await attempt(name, SLACK, timeoutMs, () => slack.authScopes(), generalFix);
  if (granted instanceof CheckFailed) return granted.result;
  if (granted === undefined) return skipped(name, 'Slack did not say which scopes the token has');

  const missing = BOT_SCOPES.filter((scope) => !granted.includes(scope));
  if (missing.length === 0) return pass(name, `all ${BOT_SCOPES.length} scopes of manifest.yml`);
  return fail(
    name,
    `the token lacks ${missing.join(', ')} (manifest.yml asks for them)`,
    `Add them under OAuth & Permissions (or update the app from manifest.yml), ` +
      'then reinstall the app to the workspace.',
  );
}

/** The bot can see the channel, it is not archived, and the bot is in it. */
async function checkChannel(
  slack: SlackGateway,
  name: string,
  channel: string,
  setting: string,
  timeoutMs: number,
): Promise<DoctorResult> {
  const info = await attempt(
    name,
    SLACK,
    timeoutMs,
    () => slack.channelInfo(channel),
    (error) =>
      error.code === 'channel_not_found'
        ? `Check ${setting} (the channel ID, under channel details → About); ` +
          'in a private channel, `/invite @Firebreak` first.'
        : generalFix(error),
  );
  if (info instanceof CheckFailed) return info.result;

  const where = `#${info.name} (${channel})`;
  if (info.archived) {
    return fail(name, `${where} is archived`, `Unarchive ${where} or change ${setting}.`);
  }
  if (!info.member) {
    return fail(
      name,
      `the bot is not a member of ${where}`,
      `Type \`/invite @Firebreak\` in ${where}.`,
    );
  }
  return pass(name, `${where}, the bot is a member`);
}

/**
 * The rule file (it loaded, or the bot would not have started), the channels its rules post in
 * and the user groups it names (invites, permissions).
 */
export async function checkRules(
  slack: SlackGateway,
  identity: unknown,
  rules: RulesConfig,
  timeoutMs: number,
): Promise<DoctorResult[]> {
  if (!rules.file) return [skipped('Rule file', 'no CONFIG_FILE and no ./firebreak.yml')];
  const results = [pass('Rule file', `${rules.file}: ${count(rules.rules.length, 'rule')}`)];

  const channels = new Map<string, string[]>();
  for (const rule of rules.rules) {
    if (rule.channel)
      channels.set(rule.channel, [...(channels.get(rule.channel) ?? []), rule.name]);
  }
  const groups = new Set<string>();
  for (const rule of rules.rules) {
    for (const step of rule.automations) if (step.type === 'invite') groups.add(step.usergroup);
  }
  for (const ids of Object.values(rules.permissions)) {
    for (const id of ids ?? []) if (id.startsWith('S')) groups.add(id);
  }

  for (const [channel, names] of channels) {
    const name = `Rule channel ${channel}`;
    if (identity instanceof CheckFailed) results.push(skipped(name, NEEDS_TOKEN));
    else {
      const setting = `the channel of rule ${names.map((n) => `"${n}"`).join(', ')}`;
      results.push(await checkChannel(slack, name, channel, setting, timeoutMs));
    }
  }
  for (const group of groups) {
    const name = `User group ${group}`;
    if (identity instanceof CheckFailed) results.push(skipped(name, NEEDS_TOKEN));
    else results.push(await checkGroup(slack, name, group, rules.file, timeoutMs));
  }
  return results;
}

async function checkGroup(
  slack: SlackGateway,
  name: string,
  group: string,
  file: string,
  timeoutMs: number,
): Promise<DoctorResult> {
  const members = await attempt(
    name,
    SLACK,
    timeoutMs,
    () => slack.usergroupMembers(group),
    (error) =>
      error.code === 'no_such_subteam'
        ? `Use an existing user group ID (S…) in ${file}, or remove ${group} from it.`
        : generalFix(error),
  );
  if (members instanceof CheckFailed) return members.result;
  return pass(name, `readable, ${count(members.length, 'member')}`);
}

function generalFix(error: { code: string | undefined }) {
  if (error.code === 'missing_scope') return `The token lacks a scope: ${REINSTALL}.`;
  if (error.code === 'invalid_auth' || error.code === 'token_revoked')
    return 'Set SLACK_BOT_TOKEN to the Bot User OAuth Token (xoxb-…).';
  return 'See Slack’s error above; the README’s Install section lists the set-up steps.';
}

function count(n: number, noun: string) {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
