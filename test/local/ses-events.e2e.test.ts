/* eslint-disable @typescript-eslint/no-explicit-any -- JSON response bodies are read loosely in tests */
/**
 * Local mode end to end, as an operator would: SES records replayed by hand through
 * POST /_local/ses-events (bearer token; a record, an EventBridge event or a list), the real
 * normaliser behind it; a hard bounce of mail the local SES really sent trips the sender
 * reputation breaker (ABM_REPUTATION read from the environment), the next email step is deferred,
 * `abm sending resume` brings it back and the deferred mail goes out.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../lib/cli/errors';
import { startLocal, type LocalRuntime } from '../../lib/local/runtime';
import { readSettings } from '../../lib/local/settings';
import { abm } from '../support/cli';
import { ALWAYS, apiClient, committee, mails, until, type ApiClient } from '../support/local';
import { SES_RECORDS } from '../ingest/fixtures/ses-records';

const TOKEN = 'e2e-local-ses-events-token-0123';
let rt: LocalRuntime;
let api: ApiClient;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'abm-local-ses-'));
  const settings = readSettings(
    {
      ABM_PORT: '0',
      ABM_SES_PORT: '0',
      ABM_DATA_DIR: dataDir,
      ABM_API_TOKEN: TOKEN,
      ABM_TIME_SCALE: '86400',
      // Judged from 2 sends; one hard bounce in 2 is 50%. A week's window: 7 s here.
      ABM_REPUTATION: JSON.stringify({ windowHours: 168, minSends: 2, maxBounceRate: 0.5 }),
    },
    dataDir,
  );
  rt = await startLocal(settings, { quiet: true });
  api = apiClient(rt.url, TOKEN);
});

afterAll(async () => {
  await rt?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const copy = (value: unknown): any => structuredClone(value);

/** The documented record of `type`, about one mail the local SES sent, at the simulated now. */
function recordAbout(type: 'Bounce' | 'Open', mail: { messageId: string; to: string }, now: string) {
  const record = copy(SES_RECORDS[type]);
  record.mail.messageId = mail.messageId;
  record.mail.source = 'ABM (local) <campaigns@abm.local>';
  record.mail.destination = [mail.to];
  if (type === 'Bounce') {
    record.bounce.bouncedRecipients[0].emailAddress = mail.to;
    record.bounce.timestamp = now;
  } else record.open.timestamp = now;
  return record;
}

