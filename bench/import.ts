/**
 * Import benchmark: one `POST /accounts/import` of a 10,000-row CSV (one account and one contact per
 * row), through the real router and store against dynalite, repeated with fresh account ids each
 * round. Reports the median and spread of the wall time; the target is under 60 s per import on this
 * machine. (This was a timed assertion in test/api/accounts.test.ts; speed targets live here.)
 *
 *   npm run bench -- import
 *   env: BENCH_IMPORT_ROWS (default 10000), BENCH_IMPORT_ROUNDS (default 3)
 */
import { startHarness } from '../test/support/api';

const ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 10_000);
const ROUNDS = Number(process.env.BENCH_IMPORT_ROUNDS ?? 3);
const TARGET_SECONDS = 60;
const HEADER =
  'accountId,name,domain,industry,employees,annualRevenueUsd,region,tier,cluster,ownerSdr,contactId,contactName,email,title,role,timeZone,phone';

function csv(round: number): string {
  const lines = [HEADER];
  for (let i = 0; i < ROWS; i++) {
    const id = `bulk-${round}-${i}`;
    lines.push(
      `${id},Bulk ${i},${id}.example,logistics,${i},1000000,NA,${(i % 3) + 1},,,${id}-c,Person ${i},p${i}@${id}.example,,champion,UTC,`,
    );
  }
  return lines.join('\n');
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export async function run(): Promise<Record<string, unknown>> {
  const h = await startHarness();
  try {
    const seconds: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const raw = csv(round);
      const started = performance.now();
      const res = await h.call('POST', '/accounts/import', { raw });
      const s = (performance.now() - started) / 1000;
      const body = res.json as { imported?: number; contacts?: number; rejected?: unknown[] };
      if (res.status !== 200 || body.imported !== ROWS || body.contacts !== ROWS || body.rejected?.length)
        throw new Error(`round ${round}: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
      seconds.push(s);
      process.stderr.write(`  round ${round + 1}/${ROUNDS}: ${ROWS} rows in ${s.toFixed(1)} s\n`);
    }
    const med = median(seconds);
    return {
      rows: ROWS,
      rounds: ROUNDS,
      seconds: Number(med.toFixed(2)),
      secondsMin: Number(Math.min(...seconds).toFixed(2)),
      secondsMax: Number(Math.max(...seconds).toFixed(2)),
      rowsPerSecond: Math.round(ROWS / med),
      targetSeconds: TARGET_SECONDS,
      withinTarget: med < TARGET_SECONDS,
    };
  } finally {
    await h.stop();
  }
}
