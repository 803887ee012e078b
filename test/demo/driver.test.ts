/**
 * The driver's failure paths against the API harness (the same router Lambda runs, over dynalite):
 * a seed the API rejects, a clock too slow for the demo, an endpoint that does not answer.
 * The happy path needs local mode (engine, scorer, scaled clock): `npm run demo` runs it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type ApiClient } from '../../lib/cli/http';
import { CliError } from '../../lib/cli/errors';
import { DemoError, runDemo } from '../../lib/demo/driver';
import { buildScenario } from '../../lib/demo/scenario';
import { startHarness, type Harness } from '../support/api';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

/** An ApiClient over the in-process router; each GET /health moves the manual clock by `tick` ms. */
function harnessClient(tick: number): ApiClient {
  return {
    endpoint: 'harness',
    async send<T>(req: Parameters<ApiClient['send']>[0]) {
      if (req.path === '/health') h.clock.advance(tick);
      const query = Object.fromEntries(
        Object.entries(req.query ?? {})
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => [k, String(v)]),
      );
      const res = await h.call(req.method, req.path, { body: req.json, query });
      if (res.status >= 400)
        throw new CliError(1, `${req.method} ${req.path} -> ${res.status}`, [], undefined, res.status);
      return { status: res.status, body: res.json as T };
    },
  };
}

describe('demo driver', () => {
  it('refuses a server clock too slow to play 90 days in time, naming ABM_TIME_SCALE', async () => {
    const err = await runDemo({ client: harnessClient(0), scenario: buildScenario() }).catch((e) => e);
    expect(err).toBeInstanceOf(DemoError);
    expect(err.message).toMatch(/ABM_TIME_SCALE/);
    expect(err.exitCode).toBe(2);
  });

  it('stops with the rejected rows when the API rejects part of the seed', async () => {
    const scenario = buildScenario();
    scenario.accounts = [
      scenario.accounts[0]!,
      { ...scenario.accounts[1]!, domain: 'not a domain' },
      { ...scenario.accounts[2]!, contacts: [{ ...scenario.accounts[2]!.contacts![0]!, email: 'nope' }] },
    ];
    const err = await runDemo({ client: harnessClient(86_400_000), scenario }).catch((e) => e);
    expect(err).toBeInstanceOf(DemoError);
    expect(err.message).toMatch(/rejected 2 of 3 accounts/);
    expect(err.message).toMatch(/row 2 bluehaul-freight: domain/);
    expect(err.message).toMatch(/contacts\.0\.email/);
  });

  it('fails with the unreachable exit code when nothing answers', async () => {
    const client = createClient({ endpoint: 'http://127.0.0.1:9', timeoutMs: 2000 });
    const err = await runDemo({ client, scenario: buildScenario() }).catch((e) => e);
    expect(err).toBeInstanceOf(CliError);
    expect(err.exitCode).toBe(3);
  });
});
