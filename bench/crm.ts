/**
 * `npm run bench -- crm` (issue 12): 1,000 SDR tasks into a CRM and 1,000 mail pieces to a
 * print-and-mail provider at the same time, each against its local test double over 127.0.0.1, with
 * 5% of requests answered 429 (`Retry-After: 1`) and 1% answered 500, judged by the final state each
 * double holds: `duplicates` (an SDR task or an idempotency key held more than once), `lost` (an
 * item the provider does not hold). The tasks go through the real CRM task sync (test/support/crm.ts
 * `driveCrmTasks`: queue batches, redelivery), the pieces through the real adapters as the engine
 * sends them (test/support/mail.ts `driveMailPieces`). The HTTP client's waits are real but scaled
 * by 0.01 (a 1 s Retry-After sleeps 10 ms): the figures measure requests, not the back-off.
 *
 * Two pairings (HubSpot with Lob, Salesforce with PostGrid), RUNS runs each; `seconds` is the median
 * wall time of a pairing's run (both halves together) with the spread over every run;
 * `requestsPerItem` counts every request either double received (retries, look-ups included) per
 * task or piece, median over the runs.
 */
import { driveCrmTasks, type CrmName } from '../test/support/crm';
import { driveMailPieces } from '../test/support/mail';

const ITEMS = 1000;
const RUNS = 3;
const FAULTS = { rate429: 0.05, rate500: 0.01 };
const PAIRS: [CrmName, 'lob' | 'postgrid'][] = [
  ['hubspot', 'lob'],
  ['salesforce', 'postgrid'],
];

const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const round = (n: number, places = 2) => Math.round(n * 10 ** places) / 10 ** places;

export async function run(): Promise<Record<string, unknown>> {
  let duplicates = 0;
  let lost = 0;
  const seconds: number[] = [];
  const perItem: number[] = [];
  const byPair: Record<string, unknown> = {};
  for (const [crm, mail] of PAIRS) {
    const runs = [];
    for (let r = 0; r < RUNS; r++) {
      const started = performance.now();
      const [tasks, pieces] = await Promise.all([
        driveCrmTasks({ count: ITEMS, faults: FAULTS, provider: crm, seed: 7 + r }),
        driveMailPieces({ count: ITEMS, faults: FAULTS, provider: mail, seed: 7 + r }),
      ]);
      const wall = (performance.now() - started) / 1000;
      process.stderr.write(
        `bench crm: ${crm}+${mail} run ${r + 1}: ${wall.toFixed(1)} s, tasks ${JSON.stringify(tasks)}, pieces ${JSON.stringify(pieces)}\n`,
      );
      runs.push({ tasks, pieces, wall });
      duplicates += tasks.duplicates + pieces.duplicates;
      lost += tasks.lost + pieces.lost;
      seconds.push(wall);
      perItem.push((tasks.requests + pieces.requests) / (2 * ITEMS));
    }
    byPair[`${crm}+${mail}`] = {
      taskDuplicates: Math.max(...runs.map((x) => x.tasks.duplicates)),
      taskLost: Math.max(...runs.map((x) => x.tasks.lost)),
      pieceDuplicates: Math.max(...runs.map((x) => x.pieces.duplicates)),
      pieceLost: Math.max(...runs.map((x) => x.pieces.lost)),
      requestsPerTask: round(median(runs.map((x) => x.tasks.requests)) / ITEMS),
      requestsPerPiece: round(median(runs.map((x) => x.pieces.requests)) / ITEMS),
      seconds: round(median(runs.map((x) => x.wall)), 1),
    };
  }
  return {
    tasks: ITEMS,
    pieces: ITEMS,
    duplicates,
    lost,
    requestsPerItem: round(median(perItem)),
    seconds: round(median(seconds), 1),
    spread: { min: round(Math.min(...seconds), 1), max: round(Math.max(...seconds), 1) },
    runs: RUNS,
    faults: FAULTS,
    pairs: byPair,
    withinTarget: duplicates === 0 && lost === 0,
  };
}
