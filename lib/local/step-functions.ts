/**
 * A reusable local runner for the project's ASL files (tests, benchmarks, local mode).
 *
 * ```ts
 * const sfn = createLocalSfn({
 *   definitionPath: ASL_PATH,                       // the real statemachines/*.asl.json
 *   substitutions: { ExecuteStepFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:execute-step', ... },
 *   tasks: {                                        // keyed by Task Resource, or by Parameters.FunctionName
 *     'arn:aws:lambda:...:execute-step': (input) => engine.executeStep(input),   //  for lambda:invoke[.waitForTaskToken]
 *     'arn:aws:lambda:...:park': (input) => engine.park(input),
 *   },
 *   time: { mode: 'skip', start: new Date('2026-03-02T08:00:00Z') },   // or { mode: 'real' } / { mode: 'scale', factor }
 * });
 * const services = createSequenceEngine({ ..., clock: sfn.clock });  // the execution's virtual time
 * const exec = sfn.start(input, { name: 'q1--northwind' });
 * const parked = await sfn.waitForParked({ execution: 'q1--northwind' });  // a waitForTaskToken task
 * sfn.sendTaskSuccess(parked.token, { engaged: true });   // or sendTaskFailure / expireToken (States.Timeout)
 * const summary = await exec.done;   // { status, output, error, transitions, retries, path, events }
 * ```
 *
 * What it does:
 * - Loads the ASL file, applies `${Name}` definitionSubstitutions exactly as CDK does, and builds ONE
 *   aws-local-stepfunctions StateMachine (construction validates the definition and costs ~150 ms),
 *   reused by every `start()`.
 * - Routes every Task to a handler: `Resource` for Lambda-ARN tasks; `Parameters.FunctionName` with
 *   `Payload` as input for `arn:aws:states:::lambda:invoke` (the result is wrapped as `{ Payload,
 *   StatusCode }` like the real integration) and for `.waitForTaskToken`.
 * - `.waitForTaskToken`: mints a unique token per task entry (the interpreter's `$$.Task.Token` is one
 *   value per run), puts it where the ASL referenced `$$.Task.Token`, calls the handler, then parks a
 *   promise that `sendTaskSuccess` / `sendTaskFailure` / `expireToken` settle. Timeouts
 *   (`TimeoutSeconds[Path]`) are enforced by the runner on the policy's clock, raising `States.Timeout`.
 * - Time policies: `clock` (local mode) puts every Wait and task-token timeout on a TimerClock's
 *   timers, keyed by the execution's name, and counts an execution waiting there or parked on a
 *   token as at rest (`busy` counts the others: what local mode's clock waits for). `real` runs the definition unchanged (Wait states sleep for real: only for short
 *   waits; Node timers overflow past 24.8 days). `skip` and `scale` replace each Wait state, in the
 *   runner's copy only, by a Task of the same name that computes the same target
 *   (Seconds/Timestamp/SecondsPath/TimestampPath) and then: `skip` advances the execution's virtual
 *   clock to the target at once; `scale` sleeps (target - now) / factor on a shared scaled clock.
 *   The interpreter's own Task timer is set out of the way (runner-managed timeouts), for the same
 *   reason. The number and order of states entered are unchanged.
 * - `clock` is a Clock for the services: inside a task handler it reads the virtual time of the
 *   execution being served (AsyncLocalStorage), so concurrent executions each see their own time.
 * - Transitions are counted from the execution event log: every StateEntered plus every
 *   StateRetried (Standard workflows bill retries as transitions).
 * - `arn:aws:states:::states:startExecution` on the runner's own state machine (`$$.StateMachine.Id`
 *   is `stateMachineArn`): continue as new. Unless `tasks` routes that resource itself, the runner
 *   starts the execution on itself at the caller's time and answers as StartExecution does: the
 *   name of a running execution with the same input succeeds and starts nothing, with another input
 *   it fails with `StepFunctions.ExecutionAlreadyExistsException` (ended executions' names are not
 *   remembered). `onStarted` listeners see each execution it starts.
 * - A Distributed Map (a Map with an `ItemReader`) runs as an inline Map over the same item reader
 *   contract: a Task inserted before it (`<name> (ItemReader)`) calls the handler of the reader's
 *   Resource (e.g. `arn:aws:states:::s3:getObject`) with its resolved Parameters and ReaderConfig,
 *   which returns the items; the `ItemBatcher` groups them into `{ BatchInput, Items }` (at most
 *   MaxItemsPerBatch each, BatchInput resolved against the Map's input), and the Map iterates over
 *   them with its own ItemProcessor, MaxConcurrency, Retry and Catch. Tasks inside the
 *   ItemProcessor are routed like the others.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { readFileSync } from 'node:fs';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { Clock } from '../../functions/kernel/clock';
import { workEnded } from './quiet';

export type TaskHandler = (input: unknown, ctx: TaskContext) => Promise<unknown> | unknown;

export interface TaskContext {
  executionName: string;
  stateName: string;
  /** The minted token, for `.waitForTaskToken` tasks. */
  taskToken?: string;
  now(): Date;
}

