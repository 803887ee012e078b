/**
 * The console's browser tests (test/console/*.browser.ts): Playwright driving the machine's Chromium
 * against a real local mode. `npm test` does not run them (they need /usr/bin/chromium); `.ci/run`
 * and `npm run test:browser` do.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/console/**/*.browser.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 240_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
  },
});
