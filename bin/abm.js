#!/usr/bin/env node
// The `abm` CLI (docs/cli.md). Registers tsx's CommonJS loader so the TypeScript sources run as-is.
'use strict';

require('tsx/cjs/api').register();
require('../lib/cli/main.ts')
  .main()
  .catch((err) => {
    process.stderr.write(`abm: internal error: ${err && err.stack ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  });
