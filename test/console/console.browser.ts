/**
 * The web console in a real browser (Chromium through playwright-core) against a real local mode
 * (simulated clock): a marketing-ops flow and an SDR flow, every page checked by axe-core (no
 * serious or critical violation) and screenshotted under test-results/console/, no console error
 * anywhere; the first page's JavaScript (gzipped) and the time until it is usable are measured.
 *
 *   npm run test:browser        (.ci/run runs it after installing chromium)
 */
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  axeViolations,
  buildConsoleIfStale,
  launchBrowser,
  openPage,
  screenshot,
  type WatchedPage,
} from '../support/browser';
import { advance, startLocalForTest, until, type ApiClient } from '../support/local';

const TOKEN = 'console-browser-token-0123456789';
const FIRST_PAGE_JS_GZIP_MAX = 300 * 1024;

const HEADER =
  'accountId,name,domain,industry,employees,annualRevenueUsd,region,tier,cluster,ownerSdr,contactId,contactName,email,title,role,timeZone,phone,consentEmail,consentAds';

/** 3 tier-1 and 12 tier-2 accounts, each with a champion, an economic buyer and an evaluator. */
function accountsCsv(): string {
  const rows = [HEADER];
  const people = [
    ['champion', 'Ivy', 'Head of Logistics', 'America/New_York'],
    ['economic_buyer', 'Omar', 'CFO', 'America/Chicago'],
    ['technical_evaluator', 'Lena', 'Data Architect', 'Europe/Berlin'],
  ];
  for (let i = 1; i <= 15; i++) {
    const tier = i <= 3 ? 1 : 2;
    const id = `acme-${String(i).padStart(2, '0')}`;
    const name = `Acme ${i} Logistics`;
    people.forEach(([role, first, title, tz], k) => {
      rows.push(
        [
          id,
          name,
          `acme${i}.example`,
          'logistics',
          String(2000 + i * 100),
          String(50_000_000 * i),
          'NA',
          String(tier),
          tier === 2 ? 'cold-chain' : '',
          'sdr-ana',
          `${id}-c${k + 1}`,
          `${first} Example${i}`,
          `${first.toLowerCase()}.${i}@acme${i}.example`,
          title,
          role,
          tz,
          `+1555${String(i).padStart(3, '0')}${String(k).padStart(4, '0')}`,
          'true',
          'true',
        ].join(','),
      );
    });
  }
  return `${rows.join('\n')}\n`;
}

const SEQUENCE_WITH_ERROR = `id: ops-seq
name: Ops two-touch sequence
sendWindow:
  days: [mon, tue, wed, thu, fri, sat, sun]
  start: "00:00"
  end: "23:59"
steps:
  - id: intro
    channel: email
    after: P0D
    to: [champion, economic_buyer]
    template: ops-intro-missing
  - id: follow-up
    channel: email
    after: P2D
    to: all
    template: ops-intro
  - id: last-call
    channel: email
    after: P7D
    to: [economic_buyer]
    template: ops-intro
`;

let local: Awaited<ReturnType<typeof startLocalForTest>>;
let api: ApiClient;
let browser: Browser;
let base: string;
/** Every page visited: axe's findings and console errors, asserted per flow. */
const findings: { page: string; violations: string[] }[] = [];

async function check(page: Page, name: string): Promise<void> {
  await screenshot(page, name);
  findings.push({ page: name, violations: await axeViolations(page) });
}

async function signIn(w: WatchedPage): Promise<void> {
  await w.page.goto(`${base}/console/`);
  await w.page.getByLabel('Token').fill(TOKEN);
  await check(w.page, '00-sign-in');
  await w.page.getByRole('button', { name: 'Sign in' }).click();
  await w.page.getByRole('navigation', { name: 'Main' }).waitFor();
}

const nav = (page: Page, name: string) =>
  page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();

beforeAll(async () => {
  buildConsoleIfStale();
  local = await startLocalForTest('abm-console-', TOKEN, 'simulate');
  api = local.api;
  base = local.rt.url;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await local?.stop();
});

