import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../functions/kernel/clock';
import { snapshotOf } from '../../functions/kernel/execution';
import { isHeldOut } from '../../functions/kernel/hash';
import { EnrollBatchEvent } from '../../functions/launch/enroll-batch-schema';
import {
  createLaunchService,
  LAUNCHER_LEASE_MS,
  type LaunchServiceDeps,
} from '../../functions/launch/launch-service';
import { InProcessLaunchRunner } from '../../functions/launch/runners';
import { StepFunctionsLaunchRunner } from '../../functions/platform/launcher';
import { RecordingStarter } from '../../functions/platform/recorders';
import { StepFunctionsStarter, type ExecutionStarter } from '../../functions/platform/sfn';
import type { Store } from '../../functions/platform/store';
import { useLocalStore } from '../support/suite';

const SEQ_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:AccountSequence';

/** The repositories a launch service reads and writes. */
const repositories = (store: Store) => ({
  accounts: store.accounts,
  enrollments: store.enrollments,
  campaigns: store.campaigns,
  catalog: store.catalog,
});

/** A one-step sequence (an ads touch), saved in the catalog. */
const saveAdsSequence = (store: Store, id: string, name = 'S') =>
  store.catalog.saveSequence({ id, name, steps: [{ id: 'ads', channel: 'ads', audience: 'x' }] });

/** Bare tier-3 accounts, named after their ids. */
async function seedTier3Accounts(store: Store, ids: string[]) {
  for (const id of ids) {
    await store.accounts.upsert({
      accountId: id,
      name: id,
      domain: `${id}.example`,
      tier: 3,
      techStack: [],
    } as never);
  }
}

const sfnMock = mockClient(SFNClient);
const s3Mock = mockClient(S3Client);
beforeEach(() => {
  sfnMock.reset();
  s3Mock.reset();
});

