/**
 * aws-ses-v2-local in process on a random loopback port (its package exports a server factory that
 * takes `{ host, port }`). Its mail store is the package's module state, shared by every server in
 * the process: one server runs at a time (a second start is refused while one runs), and each starts
 * with the store emptied (as a fresh process would).
 *
 *   const ses = await startSesLocal();
 *   const client = ses.client;            // SESv2Client pointed at it
 *   const mails = await ses.emails();     // GET /store (subject, body, destination, headers)
 *   await ses.clear();                    // POST /clear-store
 *   await ses.stop();
 *
 * With `maxSendRate` (local mode's ABM_SES_MAX_SEND_RATE), SendEmail is limited as SES limits an
 * account: at most that many sends per second of `clock` (local mode's scaled clock), a burst of
 * up to one second's worth; past it the call is answered `ThrottlingException` "Maximum sending
 * rate exceeded" and the mail is dropped, as SES does
 * (https://docs.aws.amazon.com/ses/latest/dg/manage-sending-quotas-errors.html; the rate is per
 * second, 1 in the sandbox: https://docs.aws.amazon.com/ses/latest/dg/quotas.html). The error is
 * the common AWS one (HTTP 400, `x-amzn-ErrorType`), so the SDK parses it as it would SES's.
 */
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import sesServer from 'aws-ses-v2-local';
import type { Clock } from '../../functions/kernel/clock';

export interface StoredEmail {
  messageId: string;
  from: string;
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { html?: string; text?: string };
  headers?: { name: string; value: string }[];
  at: number;
}

export interface LocalSes {
  endpoint: string;
  client: SESv2Client;
  emails(): Promise<StoredEmail[]>;
  clear(): Promise<void>;
  /** What the sending rate let through so far (all zeros without a sending rate). */
  sendStats(): SendStats;
  stop(): Promise<void>;
}

export interface SesLocalOptions {
  port?: number;
  host?: string;
  /** Sends per second of `clock` SendEmail accepts; unlimited when absent. */
  maxSendRate?: number;
  /** The clock the rate is counted on (default: the system clock). */
  clock?: Clock;
}

export interface SendStats {
  /** SendEmail calls let through. */
  accepted: number;
  /** SendEmail calls answered ThrottlingException. */
  throttled: number;
  /** The most calls let through within any one second of the clock. */
  peakPerSecond: number;
}

/**
 * SES's sending rate as a token bucket: `rate` tokens per second of the clock, holding at most one
 * second's worth (at least one token); each SendEmail takes one or is throttled.
 */
export class SendRateLimit {
  private tokens: number;
  private last: number;
  private readonly capacity: number;
  /** Accept times within the last second of the clock. */
  private readonly recent: number[] = [];
  throttled = 0;
  accepted = 0;
  peakPerSecond = 0;

  constructor(
    readonly rate: number,
    private readonly now: () => number,
  ) {
    this.capacity = Math.max(1, rate);
    this.tokens = this.capacity;
    this.last = now();
  }

  take(): boolean {
    const t = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + (Math.max(0, t - this.last) / 1000) * this.rate);
    this.last = Math.max(this.last, t);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      this.accepted++;
      this.recent.push(t);
      while (this.recent.length > 0 && t - this.recent[0] >= 1000) this.recent.shift();
      this.peakPerSecond = Math.max(this.peakPerSecond, this.recent.length);
      return true;
    }
    this.throttled++;
    return false;
  }
}

const SEND_EMAIL_PATH = '/v2/email/outbound-emails';

/** The server's request handler with SendEmail behind the limit (other routes untouched). */
function limitSends(server: Server, limit: SendRateLimit): void {
  const inner = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'POST' && path === SEND_EMAIL_PATH && !limit.take()) {
      req.resume();
      res.writeHead(400, {
        'content-type': 'application/json',
        'x-amzn-errortype': 'ThrottlingException',
        'x-amzn-requestid': `throttled-${limit.throttled}`,
      });
      res.end(JSON.stringify({ message: 'Maximum sending rate exceeded.' }));
      return;
    }
    for (const listener of inner) listener(req, res);
  });
}

/** The aws-ses-v2-local this process runs, if any (its store is module state: one at a time). */
let running: string | undefined;

export async function startSesLocal(options: SesLocalOptions = {}): Promise<LocalSes> {
  if (running)
    throw new Error(
      `an aws-ses-v2-local already runs in this process (${running}); its mail store is shared, so stop it first`,
    );
  running = 'starting';
  let server: Server;
  try {
    server = (await sesServer({
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 0,
    })) as unknown as Server;
  } catch (err) {
    running = undefined;
    throw err;
  }
  const clock = options.clock;
  const limit =
    options.maxSendRate === undefined
      ? undefined
      : new SendRateLimit(options.maxSendRate, () => (clock ? clock.now().getTime() : Date.now()));
  if (limit) limitSends(server, limit);
  const { port } = server.address() as AddressInfo;
  running = `http://127.0.0.1:${port}`;
  const ses = connectSes(running, async () => {
    server.closeAllConnections?.();
    try {
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    } finally {
      running = undefined;
    }
  });
  // What an earlier server of this process kept is not this one's mail.
  try {
    await ses.clear();
  } catch (err) {
    await ses.stop(); // closes the server and lets the next start run
    throw err;
  }
  return {
    ...ses,
    sendStats: () => ({
      accepted: limit?.accepted ?? 0,
      throttled: limit?.throttled ?? 0,
      peakPerSecond: limit?.peakPerSecond ?? 0,
    }),
  };
}

/**
 * An aws-ses-v2-local at `endpoint`: the SES client and its mail store. `stop` closes the client,
 * then the server when this process started it (`stopServer`).
 */
export function connectSes(endpoint: string, stopServer?: () => Promise<void>): LocalSes {
  const base = endpoint.replace(/\/+$/, '');
  const client = new SESv2Client({
    endpoint: base,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  let stopped = false;
  return {
    endpoint: base,
    client,
    async emails() {
      const res = await fetch(`${base}/store`);
      if (!res.ok) throw new Error(`GET /store: ${res.status}`);
      return ((await res.json()) as { emails: StoredEmail[] }).emails;
    },
    async clear() {
      const res = await fetch(`${base}/clear-store`, { method: 'POST' });
      if (!res.ok) throw new Error(`POST /clear-store: ${res.status}`);
    },
    sendStats: () => ({ accepted: 0, throttled: 0, peakPerSecond: 0 }),
    async stop() {
      if (stopped) return;
      stopped = true;
      client.destroy();
      await stopServer?.();
    },
  };
}
