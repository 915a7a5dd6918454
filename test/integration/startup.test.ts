import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { SlackStandIn } from '../fakes/slack/slack-stand-in.ts';
import { startBotProcess } from '../support/bot-process.ts';
import { botEnv, TOKEN } from '../support/harness.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const cleanups: Array<() => Promise<unknown>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Runs `src/main.ts` with only these variables and returns how it ended. */
function run(env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', LOG_FORMAT: 'json', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function tempDir() {
  const dir = await mkdtemp(path.join(tmpdir(), 'firebreak-start-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe('start-up', () => {
  it('stops with one line per bad variable, naming it and never echoing a secret', async () => {
    const result = await run({
      SLACK_BOT_TOKEN: 'xoxp-supersecretvalue',
      ALERTS_CHANNEL: '#alerts',
      PORT: 'abc',
    });

    const lines = result.stderr.trim().split('\n');
    expect(result.code).toBe(1);
    expect(lines.every((l) => l.startsWith('Configuration error: '))).toBe(true);
    for (const name of [
      'SLACK_BOT_TOKEN',
      'SLACK_SIGNING_SECRET',
      'ALERTS_CHANNEL',
      'ALERT_WEBHOOK_TOKEN',
      'PORT',
    ]) {
      expect(lines.filter((l) => l.startsWith(`Configuration error: ${name} `))).toHaveLength(1);
    }
    expect(result.stderr + result.stdout).not.toContain('supersecretvalue');
  });

  it('says the port is taken instead of claiming to be ready', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => blocker.close(resolve)));
    const port = (blocker.address() as { port: number }).port;
    const slack = await SlackStandIn.start({ token: TOKEN });
    cleanups.push(() => slack.close());

    const result = await run({ ...botEnv(slack.url, await tempDir()), PORT: String(port) });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Configuration error: PORT ${port} is already in use`);
    expect(result.stdout).not.toContain('firebreak is ready');
  });

  it('refuses a second bot on the same DATA_DIR', async () => {
    const slack = await SlackStandIn.start({ token: TOKEN });
    cleanups.push(() => slack.close());
    const env = botEnv(slack.url, await tempDir());
    const first = await startBotProcess(env);
    cleanups.push(() => first.stop());

    const second = await run({ ...env, PORT: '0' });

    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(
      /Configuration error: DATA_DIR .* is in use by another Firebreak process/,
    );
  });

  it('says on its first line that it runs in the sandbox when no token is set', async () => {
    const dir = await tempDir();
    const bot = await startBotProcess({ DATA_DIR: dir });
    cleanups.push(() => bot.stop());

    const health = await fetch(`${bot.url}/healthz`);

    expect(bot.output().split('\n')[0]).toMatch(/^Firebreak is running in SANDBOX mode/);
    expect(health.status).toBe(200);
  });
});
