/**
 * Leaving the ad audiences when an enrollment ends without the engine's finish step (StopExecution
 * by the scorer's exit-stage stop or by an operator), against dynalite with a RecordingPublisher
 * behind the default EventBridgeAudienceProvider.
 */
import { describe, expect, it } from 'vitest';
import { enrollmentLifecycle, touchIdOf } from '../../functions/engine';
import { removeFromSequenceAudiences } from '../../functions/engine/audience-exit';
import { ManualClock } from '../../functions/kernel/clock';
import { DETAIL_TYPES } from '../../functions/kernel/events';
import { hashEmailForAudience } from '../../functions/kernel/hash';
import type { Sequence, Touch } from '../../functions/kernel/model';
import { controlFeature } from '../../functions/launch';
import { RecordingPublisher } from '../../functions/platform/recorders';
import { providers, type AudienceProvider } from '../../functions/platform/providers';
import { EventBridgeAudienceProvider } from '../../functions/platform/providers/audience';
import { RecordingSequenceControl } from '../../functions/platform/recorders';
import { scorerFeature } from '../../functions/scoring/scorer';
import { useLocalStore } from '../support/suite';
import { testPlatform } from '../support/platform';
import { detail, ebRecord, seedAccount } from '../support/scoring';

const clock = new ManualClock('2026-11-22T12:00:00.000Z');
const store = useLocalStore(() => clock.now());

/** The campaign controls over the test's table; `audiences` replaces the ad-audience provider. */
function createControlService(options: {
  control: RecordingSequenceControl;
  publisher: RecordingPublisher;
  audiences?: AudienceProvider;
}) {
  const platform = testPlatform(store.table, {
    control: options.control,
    publisher: options.publisher,
    clock,
  });
  const audiences = options.audiences;
  return controlFeature(
    platform,
    audiences
      ? { lifecycle: enrollmentLifecycle(platform, { providers: { ...providers(platform), audiences } }) }
      : {},
  );
}

const CONTACTS = [
  { contactId: 'dana', role: 'economic_buyer' as const },
  { contactId: 'lee', role: 'champion' as const },
  { contactId: 'kim', role: 'technical_evaluator' as const },
  { contactId: 'max', role: 'end_user' as const },
];
const emailOf = (accountId: string, contactId: string) => `${contactId}@${accountId}.example`;
const hashOf = (accountId: string, contactId: string) => hashEmailForAudience(emailOf(accountId, contactId));

/** A sequence with two `add` audiences, one `remove` audience and an email step. */
async function saveAdsSequence(id: string): Promise<Sequence> {
  await store.catalog.saveSequence({
    id,
    name: id,
    exitWhen: { stages: ['opportunity', 'customer'] },
    steps: [
      { id: 'ads-a', channel: 'ads', audience: 'aud-a', action: 'add' },
      { id: 'mail', channel: 'email', template: 'intro' },
      { id: 'ads-b', channel: 'ads', audience: 'aud-b' },
      { id: 'ads-off', channel: 'ads', audience: 'aud-c', action: 'remove' },
    ],
  } as never);
  const seq = await store.catalog.getSequence(id);
  if (!seq) throw new Error(`sequence ${id} not saved`);
  return seq;
}

async function touch(
  accountId: string,
  campaignId: string,
  executionName: string,
  stepId: string,
  contactId: string,
  status: Touch['status'],
  channel: 'ads' | 'email' = 'ads',
) {
  await store.touches.record({
    touchId: touchIdOf(executionName, stepId, contactId),
    accountId,
    campaignId,
    executionName,
    stepId,
    channel,
    contactId,
    status,
    at: clock.now().toISOString(),
  });
}

/**
 * Touches of one execution: ads-a sent to dana and lee, handing over (maybe sent) for kim, failed for max; ads-b sent
 * to kim only; the `remove` step and the email step sent to everyone (neither puts anyone in an
 * audience). Another execution of the same account sent ads-a to max (not this enrollment's).
 */
async function seedTouches(accountId: string, campaignId: string, executionName: string) {
  await touch(accountId, campaignId, executionName, 'ads-a', 'dana', 'sent');
  await touch(accountId, campaignId, executionName, 'ads-a', 'lee', 'sent');
  await touch(accountId, campaignId, executionName, 'ads-a', 'kim', 'handing_over');
  await touch(accountId, campaignId, executionName, 'ads-a', 'max', 'failed');
  await touch(accountId, campaignId, executionName, 'ads-b', 'kim', 'sent');
  for (const c of CONTACTS) {
    await touch(accountId, campaignId, executionName, 'ads-off', c.contactId, 'sent');
    await touch(accountId, campaignId, executionName, 'mail', c.contactId, 'sent', 'email');
  }
  await touch(accountId, 'other', 'other--' + accountId, 'ads-a', 'max', 'sent');
}

