/**
 * `npm run bench -- launch`: enrolls 10,000 accounts through the launch path (POST /campaigns'
 * service, then the launcher state machine itself, statemachines/campaign-launch.asl.json, run by
 * lib/local/launcher.ts: its Distributed Map as an inline Map over the same item reader contract)
 * against dynalite, with the Step Functions client mocked. Counts every AWS call a real launch
 * makes, seeding excluded: DynamoDB through a client middleware; each StartExecution of an account
 * through the mock; and from the launcher, the audience's S3 PutObject, the launcher's
 * StartExecution, the item reader's GetObject, each Distributed Map child (an Express execution)
 * and each Lambda invoke (the batches, Finalize), the DeleteObject of the audience.
 * Target: awsCallsPerAccount <= 1.1, counted over EVERY call of the launch (the fixed ones too):
 * per 100 accounts one child, one invoke, one BatchGetItem and a few BatchWriteItem, then one
 * StartExecution per treated account, plus about twenty fixed calls.
 * Set BENCH_ACCOUNTS / BENCH_HOLDOUT to vary the audience and the holdout (default 10,000 and 0).
 */
import '../functions/platform/polyfills';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { scoreFit } from '../functions/api/domain/fit';
import { mapLimit } from '../functions/kernel/async';
import { systemClock } from '../functions/kernel/clock';
import { createLaunchService } from '../functions/launch/launch-service';
import { StepFunctionsStarter } from '../functions/platform/sfn';
import { createStore, keys, Table } from '../functions/platform/store';
import { countingClient } from '../functions/platform/store/table';
import { LocalLauncher } from '../lib/local/launcher';
import { startDynalite } from '../test/support/dynalite';

export async function run(): Promise<Record<string, unknown>> {
  const accounts = Number(process.env.BENCH_ACCOUNTS ?? 10_000);
  const holdoutPercent = Number(process.env.BENCH_HOLDOUT ?? 0);
  const db = await startDynalite();
  const sfnMock = mockClient(SFNClient);
  sfnMock.on(StartExecutionCommand).resolves({
    executionArn: 'arn:aws:states:us-east-1:123456789012:execution:seq:x',
    startDate: new Date(),
  });
  try {
    // Every DynamoDB call goes through the counter; it is reset once the accounts are seeded.
    const counter = countingClient(db.client);
    const table = new Table(counter.client, db.tableName);
    const store = createStore(table);
    const repositories = {
      accounts: store.accounts,
      enrollments: store.enrollments,
      campaigns: store.campaigns,
      catalog: store.catalog,
    };
    const now = new Date().toISOString();
    const items = Array.from({ length: accounts }, (_, i) => {
      const a = {
        accountId: `bench-${String(i).padStart(6, '0')}`,
        name: `Bench ${i}`,
        domain: `bench-${i}.example`,
        industry: 'logistics',
        employees: 5000 + i,
        techStack: ['snowflake'],
        tier: 2 as const,
        stage: 'target' as const,
        suppressed: false,
        directMailSpentCents: 0,
        createdAt: now,
        updatedAt: now,
        version: 1,
      };
      return { ...a, fit: scoreFit(a), ...keys.accountItem(a), entity: 'account' };
    });
    const chunks: (typeof items)[] = [];
    for (let i = 0; i < items.length; i += 500) chunks.push(items.slice(i, i + 500));
    await mapLimit(chunks, 4, (c) => table.batchPut(c));
    await store.catalog.saveSequence({
      id: 'bench-seq',
      name: 'Bench',
      steps: [{ id: 'ads', channel: 'ads', audience: 'tier2', after: 'P1D' }],
    });
    process.stderr.write(`bench launch: seeded ${accounts} accounts\n`);

    counter.reset();
    const sfn = new SFNClient({ region: 'us-east-1' });
    const service = createLaunchService({
      ...repositories,
      clock: systemClock,
      starter: new StepFunctionsStarter(sfn, 'arn:aws:states:us-east-1:123456789012:stateMachine:seq'),
      concurrency: 16,
    });
    let planCalls = 0;
    let finalizeCalls = 0;
    const runner = new LocalLauncher({
      enrollBatch: service.enrollBatch,
      finalize: async (id) => {
        const before = counter.calls();
        const out = await service.finalize(id);
        finalizeCalls += counter.calls() - before;
        return out;
      },
      finalizeFailed: service.finalizeFailed,
    });
    const planRunner = {
      start: async (plan: Parameters<typeof runner.start>[0]) => {
        planCalls = counter.calls();
        await runner.start(plan);
      },
    };
    const launcher = createLaunchService({
      ...repositories,
      clock: systemClock,
      starter: new StepFunctionsStarter(sfn, 'arn:aws:states:us-east-1:123456789012:stateMachine:seq'),
      runner: planRunner,
      concurrency: 16,
    });

    const started = performance.now();
    const result = await launcher.launch({
      campaignId: 'bench',
      name: 'Bench',
      sequenceId: 'bench-seq',
      audience: { tier: 2 },
      holdoutPercent,
    });
    const seconds = (performance.now() - started) / 1000;

    const sfnCalls = sfnMock.commandCalls(StartExecutionCommand).length;
    const launcherCalls = runner.totalCalls;
    const dynamoCalls = counter.calls();
    const awsCalls = dynamoCalls + sfnCalls + launcherCalls;
    const perBatch = runner.calls['states:MapChildExecution'] + runner.calls['lambda:Invoke'] - 1;
    const enrolledPlusHeld = result.enrolled + result.heldOut;
    if (enrolledPlusHeld !== accounts)
      throw new Error(`enrolled ${result.enrolled} + held out ${result.heldOut} != ${accounts}`);
    if (sfnCalls !== result.enrolled)
      throw new Error(`StartExecution ${sfnCalls} != enrolled ${result.enrolled}`);
    const awsCallsPerAccount = Math.round((awsCalls / accounts) * 10_000) / 10_000;
    return {
      accounts,
      seconds: Math.round(seconds * 100) / 100,
      accountsPerSecond: Math.round(accounts / seconds),
      awsCallsPerAccount,
      enrolled: result.enrolled,
      heldOut: result.heldOut,
      holdoutPercent,
      awsCalls,
      dynamoCalls,
      startExecutionCalls: sfnCalls,
      /** The launcher's own: S3 put, get and delete, its start, each Map child, each Lambda invoke. */
      launcherCalls: runner.calls,
      /** Calls of the enrollment batches only (child, invoke, BatchGet, BatchWrite, StartExecution), per account. */
      perAccountCalls:
        Math.round(((dynamoCalls + sfnCalls + perBatch - planCalls - finalizeCalls) / accounts) * 10_000) /
        10_000,
      /**
       * Calls not tied to one account: audience pages, lease, campaign list and record, sequence,
       * the audience object (put, get, delete), the launcher's start, Finalize (its invoke, its count).
       */
      fixedCalls: planCalls + finalizeCalls + launcherCalls - perBatch,
      /** On the total, fixed calls included. */
      withinTarget: awsCalls / accounts <= 1.1,
    };
  } finally {
    sfnMock.restore();
    await db.stop();
  }
}