/** A clock with timers on simulated time (local mode's LocalClock, lib/local/clock.ts). */
export interface TimerClock {
  now(): Date;
  at(when: number, key: string, fire: () => void): { cancel(): void };
}

export type TimePolicy =
  | { mode: 'real' }
  | { mode: 'skip'; start?: Date }
  | { mode: 'scale'; factor: number; start?: Date }
  | { mode: 'clock'; clock: TimerClock };

export interface LocalSfnOptions {
  definitionPath: string;
  /** `$$.StateMachine.Id` (default: LOCAL_STATE_MACHINE_ARN). */
  stateMachineArn?: string;
  substitutions?: Record<string, string>;
  tasks: Record<string, TaskHandler>;
  time?: TimePolicy;
}

export interface ParkedToken {
  token: string;
  executionName: string;
  stateName: string;
  input: unknown;
  timeoutSeconds?: number;
  parkedAt: Date;
}

export interface ExecutionSummary {
  status: 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  output?: unknown;
  error?: { name: string; message: string };
  /** StateEntered + StateRetried events. */
  transitions: number;
  retries: number;
  /** Calls of Lambda functions' handlers (Lambda-ARN tasks and `lambda:invoke` integrations). */
  lambdaInvocations: number;
  /** Of those, the calls whose handler threw (a Lambda function error, retried or caught or not). */
  lambdaErrors: number;
  /** StateCaught events: errors a Catch took. */
  caught: number;
  /** Names of the states entered, in order. */
  path: string[];
  events: unknown[];
}

export interface LocalExecution {
  name: string;
  done: Promise<ExecutionSummary>;
  abort(): void;
}

/** The optimized Step Functions integration that starts an execution (continue as new). */
export const START_EXECUTION_RESOURCE = 'arn:aws:states:::states:startExecution';
export const LOCAL_STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:local';

/** What a `states:startExecution` task is given (its resolved Parameters). */
export interface StartExecutionParameters {
  StateMachineArn: string;
  Name: string;
  Input: unknown;
}

const LOCAL_WAIT_RESOURCE = 'arn:aws:lambda:us-east-1:000000000000:function:local-sfn-wait';
/** Below Node's 2^31 ms timer limit; the runner enforces the real timeouts itself. */
const OUT_OF_THE_WAY_TIMEOUT_SECONDS = 2_000_000;
const TOKEN_PLACEHOLDER = '__LOCAL_SFN_TASK_TOKEN__';

type Json = Record<string, unknown>;

export function applySubstitutions(text: string, substitutions: Record<string, string>): string {
  return text.replace(/\$\{([A-Za-z0-9_]+)\}/g, (_whole, name: string) => {
    if (!(name in substitutions)) throw new Error(`no definition substitution for \${${name}}`);
    return substitutions[name];
  });
}

