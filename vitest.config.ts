import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Vitest's default leaves a core idle (one worker on a 2-core CI machine); most of our tests
    // wait on sockets and timers, so one worker per core halves the suite's time.
    maxWorkers: availableParallelism(),
  },
});
