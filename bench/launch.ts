/**
 * `npm run bench -- launch`: enrolls 10,000 accounts through the launch path (POST /campaigns'
 * service, the launcher's batches run in process as in local mode) against dynalite, with the
 * Step Functions client mocked. Counts every AWS call the launch makes (DynamoDB through a
 * client middleware, Step Functions through the mock), seeding excluded.
 * Target: awsCallsPerAccount <= 2, counted over EVERY call of the launch (the fixed ones too):
 * per 100 accounts one BatchGetItem and four BatchWriteItem, then one StartExecution per treated
 * account, plus about a dozen fixed calls (audience pages, lease, campaign, final count).
 * Set BENCH_ACCOUNTS / BENCH_HOLDOUT to vary the audience and the holdout (default 10,000 and 0).
 */
import '../functions/platform/polyfills';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { scoreFit } from '../functions/api/domain/fit';
import { mapLimit } from '../functions/kernel/async';
import { systemClock } from '../functions/kernel/clock';
import { createLaunchService } from '../functions/launch/launch-service';
import { InProcessLaunchRunner } from '../functions/launch/runners';
import { StepFunctionsStarter } from '../functions/platform/sfn';
import { createStore, keys, Table } from '../functions/platform/store';
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
    const table = new Table(db.client, db.tableName);
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

    let dynamoCalls = 0;
    db.base.middlewareStack.add(
      (next) => async (args) => {
        dynamoCalls++;
        return next(args);
      },
      { step: 'initialize', name: 'benchCallCounter' },
    );
    const sfn = new SFNClient({ region: 'us-east-1' });
    const service = createLaunchService({
      ...repositories,
      clock: systemClock,
      starter: new StepFunctionsStarter(sfn, 'arn:aws:states:us-east-1:123456789012:stateMachine:seq'),
      concurrency: 16,
    });
    let planCalls = 0;
    const runner = new InProcessLaunchRunner(
      {
        enrollBatch: service.enrollBatch,
        finalize: async (id, added) => {
          const before = dynamoCalls;
          const out = await service.finalize(id, added);
          finalizeCalls += dynamoCalls - before;
          return out;
        },
      },
      { batchSize: 100, concurrency: 10 },
    );
    let finalizeCalls = 0;
    const planRunner = {
      start: async (plan: Parameters<typeof runner.start>[0]) => {
        planCalls = dynamoCalls;
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
    const awsCalls = dynamoCalls + sfnCalls;
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
      dynamoCalls,
      startExecutionCalls: sfnCalls,
      /** Calls of the enrollment batches only (BatchGet + BatchWrite + StartExecution), per account. */
      perAccountCalls: Math.round(((awsCalls - planCalls - finalizeCalls) / accounts) * 10_000) / 10_000,
      /** Calls not tied to one account: audience pages, lease, campaign list and record, sequence, final count. */
      fixedCalls: planCalls + finalizeCalls,
      /** On the total, fixed calls included. */
      withinTarget: awsCalls / accounts <= 2,
    };
  } finally {
    sfnMock.restore();
    await db.stop();
  }
}
