/**
 * The launcher state machine itself (statemachines/campaign-launch.asl.json) executed on the local
 * Step Functions runner, its Distributed Map as an inline Map over the same item reader contract
 * (lib/local/launcher.ts): a launch above the inline limit goes through the real file, states and
 * all, and every call it makes outside the service's clients is counted.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../functions/kernel/clock';
import { createLaunchService, type LaunchService } from '../../functions/launch/launch-service';
import { RecordingStarter } from '../../functions/platform/recorders';
import type { Store } from '../../functions/platform/store';
import { LocalBucket, LocalLauncher } from '../../lib/local/launcher';
import { useLocalStore } from '../support/suite';

async function seed(store: Store, n: number, prefix: string, tier: 2 | 3) {
  await store.catalog.saveSequence({
    id: 'asl-seq',
    name: 'S',
    steps: [{ id: 'ads', channel: 'ads', audience: 'x' }],
  });
  for (let i = 0; i < n; i++)
    await store.accounts.upsert({
      accountId: `${prefix}-${String(i).padStart(4, '0')}`,
      name: `A ${i}`,
      domain: `${prefix}-${i}.example`,
      tier,
      techStack: [],
    } as never);
}

function launchWith(store: Store, starter: RecordingStarter, wrap = (s: LaunchService) => s) {
  const bucket = new LocalBucket();
  const holder: { launcher?: LocalLauncher } = {};
  const service = createLaunchService({
    accounts: store.accounts,
    enrollments: store.enrollments,
    campaigns: store.campaigns,
    catalog: store.catalog,
    starter,
    clock: new ManualClock('2026-11-23T09:00:00Z'),
    runner: { start: (plan) => holder.launcher!.start(plan) },
  });
  holder.launcher = new LocalLauncher(wrap(service), { bucket });
  return { service, launcher: holder.launcher, bucket };
}

describe('the launcher ASL, executed', () => {
  const store = useLocalStore();

  it('enrolls a large audience through the Distributed Map, Finalize and DropAudience', async () => {
    await seed(store, 250, 'asl', 3);
    const starter = new RecordingStarter();
    const { service, launcher, bucket } = launchWith(store, starter);
    const result = await service.launch({
      campaignId: 'asl-camp',
      name: 'ASL',
      sequenceId: 'asl-seq',
      audience: { tier: 3 },
    });
    expect(result).toMatchObject({ mode: 'launcher', status: 'launching', enrolled: 250 });
    const [run] = [...launcher.executions.values()];
    expect(run!.status).toBe('SUCCEEDED');
    expect(run!.path).toEqual(
      expect.arrayContaining([
        'EnrollAudience (ItemReader)',
        'EnrollAudience',
        'EnrollBatch',
        'Finalize',
        'DropAudience',
        'Launched',
      ]),
    );
    // Three batches of at most 100 (the ItemBatcher), each its own child and Lambda invoke.
    expect(launcher.calls).toEqual({
      's3:PutObject': 1,
      's3:GetObject': 1,
      's3:DeleteObject': 1,
      'states:StartExecution': 1,
      'states:MapChildExecution': 3,
      'lambda:Invoke': 4,
    });
    expect(bucket.objects.size).toBe(0);
    expect(run!.output).toMatchObject({
      campaignId: 'asl-camp',
      failed: false,
      status: 'running',
      enrolled: 250,
    });
    expect(new Set(starter.started.map((s) => s.executionName)).size).toBe(250);
    expect(await store.campaigns.get('asl-camp')).toMatchObject({ status: 'running', enrolled: 250 });
  });

  it('a batch that keeps failing takes the Catch: LaunchFailed records the counts, the execution fails', async () => {
    await seed(store, 150, 'bad', 2);
    let calls = 0;
    let good: Promise<unknown> = Promise.resolve();
    const { service, launcher } = launchWith(store, new RecordingStarter(), (s) => ({
      ...s,
      enrollBatch: async (context, items) => {
        calls++;
        // Fails once the other batch is done (nothing left running when the test ends).
        if (items.some((i) => i.accountId === 'bad-0120')) {
          await good;
          throw new Error('boom');
        }
        const result = s.enrollBatch(context, items);
        good = result;
        return result;
      },
    }));
    await expect(
      service.launch({ campaignId: 'asl-bad', name: 'Bad', sequenceId: 'asl-seq', audience: { tier: 2 } }),
    ).rejects.toThrow(/FAILED/);
    const [run] = [...launcher.executions.values()];
    expect(run!.path).toEqual(expect.arrayContaining(['LaunchFailed', 'DropFailedAudience', 'Failed']));
    // The ASL's Retry: the failing batch ran 1 + 4 times, the other once.
    expect(calls).toBe(6);
    // What was enrolled is counted, the campaign is left launching, the lease released: a relaunch can start.
    expect(await store.campaigns.get('asl-bad')).toMatchObject({ status: 'launching', enrolled: 100 });
    expect(await store.campaigns.acquireLease('asl-bad', 'relaunch', new Date(), 60_000)).toBe(true);
  });
});
