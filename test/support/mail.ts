/**
 * Shared parts of the print-and-mail contract tests, the local e2e and the mail bench: the
 * configured pieces, an adapter wired to its local double with no real waiting, orders, and
 * `driveMailPieces`, which sends orders the way the engine does (an order the provider did not
 * answer is sent again later with `resend`, same order id) and judges the result by the final state
 * the double holds: one piece per order, none twice, none missing.
 * (No vitest import: bench/ uses it too.)
 */
import type { PrintAndMailSettings } from '../../functions/kernel/direct-mail-providers';
import type { DirectMailOrder } from '../../functions/platform/providers';
import type { RequestMetric } from '../../functions/platform/providers/http';
import {
  createMailAdapter,
  DirectMailError,
  type MailAdapter,
  type MailAdapterDeps,
} from '../../functions/platform/providers/mail';
import { startMailDoubles, type MailDoubles, type MailProviderName } from '../../lib/local/doubles/mail';

export const MAIL_WEBHOOK_SECRET = 'whsec_local_mail_test';

/** `providers.directMail` as a deployment writes it, for each provider (pieces of both types). */
export function mailSettings(provider: MailProviderName, baseUrl?: string): PrintAndMailSettings {
  return {
    provider,
    secretName: `abm/${provider}`,
    webhookSecretName: `abm/${provider}-webhook`,
    ...(baseUrl ? { baseUrl } : {}),
    from: provider === 'lob' ? 'adr_210a8d4b0b76d77b' : 'contact_pxd7wnnD6ALWZ9Nqnxb6YQ',
    useType: 'marketing',
    pieces: {
      'roi-booklet': {
        type: 'letter',
        template: provider === 'lob' ? 'tmpl_c94e83ca2cd5121' : 'template_roi_booklet',
        color: true,
        doubleSided: true,
        priceCents: 180,
      },
      'thank-you': {
        type: 'postcard',
        template: provider === 'lob' ? 'tmpl_front01' : 'template_front',
        back: provider === 'lob' ? 'tmpl_back01' : 'template_back',
        size: '4x6',
        priceCents: 90,
      },
    },
  } as PrintAndMailSettings;
}

/**
 * The per-attempt timeout of tests that inject a hang (the only real wait in them). Long enough that
 * a request that is merely slow (a loaded two-core machine) is not taken for a hang: a create that
 * times out before the double has even read it lands after every lookup, the window the adapters
 * document they cannot close (functions/platform/providers/mail/postgrid.ts), and such a run
 * counted a duplicate at 200 ms under the whole suite's load.
 */
export const MAIL_HANG_TIMEOUT_MS = 1000;

export interface WiredMail {
  adapter: MailAdapter;
  sleeps: number[];
  metrics: RequestMetric[];
}

export function wireMail(
  doubles: MailDoubles,
  provider: MailProviderName,
  deps: MailAdapterDeps = {},
): WiredMail {
  const sleeps: number[] = [];
  const metrics: RequestMetric[] = [];
  const adapter = createMailAdapter(
    mailSettings(provider, doubles.baseUrlFor(provider)),
    doubles.secrets[provider],
    {
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      random: () => 0.5,
      onRequest: (m) => metrics.push(m),
      ...deps,
      policy: { timeoutMs: 10_000, ...deps.policy },
    },
  );
  return { adapter, sleeps, metrics };
}

export function mailOrder(i: number, overrides: Partial<DirectMailOrder> = {}): DirectMailOrder {
  const account = `acct-${String(Math.floor(i / 3)).padStart(5, '0')}`;
  return {
    orderId: `q1--${account}#gift#${account}-c${i % 3}`,
    accountId: account,
    campaignId: 'q1',
    stepId: 'gift',
    contactId: `${account}-c${i % 3}`,
    recipientName: `Person ${i}`,
    address: {
      line1: `${100 + i} Main St`,
      city: 'Springfield',
      region: 'IL',
      postalCode: '62701',
      country: 'US',
    },
    piece: 'roi-booklet',
    costCents: 180,
    occurredAt: '2026-11-23T09:00:00.000Z',
    ...overrides,
  };
}

/**
 * One order per touch id, judged by what the double holds: a piece cancelled before printing (an
 * extra the PostGrid adapter cancelled) is not printed, and counted apart (`cancelled`).
 */
