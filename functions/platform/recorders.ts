/**
 * Recorders behind the platform's ports, for tests and dry runs: what was published (each event
 * checked against its contract, so every test that records events checks the publishers), which
 * executions were started, resumed and stopped.
 */
import { CONTRACTS } from '../kernel/event-schemas';
import type { BusEvent } from '../kernel/events';
import { startExecutionOutcome, type ExecutionInput } from '../kernel/execution';
import type { EventPublisher } from './bus';
import type { ControlOutcome, ExecutionStarter, SequenceControl } from './sfn';

/** Throws when an event is not what its detail type's contract says. */
export function checkContract(event: BusEvent): void {
  const contract = CONTRACTS[event.detailType];
  if (!contract) throw new Error(`no contract for detail type ${event.detailType}`);
  if (event.source !== contract.source)
    throw new Error(`${event.detailType} comes from ${contract.source}, not ${event.source}`);
  const parsed = contract.schema.safeParse(event.detail);
  if (!parsed.success)
    throw new Error(`${event.detailType} detail breaks its contract: ${parsed.error.message}`);
}

/** Keeps what was published, each event checked against its contract (its source and its schema). */
export class RecordingPublisher implements EventPublisher {
  readonly events: BusEvent[] = [];
  async publish(events: BusEvent[]): Promise<void> {
    for (const e of events) checkContract(e);
    this.events.push(...events);
  }
  ofType(detailType: string): BusEvent[] {
    return this.events.filter((e) => e.detailType === detailType);
  }
}

/** Records calls; for tests and dry runs. `onResume`/`onStop` let a test route them into a local engine. */
export class RecordingSequenceControl implements SequenceControl {
  readonly resumed: { taskToken: string; output: unknown }[] = [];
  readonly stopped: { executionName: string; reason: string }[] = [];
  private readonly usedTokens = new Set<string>();

  constructor(
    private readonly hooks: {
      onResume?: (taskToken: string, output: unknown) => Promise<ControlOutcome | void>;
      onStop?: (executionName: string, reason: string) => Promise<ControlOutcome | void>;
    } = {},
  ) {}

  async resume(taskToken: string, output: unknown): Promise<ControlOutcome> {
    if (this.usedTokens.has(taskToken)) return 'gone';
    this.usedTokens.add(taskToken);
    this.resumed.push({ taskToken, output });
    return (await this.hooks.onResume?.(taskToken, output)) ?? 'done';
  }

  async stop(executionName: string, reason: string): Promise<ControlOutcome> {
    this.stopped.push({ executionName, reason });
    return (await this.hooks.onStop?.(executionName, reason)) ?? 'done';
  }
}

/**
 * Records what it was asked to do; for tests and dry local runs. Answers as AWS does
 * (`startExecutionOutcome`): a running execution's name with the same input succeeds without
 * starting anything; `close(name)` ends an execution (its name stays taken).
 */
export class RecordingStarter implements ExecutionStarter {
  readonly started: ExecutionInput[] = [];
  private readonly executions = new Map<string, { running: boolean; input: string }>();
  calls = 0;
  async start(input: ExecutionInput): Promise<{ started: boolean }> {
    this.calls++;
    const text = JSON.stringify(input);
    const outcome = startExecutionOutcome(this.executions.get(input.executionName), text);
    if (outcome === 'already_exists') return { started: false };
    if (outcome === 'idempotent') return { started: true };
    this.executions.set(input.executionName, { running: true, input: text });
    this.started.push(input);
    return { started: true };
  }
  close(executionName: string): void {
    const e = this.executions.get(executionName);
    if (e) e.running = false;
  }
}
