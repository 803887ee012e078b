/**
 * `npm run bench -- ses-throttle`: a launch that wakes every contact at one window opening, against
 * an SES that accepts no more than the account's sending rate (docs/architecture.md "Email pacing").
 *
 * Local mode in process (free ports, a temporary data folder) with local SES limited to 10 sends
 * per second of its clock (ABM_SES_MAX_SEND_RATE=10: ThrottlingException past it, the mail dropped)
 * and the engine paced to the same rate (as a deploy with config.ses.maxSendRate = 10). 500
 * accounts x 2 contacts (economic buyer, champion, one time zone) get one email step whose send
 * window opens a little after the launch, so all 1,000 touches fall due at the same instant. The
 * bench waits (bounded) for the campaign to complete and counts:
 *   - sent: distinct recipients in the mail store (each also `sent` on the ledger), duplicates;
 *   - skipped, failed, deferred, uncertain: touches on the ledger (read from the table);
 *   - throttledRetries: SendEmail calls local SES answered ThrottlingException (each one retried:
 *     by the SDK, or by re-planning the touch);
 *   - reservations: slots of the rate the engine reserved (one per send; a throttled send another);
 *   - peakPerSecond: the most sends local SES accepted within one simulated second; sendRate: sends
 *     per simulated second from the window opening to the campaign's completion;
 *   - seconds: real seconds from the window opening to the campaign's completion.
 * Target: expected = sent = 1000, skipped = failed = uncertain = duplicates = 0, the launch done
 * before the window opened.
 *
 * BENCH_TIME_SCALE (default 2 simulated seconds per real second: 10 sends per simulated second is
 * 20 per real second, above nothing local mode cannot carry, so the rate binds), BENCH_PACE=0 runs
 * the engine unpaced (SES's throttling alone: for comparison), BENCH_RUNS repeats the run (the
 * figures are then medians, with their range).
 */
import '../functions/platform/polyfills';
import { DateTime } from 'luxon';
import { executionNameFor } from '../functions/kernel/execution';
import type { Touch } from '../functions/kernel/model';
import { storeOf } from '../functions/platform/store-of';
import { committeeMember, fitProfile } from '../test/support/accounts';
import { startLocalForTest, until, untilCampaign } from '../test/support/local';

const TOKEN = 'bench-ses-throttle-token-0123456789';
const RATE = 10;
const ACCOUNTS = Array.from({ length: 500 }, (_, i) => `ses-${String(i).padStart(3, '0')}`);
const ROLES = ['economic_buyer', 'champion'] as const;
const EXPECTED = ACCOUNTS.length * ROLES.length;
const CAMPAIGN = 'ses-throttle-1';
/** Real seconds the launch may take before the window opens; the whole run after it. */
const LAUNCH_REAL_S = 45;
const FINISH_MS = 300_000;
/** Time zones tried for the contacts: one of them is between 01:00 and 21:00 at any instant. */
const ZONES = ['America/New_York', 'Asia/Tokyo', 'Europe/London'];

interface RunResult {
  sent: number;
  mails: number;
  duplicates: number;
  skipped: number;
  failed: number;
  deferred: number;
  uncertain: number;
  throttledRetries: number;
  reservations: number;
  sendRate: number;
  peakPerSecond: number;
  seconds: number;
  launchedBeforeWindow: boolean;
}

/** The window opening: a whole minute at least `marginMs` ahead, in a zone where a day remains. */
function windowOpening(now: Date, marginMs: number): { zone: string; start: string; at: Date } {
  for (const zone of ZONES) {
    const at = DateTime.fromJSDate(new Date(now.getTime() + marginMs), { zone })
      .plus({ minutes: 1 })
      .startOf('minute');
    if (at.hour >= 1 && at.hour < 21) return { zone, start: at.toFormat('HH:mm'), at: at.toJSDate() };
  }
  throw new Error('no time zone with a window left today');
}