export function judge(doubles: MailDoubles, provider: MailProviderName, orders: DirectMailOrder[]) {
  const perTouch = new Map<string, number>();
  const live = doubles.pieces(provider).filter((p) => p.status !== 'cancelled');
  for (const p of live) {
    const t = p.metadata.touchId ?? '';
    perTouch.set(t, (perTouch.get(t) ?? 0) + 1);
  }
  let duplicates = 0;
  let lost = 0;
  for (const o of orders) {
    const n = perTouch.get(o.orderId) ?? 0;
    if (n === 0) lost++;
    if (n > 1) duplicates += n - 1;
  }
  return { pieces: live.length, duplicates, lost, cancelled: doubles.pieces(provider).length - live.length };
}

/**
 * Sends each order until the provider answers with its piece: a retryable `DirectMailError` (the
 * HTTP client gave up) sends it again with `resend`, as the engine does after its deferral; a
 * refusal counts as lost. Returns the rounds each order needed.
 */
export async function sendUntilAnswered(
  adapter: MailAdapter,
  orders: DirectMailOrder[],
  options: { concurrency?: number; maxRounds?: number } = {},
): Promise<{ refs: Map<string, string>; refused: string[]; rounds: number }> {
  const refs = new Map<string, string>();
  const refused: string[] = [];
  let pending = [...orders];
  let rounds = 0;
  for (; pending.length > 0 && rounds < (options.maxRounds ?? 20); rounds++) {
    const again: DirectMailOrder[] = [];
    const queue = [...pending];
    const worker = async () => {
      for (let o = queue.shift(); o; o = queue.shift()) {
        try {
          const { ref } = await adapter.request(rounds > 0 ? { ...o, resend: true } : o);
          refs.set(o.orderId, ref);
        } catch (err) {
          if (err instanceof DirectMailError && err.retryable) again.push(o);
          else refused.push(o.orderId);
        }
      }
    };
    await Promise.all(Array.from({ length: options.concurrency ?? 16 }, worker));
    pending = again;
  }
  return { refs, refused: [...refused, ...pending.map((o) => o.orderId)], rounds };
}

export interface DriveMailOptions {
  count: number;
  provider?: MailProviderName;
  faults?: { rate429?: number; rate500?: number; rateTimeout?: number };
  seed?: number;
  concurrency?: number;
  /**
   * The HTTP client's waits (Retry-After, backoff) really happen, scaled by this (default 0.01: a
   * 1 s Retry-After sleeps 10 ms), so the figures measure requests, not the provider's back-off.
   */
  sleepScale?: number;
}

export interface DriveMailResult {
  provider: MailProviderName;
  orders: number;
  pieces: number;
  duplicates: number;
  lost: number;
  /** Extra pieces the adapter cancelled before printing (PostGrid's late creates). */
  cancelled: number;
  requests: number;
  /** What the HTTP client asked to wait in all (unscaled), in seconds. */
  clientWaitSeconds: number;
  seconds: number;
}

/**
 * The bench driver: `count` orders to a fresh double with the given fault rates, sent as the engine
 * sends them; judged by the final state the double holds. The client's waits are scaled
 * (`sleepScale`); a timeout (`rateTimeout`) waits its real per-attempt timeout.
 */
export async function driveMailPieces(options: DriveMailOptions): Promise<DriveMailResult> {
  const provider = options.provider ?? 'lob';
  const doubles = await startMailDoubles({ providers: [provider], seed: options.seed ?? 7 });
  try {
    doubles.faults.rate(provider, {
      throttle: options.faults?.rate429 ?? 0,
      error: options.faults?.rate500 ?? 0,
      hang: options.faults?.rateTimeout ?? 0,
    });
    const scale = options.sleepScale ?? 0.01;
    let waited = 0;
    const { adapter } = wireMail(doubles, provider, {
      policy: { timeoutMs: MAIL_HANG_TIMEOUT_MS * 5 },
      random: Math.random,
      sleep: (ms) => {
        waited += ms;
        return new Promise((resolve) => setTimeout(resolve, ms * scale));
      },
    });
    const orders = Array.from({ length: options.count }, (_, i) => mailOrder(i));
    const started = performance.now();
    await sendUntilAnswered(adapter, orders, { concurrency: options.concurrency });
    const seconds = (performance.now() - started) / 1000;
    return {
      provider,
      orders: orders.length,
      ...judge(doubles, provider, orders),
      requests: doubles.details(provider).length,
      clientWaitSeconds: Math.round(waited) / 1000,
      seconds: Math.round(seconds * 1000) / 1000,
    };
  } finally {
    await doubles.close();
  }
}
