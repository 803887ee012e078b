/**
 * Simulate mode is deterministic: the demo driver, run twice on two fresh local modes over a small
 * cut of the scenario, renders the same report (same digest). The second run shares the machine
 * with a process spinning on a core, so the two runs see different speeds; what each advance runs
 * does not depend on it. (`npm run bench -- demo` does the same with the whole scenario.)
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createClient } from '../../lib/cli/http';
import { runDemo } from '../../lib/demo/driver';
import { renderReport, reportDigest } from '../../lib/demo/report';
import { buildScenario } from '../../lib/demo/scenario';
import { startLocalForTest } from '../support/local';

const TOKEN = 'determinism-token-0123456789';

async function demoDigest(): Promise<{ digest: string; report: string }> {
  const scenario = buildScenario();
  const tier = (t: number, n: number) => scenario.accounts.filter((a) => a.tier === t).slice(0, n);
  scenario.accounts = [...tier(1, 3), ...tier(2, 4), ...tier(3, 20)];
  const { rt, stop } = await startLocalForTest('abm-determinism-', TOKEN, 'simulate');
  try {
    const client = createClient({ endpoint: rt.url, token: TOKEN, timeoutMs: 120_000 });
    const report = renderReport(await runDemo({ client, scenario, days: 6 }));
    return { digest: reportDigest(report), report };
  } finally {
    await stop();
  }
}

describe('simulate mode', () => {
  it('gives the same report twice, at two different speeds', async () => {
    const first = await demoDigest();
    const spinner = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
    let second: { digest: string; report: string };
    try {
      second = await demoDigest();
    } finally {
      spinner.kill('SIGKILL');
    }
    expect(second.report).toBe(first.report);
    expect(second.digest).toBe(first.digest);
    // The run did something worth comparing: mail went out and engagement came back.
    expect(first.report).toMatch(/email/);
    expect(first.report).not.toMatch(/\n0 accepted/);
  }, 240_000);
});
