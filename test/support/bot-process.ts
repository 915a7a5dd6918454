import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface BotProcess {
  child: ChildProcess;
  url: string;
  output: () => string;
  /** SIGKILL: no shutdown code runs, as in `kill -9`. */
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Runs the bot as `npm start` does (tsx, no build) in a real child process, so tests can kill it
 * with SIGKILL at any moment. Resolves once it logged "firebreak is ready".
 */
export async function startBotProcess(env: Record<string, string>): Promise<BotProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', LOG_FORMAT: 'json', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`bot did not start:\n${output}`));
    }, 15_000);
    const check = () => {
      const line = output.split('\n').find((l) => l.includes('"firebreak is ready"'));
      if (line) {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { port: number }).port);
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', () => reject(new Error(`bot exited:\n${output}`)));
  });

  return {
    child,
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