/** The audience removals published, by audience. */
function removals(publisher: RecordingPublisher) {
  return publisher.ofType(DETAIL_TYPES.adsAudienceChanged).map((e) => {
    const d = e.detail as unknown as {
      eventId: string;
      audienceId: string;
      stepId: string;
      accountId: string;
      campaignId: string;
      add: string[];
      remove: string[];
    };
    return {
      eventId: d.eventId,
      audienceId: d.audienceId,
      stepId: d.stepId,
      accountId: d.accountId,
      campaignId: d.campaignId,
      add: d.add,
      remove: [...d.remove].sort(),
    };
  });
}

function expectedRemovals(accountId: string, campaignId: string, executionName: string) {
  return [
    {
      eventId: `${executionName}#ads-a#audience-exit`,
      audienceId: 'aud-a',
      stepId: 'ads-a',
      accountId,
      campaignId,
      add: [],
      remove: [hashOf(accountId, 'dana'), hashOf(accountId, 'lee')].sort(),
    },
    {
      eventId: `${executionName}#ads-b#audience-exit`,
      audienceId: 'aud-b',
      stepId: 'ads-b',
      accountId,
      campaignId,
      add: [],
      remove: [hashOf(accountId, 'kim')],
    },
  ];
}

describe('removeFromSequenceAudiences', () => {
  it('removes exactly the contacts whose ads touch was sent, with stable change ids', async () => {
    const seq = await saveAdsSequence('aex-shared');
    await seedAccount(store, 'aex-1', CONTACTS);
    await seedTouches('aex-1', 'camp', 'camp--aex-1');
    const publisher = new RecordingPublisher();
    const deps = {
      touches: store.touches,
      accounts: store.accounts,
      audiences: new EventBridgeAudienceProvider(publisher),
    };
    const args = {
      accountId: 'aex-1',
      campaignId: 'camp',
      executionName: 'camp--aex-1',
      sequence: seq,
      now: clock.now(),
    };
    const out = await removeFromSequenceAudiences(deps, args);
    expect(out.changes).toEqual([
      { changeId: 'camp--aex-1#ads-a#audience-exit', audienceId: 'aud-a', removed: 2 },
      { changeId: 'camp--aex-1#ads-b#audience-exit', audienceId: 'aud-b', removed: 1 },
    ]);
    expect(removals(publisher)).toEqual(expectedRemovals('aex-1', 'camp', 'camp--aex-1'));
    // With the contacts given (the engine's and the scorer's way), the same change without a read.
    const again = new RecordingPublisher();
    const contacts = await store.accounts.listContacts('aex-1');
    await removeFromSequenceAudiences(
      { touches: store.touches, accounts: store.accounts, audiences: new EventBridgeAudienceProvider(again) },
      {
        ...args,
        contacts,
      },
    );
    expect(removals(again)).toEqual(removals(publisher));
  });

  it('publishes nothing when no ads touch was sent, or the sequence has no add audience', async () => {
    const seq = await saveAdsSequence('aex-none');
    await seedAccount(store, 'aex-2', CONTACTS);
    await touch('aex-2', 'camp', 'camp--aex-2', 'ads-a', 'dana', 'handing_over');
    const publisher = new RecordingPublisher();
    const deps = {
      touches: store.touches,
      accounts: store.accounts,
      audiences: new EventBridgeAudienceProvider(publisher),
    };
    const base = { accountId: 'aex-2', campaignId: 'camp', executionName: 'camp--aex-2', now: clock.now() };
    expect((await removeFromSequenceAudiences(deps, { ...base, sequence: seq })).changes).toEqual([]);
    const emailOnly = { steps: seq.steps.filter((s) => s.type === 'touch' && s.channel === 'email') };
    expect((await removeFromSequenceAudiences(deps, { ...base, sequence: emailOnly })).changes).toEqual([]);
    expect(publisher.events).toEqual([]);
  });
});

describe('scorer: an exit-stage stop leaves the ad audiences', () => {
  it('stops the execution, removes the contacts its ads steps added, then marks it exited', async () => {
    const seq = await saveAdsSequence('aex-scorer');
    await seedAccount(store, 'aex-won', CONTACTS);
    const executionName = 'cs--aex-won';
    await store.enrollments.create({
      accountId: 'aex-won',
      campaignId: 'cs',
      sequenceId: seq.id,
      sequenceVersion: seq.version,
      executionName,
      status: 'waiting',
      stepId: 'mail',
      startedAt: clock.now().toISOString(),
      updatedAt: clock.now().toISOString(),
    });
    await seedTouches('aex-won', 'cs', executionName);
    const control = new RecordingSequenceControl();
    const publisher = new RecordingPublisher();
    const scorer = scorerFeature(testPlatform(store.table, { publisher, control, clock }));
    const out = await scorer.handleBatch([
      ebRecord(
        detail('aex-won', 'crm-aex', 'crm.stage_changed', clock.now().getTime() - 60_000, {
          origin: 'crm',
          properties: { stage: 'opportunity_created' },
        }),
      ),
    ]);
    expect(out.batchItemFailures).toEqual([]);
    expect(control.stopped).toEqual([{ executionName, reason: 'account entered stage opportunity' }]);
    expect(await store.enrollments.get('aex-won', 'cs')).toMatchObject({ status: 'exited' });
    expect(removals(publisher)).toEqual(expectedRemovals('aex-won', 'cs', executionName));
  });

  it('an enrollment already ended is not cleaned again by later folds', async () => {
    const publisher = new RecordingPublisher();
    const scorer = scorerFeature(
      testPlatform(store.table, { publisher, control: new RecordingSequenceControl(), clock }),
    );
    // aex-won is an opportunity with its enrollment exited (previous test).
    await scorer.handleBatch([
      ebRecord(detail('aex-won', 'late-1', 'email.clicked', clock.now().getTime() - 30_000)),
    ]);
    expect(removals(publisher)).toEqual([]);
  });
});

