import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SHORTCUT_ADD_TO_TIMELINE } from '../../src/slack/register-slack-listeners.ts';
import { SHORTCUT_CREATE_FOLLOWUP } from '../../src/slack/register-ticket-listeners.ts';

interface Manifest {
  _metadata: { major_version: number };
  display_information: { name: string; description?: string };
  features: {
    bot_user: { display_name: string };
    slash_commands: Array<{
      command: string;
      url: string;
      description: string;
      usage_hint?: string;
      should_escape?: boolean;
    }>;
    shortcuts: Array<{ name: string; type: string; callback_id: string; description: string }>;
    app_home: { home_tab_enabled: boolean };
  };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    interactivity: { is_enabled: boolean; request_url: string };
    event_subscriptions: { request_url: string; bot_events: string[] };
  };
}

/** The scope each Web API method the bot calls needs (docs.slack.dev/reference/methods). */
const SCOPE_OF_METHOD: Record<string, string[]> = {
  'auth.test': [],
  'chat.postMessage': ['chat:write'],
  'chat.update': ['chat:write'],
  'chat.postEphemeral': ['chat:write'],
  'conversations.join': ['channels:join'],
  'conversations.history': ['channels:history', 'groups:history'],
  'conversations.create': ['channels:manage'],
  'conversations.invite': ['channels:manage'],
  'conversations.setTopic': ['channels:manage'],
  'conversations.archive': ['channels:manage'],
  'conversations.info': ['channels:read'],
  'conversations.list': ['channels:read'],
  'pins.add': ['pins:write'],
  'bookmarks.add': ['bookmarks:write'],
  'chat.getPermalink': [],
  'views.open': [],
  'views.publish': [],
  'users.info': ['users:read'],
  'users.lookupByEmail': ['users:read.email'],
  'usergroups.users.list': ['usergroups:read'],
  'files.getUploadURLExternal': ['files:write'],
  'files.completeUploadExternal': ['files:write'],
};
/** Scopes that come with a feature rather than a method call. */
const FEATURE_SCOPES = {
  commands: 'the /incident command and the "Add to timeline" and "Create follow-up" shortcuts',
  'app_mentions:read': 'app_mention events',
};

async function manifest() {
  return parse(await readFile(new URL('../../manifest.yml', import.meta.url), 'utf8')) as Manifest;
}

async function methodsTheBotCalls() {
  const source = await readFile(
    new URL('../../src/slack/slack-gateway.ts', import.meta.url),
    'utf8',
  );
  return [...source.matchAll(/#call\('([a-z]+(?:\.[A-Za-z]+)+)'/g)].map((m) => m[1] ?? '');
}

describe('manifest.yml', () => {
  it('follows the manifest schema rules the bot relies on', async () => {
    const m = await manifest();

    expect(m._metadata.major_version).toBe(1);
    expect(m.display_information.name.length).toBeGreaterThan(0);
    expect(m.display_information.name.length).toBeLessThanOrEqual(35);
    expect((m.display_information.description ?? '').length).toBeLessThanOrEqual(140);
    expect(m.features.bot_user.display_name.length).toBeLessThanOrEqual(80);
    for (const c of m.features.slash_commands) {
      expect(c.command).toMatch(/^\/[a-z0-9_-]{1,31}$/);
      expect(c.description.length).toBeGreaterThan(0);
      expect((c.usage_hint ?? '').length).toBeLessThanOrEqual(1000);
    }
  });

  it('sends the command, interactivity and events to /slack/events', async () => {
    const m = await manifest();

    const incident = m.features.slash_commands.find((c) => c.command === '/incident');
    expect(incident?.url).toMatch(/\/slack\/events$/);
    expect(m.settings.interactivity.is_enabled).toBe(true);
    expect(m.settings.interactivity.request_url).toMatch(/\/slack\/events$/);
    expect(m.settings.event_subscriptions.request_url).toMatch(/\/slack\/events$/);
    expect(m.settings.event_subscriptions.bot_events).toContain('app_mention');
  });

  it('asks for exactly the bot scopes the code uses', async () => {
    const m = await manifest();
    const methods = await methodsTheBotCalls();

    const needed = new Set([
      ...methods.flatMap((method) => SCOPE_OF_METHOD[method] ?? [`unknown method ${method}`]),
      ...Object.keys(FEATURE_SCOPES),
    ]);
    expect(methods.length).toBeGreaterThan(4);
    expect([...m.oauth_config.scopes.bot].sort()).toEqual([...needed].sort());
  });

  it('declares the shortcut, events and Home tab the listeners answer', async () => {
    const m = await manifest();

    expect(m.features.shortcuts).toEqual([
      expect.objectContaining({ type: 'message', callback_id: SHORTCUT_ADD_TO_TIMELINE }),
      expect.objectContaining({ type: 'message', callback_id: SHORTCUT_CREATE_FOLLOWUP }),
    ]);
    for (const s of m.features.shortcuts) {
      expect(s.name.length).toBeLessThanOrEqual(24);
      expect(s.description.length).toBeLessThanOrEqual(150);
    }
    expect([...m.settings.event_subscriptions.bot_events].sort()).toEqual(
      ['app_home_opened', 'app_mention', 'message.channels'].sort(),
    );
    expect(m.features.app_home.home_tab_enabled).toBe(true);
    // People are named in commands (`/incident lead @sam`): Slack must send their IDs.
    expect(m.features.slash_commands[0]?.should_escape).toBe(true);
  });
});