describe('POST /_local/ses-events', () => {
  it('requires the bearer token and names each bad field, processing nothing', async () => {
    const record = SES_RECORDS.Delivery;
    expect((await api.call('POST', '/_local/ses-events', record, { token: null })).status).toBe(401);
    const bad = await api.call('POST', '/_local/ses-events', [
      record,
      { eventType: 'Bounce' },
      { eventType: 'Unsubscribe', mail: { messageId: 'm' } },
      { source: 'aws.ses', 'detail-type': 'Email Opened', detail: { mail: {} } },
    ]);
    expect(bad.status).toBe(400);
    expect(bad.json.error.details.map((d: any) => d.path)).toEqual([
      'body.1.mail',
      'body.2.eventType',
      'body.3.detail.mail.messageId',
    ]);
    expect((await api.call('POST', '/_local/ses-events', [])).status).toBe(400);
  });

  it('replays records by hand: a bounce of mail really sent pauses the domain; abm sending resume brings it back', async () => {
    const imported = await api.call('POST', '/accounts/import', { accounts: [committee('acme', 1)] });
    expect(imported.json).toMatchObject({ imported: 1, rejected: [] });
    for (const id of ['intro', 'follow']) {
      const put = await api.call('PUT', `/templates/${id}`, {
        subject: `${id} for {{account.name}}`,
        html: '<p>Hi {{contact.name}}</p><p><a href="{{unsubscribeUrl}}">unsubscribe</a></p>',
        text: 'Hi {{contact.name}}. Unsubscribe: {{unsubscribeUrl}}',
      });
      expect(put.status, put.text).toBeLessThan(300);
    }
    const seq = await api.call('PUT', '/sequences/two-emails', {
      name: 'Two emails',
      sendWindow: ALWAYS,
      steps: [
        {
          id: 'intro',
          channel: 'email',
          after: 'P0D',
          to: ['economic_buyer', 'champion'],
          template: 'intro',
        },
        { id: 'follow', channel: 'email', after: 'P2D', to: 'all', template: 'follow' },
      ],
    });
    expect(seq.status, seq.text).toBeLessThan(300);
    const launch = await api.call('POST', '/campaigns', {
      campaignId: 'q1',
      name: 'Q1',
      sequenceId: 'two-emails',
      audience: { accountIds: ['acme'] },
    });
    expect(launch.status, launch.text).toBe(202);
    const intro = await until('the two intro mails', async () => {
      const m = await mails(rt.sesUrl);
      return m.length === 2 ? m : undefined;
    });
    const mailTo = (to: string) => ({
      messageId: intro.find((m) => m.destination.to[0] === to)!.messageId,
      to,
    });
    const now = (await api.call('GET', '/health')).json.time as string;

    // A bare record and an EventBridge event, in one list; both are the documented records.
    const replay = await api.call('POST', '/_local/ses-events', [
      recordAbout('Open', mailTo('sam@acme.example'), now),
      {
        source: 'aws.ses',
        'detail-type': 'Email Bounced',
        detail: recordAbout('Bounce', mailTo('dana@acme.example'), now),
      },
      { source: 'aws.ses', 'detail-type': 'Sending Status Disabled', detail: SES_RECORDS.Send },
    ]);
    expect(replay.status, replay.text).toBe(200);
    expect(replay.json.results).toEqual([
      { index: 0, detailType: 'Email Opened', published: 1, suppressed: [], unresolved: [] },
      {
        index: 1,
        detailType: 'Email Bounced',
        published: 1,
        suppressed: ['dana@acme.example'],
        unresolved: [],
        counted: 1,
      },
      {
        index: 2,
        detailType: 'Sending Status Disabled',
        ignored: 'no rule matches source aws.ses, detail-type Sending Status Disabled',
      },
    ]);

    // 1 hard bounce in 2 sends: the domain is paused.
    const status = await api.call('GET', '/sending-domains/abm.local');
    expect(status.json).toMatchObject({
      status: 'paused',
      reason: 'bounce_rate',
      window: { sends: 2, bounces: 1, bounceRate: 0.5 },
    });

    // The follow-up falls due: the bounced address is skipped (suppressed), the others deferred.
    const follow = await until('the follow-up touches', async () => {
      const touches = (await api.call('GET', '/accounts/acme')).json.touches as any[];
      const f = touches.filter((t) => t.stepId === 'follow');
      return f.length === 3 ? f : undefined;
    });
    const byContact = Object.fromEntries(follow.map((t) => [t.contactId, [t.status, t.reason]]));
    expect(byContact['acme-eb']).toEqual(['skipped', 'suppressed']);
    for (const c of ['acme-ch', 'acme-te']) {
      expect(byContact[c]![0]).toBe('deferred');
      expect(byContact[c]![1]).toMatch(/^sending_paused:abm\.local until /);
    }
    expect(await mails(rt.sesUrl)).toHaveLength(2);

    // The operator resumes with the CLI; a second resume is refused (409: exit code 1).
    const resumed = await abm({ url: rt.url }, ['--token', TOKEN, 'sending', 'resume', 'abm.local']);
    expect(resumed.code, resumed.stderr).toBe(ExitCode.Ok);
    expect(resumed.stdout).toMatch(/email from abm\.local resumed/);
    const again = await abm({ url: rt.url }, ['--token', TOKEN, 'sending', 'resume', 'abm.local']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/not paused/);

    // The deferred touches go out at their next check.
    const all = await until('the deferred follow-ups', async () => {
      const m = await mails(rt.sesUrl);
      return m.length === 4 ? m : undefined;
    });
    expect(
      all
        .slice(2)
        .map((m) => m.destination.to[0])
        .sort(),
    ).toEqual(['kim@acme.example', 'sam@acme.example']);
    const statusAfter = await abm({ url: rt.url }, [
      '--token',
      TOKEN,
      'sending',
      'status',
      'abm.local',
      '--json',
    ]);
    expect(JSON.parse(statusAfter.stdout)).toMatchObject({ status: 'active', resumedAt: expect.any(String) });
  });
});
