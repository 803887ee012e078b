/**
 * The SES event records as AWS documents them (fixtures/ses-records.ts), delivered as EventBridge
 * delivers them from the default bus, through the real normaliser and the real sender reputation
 * breaker, over dynalite.
 */
import { describe, expect, it } from 'vitest';
import { DETAIL_TYPES, type EngagementRecordedDetail } from '../../functions/kernel/events';
import { ManualClock } from '../../functions/kernel/clock';
import { SES_EVENT_TYPES } from '../../functions/kernel/rules';
import { sesNormaliserFeature, sendingReputationFeature } from '../../functions/ingest';
import { compose } from '../../functions/platform/compose';
import { RecordingPublisher } from '../../functions/platform/recorders';
import { keys } from '../../functions/platform/store';
import { Table } from '../../functions/platform/store/table';
import { storeOf } from '../../functions/platform/store-of';
import { hourOf, windowHoursOf, type ReputationConfigInput } from '../../functions/kernel/reputation';
import { Conflict } from '../../functions/kernel/errors';
import { startDynalite } from '../support/dynalite';
import { seedAccount } from '../support/scoring';
import { eventBridgeEnvelope, SES_RECORDS, type SesRecordType } from './fixtures/ses-records';

const NOW = '2026-11-22T10:00:00.000Z';

/** The normaliser and the breaker of a platform over a fresh table, with example.com's account. */
async function rig(reputation: ReputationConfigInput = {}, configurationSet = 'ConfigSet') {
  const db = await startDynalite();
  const publisher = new RecordingPublisher();
  const clock = new ManualClock(NOW);
  const platform = compose(
    { tableName: db.tableName, sesConfigurationSet: configurationSet, reputation },
    { normalise: sesNormaliserFeature, sending: sendingReputationFeature },
    { table: new Table(db.client, db.tableName), publisher, clock },
  );
  const store = storeOf(platform);
  await seedAccount(
    store,
    'acme',
    [{ contactId: 'acme-rita', role: 'champion', email: 'recipient@example.com' }],
    {
      domain: 'example.com',
    },
  );
  await seedAccount(store, 'northwind', [{ contactId: 'nw-dana', role: 'economic_buyer' }]);
  const engagement = () =>
    publisher.ofType(DETAIL_TYPES.engagementRecorded).map((e) => e.detail as EngagementRecordedDetail);
  return { db, platform, store, publisher, clock, engagement };
}

type Rig = Awaited<ReturnType<typeof rig>>;

