/* eslint-disable @typescript-eslint/no-explicit-any -- JSON response bodies are read loosely in tests */
/**
 * Helpers for the local-mode end-to-end tests: an HTTP client as a user would use (the API bench
 * seeds through it too), bounded polls.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startLocal, type LocalRuntime, type StartLocalOptions } from '../../lib/local/runtime';
import { readSettings, type LocalSettings } from '../../lib/local/settings';
import { committeeMember, fitProfile } from './accounts';

export interface ApiClient {
  call(
    method: string,
    path: string,
    body?: unknown,
    options?: { contentType?: string; token?: string | null; headers?: Record<string, string> },
  ): Promise<{ status: number; json: any; text: string; headers: Headers }>;
}

export function apiClient(url: string, token: string): ApiClient {
  return {
    async call(method, path, body, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      const t = options.token === undefined ? token : options.token;
      if (t) headers.authorization = `Bearer ${t}`;
      let payload: string | undefined;
      if (body !== undefined) {
        payload = typeof body === 'string' ? body : JSON.stringify(body);
        headers['content-type'] = options.contentType ?? 'application/json';
      }
      const res = await fetch(`${url}${path}`, { method, headers, body: payload });
      const text = await res.text();
      let json: any;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      return { status: res.status, json, text, headers: res.headers };
    },
  };
}

/** Polls `probe` until it returns a truthy value; throws with `what` after `timeoutMs`. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | false | null>,
  timeoutMs = 20_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`,
      );
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Polls GET /campaigns/{id} until the campaign is `status`; returns its view. */
export function untilCampaign(
  api: ApiClient,
  campaignId: string,
  status: string,
  timeoutMs: number,
): Promise<any> {
  return until(
    `campaign ${campaignId} to be ${status}`,
    async () => {
      const res = await api.call('GET', `/campaigns/${campaignId}`);
      return res.json?.status === status ? res.json : undefined;
    },
    timeoutMs,
    250,
  );
}

/**
 * Local mode in process on free ports over a fresh data folder (named with `prefix`), quiet, with
 * an API client holding its token; `stop()` stops it and removes the folder. `clock` is a time
 * scale (scaled mode) or `'simulate'` (time moves only through POST /_local/clock/advance).
 */
export async function startLocalForTest(
  prefix: string,
  token: string,
  clock: number | 'simulate',
  extra: {
    env?: Record<string, string>;
    options?: StartLocalOptions;
    /** The deployment configuration local mode reads (`ABM_CONFIG`), written into the data folder. */
    config?: Record<string, unknown>;
  } = {},
): Promise<{ rt: LocalRuntime; api: ApiClient; settings: LocalSettings; stop(): Promise<void> }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), prefix));
  const remove = () => rmSync(dataDir, { recursive: true, force: true });
  let settings: LocalSettings;
  let rt: LocalRuntime;
  try {
    const configFile = path.join(dataDir, 'config.json');
    if (extra.config) writeFileSync(configFile, JSON.stringify(extra.config));
    settings = readSettings(
      {
        ABM_PORT: '0',
        ABM_SES_PORT: '0',
        ABM_DATA_DIR: dataDir,
        ABM_API_TOKEN: token,
        ...(clock === 'simulate' ? { ABM_CLOCK: 'simulate' } : { ABM_TIME_SCALE: String(clock) }),
        ...(extra.config ? { ABM_CONFIG: configFile } : {}),
        ...extra.env,
      },
      dataDir,
    );
    rt = await startLocal(settings, { quiet: true, ...extra.options });
  } catch (err) {
    remove();
    throw err;
  }
  return {
    rt,
    api: apiClient(rt.url, token),
    settings,
    stop: async () => {
      await rt.stop();
      remove();
    },
  };
}

/** Skips the local clock ahead (`by` a duration or `to` a time) and returns the new now. */
export async function advance(api: ApiClient, target: { by: string } | { to: string }): Promise<string> {
  const res = await api.call('POST', '/_local/clock/advance', target);
  if (res.status !== 200) throw new Error(`advance ${JSON.stringify(target)}: ${res.status} ${res.text}`);
  return res.json.now as string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface StoredMail {
  messageId: string;
  destination: { to: string[] };
  subject: string;
  body: { html?: string; text?: string };
  headers?: { name: string; value: string }[];
}

export async function mails(sesUrl: string): Promise<StoredMail[]> {
  const res = await fetch(`${sesUrl}/store`);
  if (!res.ok) throw new Error(`GET /store ${res.status}`);
  return ((await res.json()) as { emails: StoredMail[] }).emails;
}

/** A committee of three (economic buyer, champion, technical evaluator) with email consent. */
export function committee(accountId: string, tier: number, extra: Record<string, unknown> = {}) {
  const consent = { email: true, ads: true, directMail: true };
  return {
    ...fitProfile(accountId, `Account ${accountId}`),
    tier,
    ownerSdr: 'sdr-ana',
    contacts: [
      { ...committeeMember(accountId, 'economic_buyer'), timeZone: 'America/New_York', consent },
      { ...committeeMember(accountId, 'champion'), timeZone: 'America/New_York', consent },
      { ...committeeMember(accountId, 'technical_evaluator'), timeZone: 'Europe/Berlin', consent },
    ],
    ...extra,
  };
}

/** Every day, all day: sends are not held for business hours (tests run at any hour). */
export const ALWAYS = {
  days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
  start: '00:00',
  end: '23:59',
};

/**
 * Puts one email template per step (subject `<step> for <account>`, so a mail's first word names
 * its step) and a sequence `sequenceId` of one email step per template, `every` apart, to `to`,
 * sent at any hour, capped high enough never to skip.
 */
export async function putEmailDrip(
  api: ApiClient,
  sequenceId: string,
  steps: readonly string[],
  options: { every: string; to: readonly string[] },
): Promise<void> {
  for (const step of steps) {
    const put = await api.call('PUT', `/templates/${step}`, {
      subject: `${step} for {{account.name}}`,
      html: '<p>Hi {{contact.name}}</p>',
      text: 'Hi {{contact.name}}',
    });
    if (put.status >= 300) throw new Error(`PUT /templates/${step}: ${put.status} ${put.text}`);
  }
  const seq = await api.call('PUT', `/sequences/${sequenceId}`, {
    name: `${steps.length} emails`,
    sendWindow: ALWAYS,
    frequencyCap: { perContact: 20, window: 'P7D', onCapped: 'skip' },
    steps: steps.map((id, i) => ({
      id,
      channel: 'email',
      after: i === 0 ? 'P0D' : options.every,
      to: [...options.to],
      template: id,
    })),
  });
  if (seq.status >= 300) throw new Error(`PUT /sequences/${sequenceId}: ${seq.status} ${seq.text}`);
}
