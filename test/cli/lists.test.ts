/** `abm accounts list`, `campaigns list`, `sequences|templates get|list`, `tasks list` against the contract. */
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../lib/cli/errors';
import { abm, cliSuite, type FakeApi } from '../support/cli';

describe('abm lists', () => {
  let api: FakeApi;
  cliSuite((suite) => ({ api } = suite));

  it('accounts list passes the filters and shows score with its trend, fit and roles reached/mapped', async () => {
    api.on('GET /accounts', {
      body: {
        items: [
          {
            accountId: 'nw',
            name: 'Northwind',
            tier: 1,
            stage: 'engaged',
            domain: 'nw.example',
            suppressed: false,
            ownerSdr: 'sdr-ana',
            fit: { score: 82, suggestedTier: 1, fits: [], misses: [], summary: '' },
            score: { now: 41.25, weekAgo: 30, change: 11.25 },
            coverage: {
              mapped: ['economic_buyer', 'champion'],
              reached: ['champion'],
              engaged: [],
              required: [],
              missing: ['technical_evaluator'],
            },
          },
        ],
        cursor: 'c2',
      },
    });
    const { code, stdout } = await abm(
      api,
      'accounts list --tier 1 --owner sdr-ana --search north --min-score 10 --sort score --limit 5'.split(
        ' ',
      ),
    );
    expect(code).toBe(ExitCode.Ok);
    expect(api.requests[0]!.query).toEqual({
      tier: '1',
      owner: 'sdr-ana',
      q: 'north',
      minScore: '10',
      sort: 'score',
      limit: '5',
    });
    expect(stdout).toMatch(
      /nw\s+Northwind\s+1\s+engaged\s+41\.3 \(\+11\.3 in 7d\)\s+82\s+1\/2\s+technical_evaluator\s+sdr-ana/,
    );
    expect(stdout).toContain('more: abm accounts list --cursor c2');
  });

  it('campaigns list shows status, sequence, enrolled, held out and progress', async () => {
    api.on('GET /campaigns', {
      body: {
        items: [
          {
            campaignId: 'q1',
            name: 'Q1 tier 1',
            status: 'running',
            sequenceId: 'tier1',
            version: 2,
            holdoutPercent: 10,
            enrolled: 18,
            heldOut: 2,
            progress: { active: 12, activeCapped: false, finished: 6, percent: 33.3 },
            createdAt: '2026-11-23T09:00:00.000Z',
            updatedAt: '2026-11-23T09:00:00.000Z',
          },
        ],
        cursor: null,
      },
    });
    const { code, stdout } = await abm(api, 'campaigns list --status running --sequence tier1'.split(' '));
    expect(code).toBe(ExitCode.Ok);
    expect(api.requests[0]!.query).toEqual({ status: 'running', sequenceId: 'tier1' });
    expect(stdout).toMatch(/q1\s+Q1 tier 1\s+running\s+tier1 v2\s+18\s+2\s+12\s+33\.3%/);
  });

  it('tasks list without --owner asks for every open task and shows who to call, why now and the talking points', async () => {
    api.on('GET /tasks', {
      body: {
        items: [
          {
            taskId: 't1',
            accountId: 'nw',
            accountName: 'Northwind',
            owner: 'sdr-ana',
            type: 'call',
            status: 'open',
            priority: 1,
            dueAt: '2026-11-23T08:00:00.000Z',
            overdue: true,
            reason: 'visited pricing twice',
            context: { talkingPoints: ['Q1 budget', 'retail case study'], recentEngagement: [] },
            call: {
              name: 'Dana',
              role: 'champion',
              phone: '+1 415 555 0100',
              timeZone: 'America/Los_Angeles',
              localTime: '2026-11-23 01:00',
            },
          },
        ],
        cursor: null,
      },
    });
    const { code, stdout } = await abm(api, ['tasks', 'list', '--overdue']);
    expect(code).toBe(ExitCode.Ok);
    expect(api.requests[0]!.query).toEqual({ overdue: 'true' });
    expect(stdout).toContain('OVERDUE since 2026-11-23T08:00:00.000Z');
    expect(stdout).toContain('account: Northwind (nw)');
    expect(stdout).toContain(
      'call:    Dana (champion), +1 415 555 0100, 2026-11-23 01:00 their time (America/Los_Angeles)',
    );
    expect(stdout).toContain('why now: visited pricing twice');
    expect(stdout).toContain('  - Q1 budget');
    expect(stdout).toContain('  - retail case study');
  });

  it('sequences get and list, templates get and list', async () => {
    api.on('GET /sequences/tier1', {
      body: {
        sequence: {
          id: 'tier1',
          name: 'Tier 1',
          steps: [{ id: 'intro', channel: 'email', after: 'P0D', to: ['champion'], template: 'intro' }],
        },
        version: 3,
        createdAt: '2026-11-23T09:00:00.000Z',
      },
    });
    let out = await abm(api, ['sequences', 'get', 'tier1']);
    expect(out.code).toBe(ExitCode.Ok);
    expect(out.stdout).toMatch(/version:\s+3/);
    expect(out.stdout).toMatch(/intro\s+P0D\s+email intro to champion/);
    api.on('GET /sequences', {
      body: {
        items: [{ sequenceId: 'tier1', name: 'Tier 1', latestVersion: 3, updatedAt: 'now' }],
        cursor: null,
      },
    });
    out = await abm(api, ['sequences', 'list']);
    expect(out.stdout).toMatch(/tier1\s+Tier 1\s+3/);
    api.on('GET /templates/intro', {
      body: {
        templateId: 'intro',
        version: 2,
        updatedAt: 'now',
        subject: 'Hi',
        html: '<p/>',
        text: 'Hello there',
        byRole: { champion: {} },
        byAccount: {},
      },
    });
    out = await abm(api, ['templates', 'get', 'intro']);
    expect(out.stdout).toMatch(/role variants:\s+champion/);
    expect(out.stdout).toContain('Hello there');
    api.on('GET /templates', {
      body: { items: [{ templateId: 'intro', subject: 'Hi', version: 2, updatedAt: 'now' }], cursor: null },
    });
    out = await abm(api, ['templates', 'list']);
    expect(out.stdout).toMatch(/intro\s+Hi\s+2/);
  });
});
