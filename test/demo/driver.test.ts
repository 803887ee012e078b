/**
 * The driver's failure paths against the API harness (the same router Lambda runs, over dynalite):
 * a seed the API rejects, a server without local mode's clock, an endpoint that does not answer.
 * The happy path needs local mode (engine, scorer, its clock): test/demo/determinism.e2e.test.ts.
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

/**
 * An ApiClient over the in-process router. With `localClock`, it answers local mode's clock routes
 * from the harness's manual clock (simulate mode: it moves only when advanced).
 */
function harnessClient(localClock: boolean): ApiClient {
  return {
    endpoint: 'harness',
    async send<T>(req: Parameters<ApiClient['send']>[0]) {
      if (localClock && req.path.startsWith('/_local/clock')) {
        const to = (req.json as { to?: string } | undefined)?.to;
        if (to) h.clock.set(to);
        return { status: 200, body: { mode: 'simulate', now: h.clock.now().toISOString() } as T };
      }
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
  it("refuses a server without local mode's clock (the demo moves it), naming what to run", async () => {
    const err = await runDemo({ client: harnessClient(false), scenario: buildScenario() }).catch((e) => e);
    expect(err).toBeInstanceOf(DemoError);
    expect(err.message).toMatch(/GET \/_local\/clock answered 404/);
    expect(err.message).toMatch(/ABM_CLOCK=simulate/);
    expect(err.exitCode).toBe(2);
  });

  it('stops with the rejected rows when the API rejects part of the seed', async () => {
    const scenario = buildScenario();
    scenario.accounts = [
      scenario.accounts[0]!,
      { ...scenario.accounts[1]!, domain: 'not a domain' },
      { ...scenario.accounts[2]!, contacts: [{ ...scenario.accounts[2]!.contacts![0]!, email: 'nope' }] },
    ];
    const err = await runDemo({ client: harnessClient(true), scenario }).catch((e) => e);
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
