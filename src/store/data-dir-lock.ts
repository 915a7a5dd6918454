import { existsSync, readFileSync } from 'node:fs';
import { open, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

export class DataDirInUseError extends Error {
  constructor(dir: string, pid: number) {
    super(
      `DATA_DIR ${dir} is in use by another Firebreak process (pid ${pid}); ` +
        'run one bot per DATA_DIR',
    );
    this.name = 'DataDirInUseError';
  }
}

/**
 * Claims DATA_DIR for this process with a pid file, so two bots never work one store and one
 * job queue. A pid file left by a process that died (`kill -9`) is taken over.
 * Returns the function that releases the claim.
 */
export async function lockDataDir(dir: string) {
  const file = path.join(dir, 'firebreak.pid');
  try {
    const handle = await open(file, 'wx');
    await handle.writeFile(String(process.pid));
    await handle.close();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const owner = Number.parseInt(await readFile(file, 'utf8').catch(() => ''), 10);
    if (owner && owner !== process.pid && isAlive(owner)) throw new DataDirInUseError(dir, owner);
    await writeFile(file, String(process.pid));
  }
  return () => rm(file, { force: true });
}

/**
 * Whether the pid still names a running Node process. A pid left by a bot that died can belong
 * to another program by now, and a killed process may linger as a zombie: neither holds the
 * folder. Where /proc is missing, any live process counts.
 */
function isAlive(pid: number) {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (!existsSync('/proc/self')) return true;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    if (/^State:\s+Z/m.test(status)) return false;
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('node');
  } catch {
    return false;
  }
}
