import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { importPinpointJourney } from '../../functions/api/pinpoint-import';
import { ExitCode } from '../../lib/cli/errors';
import { abm, cliSuite, testIo, type FakeApi } from '../support/cli';

/** `abm campaigns launch` of sequence tier1 over tier 1, with more flags. */
const launchTier1 = (...flags: string[]) => [
  'campaigns',
  'launch',
  '--sequence',
  'tier1',
  '--tier',
  '1',
  ...flags,
];

const campaign = (status: string, sent: number) => ({
  campaignId: 'q1',
  sequenceId: 'tier1',
  version: 2,
  status,
  enrolled: 3,
  heldOut: 1,
  steps: [
    { stepId: 'intro', channel: 'email', sent, skipped: 0, failed: 0 },
    { stepId: 'call-1', channel: 'sdr_task', sent: 1, skipped: 2, failed: 1 },
  ],
});

describe('commands against the contract', () => {
  let api: FakeApi;
  let dir: string;
  cliSuite((suite) => ({ api, dir } = suite));

  it('campaigns launch posts the contract body and lists skipped accounts', async () => {
    api.on('POST /campaigns', {
      status: 202,
      body: {
        campaignId: 'q1',
        enrolled: 2,
        heldOut: 1,
        skipped: [{ accountId: 'acme', reason: 'suppressed' }],
      },
    });
    const { code, stdout } = await abm(api, [
      'campaigns',
      'launch',
      '--id',
      'q1',
      '--name',
      'Q1 tier 1',
      '--sequence',
      'tier1',
      '--version',
      '2',
      '--tier',
      '1',
      '--cluster',
      'retail',
      '--accounts',
      'a, b,c',
      '--holdout',
      '10',
      '--dry-run',
    ]);
    expect(code).toBe(ExitCode.Ok);
    expect(api.requests[0]!.json).toEqual({
      campaignId: 'q1',
      name: 'Q1 tier 1',
      sequenceId: 'tier1',
      version: 2,
      audience: { tier: 1, cluster: 'retail', accountIds: ['a', 'b', 'c'] },
      holdoutPercent: 10,
      dryRun: true,
    });
    expect(stdout).toContain('dry run of campaign q1: 2 would be enrolled, 1 held out, 1 skipped');
    expect(stdout).toMatch(/acme\s+suppressed/);
  });

  it('campaigns launch --dry-run prints the forecast: touches, weeks, caps, finish, cost, quotas', async () => {
    api.on('POST /campaigns', {
      status: 200,
      body: {
        campaignId: 'q1',
        dryRun: true,
        enrolled: 2,
        heldOut: 0,
        skipped: [],
        forecast: {
          accounts: 2,
          touches: {
            byChannel: { email: 6, ads: 4, sdr_task: 2, direct_mail: 1 },
            byWeek: [
              { week: '2026-03-02', email: 4, ads: 4, sdr_task: 2, direct_mail: 0 },
              { week: '2026-03-09', email: 2, ads: 0, sdr_task: 0, direct_mail: 1 },
            ],
            skippedByReason: {},
          },
          capped: [{ outcome: 'deferred' }],
          cappedTotal: 1,
          finish: { earliest: '2026-03-16T13:00:00.000Z', latest: '2026-03-16T13:00:07.000Z' },
          cost: {
            usd: 20.0012,
            byComponent: { ses: 0.0006, stepFunctions: 0.0005, lambda: 0.0001, directMail: 20 },
          },
          quota: {
            startExecution: { executions: 2, seconds: 0 },
            ses: { maxSendRate: 14, peakBurst: 4, drainSeconds: 0.29 },
          },
        },
      },
    });
    const { code, stdout } = await abm(api, launchTier1('--dry-run'));
    expect(code).toBe(ExitCode.Ok);
    expect(stdout).toContain('forecast with no engagement, 2 accounts:');
    expect(stdout).toMatch(/touches:\s+email 6, ads 4, sdr_task 2, direct_mail 1/);
    expect(stdout).toMatch(/capped:\s+1 touches by the frequency cap \(listed: 1 deferred, 0 skipped\)/);
    expect(stdout).toMatch(/finish:\s+2026-03-16T13:00:00.000Z .. 2026-03-16T13:00:07.000Z/);
    expect(stdout).toMatch(
      /cost:\s+\$20.00 \(SES \$0.0006, Step Functions \$0.0005, Lambda \$0.0001, direct mail \$20.00\)/,
    );
    expect(stdout).toMatch(/quota:\s+StartExecution 2 in 0 s; SES peak 4 emails at once \(0.29 s at 14\/s\)/);
    expect(stdout).toMatch(/WEEK OF\s+EMAIL\s+ADS\s+SDR_TASK\s+DIRECT_MAIL/);
    expect(stdout).toMatch(/2026-03-09\s+2\s+0\s+0\s+1/);
  });

  it('campaigns launch --confirm sends confirm: true; an over_budget refusal says so', async () => {
    api.on('POST /campaigns', {
      status: 409,
      body: { error: { code: 'over_budget', message: 'the launch is forecast to cost $120', details: [] } },
    });
    const refused = await abm(api, launchTier1());
    expect(refused.code).toBe(ExitCode.ServerError);
    expect(refused.stderr).toContain('the launch is forecast to cost $120');
    expect(refused.stderr).toContain('launch anyway with --confirm');
    api.on('POST /campaigns', {
      status: 202,
      body: { campaignId: 'q1', enrolled: 1, heldOut: 0, skipped: [] },
    });
    const { code } = await abm(api, launchTier1('--confirm'));
    expect(code).toBe(ExitCode.Ok);
    expect(api.requests.at(-1)!.json).toEqual({
      name: 'tier1',
      sequenceId: 'tier1',
      audience: { tier: 1 },
      confirm: true,
    });
  });

  it('campaigns launch without --id lets the server name it; the name defaults to the sequence', async () => {
    api.on('POST /campaigns', {
      status: 202,
      body: { campaignId: 'gen-1', enrolled: 1, heldOut: 0, skipped: [] },
    });
    const { code, stdout } = await abm(api, ['campaigns', 'launch', '--sequence', 'tier1', '--tier', '2']);
    expect(code).toBe(ExitCode.Ok);
    expect(api.requests[0]!.json).toEqual({ name: 'tier1', sequenceId: 'tier1', audience: { tier: 2 } });
    expect(stdout).toContain('watch it with: abm campaigns status gen-1');
  });

  it('campaigns status --once prints one table', async () => {
    api.on('GET /campaigns/q1', { body: campaign('running', 4) });
    const { code, stdout } = await abm(api, ['campaigns', 'status', 'q1', '--once']);
    expect(code).toBe(ExitCode.Ok);
    expect(api.requests).toHaveLength(1);
    expect(stdout).toMatch(/sequence:\s+tier1 v2/);
    expect(stdout).toMatch(/STEP\s+CHANNEL\s+SENT\s+SKIPPED\s+FAILED/);
    expect(stdout).toMatch(/call-1\s+sdr_task\s+1\s+2\s+1/);
    expect(stdout).toMatch(/total\s+5\s+2\s+1/);
  });

  it('campaigns status refreshes every 2 s until the campaign is completed', async () => {
    const statuses = [
      campaign('running', 1),
      campaign('running', 1),
      campaign('running', 3),
      campaign('completed', 6),
    ];
    let n = 0;
    api.on('GET /campaigns/q1', () => ({ body: statuses[Math.min(n++, statuses.length - 1)] }));
    const io = testIo();
    const { code, stdout } = await abm(api, ['campaigns', 'status', 'q1'], io);
    expect(code).toBe(ExitCode.Ok);
    expect(api.requests).toHaveLength(4);
    expect(io.sleeps).toEqual([2000, 2000, 2000]);
    // Not a TTY: a new table only when something changed (3 distinct renders).
    expect(stdout.match(/STEP\s+CHANNEL/g)).toHaveLength(3);
    expect(stdout).toMatch(/status:\s+completed/);
    expect(stdout).not.toContain('\u001b[');
  });

  it('campaigns status redraws in place on a TTY and stops on Ctrl-C', async () => {
    api.on('GET /campaigns/q1', { body: campaign('running', 1) });
    const interrupt = new AbortController();
    let sleeps = 0;
    const io = testIo({
      stdoutTTY: true,
      interrupt: interrupt.signal,
      onSleep: () => ++sleeps === 3 && interrupt.abort(),
    });
    const { code, stdout } = await abm(api, ['campaigns', 'status', 'q1', '--interval', '0.5'], io);
    expect(code).toBe(ExitCode.Ok);
    expect(io.sleeps).toEqual([500, 500, 500]);
    expect(api.requests).toHaveLength(3);
    // Cursor up + clear before each redraw after the first.
    expect(stdout.split('\u001b[J')).toHaveLength(3);
    expect(stdout).toContain('A\u001b[J'); // cursor up N lines, then clear
    expect(stdout).toContain('Ctrl-C to stop');
  });

  it('campaigns status --json prints the campaign once', async () => {
    api.on('GET /campaigns/q1', { body: campaign('running', 1) });
    const { code, stdout } = await abm(api, ['campaigns', 'status', 'q1', '--json']);
    expect(code).toBe(ExitCode.Ok);
    expect(JSON.parse(stdout)).toEqual(campaign('running', 1));
  });

  it.each(['pause', 'resume', 'stop'])('campaigns %s posts to the control path', async (verb) => {
    api.on(`POST /campaigns/q%201/${verb}`, {
      body: { campaignId: 'q 1', status: verb === 'stop' ? 'stopped' : 'x' },
    });
    const { code, stdout } = await abm(api, ['campaigns', verb, 'q 1']);
    expect(code).toBe(ExitCode.Ok);
    expect(api.requests[0]!.path).toBe(`/campaigns/q%201/${verb}`);
    expect(stdout).toContain('campaign q 1');
  });

  it('tasks list passes owner and status and prints the queue', async () => {
    api.on('GET /tasks', {
      body: {
        items: [
          {
            taskId: 't1',
            accountId: 'nw',
            contactId: 'dana',
            owner: 'sdr-ana',
            type: 'call',
            status: 'open',
            priority: 90,
            dueAt: '2026-11-23T09:00:00Z',
            reason: 'MQA',
          },
        ],
        cursor: 'abc',
      },
    });
    const { code, stdout } = await abm(api, 'tasks list --owner sdr-ana --status open --limit 10'.split(' '));
    expect(code).toBe(ExitCode.Ok);
    expect(api.requests[0]!.query).toEqual({ owner: 'sdr-ana', status: 'open', limit: '10' });
    // One card per task (test/cli/lists.test.ts shows who to call and the talking points).
    expect(stdout).toMatch(/t1\s+call P90\s+due 2026-11-23T09:00:00Z\s+open\s+owner sdr-ana/);
    expect(stdout).toContain('why now: MQA');
    expect(stdout).toContain('more: abm tasks list --cursor abc');
  });

  it('tasks complete posts outcome and notes', async () => {
    api.on('POST /tasks/t1/complete', { body: { taskId: 't1', status: 'completed' } });
    const { code, stdout } = await abm(api, [
      'tasks',
      'complete',
      't1',
      '--outcome',
      'meeting_booked',
      '--notes',
      'demo Tuesday',
    ]);
    expect(code).toBe(ExitCode.Ok);
    expect(api.requests[0]!.json).toEqual({ outcome: 'meeting_booked', notes: 'demo Tuesday' });
    expect(stdout).toContain('task t1 completed: meeting_booked');
  });

  it('events send builds one event from flags', async () => {
    api.on('POST /events', { status: 202, body: { accepted: 1, rejected: [] } });
    const { code, stdout } = await abm(api, [
      'events',
      'send',
      '--type',
      'crm.stage_changed',
      '--account',
      'nw',
      '--email',
      'dana@nw.example',
      '--at',
      '2026-11-20T08:00:00Z',
      '--prop',
      'stage=opportunity',
      '--prop',
      'amount=1200',
      '--prop',
      'won=false',
    ]);
    expect(code).toBe(ExitCode.Ok);
    const [event] = (api.requests[0]!.json as { events: Record<string, unknown>[] }).events;
    expect(event).toMatchObject({
      type: 'crm.stage_changed',
      occurredAt: '2026-11-20T08:00:00Z',
      accountId: 'nw',
      contactEmail: 'dana@nw.example',
      properties: { stage: 'opportunity', amount: 1200, won: false },
    });
    expect(event!.eventId).toMatch(/^cli-[0-9a-f-]{36}$/);
    expect(stdout).toContain('1 accepted, 0 rejected of 1 event');
  });

  it("events send dates an event without --at by the server's clock (local mode may be simulated)", async () => {
    api.on('GET /health', { body: { status: 'ok', version: '1', time: '2026-03-04T08:00:00.000Z' } });
    api.on('POST /events', { status: 202, body: { accepted: 1, rejected: [] } });
    const { code } = await abm(api, ['events', 'send', '--type', 'web.visit', '--account', 'nw']);
    expect(code).toBe(ExitCode.Ok);
    const post = api.requests.find((r) => r.method === 'POST')!;
    expect((post.json as { events: { occurredAt: string }[] }).events[0]!.occurredAt).toBe(
      '2026-03-04T08:00:00.000Z',
    );
  });

  it('events send chunks a JSON Lines file and re-bases rejected positions', async () => {
    api.on('POST /events', (req) => {
      const events = (req.json as { events: { eventId: string }[] }).events;
      const bad = events.findIndex((e) => e.eventId === 'e4');
      return {
        status: 202,
        body: {
          accepted: events.length - (bad >= 0 ? 1 : 0),
          rejected: bad >= 0 ? [{ index: bad, errors: ['duplicate'] }] : [],
        },
      };
    });
    const file = join(dir, 'events.jsonl');
    const lines = [1, 2, 3, 4, 5].map((i) =>
      JSON.stringify({
        eventId: `e${i}`,
        type: 'web.visit',
        occurredAt: '2026-11-22T10:00:00Z',
        accountId: 'a',
      }),
    );
    await writeFile(file, lines.join('\n') + '\n');
    const { code, stdout } = await abm(api, ['events', 'send', file, '--chunk-size', '3', '--json']);
    expect(code).toBe(ExitCode.Partial);
    expect(api.requests).toHaveLength(2);
    expect(JSON.parse(stdout)).toEqual({
      sent: 5,
      requests: 2,
      accepted: 4,
      rejected: [{ index: 3, row: 4, eventId: 'e4', errors: ['duplicate'] }],
    });
  });

  it('events send reports the line of a broken JSON Lines record', async () => {
    const file = join(dir, 'broken.jsonl');
    await writeFile(file, '{"eventId":"e1"}\n\n{"eventId": oops}\n');
    const { code, stderr } = await abm(api, ['events', 'send', file]);
    expect(code).toBe(ExitCode.InputFile);
    expect(stderr).toContain(`${file}:3: invalid JSON`);
  });

  it('sequences put sends the YAML as JSON to PUT /sequences/{id}', async () => {
    api.on('PUT /sequences/tier1', { body: { id: 'tier1', version: 3 } });
    const file = join(dir, 'tier1.yaml');
    await writeFile(
      file,
      'id: tier1\nname: Tier 1\nsteps:\n  - { id: intro, channel: email, after: P0D, to: [champion], template: intro }\n',
    );
    const { code, stdout } = await abm(api, ['sequences', 'put', file]);
    expect(code).toBe(ExitCode.Ok);
    expect(api.requests[0]!.json).toEqual({
      id: 'tier1',
      name: 'Tier 1',
      steps: [{ id: 'intro', channel: 'email', after: 'P0D', to: ['champion'], template: 'intro' }],
    });
    expect(stdout).toContain('saved sequence tier1 version 3');
  });

  it('sequences import-pinpoint posts the journey file and writes the sequence for `sequences put`', async () => {
    // The fake answers with the real converter, so the CLI sees the route's own body.
    api.on('POST /sequences/import/pinpoint', (req) => ({ body: importPinpointJourney(req.json) }));
    const journey = await readFile(
      join(__dirname, '../api/fixtures/pinpoint/tier1-nurture.get-journey.json'),
      'utf8',
    );
    const file = join(dir, 'journey.json');
    await writeFile(file, journey);
    const out = join(dir, 'nurture.yaml');
    const { code, stdout } = await abm(api, ['sequences', 'import-pinpoint', file, '--out', out]);
    expect(code).toBe(ExitCode.Ok);
    expect(api.requests[0]!.json).toEqual(JSON.parse(journey));
    const written = parseYaml(await readFile(out, 'utf8'));
    expect(written).toEqual(importPinpointJourney(JSON.parse(journey)).sequence);
    expect(stdout).toContain('converted into sequence pinpoint-5d9e8c7b6a5f4e3d2c1b0a9f8e7d6c5b: 13 steps');
    expect(stdout).toContain('Activities.smsNudge.SMS');
    expect(stdout).toContain(`abm sequences put ${out}`);
  });

  it('sequences import-pinpoint without --out prints the sequence on stdout, the rest on stderr', async () => {
    api.on('POST /sequences/import/pinpoint', (req) => ({ body: importPinpointJourney(req.json) }));
    const file = join(dir, 'journey.json');
    await writeFile(
      file,
      await readFile(join(__dirname, '../api/fixtures/pinpoint/other-channels.json'), 'utf8'),
    );
    const { code, stdout, stderr } = await abm(api, ['sequences', 'import-pinpoint', file]);
    expect(code).toBe(ExitCode.Ok);
    expect(JSON.parse(stdout).steps).toEqual([expect.objectContaining({ id: 'email', template: 'hello' })]);
    expect(stderr).toContain('Activities.custom.CUSTOM');
  });

  it('templates put sends the document to PUT /templates/{id}', async () => {
    api.on('PUT /templates/intro', { body: { templateId: 'intro' } });
    const file = join(dir, 'intro.json');
    const template = {
      subject: 'A note for {{account.name}}',
      html: '<p>Hi {{contact.name}}</p>',
      text: 'Hi',
    };
    await writeFile(file, JSON.stringify(template));
    const { code } = await abm(api, ['templates', 'put', 'intro', file]);
    expect(code).toBe(ExitCode.Ok);
    expect(api.requests[0]!.json).toEqual(template);
  });

  it('accounts get prints the profile, contacts and touches', async () => {
    api.on('GET /accounts/northwind-retail', {
      body: {
        accountId: 'northwind-retail',
        name: 'Northwind Retail',
        tier: 1,
        stage: 'engaged',
        fit: { score: 82, reasons: [] },
        score: { value: 37.456, asOf: '2026-11-22T10:00:00Z', contributors: [] },
        contacts: [
          {
            contactId: 'nw-dana',
            name: 'Dana Cole',
            role: 'economic_buyer',
            email: 'dana@northwind.example',
            timeZone: 'America/Chicago',
          },
        ],
        enrollments: [{ campaignId: 'q1', sequenceId: 'tier1', status: 'running', stepId: 'intro' }],
        touches: [
          {
            stepId: 'intro',
            channel: 'email',
            contactId: 'nw-dana',
            status: 'sent',
            at: '2026-11-21T15:00:00Z',
          },
        ],
      },
    });
    const { code, stdout } = await abm(api, ['accounts', 'get', 'northwind-retail']);
    expect(code).toBe(ExitCode.Ok);
    expect(stdout).toMatch(/score:\s+37\.5/);
    expect(stdout).toMatch(/nw-dana\s+Dana Cole\s+economic_buyer/);
    expect(stdout).toMatch(/q1\s+tier1\s+running\s+intro/);
    expect(stdout).toMatch(/2026-11-21T15:00:00Z\s+intro\s+email\s+nw-dana\s+sent/);
  });

  it('accounts get states the time the score is decayed to, and why the account is (not) MQA', async () => {
    api.on('GET /accounts/acme', {
      body: {
        accountId: 'acme',
        name: 'Acme',
        tier: 1,
        stage: 'engaged',
        score: { value: 62.94, asOf: '2026-12-06T09:00:00.000Z', contributors: [] },
        mqaProgress: {
          asOf: '2026-12-06T09:00:00.000Z',
          met: false,
          score: { value: 62.94, threshold: 60, met: true },
          engagedContacts: { value: 3, threshold: 3, met: true },
          engagedRoles: { value: 2, threshold: 3, met: false, roles: ['champion', 'economic_buyer'] },
          keptAtScore: 48,
          engagingTypes: ['email.clicked', 'meeting.booked'],
          engagedWindow: 'P30D',
        },
        contacts: [],
        enrollments: [],
        touches: [],
      },
    });
    const { code, stdout } = await abm(api, ['accounts', 'get', 'acme']);
    expect(code).toBe(ExitCode.Ok);
    expect(stdout).toMatch(/score:\s+62\.9 \(decayed to 2026-12-06T09:00:00\.000Z\)/);
    expect(stdout).toContain('MQA progress (not every threshold met, as of 2026-12-06T09:00:00.000Z)');
    expect(stdout).toMatch(/score\s+62\.9\s+60\s+yes/);
    expect(stdout).toMatch(/engaged contacts\s+3\s+3\s+yes/);
    expect(stdout).toMatch(/engaged roles\s+2\s+3\s+no\s+champion, economic_buyer/);
    expect(stdout).toContain('engaging events: email.clicked, meeting.booked (within P30D)');
    expect(stdout).toContain('stays MQA while its score is at least 48');

    api.on('GET /accounts/quiet', {
      body: { accountId: 'quiet', name: 'Quiet', tier: 3, stage: 'target', score: null },
    });
    expect((await abm(api, ['accounts', 'get', 'quiet'])).stdout).toMatch(/score:\s+none yet/);
  });

  it('--help for a command prints its flags and exits 0 without calling the API', async () => {
    const { code, stdout } = await abm(api, ['events', 'send', '--help']);
    expect(code).toBe(ExitCode.Ok);
    expect(stdout).toContain('Usage: abm events send [FILE] [flags]');
    expect(stdout).toContain('--prop KEY=VALUE');
    expect(api.requests).toHaveLength(0);
  });
});

