import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { IncidentService } from '../../src/core/incident-service.ts';
import { LowdbStore } from '../../src/store/lowdb-store.ts';
import { memoryLogger } from './memory-logger.ts';

/**
 * The real IncidentService on the real store in a temporary folder, its clock at `now`, for
 * tests of what the core makes of a source's deliveries. `close()` removes the folder.
 */
export async function tempIncidentService(now: string) {
  const dir = await mkdtemp(path.join(tmpdir(), 'firebreak-core-'));
  const store = await LowdbStore.open(dir);
  const incidents = new IncidentService({
    store,
    clock: { now: () => new Date(now) },
    logger: memoryLogger(),
    reopenWindowMs: 60 * 60 * 1000,
  });
  await incidents.load();
  return {
    incidents,
    async close() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