async function runOnce(scale: number, pace: boolean): Promise<RunResult> {
  const local = await startLocalForTest('abm-bench-ses-', TOKEN, scale, {
    env: { ABM_SES_MAX_SEND_RATE: String(RATE) },
    options: { pace },
  });
  const { rt, api } = local;
  try {
    await rt.ses.clear();
    const opening = windowOpening(rt.clock.now(), LAUNCH_REAL_S * 1000 * scale);
    const consent = { email: true, ads: true, directMail: true };
    for (let i = 0; i < ACCOUNTS.length; i += 100) {
      const accounts = ACCOUNTS.slice(i, i + 100).map((id) => ({
        ...fitProfile(id, `Account ${id}`),
        tier: 1,
        contacts: ROLES.map((role) => ({ ...committeeMember(id, role), timeZone: opening.zone, consent })),
      }));
      const res = await api.call('POST', '/accounts/import', { accounts });
      if (res.json?.imported !== accounts.length) throw new Error(`import: ${res.text}`);
    }
    const tpl = await api.call('PUT', '/templates/hello', {
      subject: 'hello for {{account.name}}',
      html: '<p>Hi {{contact.name}}</p>',
      text: 'Hi {{contact.name}}',
    });
    if (tpl.status >= 300) throw new Error(`PUT /templates/hello: ${tpl.text}`);
    const seq = await api.call('PUT', '/sequences/window-burst', {
      name: 'One mail at the window opening',
      sendWindow: {
        days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
        start: opening.start,
        end: '23:59',
      },
      frequencyCap: { perContact: 20, window: 'P7D', onCapped: 'skip' },
      steps: [{ id: 'hello', channel: 'email', after: 'P0D', to: [...ROLES], template: 'hello' }],
    });
    if (seq.status >= 300) throw new Error(`PUT /sequences/window-burst: ${seq.text}`);
    const launch = await api.call('POST', '/campaigns', {
      campaignId: CAMPAIGN,
      name: 'SES throttle',
      sequenceId: 'window-burst',
      audience: { accountIds: ACCOUNTS },
    });
    if (launch.status >= 300) throw new Error(`launch: ${launch.text}`);
    await until(
      'the launch to finish',
      async () => {
        const res = await api.call('GET', `/campaigns/${CAMPAIGN}`);
        return res.json?.status !== 'launching' ? res.json : undefined;
      },
      LAUNCH_REAL_S * 1000,
      250,
    );
    const launchedBeforeWindow = rt.clock.now() < opening.at;
    process.stderr.write(
      `bench ses-throttle: launched; the window opens at ${opening.start} ${opening.zone} in ${Math.round(
        rt.clock.realMsUntil(opening.at) / 1000,
      )} s\n`,
    );
    await new Promise((r) => setTimeout(r, rt.clock.realMsUntil(opening.at)));
    const openedAt = Date.now();
    await untilCampaign(api, CAMPAIGN, 'completed', FINISH_MS);
    const seconds = (Date.now() - openedAt) / 1000;

    const mails = await rt.ses.emails();
    const recipients = new Set(mails.map((m) => m.destination.to[0]));
    const store = storeOf(rt.platform);
    const touches: Touch[] = [];
    for (const id of ACCOUNTS)
      touches.push(...(await store.touches.ofExecution(id, executionNameFor(CAMPAIGN, id))));
    const count = (status: Touch['status']) => touches.filter((t) => t.status === status).length;
    const sentOnLedger = new Set(touches.filter((t) => t.status === 'sent').map((t) => t.contactId)).size;
    const stats = rt.ses.sendStats();
    const simSeconds = (rt.clock.now().getTime() - opening.at.getTime()) / 1000;
    return {
      sent: Math.min(recipients.size, sentOnLedger),
      mails: mails.length,
      duplicates: mails.length - recipients.size,
      skipped: count('skipped'),
      failed: count('failed'),
      deferred: count('deferred'),
      uncertain: count('uncertain'),
      throttledRetries: stats.throttled,
      reservations: (await store.sendRate.line())?.reservations ?? 0,
      sendRate: Math.round((stats.accepted / simSeconds) * 100) / 100,
      peakPerSecond: stats.peakPerSecond,
      seconds: Math.round(seconds * 10) / 10,
      launchedBeforeWindow,
    };
  } finally {
    await local.stop();
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export async function run(): Promise<Record<string, unknown>> {
  const scale = Number(process.env.BENCH_TIME_SCALE ?? 2);
  const pace = process.env.BENCH_PACE !== '0';
  const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? 1));
  const results: RunResult[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await runOnce(scale, pace);
    process.stderr.write(`bench ses-throttle: run ${i + 1}/${runs} ${JSON.stringify(r)}\n`);
    results.push(r);
  }
  const worst = (k: 'skipped' | 'failed' | 'uncertain' | 'duplicates' | 'deferred') =>
    Math.max(...results.map((r) => r[k]));
  const figure = (k: keyof RunResult) => {
    const xs = results.map((r) => Number(r[k]));
    return runs === 1 ? xs[0] : median(xs);
  };
  const range = (k: keyof RunResult) => {
    const xs = results.map((r) => Number(r[k]));
    return [Math.min(...xs), Math.max(...xs)];
  };
  const sent = Math.min(...results.map((r) => r.sent));
  const withinTarget =
    results.every((r) => r.launchedBeforeWindow && r.mails === EXPECTED) &&
    sent === EXPECTED &&
    worst('skipped') === 0 &&
    worst('failed') === 0 &&
    worst('uncertain') === 0 &&
    worst('duplicates') === 0;
  return {
    expected: EXPECTED,
    sent,
    skipped: worst('skipped'),
    failed: worst('failed'),
    throttledRetries: figure('throttledRetries'),
    seconds: figure('seconds'),
    uncertain: worst('uncertain'),
    duplicates: worst('duplicates'),
    deferredLeft: worst('deferred'),
    reservations: figure('reservations'),
    sendRate: figure('sendRate'),
    peakPerSecond: figure('peakPerSecond'),
    maxSendRate: RATE,
    paced: pace,
    timeScale: scale,
    runs,
    ...(runs > 1
      ? {
          secondsRange: range('seconds'),
          throttledRetriesRange: range('throttledRetries'),
          sendRateRange: range('sendRate'),
        }
      : {}),
    withinTarget,
  };
}
