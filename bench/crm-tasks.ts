/**
 * The CRM half of issue 12's `npm run bench -- crm`: 1,000 SDR tasks through the real task sync
 * (queue batches of 10, five at a time, failed messages redelivered) into the HubSpot and the
 * Salesforce doubles over 127.0.0.1, with 5% of requests answered 429 (`Retry-After: 1`) and 1%
 * answered 500, judged by the tasks each double holds at the end: `duplicates` (an SDR task held
 * more than once), `lost` (held nowhere, or not linked in the store). The HTTP client's waits are
 * real but scaled by 0.01 (a 1 s Retry-After sleeps 10 ms): the figures measure requests, not the
 * provider's back-off. Seconds: median of RUNS runs per provider, with the spread;
 * requestsPerItem: requests (retries, searches and the contact/company look-ups included) per task.
 *
 *   npm run bench -- crm-tasks
 */
import { driveCrmTasks, type CrmName } from '../test/support/crm';

const TASKS = 1000;
const RUNS = 3;
const FAULTS = { rate429: 0.05, rate500: 0.01 };

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export async function run(): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = { tasks: TASKS, faults: FAULTS, runs: RUNS };
  let duplicates = 0;
  let lost = 0;
  for (const provider of ['hubspot', 'salesforce'] as CrmName[]) {
    const results = [];
    for (let r = 0; r < RUNS; r++) {
      const res = await driveCrmTasks({ count: TASKS, faults: FAULTS, provider, seed: 7 + r });
      process.stderr.write(`bench crm-tasks: ${provider} run ${r + 1}: ${JSON.stringify(res)}\n`);
      results.push(res);
    }
    duplicates += Math.max(...results.map((x) => x.duplicates));
    lost += Math.max(...results.map((x) => x.lost));
    const seconds = results.map((x) => x.seconds);
    out[provider] = {
      duplicates: Math.max(...results.map((x) => x.duplicates)),
      lost: Math.max(...results.map((x) => x.lost)),
      requestsPerItem: Math.round((median(results.map((x) => x.requests)) / TASKS) * 100) / 100,
      seconds: median(seconds),
      spread: { min: Math.min(...seconds), max: Math.max(...seconds) },
    };
  }
  return { ...out, duplicates, lost, withinTarget: duplicates === 0 && lost === 0 };
}
