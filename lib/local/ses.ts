/**
 * aws-ses-v2-local in process on a random loopback port (its package exports a server factory that
 * takes `{ host, port }`). The store is per process: one server per test file.
 *
 *   const ses = await startSesLocal();
 *   const client = ses.client;            // SESv2Client pointed at it
 *   const mails = await ses.emails();     // GET /store (subject, body, destination, headers)
 *   await ses.clear();                    // POST /clear-store
 *   await ses.stop();
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import sesServer from 'aws-ses-v2-local';

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
  stop(): Promise<void>;
}

export async function startSesLocal(options: { port?: number; host?: string } = {}): Promise<LocalSes> {
  const server = (await sesServer({
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
  })) as unknown as Server;
  const { port } = server.address() as AddressInfo;
  return connectSes(`http://127.0.0.1:${port}`, async () => {
    server.closeAllConnections?.();
    await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
  });
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
    async stop() {
      if (stopped) return;
      stopped = true;
      client.destroy();
      await stopServer?.();
    },
  };
}
