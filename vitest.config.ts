import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/** Tests that measure latency under load: they need the machine to themselves. */
const LOAD_TESTS = ['test/integration/large-store.test.ts', 'test/integration/storm.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 20_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'main',
          include: ['test/**/*.test.ts'],
          exclude: LOAD_TESTS,
          // Vitest's default leaves a core idle (one worker on a 2-core CI machine); most of our
          // tests wait on sockets and timers, so one worker per core halves the suite's time.
          maxWorkers: availableParallelism(),
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: { name: 'load', include: LOAD_TESTS, maxWorkers: 1, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
