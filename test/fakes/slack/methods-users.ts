/**
 * Who is who: auth.test for the bot's own identity, users.info and users.lookupByEmail for
 * people, usergroups.users.list for groups (wire-formats.md §3.7;
 * docs.slack.dev/reference/methods/<method>).
 */
import { ApiFailure, stringArg, type ApiBody, type Args, type Handler } from './web-api-args.ts';
import type { Workspace } from './workspace.ts';
import type { StandInUser } from './slack-stand-in.ts';

export const USERS_METHODS: Record<string, Handler> = {
  'auth.test': authTest,
  'users.info': userInfo,
  'users.lookupByEmail': lookupUserByEmail,
  'usergroups.users.list': usergroupMembers,
};

/** The members of a user group (docs: usergroups.users.list); `no_such_subteam` if unknown. */
function usergroupMembers(args: Args, workspace: Workspace): ApiBody {
  const id = stringArg(args.usergroup) ?? '';
  const members = workspace.usergroups.get(id);
  if (members === undefined) throw new ApiFailure('no_such_subteam');
  return { ok: true, users: [...members] };
}

function authTest(_args: Args, workspace: Workspace): ApiBody {
  const { teamId, botUserId, botId } = workspace.identity;

  return {
    ok: true,
    url: 'https://sandbox.slack.invalid/',
    team: 'Firebreak Sandbox',
    user: 'firebreak',
    team_id: teamId,
    user_id: botUserId,
    bot_id: botId,
    is_enterprise_install: false,
  };
}

function userInfo(args: Args, workspace: Workspace): ApiBody {
  const id = stringArg(args.user);
  const { botUserId, botId, teamId } = workspace.identity;
  if (id === botUserId) {
    const profile = { real_name: 'Firebreak', display_name: 'firebreak', bot_id: botId };
    const bot = { id, team_id: teamId, name: 'firebreak', real_name: 'Firebreak', profile };
    return { ok: true, user: { ...bot, deleted: false, is_bot: true } };
  }
  const user = id === undefined ? undefined : workspace.users.get(id);
  if (user === undefined) throw new ApiFailure('user_not_found');

  return { ok: true, user: toApiUser(workspace, user) };
}

/** Case-insensitive match on the profile email (docs: users.lookupByEmail). */
function lookupUserByEmail(args: Args, workspace: Workspace): ApiBody {
  const email = stringArg(args.email)?.toLowerCase() ?? '';
  const sameEmail = (user: StandInUser) => user.email?.toLowerCase() === email;
  const user = email === '' ? undefined : [...workspace.users.values()].find(sameEmail);
  if (user === undefined) throw new ApiFailure('users_not_found');

  return { ok: true, user: toApiUser(workspace, user) };
}

function toApiUser(workspace: Workspace, user: StandInUser): ApiBody {
  const realName = user.realName ?? user.name;
  const profile = {
    real_name: realName,
    display_name: user.name,
    ...(user.email !== undefined && { email: user.email }),
  };
  return {
    id: user.id,
    team_id: workspace.identity.teamId,
    name: user.name,
    real_name: realName,
    deleted: false,
    is_bot: false,
    profile,
  };
}