describe('Step Functions adapters', () => {
  const sfn = new SFNClient({ region: 'us-east-1' });
  it('StartExecution: named execution; ExecutionAlreadyExists means already running', async () => {
    sfnMock
      .on(StartExecutionCommand)
      .resolvesOnce({})
      .rejectsOnce(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    const starter = new StepFunctionsStarter(sfn, SEQ_ARN);
    const input = {
      accountId: 'a',
      campaignId: 'c',
      executionName: 'c--a',
      enrolledAt: '2026-11-23T09:00:00Z',
      sequence: {} as never,
    };
    expect(await starter.start(input)).toEqual({ started: true });
    expect(await starter.start(input)).toEqual({ started: false });
    expect(sfnMock.commandCalls(StartExecutionCommand)[0].args[0].input).toMatchObject({
      stateMachineArn: SEQ_ARN,
      name: 'c--a',
    });
  });

  it('the launcher runner writes the audience as JSON lines; one launcher execution per launch attempt', async () => {
    s3Mock.on(PutObjectCommand).resolves({});
    sfnMock
      .on(StartExecutionCommand)
      .resolvesOnce({})
      .rejectsOnce(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    const runner = new StepFunctionsLaunchRunner({
      s3: new S3Client({ region: 'us-east-1' }),
      sfn,
      bucket: 'b',
      launcherArn: 'arn:aws:states:us-east-1:1:stateMachine:L',
    });
    const plan = {
      campaignId: 'c',
      sequence: { id: 's', version: 1 } as never,
      enrolledAt: '2026-11-23T09:00:00Z',
      items: [
        { accountId: 'a', heldOut: false },
        { accountId: 'b', heldOut: true },
      ],
    };
    await runner.start({ ...plan, launchId: 'attempt-1' });
    await runner.start({ ...plan, launchId: 'attempt-1' }); // the same attempt retried: ExecutionAlreadyExists
    sfnMock.on(StartExecutionCommand).resolves({});
    await runner.start({ ...plan, launchId: 'attempt-2' }); // a relaunch after a failed run really runs
    const put = s3Mock.commandCalls(PutObjectCommand)[0].args[0].input;
    expect(
      String(put.Body)
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual(plan.items);
    const starts = sfnMock.commandCalls(StartExecutionCommand).map((c) => c.args[0].input);
    expect(starts[0].name).toBe(starts[1].name);
    expect(starts[2].name).not.toBe(starts[0].name);
    expect(starts.every((st) => /^[A-Za-z0-9_-]{1,80}$/.test(st.name!))).toBe(true);
    expect(JSON.parse(starts[0].input!)).toMatchObject({ campaignId: 'c', bucket: 'b', key: put.Key });
  });

  it('the launcher runner without an S3 client loads and builds one on its first launch only', async () => {
    s3Mock.on(PutObjectCommand).resolves({});
    sfnMock.on(StartExecutionCommand).resolves({});
    const runner = new StepFunctionsLaunchRunner({
      sfn,
      bucket: 'b',
      launcherArn: 'arn:aws:states:us-east-1:1:stateMachine:L',
    });
    const plan = {
      campaignId: 'lazy',
      sequence: { id: 's', version: 1 } as never,
      enrolledAt: '2026-11-23T09:00:00Z',
      items: [{ accountId: 'a', heldOut: false }],
    };
    const before = s3Mock.commandCalls(PutObjectCommand).length;
    await runner.start({ ...plan, launchId: 'one' });
    await runner.start({ ...plan, launchId: 'two' });
    const puts = s3Mock.commandCalls(PutObjectCommand).slice(before);
    expect(puts.map((c) => c.args[0].input.Bucket)).toEqual(['b', 'b']);
    // One client for the life of the runner.
    expect(puts[0].thisValue).toBe(puts[1].thisValue);
  });
});

describe('enrollBatch (the Distributed Map item processor)', () => {
  const store = useLocalStore();

  it('a batch retried after StartExecution failed starts what was missed and never enrolls twice', async () => {
    const sequence = await saveAdsSequence(store, 'seq');
    const started: string[] = [];
    let failOn: string | undefined = 'acc-2';
    const flaky: ExecutionStarter = {
      async start(input) {
        if (input.accountId === failOn) {
          failOn = undefined;
          throw new Error('ThrottlingException');
        }
        const fresh = !started.includes(input.executionName);
        if (fresh) started.push(input.executionName);
        return { started: fresh };
      },
    };
    const service = createLaunchService({
      ...repositories(store),
      starter: flaky,
      clock: new ManualClock('2026-11-23T09:00:00Z'),
      concurrency: 1,
    });
    const context = {
      campaignId: 'camp',
      sequence: snapshotOf(sequence),
      enrolledAt: '2026-11-23T09:00:00.000Z',
    };
    const items = [
      { accountId: 'acc-1', heldOut: false },
      { accountId: 'acc-2', heldOut: false },
      { accountId: 'acc-3', heldOut: true },
    ];
    await expect(service.enrollBatch(context, items)).rejects.toThrow(/Throttling/);
    // The batch's enrollments (held-out record included) were written in one BatchWriteItem before
    // the starts; acc-2's start failed, so the retry starts it (acc-1's start finds it running).
    const retry = await service.enrollBatch(context, items);
    // acc-2 was never counted (the failed attempt never finalized): it counts as enrolled now.
    expect(retry).toMatchObject({ enrolled: 1, restarted: 1, alreadyRunning: 1, heldOut: 0, existing: 3 });
    expect(started.sort()).toEqual(['camp--acc-1', 'camp--acc-2']);
    const again = await service.enrollBatch(context, items);
    expect(again).toMatchObject({ enrolled: 0, heldOut: 0, existing: 3 });
    expect(
      (await store.enrollments.listOfCampaign('camp')).items.map((e) => [e.accountId, e.status]),
    ).toEqual([
      ['acc-1', 'running'],
      ['acc-2', 'running'],
      ['acc-3', 'held_out'],
    ]);
  });

  it('counts right under AWS StartExecution semantics: a running execution with the same input answers success', async () => {
    // RecordingStarter answers as AWS documents (startExecutionOutcome): without a fresh input the
    // retried batch would take acc-1's idempotent success for a new start and count it twice.
    const sequence = await saveAdsSequence(store, 'seq-aws');
    const aws = new RecordingStarter();
    let failOn: string | undefined = 'acc-2';
    const starter: ExecutionStarter = {
      async start(input) {
        if (input.accountId === failOn) {
          failOn = undefined;
          throw new Error('ThrottlingException');
        }
        return aws.start(input);
      },
    };
    const service = createLaunchService({
      ...repositories(store),
      starter,
      clock: new ManualClock('2026-11-23T09:00:00Z'),
      concurrency: 1,
    });
    const context = {
      campaignId: 'camp-aws',
      sequence: snapshotOf(sequence),
      enrolledAt: '2026-11-23T09:00:00.000Z',
    };
    const items = [
      { accountId: 'acc-1', heldOut: false },
      { accountId: 'acc-2', heldOut: false },
    ];
    await expect(service.enrollBatch(context, items)).rejects.toThrow(/Throttling/);
    const retry = await service.enrollBatch(context, items);
    expect(retry).toMatchObject({ enrolled: 1, restarted: 1, alreadyRunning: 1, existing: 2 });
    expect(aws.started.map((i) => i.executionName).sort()).toEqual(['camp-aws--acc-1', 'camp-aws--acc-2']);
    // Once an execution has ended, its name stays taken: a relaunch starts nothing and counts nothing.
    aws.close('camp-aws--acc-2');
    const again = await service.enrollBatch(context, items);
    expect(again).toMatchObject({ enrolled: 0, restarted: 0, alreadyRunning: 2 });
    expect(aws.started).toHaveLength(2);
    expect(aws.calls).toBe(5);
  });

  it('one launch at a time; a relaunch after a crash between the write and StartExecution starts it', async () => {
    const sequence = await saveAdsSequence(store, 'seq-lease');
    const started = new Set<string>();
    let crash = true;
    const starter: ExecutionStarter = {
      async start(input) {
        if (crash) throw new Error('Lambda died');
        const fresh = !started.has(input.executionName);
        started.add(input.executionName);
        return { started: fresh };
      },
    };
    const clock = new ManualClock('2026-11-23T09:00:00Z');
    const service = createLaunchService({ ...repositories(store), starter, clock, concurrency: 2 });
    await seedTier3Accounts(store, ['l-1', 'l-2', 'l-3']);
    const body = {
      campaignId: 'lease',
      name: 'Lease',
      sequenceId: sequence.id,
      audience: { accountIds: ['l-1', 'l-2', 'l-3'] },
    };
    // A launch holding the lease (here: taken by hand) refuses a second one.
    expect(await store.campaigns.acquireLease('lease', 'other', clock.now(), 60_000)).toBe(true);
    await expect(service.launch(body)).rejects.toMatchObject({ status: 409 });
    await store.campaigns.releaseLease('lease');
    // The first launch writes the enrollments, then dies on StartExecution: the lease is given back.
    await expect(service.launch(body)).rejects.toThrow(/Lambda died/);
    expect((await store.enrollments.listOfCampaign('lease')).items).toHaveLength(3);
    crash = false;
    // The relaunch starts every missing execution, and enrolls nobody twice.
    await service.launch(body);
    expect([...started].sort()).toEqual(['lease--l-1', 'lease--l-2', 'lease--l-3']);
    const again = await service.launch(body);
    expect(again).toMatchObject({ enrolled: 0, heldOut: 0 });
    expect(again.skipped.map((s) => s.reason)).toEqual([
      'already_enrolled',
      'already_enrolled',
      'already_enrolled',
    ]);
    expect(started.size).toBe(3);
    expect((await store.enrollments.listOfCampaign('lease')).items.map((e) => e.status)).toEqual([
      'running',
      'running',
      'running',
    ]);
  });

  it('validates the Distributed Map batch event', () => {
    expect(EnrollBatchEvent.safeParse({ BatchInput: {}, Items: [] }).success).toBe(false);
  });
});

describe('holdout', () => {
  it('is deterministic and close to the percentage', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `acct-${i}`);
    const held = ids.filter((id) => isHeldOut('q1', id, 20));
    expect(held.length).toBeGreaterThanOrEqual(170);
    expect(held.length).toBeLessThanOrEqual(230);
    expect(ids.filter((id) => isHeldOut('q1', id, 20))).toEqual(held);
  });
});

describe('launch: campaign status, eligibility, response size, lease', () => {
  const clock = new ManualClock('2026-11-23T09:00:00Z');
  const store = useLocalStore(() => clock.now());
  beforeAll(async () => {
    await saveAdsSequence(store, 'seq');
    await seedTier3Accounts(store, ['a-0', 'a-1', 'a-2', 'a-3', 'a-4', 'a-5']);
  });

  const recording = () => {
    const names: string[] = [];
    const starter: ExecutionStarter = {
      async start(input) {
        names.push(input.executionName);
        return { started: true };
      },
    };
    return { names, starter };
  };
  const campaign = (campaignId: string, status: 'running' | 'paused' | 'stopped') =>
    store.campaigns.create({
      campaignId,
      name: campaignId,
      sequenceId: 'seq',
      version: 1,
      audience: { tier: 3 },
      holdoutPercent: 0,
      status,
      enrolled: 0,
      heldOut: 0,
      createdAt: clock.now().toISOString(),
      updatedAt: clock.now().toISOString(),
    });

  it('a batch of a stopped campaign starts nothing (campaign_stopped); of a paused one enrolls paused', async () => {
    const { names, starter } = recording();
    const service = createLaunchService({ ...repositories(store), starter, clock });
    const sequence = snapshotOf((await store.catalog.getSequence('seq'))!);
    const items = [
      { accountId: 'a-0', heldOut: false },
      { accountId: 'a-1', heldOut: false },
    ];
    await campaign('stopped-c', 'stopped');
    const stopped = await service.enrollBatch(
      { campaignId: 'stopped-c', sequence, enrolledAt: clock.now().toISOString() },
      items,
    );
    expect(stopped).toMatchObject({ enrolled: 0, campaignStopped: ['a-0', 'a-1'] });
    expect(names).toEqual([]);
    expect((await store.enrollments.listOfCampaign('stopped-c')).items).toEqual([]);

    await campaign('paused-c', 'paused');
    const paused = await service.enrollBatch(
      { campaignId: 'paused-c', sequence, enrolledAt: clock.now().toISOString() },
      items,
    );
    expect(paused).toMatchObject({ enrolled: 2, campaignStopped: [] });
    // Started: the engine reads `paused` at its first step and parks until the campaign is resumed.
    expect(names).toEqual(['paused-c--a-0', 'paused-c--a-1']);
    expect((await store.enrollments.listOfCampaign('paused-c')).items.map((e) => e.status)).toEqual([
      'paused',
      'paused',
    ]);
  });

  it('a launch whose enrollments are all held out ends completed (nothing keeps it running)', async () => {
    const { names, starter } = recording();
    const service = createLaunchService({ ...repositories(store), starter, clock });
    await seedTier3Accounts(store, ['h-0', 'h-1']); // accounts of this test only
    const res = await service.launch({
      campaignId: 'all-held',
      name: 'All held out',
      sequenceId: 'seq',
      audience: { accountIds: ['h-0', 'h-1'] },
      holdoutPercent: 100,
    });
    expect(res).toMatchObject({ enrolled: 0, heldOut: 2, status: 'completed' });
    expect(names).toEqual([]);
    expect(await store.campaigns.get('all-held')).toMatchObject({ status: 'completed' });
  });

  it('skips an account held out by another active campaign (held_out_elsewhere)', async () => {
    const { starter } = recording();
    const service = createLaunchService({ ...repositories(store), starter, clock });
    await campaign('holder', 'running');
    await store.enrollments.create({
      accountId: 'a-2',
      campaignId: 'holder',
      sequenceId: 'other-seq',
      sequenceVersion: 1,
      exclusive: false,
      executionName: 'holder--a-2',
      status: 'held_out',
      startedAt: clock.now().toISOString(),
      updatedAt: clock.now().toISOString(),
    } as never);
    const res = await service.launch({
      campaignId: 'second',
      name: 'Second',
      sequenceId: 'seq',
      audience: { accountIds: ['a-2', 'a-3'] },
    });
    expect(res.skipped).toEqual([{ accountId: 'a-2', reason: 'held_out_elsewhere' }]);
    expect(res.enrolled).toBe(1);
    expect(await store.enrollments.get('a-2', 'second')).toBeUndefined();
  });

  it('caps the skipped list at 1,000 with complete counts by reason', async () => {
    const { starter } = recording();
    const service = createLaunchService({ ...repositories(store), starter, clock });
    const ghosts = Array.from({ length: 1200 }, (_, i) => `ghost-${String(i).padStart(4, '0')}`);
    const res = await service.launch({
      campaignId: 'many-skips',
      name: 'Many',
      sequenceId: 'seq',
      audience: { accountIds: ['a-4', ...ghosts] },
      dryRun: true,
    });
    expect(res.skipped).toHaveLength(1000);
    expect(res).toMatchObject({
      skippedTotal: 1200,
      skippedTruncated: true,
      skippedByReason: { not_found: 1200 },
    });
  });

  it('an inline launch holds a short lease; a launcher hand-over extends it; a failed run releases it', async () => {
    const { starter } = recording();
    const inner = store.campaigns;
    const ttls: [string, number][] = [];
    // The campaigns repository, recording the lease TTLs asked for.
    const campaigns: LaunchServiceDeps['campaigns'] = {
      get: (c) => inner.get(c),
      create: (c) => inner.create(c),
      update: (c, m) => inner.update(c, m),
      listAll: () => inner.listAll(),
      acquireLease: (c, o, n, ttl) => (ttls.push(['acquire', ttl]), inner.acquireLease(c, o, n, ttl)),
      extendLease: (c, o, n, ttl) => (ttls.push(['extend', ttl]), inner.extendLease(c, o, n, ttl)),
      releaseLease: (c) => inner.releaseLease(c),
      complete: (c) => inner.complete(c),
    };
    let fail = true;
    const runnerRef: { runner?: InProcessLaunchRunner } = {};
    const service = createLaunchService({
      ...repositories(store),
      starter: {
        async start(input) {
          if (fail && input.accountId === 'a-5') throw new Error('States.TaskFailed');
          return starter.start(input);
        },
      },
      clock,
      campaigns,
      inlineLimit: 2,
      runner: { start: (plan) => runnerRef.runner!.start(plan) },
    });
    runnerRef.runner = new InProcessLaunchRunner(service, { batchSize: 2, concurrency: 1 });
    await saveAdsSequence(store, 'seq-big', 'B');
    const body = { campaignId: 'big', name: 'Big', sequenceId: 'seq-big', audience: { tier: 3 as const } };
    await expect(service.launch(body)).rejects.toThrow(/TaskFailed/);
    expect(ttls).toEqual([
      ['acquire', 60_000],
      ['extend', LAUNCHER_LEASE_MS],
    ]);
    // The failure path released the lease and left the campaign launching: a relaunch finishes it.
    expect((await store.campaigns.get('big'))?.status).toBe('launching');
    fail = false;
    const again = await service.launch(body);
    expect(again.mode).toBe('launcher');
    expect((await store.campaigns.get('big'))?.status).toBe('running');
  });
});