describe('control service: an operator stop leaves the ad audiences', () => {
  async function seedEnrolled(accountId: string, campaignId: string, sequence: Sequence) {
    const now = clock.now().toISOString();
    await seedAccount(store, accountId, CONTACTS);
    await store.enrollments.create({
      accountId,
      campaignId,
      sequenceId: sequence.id,
      sequenceVersion: sequence.version,
      exclusive: false,
      executionName: `${campaignId}--${accountId}`,
      status: 'running',
      startedAt: now,
      updatedAt: now,
    } as never);
    await seedTouches(accountId, campaignId, `${campaignId}--${accountId}`);
  }

  it('stopping one enrollment removes the contacts its ads steps added', async () => {
    const seq = await saveAdsSequence('aex-ctl');
    await seedEnrolled('aex-op', 'cc', seq);
    const publisher = new RecordingPublisher();
    const control = new RecordingSequenceControl();
    const service = createControlService({ control, publisher });
    const out = await service.enrollment('cc', 'aex-op', 'stop');
    expect(out.enrollments).toEqual([{ accountId: 'aex-op', status: 'stopped' }]);
    expect(control.stopped.map((s) => s.executionName)).toEqual(['cc--aex-op']);
    expect(removals(publisher)).toEqual(expectedRemovals('aex-op', 'cc', 'cc--aex-op'));
    // A repeated stop of the ended enrollment changes nothing and publishes nothing more.
    await service.enrollment('cc', 'aex-op', 'stop');
    expect(removals(publisher)).toHaveLength(2);
  });

  it('a cleanup that fails leaves the enrollment active; the retried stop redoes it with the same ids', async () => {
    const seq = await saveAdsSequence('aex-ctl-retry');
    await seedEnrolled('aex-retry', 'cr', seq);
    const publisher = new RecordingPublisher();
    const provider = new EventBridgeAudienceProvider(publisher);
    let fail = true;
    const service = createControlService({
      control: new RecordingSequenceControl(),
      publisher,
      audiences: {
        apply: async (change) => {
          if (fail) {
            fail = false;
            throw new Error('ThrottlingException');
          }
          return provider.apply(change);
        },
      },
    });
    await expect(service.enrollment('cr', 'aex-retry', 'stop')).rejects.toThrow(/Throttling/);
    expect((await store.enrollments.get('aex-retry', 'cr'))?.status).toBe('running');
    await service.enrollment('cr', 'aex-retry', 'stop');
    expect((await store.enrollments.get('aex-retry', 'cr'))?.status).toBe('stopped');
    expect(removals(publisher)).toEqual(expectedRemovals('aex-retry', 'cr', 'cr--aex-retry'));
  });

  it('a campaign stop cleans every stopped enrollment', async () => {
    const seq = await saveAdsSequence('aex-camp');
    const now = clock.now().toISOString();
    await store.campaigns.create({
      campaignId: 'cx',
      name: 'cx',
      sequenceId: seq.id,
      version: seq.version,
      audience: { accountIds: ['aex-c1', 'aex-c2'] },
      holdoutPercent: 0,
      status: 'running',
      enrolled: 2,
      heldOut: 0,
      createdAt: now,
      updatedAt: now,
    });
    await seedEnrolled('aex-c1', 'cx', seq);
    await seedEnrolled('aex-c2', 'cx', seq);
    const publisher = new RecordingPublisher();
    const service = createControlService({ control: new RecordingSequenceControl(), publisher });
    await service.campaign('cx', 'stop');
    const byEvent = (a: { eventId: string }, b: { eventId: string }) => a.eventId.localeCompare(b.eventId);
    expect(removals(publisher).sort(byEvent)).toEqual(
      [
        ...expectedRemovals('aex-c1', 'cx', 'cx--aex-c1'),
        ...expectedRemovals('aex-c2', 'cx', 'cx--aex-c2'),
      ].sort(byEvent),
    );
  });
});