/** `$.a.b[0]` paths only (what the project's ASL uses for waits and timeouts). */
/** Every state of a definition, those of its Maps' ItemProcessors (Iterators) included, by name. */
function allStates(definition: { States: unknown }): [string, Json][] {
  const out: [string, Json][] = [];
  for (const [name, state] of Object.entries(definition.States as Record<string, Json>)) {
    out.push([name, state]);
    const inner = (state.ItemProcessor ?? state.Iterator) as { States: unknown } | undefined;
    if (state.Type === 'Map' && inner) out.push(...allStates(inner));
  }
  return out;
}

function readPath(data: unknown, path: string): unknown {
  if (!path.startsWith('$')) throw new Error(`unsupported path ${path}`);
  const parts = path.slice(1).match(/\.[A-Za-z0-9_]+|\[\d+\]/g) ?? [];
  let value: unknown = data;
  for (const part of parts) {
    if (value === null || value === undefined) return undefined;
    value = part.startsWith('[')
      ? (value as unknown[])[Number(part.slice(1, -1))]
      : (value as Json)[part.slice(1)];
  }
  return value;
}

function replaceDeep(value: unknown, from: string, to: string): unknown {
  if (value === from) return to;
  if (Array.isArray(value)) return value.map((v) => replaceDeep(v, from, to));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceDeep(v, from, to)]));
  }
  return value;
}

class TimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'States.Timeout';
  }
}

class TaskFailure extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

interface ExecState {
  name: string;
  /** Its input as JSON (StartExecution compares it). */
  input: string;
  lambdaInvocations: number;
  lambdaErrors: number;
  /** skip mode: this execution's virtual time (ms). */
  virtual: number;
  /** clock mode: the Wait timer it sleeps on. */
  wait?: { cancel(): void };
}

/** The Task a Distributed Map's item reader runs as (see the header). */
const LOCAL_ITEM_READER_RESOURCE = 'arn:aws:lambda:us-east-1:000000000000:function:local-sfn-item-reader';
/** Where the reader Task puts the batches the inline Map iterates over. */
const MAP_ITEMS_FIELD = 'localMapItems';

interface DistributedMapSpec {
  reader: Json;
  batcher?: Json;
}

/** A Payload Template's `.$` keys read from the input (paths only: what the project's ASL uses). */
function resolveTemplate(template: Json | undefined, input: unknown): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(template ?? {})) {
    if (key.endsWith('.$')) out[key.slice(0, -2)] = readPath(input, String(value));
    else out[key] = value;
  }
  return out;
}

export class LocalSfn {
  readonly definition: StateMachineDefinition;
  /** What runs: the definition with the runner's replacements (Waits, Distributed Maps). */
  private readonly running: StateMachineDefinition;
  private readonly distributedMaps = new Map<string, DistributedMapSpec>();
  private readonly machine: StateMachine;
  private readonly policy: TimePolicy;
  private readonly waits = new Map<string, Json>();
  private readonly tokenTimeouts = new Map<string, { seconds?: number; path?: string }>();
  private readonly parked = new Map<
    string,
    ParkedToken & {
      settle: (err?: Error, output?: unknown) => void;
      timeout?: { cancel(): void };
      /** Its handler has returned: the task waits for its token. */
      ready?: boolean;
    }
  >();
  private readonly parkWaiters: { match: (p: ParkedToken) => boolean; resolve: (p: ParkedToken) => void }[] =
    [];
  private readonly als = new AsyncLocalStorage<ExecState>();
  private readonly execStates = new Map<string, ExecState>();
  private readonly origin: number;
  private readonly realOrigin = Date.now();
  private tokenCounter = 0;
  /** Executions at rest: in a Wait on the clock's timer, or parked on a token. */
  private readonly resting = new Set<string>();
  /** A Clock for the services: the virtual time of the execution being served. */
  readonly clock: Clock;
  readonly stateMachineArn: string;
  private readonly startListeners: ((execution: LocalExecution, input: unknown) => void)[] = [];

