/**
 * The bot token scopes manifest.yml asks for, in its order (test/unit/bot-scopes.test.ts keeps
 * the two equal). The doctor compares a token's granted scopes with these.
 */
export const BOT_SCOPES: readonly string[] = [
  'chat:write',
  'commands',
  'app_mentions:read',
  'channels:join',
  'channels:history',
  'groups:history',
  'channels:manage',
  'channels:read',
  'pins:write',
  'bookmarks:write',
  'users:read',
  'users:read.email',
  'usergroups:read',
  'files:write',
];
