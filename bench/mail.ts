/**
 * Direct mail at the adapter level: 1,000 orders each to the Lob and the PostGrid double, with 5%
 * of creates answered 429 (`Retry-After: 1`) and 1% answered 500, through the real adapters and
 * HTTP client over 127.0.0.1, sent as the engine sends them (an order the provider did not answer
 * is sent again later with the same order id: test/support/mail.ts `driveMailPieces`, which the
 * `crm` bench reuses). Judged by the final state each double holds: `duplicates` = pieces beyond
 * one for an order that is not cancelled (printed), `lost` = orders with no such piece;
 * `cancelledExtras` = extra pieces the PostGrid adapter cancelled before printing. The client's waits really happen, scaled by
 * 0.01 (a 1 s Retry-After sleeps 10 ms): `clientWaitSeconds` is what it asked for unscaled.
 * requestsPerItem: every HTTP request (429s, retries, PostGrid's lookups) per order. Figures are the
 * medians of RUNS runs per provider, with the spread of `seconds`.
 *
 *   npm run bench -- mail
 */
import { driveMailPieces, type DriveMailResult } from '../test/support/mail';

const COUNT = 1000;
const RUNS = 3;
const FAULTS = { rate429: 0.05, rate500: 0.01 };

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export async function run(): Promise<Record<string, unknown>> {
  const providers: Record<string, unknown> = {};
  let duplicates = 0;
  let lost = 0;
  let pieces = 0;
  for (const provider of ['lob', 'postgrid'] as const) {
    const runs: DriveMailResult[] = [];
    for (let i = 0; i < RUNS; i++) {
      const r = await driveMailPieces({ count: COUNT, provider, faults: FAULTS, seed: 100 + i });
      process.stderr.write(`bench mail: ${provider} run ${i + 1}: ${JSON.stringify(r)}\n`);
      runs.push(r);
    }
    duplicates += Math.max(...runs.map((r) => r.duplicates));
    lost += Math.max(...runs.map((r) => r.lost));
    pieces += median(runs.map((r) => r.pieces));
    const seconds = runs.map((r) => r.seconds);
    providers[provider] = {
      pieces: median(runs.map((r) => r.pieces)),
      duplicates: Math.max(...runs.map((r) => r.duplicates)),
      lost: Math.max(...runs.map((r) => r.lost)),
      cancelledExtras: Math.max(...runs.map((r) => r.cancelled)),
      requestsPerItem: Math.round((median(runs.map((r) => r.requests)) / COUNT) * 1000) / 1000,
      clientWaitSeconds: median(runs.map((r) => r.clientWaitSeconds)),
      seconds: median(seconds),
      spread: { min: Math.min(...seconds), max: Math.max(...seconds) },
    };
  }
  return {
    orders: COUNT,
    faults: FAULTS,
    runs: RUNS,
    pieces,
    duplicates,
    lost,
    providers,
    withinTarget: duplicates === 0 && lost === 0,
  };
}