  constructor(private readonly options: LocalSfnOptions) {
    this.policy = options.time ?? { mode: 'real' };
    this.stateMachineArn = options.stateMachineArn ?? LOCAL_STATE_MACHINE_ARN;
    this.origin = 'start' in this.policy && this.policy.start ? this.policy.start.getTime() : Date.now();
    const text = applySubstitutions(
      readFileSync(options.definitionPath, 'utf8'),
      options.substitutions ?? {},
    );
    const definition = JSON.parse(text) as StateMachineDefinition;
    this.definition = JSON.parse(text) as StateMachineDefinition;
    for (const [name, state] of Object.entries(definition.States) as unknown as [string, Json][]) {
      if (state.Type === 'Wait' && this.policy.mode !== 'real') {
        this.waits.set(name, { ...state });
        const replacement: Json = {
          Type: 'Task',
          Resource: LOCAL_WAIT_RESOURCE,
          TimeoutSeconds: OUT_OF_THE_WAY_TIMEOUT_SECONDS,
        };
        for (const key of ['Next', 'End', 'InputPath', 'OutputPath', 'Comment'])
          if (key in state) replacement[key] = state[key];
        definition.States[name] = replacement as never;
      }
      if (state.Type === 'Task' && String(state.Resource).endsWith('.waitForTaskToken')) {
        this.tokenTimeouts.set(name, {
          seconds: state.TimeoutSeconds as number | undefined,
          path: state.TimeoutSecondsPath as string | undefined,
        });
        delete state.TimeoutSecondsPath;
        state.TimeoutSeconds = OUT_OF_THE_WAY_TIMEOUT_SECONDS;
      }
    }
    this.inlineDistributedMaps(definition);
    this.running = definition;
    this.machine = new StateMachine(definition);
    this.clock = { now: () => new Date(this.nowMs(this.als.getStore())) };
  }

  /** Each Map with an ItemReader becomes a reader Task and an inline Map (see the header). */
  private inlineDistributedMaps(definition: StateMachineDefinition): void {
    const states = definition.States as unknown as Record<string, Json>;
    for (const [name, state] of Object.entries(states)) {
      if (state.Type !== 'Map' || !state.ItemReader) continue;
      const readerName = `${name} (ItemReader)`;
      this.distributedMaps.set(readerName, {
        reader: state.ItemReader as Json,
        batcher: state.ItemBatcher as Json | undefined,
      });
      const retarget = (s: Json) => {
        if (s.Next === name) s.Next = readerName;
        for (const c of (s.Catch as Json[] | undefined) ?? []) if (c.Next === name) c.Next = readerName;
      };
      Object.values(states).forEach(retarget);
      if (definition.StartAt === name) definition.StartAt = readerName;
      states[readerName] = {
        Type: 'Task',
        Resource: LOCAL_ITEM_READER_RESOURCE,
        ResultPath: `$.${MAP_ITEMS_FIELD}`,
        Next: name,
        ...(state.Catch ? { Catch: state.Catch } : {}),
      };
      delete state.ItemReader;
      delete state.ItemBatcher;
      state.ItemsPath = `$.${MAP_ITEMS_FIELD}`;
      const processor = state.ItemProcessor as Json;
      processor.ProcessorConfig = { Mode: 'INLINE' };
    }
  }

  private async runItemReader(exec: ExecState, stateName: string, input: unknown): Promise<unknown[]> {
    const spec = this.distributedMaps.get(stateName)!;
    const resource = String(spec.reader.Resource);
    const handler = this.options.tasks[resource];
    if (!handler) throw new Error(`local-sfn: no item reader handler for ${resource} (state ${stateName})`);
    const items = (await this.within(exec, () =>
      handler(
        { ...resolveTemplate(spec.reader.Parameters as Json, input), ReaderConfig: spec.reader.ReaderConfig },
        { executionName: exec.name, stateName, now: () => new Date(this.nowMs(exec)) },
      ),
    )) as unknown[];
    if (!spec.batcher) return items;
    const size = Number(spec.batcher.MaxItemsPerBatch ?? items.length) || 1;
    const batchInput = spec.batcher.BatchInput
      ? resolveTemplate(spec.batcher.BatchInput as Json, input)
      : undefined;
    const batches: unknown[] = [];
    for (let i = 0; i < items.length; i += size)
      batches.push({ ...(batchInput ? { BatchInput: batchInput } : {}), Items: items.slice(i, i + size) });
    return batches;
  }