describe('abm clock', () => {
  let api: FakeApi;
  cliSuite((suite) => ({ api } = suite));

  it('status shows the mode and now; advance posts a duration or --to and prints the new now', async () => {
    api.on('GET /_local/clock', { body: { mode: 'simulate', now: '2026-03-02T08:00:00.000Z' } });
    api.on('POST /_local/clock/advance', { body: { mode: 'simulate', now: '2026-03-05T08:00:00.000Z' } });
    const status = await abm(api, ['clock', 'status']);
    expect(status.code).toBe(ExitCode.Ok);
    expect(status.stdout).toContain('2026-03-02T08:00:00.000Z (simulate)');

    const by = await abm(api, ['clock', 'advance', 'P3D']);
    expect(by.code).toBe(ExitCode.Ok);
    expect(by.stdout).toContain('now 2026-03-05T08:00:00.000Z');
    const to = await abm(api, ['clock', 'advance', '--to', '2026-03-05T08:00:00Z']);
    expect(to.code).toBe(ExitCode.Ok);
    expect(api.requests.filter((r) => r.method === 'POST').map((r) => r.json)).toEqual([
      { by: 'P3D' },
      { to: '2026-03-05T08:00:00Z' },
    ]);
    expect((await abm(api, ['clock', 'advance'])).code).toBe(ExitCode.Usage);
  });
});
