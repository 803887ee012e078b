import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Vitest's default is one worker fewer than the cores: one worker on a two-core machine, where
    // most of the suite's time is local mode waiting on timers and sockets, not on the CPU. Two
    // workers there passed the whole suite under a load of 8 (other work on the machine).
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
