/* eslint-disable @typescript-eslint/no-explicit-any -- JSON response bodies are read loosely in tests */
/**
 * The mail local mode sends stays visible: kept in the data folder with its campaign, step and time
 * on local mode's clock, the same after a restart, and the viewer pages through thousands.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocal } from '../../lib/local/runtime';
import { SentMailStore } from '../../lib/local/sent-mail';
import { readSettings } from '../../lib/local/settings';
import { advance, apiClient, committee, putEmailDrip } from '../support/local';

const TOKEN = 'mail-e2e-token-0123456789';
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'abm-mail-'));
  dirs.push(d);
  return d;
};

const start = (dataDir: string) =>
  startLocal(
    readSettings({
      ABM_PORT: '0',
      ABM_SES_PORT: '0',
      ABM_DATA_DIR: dataDir,
      ABM_API_TOKEN: TOKEN,
      ABM_CLOCK: 'simulate',
    }),
    { quiet: true },
  );

describe('sent mail', () => {
  it('is kept with campaign, step and clock time, and a restart shows the same view', async () => {
    const dataDir = tempDir();
    let rt = await start(dataDir);
    let api = apiClient(rt.url, TOKEN);
    let before: any;
    try {
      await putEmailDrip(api, 'drip', ['hello', 'again'], {
        every: 'P1D',
        to: ['champion', 'economic_buyer'],
      });
      await api.call('POST', '/accounts/import', { accounts: [committee('acme', 2)] });
      const launch = await api.call('POST', '/campaigns', {
        campaignId: 'mail-1',
        name: 'Mail',
        sequenceId: 'drip',
        audience: { accountIds: ['acme'] },
        holdoutPercent: 0,
      });
      expect(launch.status, launch.text).toBeLessThan(300);
      const start0 = (await api.call('GET', '/_local/clock')).json.now as string;
      await advance(api, { by: 'P2D' });
      before = (await api.call('GET', '/_local/mail?limit=10')).json;
      expect(before.total).toBe(4);
      // Newest first: step "again" one simulated day after "hello".
      expect(before.items.map((m: any) => [m.stepId, m.sentAt])).toEqual([
        ['again', new Date(Date.parse(start0) + 86_400_000).toISOString()],
        ['again', new Date(Date.parse(start0) + 86_400_000).toISOString()],
        ['hello', start0],
        ['hello', start0],
      ]);
      expect(before.items[0]).toMatchObject({ campaignId: 'mail-1', accountId: 'acme' });
      expect(before.items[0].subject).toBe('again for Account acme');
    } finally {
      await rt.stop();
    }

    rt = await start(dataDir);
    api = apiClient(rt.url, TOKEN);
    try {
      expect((await api.call('GET', '/_local/mail?limit=10')).json).toEqual(before);
      const one = await api.call('GET', `/_local/mail/${before.items[0].id}`);
      expect(one.json).toMatchObject({ ...before.items[0], text: expect.stringContaining('Hi ') });
      const viewer = await api.call('GET', `/_local/mail/view?token=${TOKEN}`, undefined, { token: null });
      expect(viewer.status).toBe(200);
      expect(viewer.headers.get('content-type')).toMatch(/text\/html/);
      expect(viewer.text).toContain('again for Account acme');
      expect(viewer.text).toContain('4 message(s), page 1 of 1');
      expect((await api.call('GET', '/_local/mail/view', undefined, { token: null })).status).toBe(401);
      expect((await api.call('GET', '/_local/mail', undefined, { token: null })).status).toBe(401);
    } finally {
      await rt.stop();
    }
  }, 60_000);

  it('pages through thousands of messages, and reads them back from the file', () => {
    const file = path.join(tempDir(), 'sent-mail.jsonl');
    const store = new SentMailStore(file);
    for (let i = 1; i <= 3000; i++)
      store.add({
        messageId: `m${i}`,
        sentAt: new Date(Date.UTC(2026, 2, 2) + i * 60_000).toISOString(),
        from: 'a@abm.local',
        to: `p${i % 7}@example.com`,
        subject: `mail ${i}`,
        campaignId: i % 2 ? 'odd' : 'even',
        stepId: 'intro',
        html: `<p>${i}</p>`,
        text: `${i}`,
        headers: [],
      });
    const reopened = new SentMailStore(file);
    expect(reopened.count).toBe(3000);
    const first = reopened.page({ page: 1, limit: 50 });
    expect(first).toMatchObject({ total: 3000, pages: 60 });
    expect(first.items.map((m) => m.subject).slice(0, 2)).toEqual(['mail 3000', 'mail 2999']);
    const last = reopened.page({ page: 60, limit: 50 });
    expect(last.items.at(-1)!.subject).toBe('mail 1');
    expect(reopened.page({ page: 1, limit: 10, campaignId: 'odd' }).total).toBe(1500);
    expect(reopened.get(1234)).toMatchObject({ subject: 'mail 1234', html: '<p>1234</p>' });
  });
});