  /**
   * Runs `fn` as the execution `exec` for `clock`. Only the `skip` policy gives each execution a
   * time of its own; the others read one shared clock, so they do not enter the AsyncLocalStorage:
   * a store once entered turns on Node's promise hooks for the whole process (a tenth of local
   * mode's CPU under the API benchmark, where every request's promises paid for them).
   */
  private within<T>(exec: ExecState, fn: () => T): T {
    return this.policy.mode === 'skip' ? this.als.run(exec, fn) : fn();
  }

  private nowMs(exec?: ExecState): number {
    switch (this.policy.mode) {
      case 'real':
        return Date.now();
      case 'skip':
        return exec ? exec.virtual : this.origin;
      case 'scale':
        return this.origin + (Date.now() - this.realOrigin) * this.policy.factor;
      case 'clock':
        return this.policy.clock.now().getTime();
    }
  }

  /** Executions running a state (neither waiting on the clock nor parked on a token). */
  get busy(): number {
    return this.execStates.size - this.resting.size;
  }

  /** Starts an execution. `name` plays the role of the execution name (unique per runner). */
  start(input: unknown, options: { name: string; startAt?: Date }): LocalExecution {
    const exec: ExecState = {
      name: options.name,
      input: JSON.stringify(input ?? null),
      lambdaInvocations: 0,
      lambdaErrors: 0,
      virtual: options.startAt?.getTime() ?? this.origin,
    };
    this.execStates.set(exec.name, exec);
    const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
    for (const [stateName, state] of allStates(this.running)) {
      if (this.waits.has(stateName)) {
        handlers[stateName] = (data) => this.runWait(exec, stateName, data);
      } else if (this.distributedMaps.has(stateName)) {
        handlers[stateName] = (data) => this.runItemReader(exec, stateName, data);
      } else if (state.Type === 'Task') {
        handlers[stateName] = (data) => this.runTask(exec, stateName, state, data);
      }
    }
    const execution = this.machine.run(input as never, {
      overrides: {
        taskResourceLocalHandlers: handlers as never,
        retryIntervalOverrides: this.retryOverrides(),
      },
      context: {
        Task: { Token: TOKEN_PLACEHOLDER },
        Execution: { Name: options.name, Id: this.executionArn(options.name) },
        StateMachine: { Id: this.stateMachineArn, Name: this.stateMachineArn.split(':').at(-1) },
      },
    });
    const events: unknown[] = [];
    const path: string[] = [];
    let transitions = 0;
    let retries = 0;
    let caught = 0;
    const logs = (async () => {
      for await (const event of execution.eventLogs) {
        events.push(event);
        if (event.type === 'StateEntered') {
          transitions++;
          path.push(event.state.name);
        }
        if (event.type === 'StateRetried') {
          transitions++;
          retries++;
        }
        if (event.type === 'StateCaught') caught++;
      }
    })();
    const done = execution.result.then(
      (output) => ({ status: 'SUCCEEDED' as const, output }),
      (err: Error) => ({
        status: err.name === 'ExecutionAbortedError' ? ('ABORTED' as const) : ('FAILED' as const),
        error: { name: err.name, message: err.message },
      }),
    );
    return {
      name: options.name,
      abort: () => execution.abort(),
      done: (async () => {
        const result = await done;
        await logs;
        for (const [token, p] of this.parked)
          if (p.executionName === options.name) {
            p.timeout?.cancel();
            this.parked.delete(token);
          }
        exec.wait?.cancel();
        this.resting.delete(options.name);
        this.execStates.delete(options.name);
        workEnded();
        return {
          ...result,
          transitions,
          retries,
          lambdaInvocations: exec.lambdaInvocations,
          lambdaErrors: exec.lambdaErrors,
          caught,
          path,
          events,
        };
      })(),
    };
  }