/** Runs `test` on a rig of its own, stopped after it. */
async function withRig(reputation: ReputationConfigInput, test: (r: Rig) => Promise<void>, set?: string) {
  const r = await rig(reputation, set);
  try {
    await test(r);
  } finally {
    await r.db.stop();
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- records are edited loosely
const copy = (value: unknown): any => structuredClone(value);
const envelope = (type: SesRecordType, record: unknown = SES_RECORDS[type]) =>
  eventBridgeEnvelope(SES_EVENT_TYPES[type], copy(record));

describe('documented SES records through the normaliser', () => {
  it.each([
    ['Send', { published: 1, suppressed: [] }, 'email.sent', { messageId: expect.any(String) }],
    ['Delivery', { published: 1, suppressed: [] }, 'email.delivered', {}],
    ['Open', { published: 1 }, 'email.opened', {}],
    [
      'Click',
      { published: 1 },
      'email.clicked',
      { link: 'http://docs.aws.amazon.com/ses/latest/DeveloperGuide/send-email-smtp.html' },
    ],
    [
      'Bounce',
      { published: 1, suppressed: ['recipient@example.com'], counted: 1 },
      'email.bounced',
      {
        bounceType: 'Permanent',
        bounceSubType: 'General',
      },
    ],
    [
      'Complaint',
      { published: 1, suppressed: ['recipient@example.com'], counted: 1 },
      'email.complained',
      {},
    ],
    ['Reject', { published: 1, suppressed: [] }, 'email.rejected', { rejectReason: 'Bad content' }],
    [
      'Rendering Failure',
      { published: 1 },
      'email.rejected',
      {
        rejectReason: "rendering failure: Attribute 'attributeName' is not present in the rendering data.",
      },
    ],
  ] as const)('%s: %j, engagement %s', async (type, outcome, engagementType, properties) => {
    await withRig({}, async (r) => {
      const out = await r.platform.normalise(envelope(type));
      expect(out).toMatchObject(outcome);
      const [e] = r.engagement();
      // Resolved by the recipient's address (no message tags in the documented records).
      expect(e).toMatchObject({ type: engagementType, accountId: 'acme', origin: 'ses', properties });
      if (type !== 'Reject') expect(e).toMatchObject({ contactId: 'acme-rita', role: 'champion' });
      // Only permanent bounces and complaints suppress, and only they count against the sender.
      const suppression = await r.store.accounts.getSuppression('recipient@example.com');
      expect(suppression?.reason).toBe(
        type === 'Bounce' ? 'hard_bounce' : type === 'Complaint' ? 'complaint' : undefined,
      );
      const hour = hourOf(new Date(e!.occurredAt));
      const counts = await r.store.reputation.counts('example.com', [hour]);
      expect(counts).toEqual({
        sends: 0,
        bounces: type === 'Bounce' ? 1 : 0,
        complaints: type === 'Complaint' ? 1 : 0,
      });
    });
  });

  it('DeliveryDelay: accepted, no engagement, no suppression', async () => {
    await withRig({}, async (r) => {
      const out = await r.platform.normalise(envelope('DeliveryDelay'));
      expect(out).toMatchObject({
        published: 0,
        suppressed: [],
        ignored: expect.stringMatching(/delivery delay/),
      });
      expect(r.publisher.events).toEqual([]);
      expect(await r.store.accounts.isSuppressed('recipient@example.com')).toBe(false);
    });
  });

  it('Subscription with unsubscribeAll: the contact is unsubscribed and the address suppressed', async () => {
    await withRig({}, async (r) => {
      const out = await r.platform.normalise(envelope('Subscription'));
      expect(out).toMatchObject({ published: 0, unsubscribed: ['recipient@example.com'] });
      expect((await r.store.accounts.getContact('acme', 'acme-rita'))?.unsubscribedAt).toBe(
        '2026-11-22T10:00:00.000Z',
      );
      expect(await r.store.accounts.getSuppression('recipient@example.com')).toMatchObject({
        reason: 'unsubscribed',
        source: 'ses',
      });
      // A change of topic preferences that keeps the address subscribed changes nothing.
      const kept = copy(SES_RECORDS.Subscription) as { subscription: { newTopicPreferences: object } };
      kept.subscription.newTopicPreferences = { unsubscribeAll: false };
      const other = await r.platform.normalise(envelope('Subscription', kept));
      expect(other).toMatchObject({ published: 0, ignored: expect.stringMatching(/without unsubscribeAll/) });
      expect(other.unsubscribed).toBeUndefined();
    });
  });

  it('a transient bounce is engagement only: no suppression, no count against the sender', async () => {
    await withRig({}, async (r) => {
      const soft = copy(SES_RECORDS.Bounce) as { bounce: { bounceType: string; bounceSubType: string } };
      soft.bounce.bounceType = 'Transient';
      soft.bounce.bounceSubType = 'MailboxFull';
      const out = await r.platform.normalise(envelope('Bounce', soft));
      expect(out).toMatchObject({ published: 1, suppressed: [] });
      expect(out.counted).toBeUndefined();
      expect(r.engagement()[0]).toMatchObject({
        type: 'email.bounced',
        properties: { bounceType: 'Transient' },
      });
      expect(await r.store.accounts.isSuppressed('recipient@example.com')).toBe(false);
    });
  });

  it('resolves the account by the message tags the engine sets before the recipient address', async () => {
    await withRig({}, async (r) => {
      const tagged = copy(SES_RECORDS.Open) as { mail: { tags: Record<string, string[]> } };
      Object.assign(tagged.mail.tags, {
        accountId: ['northwind'],
        contactId: ['nw-dana'],
        campaignId: ['q1'],
        stepId: ['intro'],
      });
      await r.platform.normalise(envelope('Open', tagged));
      expect(r.engagement()[0]).toMatchObject({
        accountId: 'northwind',
        contactId: 'nw-dana',
        role: 'economic_buyer',
        properties: { campaignId: 'q1', stepId: 'intro' },
      });
    });
  });

  it("ignores records of another configuration set and SES's other events", async () => {
    await withRig(
      {},
      async (r) => {
        const out = await r.platform.normalise(envelope('Bounce'));
        expect(out).toMatchObject({
          published: 0,
          suppressed: [],
          ignored: expect.stringMatching(/ConfigSet/),
        });
        const status = await r.platform.normalise(eventBridgeEnvelope('Sending Status Disabled', {}));
        expect(status.ignored).toMatch(/Sending Status Disabled/);
        expect(r.publisher.events).toEqual([]);
        expect(await r.store.accounts.isSuppressed('recipient@example.com')).toBe(false);
      },
      'abm-prod',
    );
  });
});

describe('sender reputation circuit breaker', () => {
  /** `n` sends of example.com counted as the engine counts them. */
  const sends = async (r: Rig, n: number) => {
    for (let i = 0; i < n; i++) await r.store.reputation.countSend('example.com', new Date(NOW));
  };
  /** The documented bounce (or complaint) of message `id`, now. */
  const feedback = (type: 'Bounce' | 'Complaint', id: string) => {
    const record = copy(SES_RECORDS[type]) as {
      mail: { messageId: string };
      bounce?: { timestamp: string };
      complaint?: { timestamp: string };
    };
    record.mail.messageId = id;
    (record.bounce ?? record.complaint)!.timestamp = NOW;
    return envelope(type, record);
  };

  it('counts a redelivered bounce once, and judges nothing below minSends', async () => {
    await withRig({ minSends: 10 }, async (r) => {
      await sends(r, 9);
      const first = await r.platform.normalise(feedback('Bounce', 'm-1'));
      const again = await r.platform.normalise(feedback('Bounce', 'm-1'));
      expect([first.counted, again.counted]).toEqual([1, 0]);
      // The same event id both times: the scorer deduplicates the engagement too.
      expect(new Set(r.engagement().map((e) => e.eventId)).size).toBe(1);
      expect(await r.store.reputation.counts('example.com', [hourOf(new Date(NOW))])).toEqual({
        sends: 9,
        bounces: 1,
        complaints: 0,
      });
      // 1 in 9 is over 5%, but 9 sends are not enough to judge.
      expect((await r.platform.sending.status('example.com')).status).toBe('active');
      expect(r.publisher.ofType(DETAIL_TYPES.sendingPaused)).toEqual([]);
    });
  });

  it('pauses the domain once its bounce rate reaches maxBounceRate, with one email.sending_paused', async () => {
    await withRig({ minSends: 20, maxBounceRate: 0.1 }, async (r) => {
      await sends(r, 20);
      await r.platform.normalise(feedback('Bounce', 'm-1')); // 5%
      expect((await r.platform.sending.status('example.com')).status).toBe('active');
      await r.platform.normalise(feedback('Bounce', 'm-2')); // 10%: the threshold
      const view = await r.platform.sending.status('example.com');
      expect(view).toMatchObject({
        domain: 'example.com',
        status: 'paused',
        reason: 'bounce_rate',
        pausedAt: NOW,
        window: { hours: 24, sends: 20, bounces: 2, complaints: 0, bounceRate: 0.1 },
        thresholds: { windowHours: 24, minSends: 20, maxBounceRate: 0.1, maxComplaintRate: 0.001 },
      });
      await r.platform.normalise(feedback('Bounce', 'm-3'));
      const paused = r.publisher.ofType(DETAIL_TYPES.sendingPaused);
      expect(paused).toHaveLength(1);
      expect(paused[0]!.detail).toMatchObject({
        domain: 'example.com',
        reason: 'bounce_rate',
        window: { sends: 20, bounces: 2, bounceRate: 0.1 },
        thresholds: { minSends: 20, maxBounceRate: 0.1 },
      });
      // A redelivery while paused re-publishes the same event (a crash may have cut the first short).
      await r.platform.normalise(feedback('Bounce', 'm-2'));
      const all = r.publisher.ofType(DETAIL_TYPES.sendingPaused);
      expect(all).toHaveLength(2);
      expect(all[1]!.detail.eventId).toBe(all[0]!.detail.eventId);
    });
  });

  it('pauses on complaints at the default 0.1%', async () => {
    await withRig({}, async (r) => {
      // 500 sends in the hour, written at once (the engine adds them one by one).
      await r.store.table.update(keys.sendingHour('example.com', hourOf(new Date(NOW))), {
        add: { sends: 500 },
      });
      await r.platform.normalise(feedback('Complaint', 'c-1')); // 0.2%
      expect(await r.platform.sending.status('example.com')).toMatchObject({
        status: 'paused',
        reason: 'complaint_rate',
        window: { sends: 500, complaints: 1, complaintRate: 0.002 },
      });
    });
  });

  it('resumes: the window starts afresh at the resume, and a second resume is a conflict', async () => {
    await withRig({ minSends: 4 }, async (r) => {
      await sends(r, 4);
      await r.platform.normalise(feedback('Bounce', 'm-1'));
      expect((await r.platform.sending.status('example.com')).status).toBe('paused');
      r.clock.set('2026-11-22T10:30:00.000Z');
      const resumed = await r.platform.sending.resume('example.com');
      expect(resumed).toMatchObject({
        status: 'active',
        resumedAt: '2026-11-22T10:30:00.000Z',
        window: { from: '2026-11-22T10:30:00.000Z', sends: 0, bounces: 0 },
      });
      expect(r.publisher.ofType(DETAIL_TYPES.sendingResumed).map((e) => e.detail)).toEqual([
        {
          eventId: 'sending-resumed:example.com:2026-11-22T10:30:00.000Z',
          occurredAt: '2026-11-22T10:30:00.000Z',
          domain: 'example.com',
          pausedAt: NOW,
          reason: 'bounce_rate',
        },
      ]);
      await expect(r.platform.sending.resume('example.com')).rejects.toBeInstanceOf(Conflict);
      // Only what happens after the resume counts: 4 new sends and 1 new bounce trip it again.
      await sends(r, 3);
      const late = copy(SES_RECORDS.Bounce) as { mail: { messageId: string }; bounce: { timestamp: string } };
      late.mail.messageId = 'm-2';
      late.bounce.timestamp = '2026-11-22T10:40:00.000Z';
      await r.platform.normalise(envelope('Bounce', late));
      expect((await r.platform.sending.status('example.com')).window).toMatchObject({ sends: 3, bounces: 1 });
      expect((await r.platform.sending.status('example.com')).status).toBe('active');
      await sends(r, 1);
      late.mail.messageId = 'm-3';
      await r.platform.normalise(envelope('Bounce', late));
      expect((await r.platform.sending.status('example.com')).status).toBe('paused');
    });
  });

  it('rolls: buckets older than windowHours leave the window', () => {
    const now = new Date('2026-11-22T10:15:00Z');
    expect(windowHoursOf(now, 3)).toEqual(['2026-11-22T08', '2026-11-22T09', '2026-11-22T10']);
    expect(windowHoursOf(now, 3, new Date('2026-11-22T09:59:00Z'))).toEqual([
      '2026-11-22T09',
      '2026-11-22T10',
    ]);
    expect(windowHoursOf(now, 24)).toHaveLength(24);
  });
});