describe('the web console', () => {
  it('local mode serves it without a token, with SPA fallback, content types and no path traversal', async () => {
    const index = await fetch(`${base}/console/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await index.text();
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const js = await fetch(`${base}${script}`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toContain('immutable');
    const route = await fetch(`${base}/console/accounts/acme-01`);
    expect(route.status).toBe(200);
    expect(await route.text()).toBe(html);
    expect((await fetch(`${base}/console/assets/nope.js`)).status).toBe(404);
    for (const probe of [
      '/console/..%2f..%2fpackage.json',
      '/console/%2e%2e/%2e%2e/package.json',
      '/console/assets/..%5c..%5cpackage.json',
    ])
      expect(await (await fetch(`${base}${probe}`)).text()).not.toContain('"abm-orchestrator"');
    expect((await fetch(`${base}/console`, { redirect: 'manual' })).headers.get('location')).toBe(
      '/console/',
    );
    // The API behind it still wants the token.
    expect((await fetch(`${base}/accounts`)).status).toBe(401);
  });

  it('marketing ops: import, preview a template, save a sequence with an error then fixed, dry-run, launch, watch, pause, resume, read the report', async () => {
    const w = await openPage(browser);
    const { page } = w;
    await signIn(w);

    // Import the accounts from a CSV file.
    await nav(page, 'Accounts');
    await page.getByText('Import accounts').click();
    await page.getByLabel('CSV or JSON file').setInputFiles({
      name: 'accounts.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(accountsCsv()),
    });
    await page.getByRole('button', { name: 'Import' }).click();
    await page.getByText('15 account(s) imported').waitFor();
    await page.getByRole('link', { name: 'Acme 12 Logistics' }).waitFor();
    // The keyboard reaches the skip link and every main navigation link, in order, from the top.
    await page.reload();
    await page.getByRole('link', { name: 'Acme 12 Logistics' }).waitFor();
    const reached: string[] = [];
    for (let i = 0; i < 10 && !reached.includes('Reports'); i++) {
      await page.keyboard.press('Tab');
      reached.push(
        ((await page.evaluate('document.activeElement?.textContent')) as string | null)?.trim() ?? '',
      );
    }
    expect(reached.slice(0, 7)).toEqual([
      'Skip to content',
      'Accounts',
      'Campaigns',
      'Sequences',
      'Templates',
      'Tasks',
      'Reports',
    ]);
    // Filters reach the server when it has them (GET /accounts q, tier, sort...).
    if (
      (await api.call('GET', '/openapi.json')).json?.paths?.['/accounts']?.get?.parameters?.some(
        (p: { name: string }) => p.name === 'q',
      )
    ) {
      await page.getByLabel('Search').fill('Acme 12');
      await until('one row', async () => (await page.locator('table tbody tr').count()) === 1);
      await page.getByLabel('Search').fill('');
      await page.getByLabel('Tier').selectOption('1');
      await page.getByLabel('Sort by').selectOption('name');
      await until('the 3 tier-1 accounts', async () => (await page.locator('table tbody tr').count()) === 3);
      await page.getByLabel('Tier').selectOption('');
    }
    await check(page, '01-accounts');

    // A template, saved, then previewed for one contact.
    await nav(page, 'Templates');
    await page.getByLabel('New template id').fill('ops-intro');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByLabel('Subject').fill('A plan for {{account.name}}');
    await page.getByLabel('HTML body').fill('<p>Hi {{contact.firstName}}, about {{account.mascot}}</p>');
    await page.getByLabel('Text body').fill('Hi {{contact.firstName}}');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved version 1.').waitFor();
    await page.getByLabel('Account', { exact: true }).selectOption('acme-04');
    await page.getByLabel('Contact', { exact: true }).selectOption('acme-04-c1');
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByText('Subject: A plan for Acme 4 Logistics').waitFor();
    await expect(
      page.getByRole('alert').filter({ hasText: 'Unknown variables' }).textContent(),
    ).resolves.toContain('account.mascot');
    await page.getByLabel('Send to').fill('ops@example.com');
    await page.getByRole('button', { name: 'Send test' }).click();
    await page.getByText('Test sent to ops@example.com').waitFor();
    await check(page, '02-template');

    // A sequence: saved with an unknown template (the error at its line), then fixed.
    await nav(page, 'Sequences');
    await page.getByLabel('New sequence id').fill('ops-seq');
    await page.getByRole('button', { name: 'Create' }).click();
    const editor = page.getByLabel('Sequence definition (YAML)');
    await editor.fill(SEQUENCE_WITH_ERROR);
    await page.getByRole('button', { name: 'Save' }).click();
    const errorLine = SEQUENCE_WITH_ERROR.split('\n').findIndex((l) => l.includes('ops-intro-missing')) + 1;
    const alert = page.getByRole('alert').filter({ hasText: 'nothing was saved' });
    await alert.waitFor();
    expect(await alert.textContent()).toContain(`Line ${errorLine}:`);
    expect(await alert.textContent()).toContain('steps.0.template');
    expect(await page.locator('.editor .gutter .err').allTextContents()).toContain(String(errorLine));
    await check(page, '03-sequence-error');
    await editor.fill(SEQUENCE_WITH_ERROR.replace('ops-intro-missing', 'ops-intro'));
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved version 1.').waitFor();
    expect(await page.locator('.editor .gutter .err').count()).toBe(0);
    await page.getByRole('img', { name: /intro to follow-up/ }).waitFor();
    await check(page, '04-sequence');

    // Launch: a dry run lists who would be enrolled and held out, then the launch.
    await nav(page, 'Campaigns');
    await page.getByRole('link', { name: 'Launch a campaign' }).click();
    await page.getByLabel('Name').fill('Cold chain Q2');
    await page.getByLabel('Campaign id').fill('ops-q2');
    await page.getByLabel('Sequence').selectOption('ops-seq');
    await page.getByLabel('Tier').selectOption('2');
    await page.getByLabel('Holdout %').fill('25');
    expect(await page.getByRole('button', { name: 'Launch' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Dry run' }).click();
    await page.getByRole('heading', { name: 'Dry run: what the launch would do' }).waitFor();
    const wouldEnroll = page.locator('.kpi', { hasText: 'Would enroll' }).locator('.v');
    const wouldHold = page.locator('.kpi', { hasText: 'Would hold out' }).locator('.v');
    expect(Number(await wouldEnroll.textContent()) + Number(await wouldHold.textContent())).toBe(12);
    expect(Number(await wouldHold.textContent())).toBeGreaterThan(0);
    await page.getByText(/^Would be enrolled:/).click();
    await check(page, '05-launch-dry-run');
    await page.getByRole('button', { name: 'Launch' }).click();
    await page.waitForURL(/\/console\/campaigns\/ops-q2$/);
    await page.getByRole('heading', { name: /Cold chain Q2/ }).waitFor();

    // Watch it progress: the intro goes out; skip ahead and the follow-up does.
    const sentCell = (step: string) =>
      page
        .getByRole('table', { name: 'Touches per step' })
        .getByRole('row', { name: new RegExp(`^${step} `) })
        .locator('td')
        .nth(2);
    await until('intro sent', async () => Number(await sentCell('intro').textContent()) > 0, 30_000, 250);
    await page.getByLabel('Skip by').selectOption('P3D');
    await page.getByRole('button', { name: 'Skip ahead' }).click();
    await until(
      'follow-up sent',
      async () => Number(await sentCell('follow-up').textContent()) > 0,
      60_000,
      250,
    );
    const clockButton = page.getByRole('group', { name: 'Local clock' }).getByRole('button');
    await until(
      'the skip to end',
      async () => (await clockButton.textContent()) === 'Skip ahead',
      60_000,
      250,
    );

    // Pause and resume.
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.locator('h1 .badge', { hasText: 'paused' }).waitFor();
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.locator('h1 .badge', { hasText: /running|completed/ }).waitFor();
    await check(page, '06-campaign');
    await nav(page, 'Campaigns');
    await page.getByRole('link', { name: 'Cold chain Q2' }).waitFor();
    await check(page, '07-campaigns');

    // The report: percentages, both groups with their sample sizes, lift and its caveat.
    await nav(page, 'Reports');
    await page.getByRole('link', { name: 'Cold chain Q2' }).click();
    await page.getByRole('heading', { name: 'Report: ops-q2' }).waitFor();
    const groups = page.getByRole('table', { name: /Engagement and MQA rates by group/ });
    await groups.getByRole('row', { name: /^Treated/ }).waitFor();
    await groups.getByRole('row', { name: /^Holdout/ }).waitFor();
    expect(await page.getByRole('note').textContent()).toMatch(/Not conclusive/);
    await page
      .getByRole('img', { name: /Score distribution/ })
      .or(page.getByText('No scores yet.'))
      .first()
      .waitFor();
    await check(page, '08-report');
    await nav(page, 'Reports');
    await check(page, '09-reports');

    // Chromium logs every 4xx answer to fetch() as a console error: the one 400 the flow asked for
    // (the sequence saved with an error) is the only one allowed, and only once.
    const expected = `Failed to load resource: the server responded with a status of 400 (Bad Request) [${base}/sequences/ops-seq]`;
    expect(w.errors.filter((e) => e.endsWith(expected))).toHaveLength(1);
    expect(w.errors.filter((e) => !e.endsWith(expected))).toEqual([]);
    await w.context.close();
  });

  it('SDR: open the queue, open an account from a task, complete with an outcome, see the score move', async () => {
    // Calls for the tier-1 champions, launched through the API.
    const seq = await api.call('PUT', '/sequences/sdr-calls', {
      name: 'Champion calls',
      sendWindow: { days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '00:00', end: '23:59' },
      steps: [
        { id: 'call', channel: 'sdr_task', after: 'P0D', to: ['champion'], taskType: 'call', priority: 1 },
      ],
    });
    expect(seq.status).toBe(201);
    const launch = await api.call('POST', '/campaigns', {
      campaignId: 'sdr-q2',
      name: 'Champion calls',
      sequenceId: 'sdr-calls',
      audience: { tier: 1 },
    });
    expect(launch.status).toBe(202);
    // (Research tasks for the roles the committees miss open too: coverage.)
    await until('3 open calls', async () => {
      const res = await api.call('GET', '/tasks?owner=sdr-ana&status=open&limit=100');
      return res.json?.items?.filter((t: { type: string }) => t.type === 'call').length === 3;
    });
    // A week later they are overdue.
    await advance(api, { by: 'P7D' });

    const w = await openPage(browser);
    const { page } = w;
    await signIn(w);
    await nav(page, 'Tasks');
    await page.getByLabel('I am (owner)').fill('sdr-ana');
    await page.getByRole('button', { name: 'Show my tasks' }).click();
    const card = page.locator('article.task', { hasText: /Ivy Example2\b/ });
    await card.waitFor();
    expect(await page.locator('article.task').count()).toBeGreaterThanOrEqual(3);
    expect(await card.locator('.badge', { hasText: 'overdue' }).count()).toBe(1);
    expect(await card.textContent()).toContain('+15550020000');
    expect(await card.textContent()).toContain('America/New_York');
    expect(await card.getByRole('heading', { name: 'Talking points' }).count()).toBe(1);
    await check(page, '10-tasks');

    // The owner is remembered.
    await page.reload();
    expect(await page.getByLabel('I am (owner)').inputValue()).toBe('sdr-ana');

    // Open the account from its task; note its score.
    await card.getByRole('link', { name: 'Acme 2 Logistics' }).click();
    await page.getByRole('heading', { name: 'Acme 2 Logistics', level: 1 }).waitFor();
    const scoreKpi = page.locator('.kpi', { hasText: 'Score' }).locator('.v');
    const before = Number((await scoreKpi.textContent())?.replace('—', '0'));
    await page.getByRole('heading', { name: 'Why not MQA yet' }).waitFor();
    await check(page, '11-account-before');

    // Complete the call with an outcome.
    await page.goBack();
    const again = page.locator('article.task', { hasText: /Ivy Example2\b/ });
    await again.getByLabel('Outcome').selectOption('meeting_booked');
    await again.getByLabel('Notes').fill('Demo on Thursday');
    await again.getByRole('button', { name: 'Complete' }).click();
    await until('the task leaves the queue', async () => (await again.count()) === 0);

    // The scorer folds the outcome when the clock next settles; then the account's score has moved.
    await page.getByLabel('Skip by').selectOption('PT1H');
    await page.getByRole('button', { name: 'Skip ahead' }).click();
    const clockButton = page.getByRole('group', { name: 'Local clock' }).getByRole('button');
    await until(
      'the skip to end',
      async () => (await clockButton.textContent()) === 'Skip ahead',
      60_000,
      250,
    );
    await page.goto(`${base}/console/accounts/acme-02`);
    await page.getByRole('heading', { name: 'Acme 2 Logistics', level: 1 }).waitFor();
    await until(
      'the score to move',
      async () => {
        const after = Number((await scoreKpi.textContent())?.replace('—', '0'));
        if (after > before) return true;
        await page.reload();
        return false;
      },
      30_000,
      500,
    );
    // Its timeline tells the story: the call, its outcome; and what comes next.
    await page.locator('.timeline .badge', { hasText: 'SDR outcome' }).first().waitFor();
    await page.getByRole('heading', { name: 'Next', exact: true }).waitFor();
    await page
      .getByRole('img', { name: /Score over time against the MQA threshold/ })
      .or(page.getByText(/^One score so far: /))
      .first()
      .waitFor();
    await check(page, '12-account');

    expect(w.errors).toEqual([]);
    await w.context.close();
  });

  it('every page: no serious or critical axe violation', () => {
    expect(findings.length).toBeGreaterThanOrEqual(12);
    expect(findings.filter((f) => f.violations.length > 0)).toEqual([]);
  });

  it('the first page: at most 300 KB of JavaScript gzipped; prints how long until it is usable', async () => {
    // Five cold loads (a new browser context each: nothing cached), the accounts list as the user
    // sees it first; the time is printed (median, min, max), not asserted.
    const runs: { usableMs: number; gzipBytes: number; scripts: number }[] = [];
    for (let i = 0; i < 5; i++) {
      const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
      await context.addInitScript(`sessionStorage.setItem('abm.console.token', ${JSON.stringify(TOKEN)})`);
      const page = await context.newPage();
      const scripts: Promise<number>[] = [];
      page.on('response', (res) => {
        if (res.request().resourceType() === 'script')
          scripts.push(res.body().then((b) => gzipSync(b).length));
      });
      const started = Date.now();
      await page.goto(`${base}/console/accounts`);
      await page.getByRole('link', { name: 'Acme 12 Logistics' }).waitFor();
      const usableMs = Date.now() - started;
      const sizes = await Promise.all(scripts);
      runs.push({ usableMs, gzipBytes: sizes.reduce((a, b) => a + b, 0), scripts: sizes.length });
      await context.close();
    }
    const times = runs.map((r) => r.usableMs).sort((a, b) => a - b);
    const gzipBytes = Math.max(...runs.map((r) => r.gzipBytes));
    console.log(
      JSON.stringify({
        bench: 'console-first-page',
        usableMs: { median: times[2], min: times[0], max: times[4], runs: times.length },
        jsGzipBytes: gzipBytes,
        scripts: runs[0].scripts,
      }),
    );
    expect(gzipBytes).toBeGreaterThan(0);
    expect(gzipBytes).toBeLessThanOrEqual(FIRST_PAGE_JS_GZIP_MAX);
  });
});
