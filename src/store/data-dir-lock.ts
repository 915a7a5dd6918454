import { open, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

export class DataDirInUseError extends Error {
  constructor(dir: string, pid: number) {
    super(
      `DATA_DIR ${dir} is in use by another Firebreak process (pid ${pid}); run one bot per DATA_DIR`,
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

function isAlive(pid: number) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
