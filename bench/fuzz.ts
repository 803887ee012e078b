/**
 * The API fuzz run (docs/api.md "Fuzzing"; test/support/fuzz.ts): at least 10,000 authenticated
 * requests, at least 200 per operation, valid and invalid mixed, through the real router and
 * services over dynalite in this process (no network beyond 127.0.0.1). It counts every answer
 * and is within target when none is a 5xx, every 4xx is in the error shape with field paths,
 * and every operation answered some 2xx.
 *
 *   npm run bench -- fuzz
 *   FUZZ_SEED=7 FUZZ_PER_OPERATION=400 FUZZ_ROUNDS=8 npm run bench -- fuzz
 */
import '../functions/platform/polyfills';
import { runFuzz } from '../test/support/fuzz';

const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const PER_OPERATION = Number(process.env.FUZZ_PER_OPERATION ?? 400);
const ROUNDS = Number(process.env.FUZZ_ROUNDS ?? 8);
const MIN_REQUESTS = 10_000;
const MIN_PER_OPERATION = 200;

export async function run(): Promise<Record<string, unknown>> {
  const stats = await runFuzz({
    seed: SEED,
    perOperation: PER_OPERATION,
    rounds: ROUNDS,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  for (const f of stats.failures)
    process.stderr.write(`FAIL ${f.why}: ${JSON.stringify(f.request)} -> ${f.status} ${f.body}\n`);
  const ops = Object.values(stats.perOperation);
  const withinTarget =
    stats.status5xx === 0 &&
    stats.badErrorShape === 0 &&
    stats.requests >= MIN_REQUESTS &&
    ops.every((o) => o.requests >= MIN_PER_OPERATION && o.s2xx > 0);
  return {
    requests: stats.requests,
    status5xx: stats.status5xx,
    badErrorShape: stats.badErrorShape,
    operations: ops.length,
    valid: stats.valid,
    invalid: stats.invalid,
    minPerOperation: Math.min(...ops.map((o) => o.requests)),
    operationsWithout2xx: Object.entries(stats.perOperation)
      .filter(([, o]) => o.s2xx === 0)
      .map(([name]) => name),
    seed: SEED,
    seconds: stats.seconds,
    perOperation: stats.perOperation,
    withinTarget,
  };
}
