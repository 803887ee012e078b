import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // A worker runs its test files one after another in one process, sharing the modules it has
    // loaded (aws-cdk-lib, the AWS SDK, the app): isolated, each file loaded them again, 349 s of
    // the suite's 660 s of test time; shared, the suite took 200 s instead of 563 s here. Test files
    // must therefore leave nothing behind (environment variables, servers): local SES refuses a
    // second server while one runs (lib/local/ses.ts), the one module state tests share.
    isolate: false,
    // Vitest's default is one worker fewer than the cores: one worker on a two-core machine, where
    // most of the suite's time is local mode waiting on timers and sockets, not on the CPU. Two
    // workers there passed the whole suite under a load of 8 (other work on the machine).
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