  /** The ARN of one of this state machine's executions. */
  executionArn(name: string): string {
    return `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  }

  /** Calls `listener` with each execution the built-in StartExecution starts (continue as new). */
  onStarted(listener: (execution: LocalExecution, input: unknown) => void): void {
    this.startListeners.push(listener);
  }

  /** Whether an execution of that name runs on this runner now, and with which input (JSON). */
  runningExecution(name: string): { input: string } | undefined {
    const exec = this.execStates.get(name);
    return exec ? { input: exec.input } : undefined;
  }

  /** The built-in `states:startExecution` on this state machine (see the header). */
  private startExecution(raw: unknown, ctx: TaskContext): unknown {
    const params = raw as StartExecutionParameters;
    if (params.StateMachineArn !== this.stateMachineArn)
      throw new TaskFailure(
        'StepFunctions.StateMachineDoesNotExistException',
        `local-sfn runs ${this.stateMachineArn} only, not ${params.StateMachineArn}`,
      );
    const input = typeof params.Input === 'string' ? (JSON.parse(params.Input) as unknown) : params.Input;
    const answer = { ExecutionArn: this.executionArn(params.Name), StartDate: ctx.now().toISOString() };
    const existing = this.runningExecution(params.Name);
    if (existing) {
      if (existing.input === JSON.stringify(input ?? null)) return answer;
      throw new TaskFailure('StepFunctions.ExecutionAlreadyExistsException', `${params.Name} exists`);
    }
    const execution = this.start(input, { name: params.Name, startAt: ctx.now() });
    for (const listener of this.startListeners) listener(execution, input);
    return answer;
  }

  /** Retry pauses shrink with the time policy (skip: none). */
  private retryOverrides(): Record<string, number> | undefined {
    if (this.policy.mode === 'real') return undefined;
    return Object.fromEntries(
      allStates(this.running).map(([name]) => [name, this.policy.mode === 'skip' ? 0 : 10]),
    );
  }

  private async runWait(exec: ExecState, stateName: string, input: unknown): Promise<unknown> {
    const spec = this.waits.get(stateName) as Json;
    const now = this.nowMs(exec);
    let target = now;
    if (typeof spec.Seconds === 'number') target = now + spec.Seconds * 1000;
    else if (typeof spec.Timestamp === 'string') target = Date.parse(spec.Timestamp);
    else if (typeof spec.SecondsPath === 'string')
      target = now + Number(readPath(input, spec.SecondsPath)) * 1000;
    else if (typeof spec.TimestampPath === 'string') {
      const value = readPath(input, spec.TimestampPath);
      target = Date.parse(String(value));
      if (Number.isNaN(target))
        throw new TaskFailure(
          'States.Runtime',
          `${stateName}: ${spec.TimestampPath} is not a timestamp: ${value}`,
        );
    }
    if (this.policy.mode === 'skip') {
      exec.virtual = Math.max(exec.virtual, target);
      await new Promise((resolve) => setImmediate(resolve));
    } else if (this.policy.mode === 'scale') {
      const ms = Math.max(0, (target - now) / this.policy.factor);
      await new Promise((resolve) => setTimeout(resolve, Math.min(ms, 2 ** 31 - 1)));
    } else if (this.policy.mode === 'clock') {
      const clock = this.policy.clock;
      if (target <= now) await new Promise((resolve) => setImmediate(resolve));
      else
        await new Promise<void>((resolve) => {
          this.resting.add(exec.name);
          workEnded();
          exec.wait = clock.at(target, exec.name, () => {
            this.resting.delete(exec.name);
            exec.wait = undefined;
            resolve();
          });
        });
    }
    return input;
  }

  private async runTask(exec: ExecState, stateName: string, state: Json, input: unknown): Promise<unknown> {
    const resource = String(state.Resource);
    const integration = resource.startsWith('arn:aws:states:::lambda:invoke');
    const target = integration ? String((input as Json)?.FunctionName) : resource;
    const handler =
      this.options.tasks[target] ??
      (resource === START_EXECUTION_RESOURCE
        ? (params: unknown, ctx: TaskContext) => this.startExecution(params, ctx)
        : undefined);
    if (!handler) throw new Error(`local-sfn: no task handler for ${target} (state ${stateName})`);
    const payload = integration ? (input as Json).Payload : input;
    const lambda = integration || resource.startsWith('arn:aws:lambda:');
    if (lambda) exec.lambdaInvocations++;
    const countError = (err: unknown) => {
      if (lambda) exec.lambdaErrors++;
      throw err;
    };
    if (!resource.endsWith('.waitForTaskToken')) {
      const result = await this.within(exec, async () =>
        handler(payload, { executionName: exec.name, stateName, now: () => new Date(this.nowMs(exec)) }),
      ).catch(countError);
      return integration
        ? { Payload: result ?? null, StatusCode: 200, ExecutedVersion: '$LATEST' }
        : (result ?? null);
    }
    const token = `local-${exec.name}-${stateName}-${++this.tokenCounter}`;
    const tokenPayload = replaceDeep(payload, TOKEN_PLACEHOLDER, token);
    const spec = this.tokenTimeouts.get(stateName);
    // The interpreter hands the runner the input after Parameters, so TimeoutSecondsPath is read
    // from it, falling back to its Payload (where the project's ASL passes the plan).
    const rawTimeout =
      spec?.seconds ??
      (spec?.path ? (readPath(input, spec.path) ?? readPath(payload, spec.path)) : undefined);
    const timeoutSeconds = rawTimeout === undefined ? undefined : Number(rawTimeout);
    return new Promise((resolve, reject) => {
      const settle = (err?: Error, output?: unknown) => {
        if (!this.parked.delete(token)) return;
        entry.timeout?.cancel();
        this.resting.delete(exec.name);
        if (err) reject(err);
        else resolve(output ?? null);
      };
      const parkedAt = new Date(this.nowMs(exec));
      const entry: ParkedToken & {
        settle: typeof settle;
        timeout?: { cancel(): void };
        ready?: boolean;
      } = {
        token,
        executionName: exec.name,
        stateName,
        input: tokenPayload,
        timeoutSeconds,
        parkedAt,
        settle,
      };
      this.parked.set(token, entry);
      Promise.resolve(
        this.within(exec, () =>
          handler(tokenPayload, {
            executionName: exec.name,
            stateName,
            taskToken: token,
            now: () => new Date(this.nowMs(exec)),
          }),
        ),
      ).then(
        () => {
          if (!this.parked.has(token)) return;
          entry.ready = true;
          this.resting.add(exec.name);
          workEnded();
          if (timeoutSeconds && this.policy.mode === 'clock') {
            const due = parkedAt.getTime() + timeoutSeconds * 1000;
            entry.timeout = this.policy.clock.at(due, `${exec.name}#timeout`, () => this.expireToken(token));
          } else if (timeoutSeconds && this.policy.mode !== 'skip') {
            const factor = this.policy.mode === 'scale' ? this.policy.factor : 1;
            const timer = setTimeout(
              () => this.expireToken(token),
              Math.min((timeoutSeconds * 1000) / factor, 2 ** 31 - 1),
            );
            entry.timeout = { cancel: () => clearTimeout(timer) };
          }
          for (const waiter of [...this.parkWaiters]) {
            if (waiter.match(entry)) {
              this.parkWaiters.splice(this.parkWaiters.indexOf(waiter), 1);
              waiter.resolve(entry);
            }
          }
        },
        (err: Error) => {
          if (lambda) exec.lambdaErrors++;
          settle(err);
        },
      );
    });
  }

  /** Tokens parked now (their handler has returned). */
  parkedTokens(): ParkedToken[] {
    return [...this.parked.values()]
      .filter((p) => p.ready)
      .map(({ settle: _s, timeout: _t, ready: _r, ...p }) => p);
  }

  /** Resolves when a token matching the filter is parked; rejects after `timeoutMs` (default 5 s). */
  waitForParked(filter: { execution?: string; state?: string } = {}, timeoutMs = 5000): Promise<ParkedToken> {
    const match = (p: ParkedToken) =>
      (!filter.execution || p.executionName === filter.execution) &&
      (!filter.state || p.stateName === filter.state);
    const existing = this.parkedTokens().find(match);
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (p: ParkedToken) => {
          clearTimeout(timer);
          resolve(p);
        },
      };
      const timer = setTimeout(() => {
        this.parkWaiters.splice(this.parkWaiters.indexOf(waiter), 1);
        reject(new Error(`no task token parked for ${JSON.stringify(filter)} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.parkWaiters.push(waiter);
    });
  }

  /**
   * SendTaskSuccess at `at`, on the policy's time: what a one-time EventBridge Scheduler schedule
   * whose target is SendTaskSuccess does (ExecuteStep's wake, functions/engine/hand-over.ts). In
   * `clock` mode it is a timer of the clock keyed by the execution (the execution rests meanwhile);
   * `skip` moves the execution's time to `at` and completes it at once. Ending the execution
   * (a stop) cancels it, as stopping deletes the schedule on AWS.
   */
  sendTaskSuccessAt(token: string, at: Date, output: unknown): void {
    const p = this.parked.get(token);
    if (!p) throw new TaskFailure('TaskDoesNotExist', `no parked task for token ${token}`);
    const fire = () => {
      if (this.parked.has(token)) p.settle(undefined, output);
    };
    p.timeout?.cancel();
    switch (this.policy.mode) {
      case 'skip':
        this.advance(p.executionName, at.getTime());
        setImmediate(fire);
        break;
      case 'clock':
        p.timeout = this.policy.clock.at(at.getTime(), p.executionName, fire);
        break;
      default: {
        const factor = this.policy.mode === 'scale' ? this.policy.factor : 1;
        const ms = Math.max(0, (at.getTime() - this.nowMs(this.execStates.get(p.executionName))) / factor);
        const timer = setTimeout(fire, Math.min(ms, 2 ** 31 - 1));
        p.timeout = { cancel: () => clearTimeout(timer) };
      }
    }
  }

  /** SendTaskSuccess: the task's result is `output`. */
  sendTaskSuccess(token: string, output: unknown): void {
    const p = this.parked.get(token);
    if (!p) throw new TaskFailure('TaskDoesNotExist', `no parked task for token ${token}`);
    p.settle(undefined, output);
  }

  /** SendTaskFailure: the task fails with the error name (Catch/Retry match it). */
  sendTaskFailure(token: string, error: string, cause = ''): void {
    const p = this.parked.get(token);
    if (!p) throw new TaskFailure('TaskDoesNotExist', `no parked task for token ${token}`);
    p.settle(new TaskFailure(error, cause));
  }

  /** The task's timeout elapses now: States.Timeout (skip mode advances the execution's clock by it). */
  expireToken(token: string): void {
    const p = this.parked.get(token);
    if (!p) return;
    if (this.policy.mode === 'skip' && p.timeoutSeconds) {
      this.advance(p.executionName, p.parkedAt.getTime() + p.timeoutSeconds * 1000);
    }
    p.settle(new TimeoutError(`${p.stateName} timed out after ${p.timeoutSeconds} s`));
  }

  private advance(executionName: string, to: number): void {
    const exec = this.execStates.get(executionName);
    if (exec) exec.virtual = Math.max(exec.virtual, to);
  }
}

export function createLocalSfn(options: LocalSfnOptions): LocalSfn {
  return new LocalSfn(options);
}
