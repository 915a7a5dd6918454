import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BOT_SCOPES } from '../../src/slack/bot-scopes.ts';

describe('BOT_SCOPES', () => {
  it('lists exactly the bot scopes manifest.yml asks for', async () => {
    const text = await readFile(new URL('../../manifest.yml', import.meta.url), 'utf8');
    const manifest = parse(text) as { oauth_config: { scopes: { bot: string[] } } };

    expect([...BOT_SCOPES]).toEqual(manifest.oauth_config.scopes.bot);
  });
});
