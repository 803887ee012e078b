/* eslint-disable @typescript-eslint/no-explicit-any -- JSON response bodies are read loosely in tests */
/**
 * Killing local mode mid-campaign loses no enrollment and sends no touch twice.
 *
 * The real entry (`node --import tsx bin/local.ts`) runs as a child process on a temporary data
 * folder. The mail server is this test's own aws-ses-v2-local (ABM_SES_ENDPOINT), so the mail
 * store survives the kill and every send of both processes is counted. A 6-step email sequence
 * (one step every simulated 2 days, one simulated day per real second) is launched over four
 * accounts; once some but not all mail is out, the child gets SIGKILL (no graceful anything),
 * and a new child starts on the same data folder. Then: `abm campaigns status` exits by itself
 * when the campaign is completed, every enrollment exists and completed, no (recipient, step) was
 * mailed twice, none is lost (each is delivered or `uncertain` on the ledger), every `sent` touch
 * is a mail, no touch is left unresolved, and the campaign counters equal the ledger.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../lib/cli/errors';
import { startSesLocal, type LocalSes } from '../../lib/local/ses';
import { abm, testIo } from '../support/cli';
import { apiClient, committee, freePort, mails, putEmailDrip, until } from '../support/local';

const ROOT = path.join(__dirname, '..', '..');
const TOKEN = 'e2e-restart-token-0123456789';
const ACCOUNTS = ['r-a', 'r-b', 'r-c', 'r-d'];
const STEPS = ['s1', 's2', 's3', 's4', 's5', 's6'];
// Each account: economic buyer + champion get every step (the technical evaluator has no consent).
const PER_ACCOUNT = 2 * STEPS.length;
const TOTAL = ACCOUNTS.length * PER_ACCOUNT;

let ses: LocalSes;
let dataDir: string;
let port: number;
let child: ChildProcess | undefined;
let output = '';

function startChild(): ChildProcess {
  const c = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bin', 'local.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      ABM_DATA_DIR: dataDir,
      ABM_PORT: String(port),
      ABM_SES_ENDPOINT: ses.endpoint,
      ABM_API_TOKEN: TOKEN,
      ABM_TIME_SCALE: '86400',
      ABM_REQUEST_LOG: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  c.stdout!.on('data', (d) => (output += String(d)));
  c.stderr!.on('data', (d) => (output += String(d)));
  return c;
}

async function killHard(c: ChildProcess): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return;
  const exited = new Promise((resolve) => c.once('exit', resolve));
  c.kill('SIGKILL');
  await exited;
}

beforeAll(async () => {
  ses = await startSesLocal();
  dataDir = mkdtempSync(path.join(tmpdir(), 'abm-local-restart-'));
  port = await freePort();
});

afterAll(async () => {
  if (child) await killHard(child);
  await ses?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('local mode restart', () => {
  it('loses no enrollment and sends no touch twice across a SIGKILL', async () => {
    const api = apiClient(`http://127.0.0.1:${port}`, TOKEN);
    child = startChild();
    await until('the first start', async () => (await api.call('GET', '/health')).status === 200, 20_000);

    const accounts = ACCOUNTS.map((id) => {
      const a = committee(id, 1);
      a.contacts[2] = { ...a.contacts[2], consent: { email: false, ads: false, directMail: false } };
      return a;
    });
    expect((await api.call('POST', '/accounts/import', { accounts })).json).toMatchObject({ imported: 4 });
    await putEmailDrip(api, 'drip', STEPS, {
      every: 'P2D',
      to: ['economic_buyer', 'champion', 'technical_evaluator'],
    });
    const launch = await api.call('POST', '/campaigns', {
      campaignId: 'drip-1',
      name: 'Drip',
      sequenceId: 'drip',
      audience: { accountIds: ACCOUNTS },
    });
    expect(launch.json).toMatchObject({ enrolled: 4 });

    // Mid-campaign: some mail out, far from all of it.
    await until(
      'a third of the mail',
      async () => (await mails(ses.endpoint)).length >= TOTAL / 3,
      30_000,
      50,
    );
    await killHard(child);
    const beforeKill = (await mails(ses.endpoint)).length;
    expect(beforeKill).toBeLessThan(TOTAL);

    // Start again on the same data folder.
    output = '';
    child = startChild();
    await until('the restart', async () => (await api.call('GET', '/health')).status === 200, 20_000);
    expect(output).toMatch(/Resumed \d+ execution\(s\)/);

    // `abm campaigns status` refreshes until the campaign is completed, then exits by itself.
    const interrupt = new AbortController();
    const guard = setTimeout(() => interrupt.abort(), 60_000);
    const io = {
      ...testIo({ env: { ABM_API_TOKEN: TOKEN }, interrupt: interrupt.signal }),
      sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
    };
    const status = await abm({ url: `http://127.0.0.1:${port}` }, ['campaigns', 'status', 'drip-1'], io);
    clearTimeout(guard);
    expect(interrupt.signal.aborted).toBe(false);
    expect(status.code).toBe(ExitCode.Ok);
    expect(status.stdout).toMatch(/status:\s+completed/);

    const finals = await until(
      'every enrollment completed',
      async () => {
        const views = await Promise.all(
          ACCOUNTS.map(async (id) => (await api.call('GET', `/accounts/${id}`)).json),
        );
        const done = views.every((v) =>
          v?.enrollments?.some((e: any) => e.campaignId === 'drip-1' && e.status === 'completed'),
        );
        return done ? views : undefined;
      },
      60_000,
      250,
    );

    // No enrollment lost: one per account, completed.
    for (const v of finals) {
      expect(v.enrollments.filter((e: any) => e.campaignId === 'drip-1')).toHaveLength(1);
    }
    // No (recipient, step) mailed twice, across both processes.
    const all = await mails(ses.endpoint);
    const keys = all.map((m) => `${m.destination.to[0]}|${m.subject.split(' ')[0]}`);
    const dupes = keys.filter((k, i) => keys.indexOf(k) !== i);
    expect(dupes).toEqual([]);
    // The touches cover every step and recipient, none unresolved. Each `sent` touch is a mail;
    // a touch the kill caught between its hand-over and its answer is `uncertain` (its mail may or
    // may not have gone out, and it is never sent again); nothing is lost: each (recipient, step)
    // is delivered or uncertain.
    const touches = finals.flatMap((v) =>
      v.touches
        .filter((t: any) => t.channel === 'email' && t.status !== 'skipped')
        .map((t: any) => ({ ...t, email: v.contacts.find((c: any) => c.contactId === t.contactId)?.email })),
    );
    const sent = touches.filter((t: any) => t.status === 'sent');
    const uncertain = touches.filter((t: any) => t.status === 'uncertain');
    expect(touches).toHaveLength(TOTAL);
    expect(sent.length + uncertain.length).toBe(TOTAL);
    expect(all.length).toBeGreaterThanOrEqual(sent.length);
    expect(all.length).toBeLessThanOrEqual(sent.length + uncertain.length);
    const mailed = new Set(keys);
    const lost = touches.filter(
      (t: any) => t.status !== 'uncertain' && !mailed.has(`${t.email}|${t.stepId}`),
    );
    expect(lost).toEqual([]);
    // The campaign counters equal the ledger, step by step.
    const view = (await api.call('GET', '/campaigns/drip-1')).json;
    expect(view.status).toBe('completed');
    for (const step of STEPS) {
      const of = (status: string) =>
        touches.filter((t: any) => t.stepId === step && t.status === status).length;
      expect(view.steps.find((s: any) => s.stepId === step)).toMatchObject({
        sent: of('sent'),
        uncertain: of('uncertain'),
        failed: 0,
        inFlight: 0,
      });
    }
  }, 150_000);
});
