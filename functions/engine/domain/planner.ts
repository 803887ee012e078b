/**
 * Walks a sequence snapshot from a step to the next thing that needs the outside world: a touch
 * on a channel, an await on engagement, or the end. Control steps (branch, split, exit, a step
 * whose `if` does not hold, an await whose condition already holds) are passed through here,
 * inside one task invocation, so they cost no state transitions. Bounded: a sequence that loops
 * without touching anyone ends with a reason instead of spinning.
 */
import { pickWeighted } from '../../kernel/hash';
import type { AwaitEngagementStep, SequenceDefinition, Step, TouchStep } from '../../kernel/model';
import { EXIT, NEXT, resolveTarget } from '../../kernel/sequence';
import { conditionHolds, untilHolds, type AccountFacts } from '../../kernel/conditions';

export const MAX_HOPS = 25;

export type Passed =
  | { stepId: string; kind: 'condition_false' }
  | { stepId: string; kind: 'branch'; goto: string }
  | { stepId: string; kind: 'split'; variant: string; goto: string }
  | { stepId: string; kind: 'await_satisfied' };

export type Walk =
  | { kind: 'touch'; step: TouchStep; passed: Passed[] }
  | { kind: 'await'; step: AwaitEngagementStep; passed: Passed[] }
  | { kind: 'end'; reason: string; status: 'completed' | 'exited'; passed: Passed[] };

export interface WalkContext {
  accountId: string;
  facts: AccountFacts;
  /** Salt of the A/B split (sequence id), so two sequences split an account independently. */
  splitSalt: string;
  /**
   * When the walk happens: an await reached now begins now, so only engagement from now on can
   * satisfy its `until` (an old reply must not skip a wait for a reply).
   */
  now: Date;
}

export function stepById(sequence: SequenceDefinition, stepId: string): Step | undefined {
  return sequence.steps.find((s) => s.id === stepId);
}

/** The step after `step` on its normal path ("next" unless it names a successor). */
export function successorOf(sequence: SequenceDefinition, step: Step): string | undefined {
  return resolveTarget(sequence, step, step.next ?? NEXT);
}

/** Resolves an onTimeout / default target. */
export function targetOf(sequence: SequenceDefinition, from: Step, target: string): string | undefined {
  if (target === NEXT) return successorOf(sequence, from);
  if (target === EXIT) return undefined;
  return target;
}

/** The split variant of an account: a deterministic hash of the account id, salted. */
export function splitVariant(step: Extract<Step, { type: 'split' }>, accountId: string, salt: string) {
  return pickWeighted(step.variants, 'split', salt, step.id, accountId);
}

export function walk(sequence: SequenceDefinition, from: string | undefined, ctx: WalkContext): Walk {
  const passed: Passed[] = [];
  let id = from;
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    if (id === undefined) return { kind: 'end', reason: 'completed', status: 'completed', passed };
    const step = stepById(sequence, id);
    if (!step) return { kind: 'end', reason: `unknown_step:${id}`, status: 'exited', passed };
    if (step.type !== 'exit' && step.if && !conditionHolds(step.if, ctx.facts)) {
      passed.push({ stepId: step.id, kind: 'condition_false' });
      id = successorOf(sequence, step);
      continue;
    }
    switch (step.type) {
      case 'touch':
        return { kind: 'touch', step, passed };
      case 'await_engagement':
        if (untilHolds(step.until, ctx.facts, ctx.now)) {
          // Already engaged enough: no reason to wait.
          passed.push({ stepId: step.id, kind: 'await_satisfied' });
          id = successorOf(sequence, step);
          continue;
        }
        return { kind: 'await', step, passed };
      case 'branch': {
        const hit = step.cases.find((c) => conditionHolds(c.if, ctx.facts));
        const goto = hit ? hit.goto : step.default;
        passed.push({ stepId: step.id, kind: 'branch', goto });
        if (goto === EXIT) return { kind: 'end', reason: `exit_step:${step.id}`, status: 'exited', passed };
        id = targetOf(sequence, step, goto);
        continue;
      }
      case 'split': {
        const variant = splitVariant(step, ctx.accountId, ctx.splitSalt);
        passed.push({ stepId: step.id, kind: 'split', variant: variant.name, goto: variant.goto });
        id = variant.goto;
        continue;
      }
      case 'exit':
        return { kind: 'end', reason: step.reason ?? `exit_step:${step.id}`, status: 'exited', passed };
    }
  }
  return { kind: 'end', reason: 'too_many_control_steps', status: 'exited', passed };
}
