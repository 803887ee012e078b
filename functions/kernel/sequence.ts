/**
 * Sequence validation: every problem in one pass, each with the path to the bad field.
 * Schema errors come from zod; the graph checks (unknown step ids, duplicate ids, loops with
 * no wait) run on the raw input as far as it can be read, so one call reports both kinds.
 */
import type * as z from 'zod';
import {
  SEQUENCE_MAX_BYTES,
  jsonBytes,
  SEQUENCE_STEPS_MAX,
  SequenceInput,
  type SequenceDefinition,
  type Step,
} from './model';
import { parseDuration } from './duration';
import { zodIssues } from './errors';

export interface FieldError {
  /** Dotted path to the field, e.g. `steps.3.cases.0.goto`. */
  path: string;
  message: string;
}

export type SequenceValidation =
  { ok: true; sequence: SequenceDefinition } | { ok: false; errors: FieldError[] };

/** Step targets that are not step ids. */
export const NEXT = 'next';
export const EXIT = 'exit';

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.map(String).join('.');
}

export function zodErrors(error: z.ZodError): FieldError[] {
  return zodIssues(error).map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
}

interface RawStep {
  index: number;
  id?: string;
  raw: Record<string, unknown>;
}

function rawSteps(input: unknown): RawStep[] {
  const steps = (input as { steps?: unknown })?.steps;
  if (!Array.isArray(steps)) return [];
  return steps
    .map((raw, index) => ({ index, raw: raw as Record<string, unknown> }))
    .filter((s) => s.raw !== null && typeof s.raw === 'object')
    .map((s) => ({ ...s, id: typeof s.raw.id === 'string' ? s.raw.id : undefined }));
}

/** Every outgoing edge of a step: where it may go next, with the path of the field that says so. */
function edges(step: RawStep, following: string | undefined): { target: string; path: string }[] {
  const out: { target: string; path: string }[] = [];
  const base = `steps.${step.index}`;
  const raw = step.raw;
  const push = (target: unknown, path: string) => {
    if (typeof target !== 'string') return;
    if (target === EXIT) return;
    if (target === NEXT) {
      if (following) out.push({ target: following, path });
      return;
    }
    out.push({ target, path });
  };
  if (raw.type === 'exit') return out;
  if (raw.type === 'branch') {
    (Array.isArray(raw.cases) ? raw.cases : []).forEach((c, i) =>
      push((c as Record<string, unknown>)?.goto, `${base}.cases.${i}.goto`),
    );
    push(raw.default ?? NEXT, `${base}.default`);
    return out;
  }
  if (raw.type === 'split') {
    (Array.isArray(raw.variants) ? raw.variants : []).forEach((v, i) =>
      push((v as Record<string, unknown>)?.goto, `${base}.variants.${i}.goto`),
    );
    return out;
  }
  if (raw.type === 'await_engagement') push(raw.onTimeout ?? NEXT, `${base}.onTimeout`);
  push(raw.next ?? NEXT, raw.next !== undefined ? `${base}.next` : base);
  // A touch or await with an `if` that does not hold falls through to its successor: same edge.
  return out;
}

/** A step that lets time pass: a touch with a positive `after`, or an await_engagement. */
function waits(step: RawStep): boolean {
  if (step.raw.type === 'await_engagement') return true;
  const after = step.raw.after;
  if (typeof after !== 'string') return false;
  const parsed = parseDuration(after);
  return parsed.ok && parsed.millis > 0;
}

function graphErrors(input: unknown): FieldError[] {
  const steps = rawSteps(input);
  const errors: FieldError[] = [];
  const byId = new Map<string, RawStep>();
  for (const step of steps) {
    if (!step.id) continue;
    if (step.id === NEXT || step.id === EXIT) {
      errors.push({
        path: `steps.${step.index}.id`,
        message: `"${step.id}" is reserved; choose another step id`,
      });
    }
    const first = byId.get(step.id);
    if (first) {
      errors.push({
        path: `steps.${step.index}.id`,
        message: `duplicate step id "${step.id}" (first used at steps.${first.index})`,
      });
    } else byId.set(step.id, step);
  }

  const adjacency = new Map<number, number[]>();
  steps.forEach((step, i) => {
    const following = steps[i + 1]?.id;
    const targets: number[] = [];
    for (const edge of edges(step, following)) {
      const target = byId.get(edge.target);
      if (!target) {
        errors.push({ path: edge.path, message: `unknown step id "${edge.target}"` });
      } else targets.push(target.index);
    }
    adjacency.set(step.index, targets);
  });

  // A loop in which no step waits would spin forever (and burn state transitions):
  // find cycles in the graph of steps that do not wait.
  const instant = new Set(steps.filter((s) => !waits(s)).map((s) => s.index));
  const state = new Map<number, 'open' | 'done'>();
  const stack: number[] = [];
  const reported = new Set<string>();
  const visit = (node: number) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of adjacency.get(node) ?? []) {
      if (!instant.has(next)) continue;
      if (state.get(next) === 'open') {
        const cycle = stack.slice(stack.indexOf(next));
        const key = [...cycle].sort((a, b) => a - b).join(',');
        if (!reported.has(key)) {
          reported.add(key);
          const ids = cycle.map((i) => steps.find((s) => s.index === i)?.id ?? `#${i}`);
          errors.push({
            path: `steps.${next}`,
            message: `loop with no wait: ${[...ids, ids[0]].join(' -> ')}; give one of these steps a positive "after" or an await_engagement`,
          });
        }
      } else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of instant) if (!state.has(node)) visit(node);
  return errors;
}

/** Validates a sequence definition, reporting every problem with its field path. */
export function validateSequence(input: unknown): SequenceValidation {
  const parsed = SequenceInput.safeParse(input);
  // Too many steps is a schema error already; the graph walk is kept to the bounded case.
  const steps = (input as { steps?: unknown } | null)?.steps;
  const bounded = !Array.isArray(steps) || steps.length <= SEQUENCE_STEPS_MAX;
  const errors = [...(parsed.success ? [] : zodErrors(parsed.error)), ...(bounded ? graphErrors(input) : [])];
  // What is stored is the parsed definition (defaults filled in): it must fit in its item.
  const bytes = parsed.success ? jsonBytes(parsed.data) : 0;
  if (bytes > SEQUENCE_MAX_BYTES)
    errors.push({
      path: 'steps',
      message: `the sequence is ${bytes} bytes as JSON; at most ${SEQUENCE_MAX_BYTES}: every launch carries it in each account's Step Functions execution input, at most 256 KiB with the engine's own state`,
    });
  if (errors.length > 0 || !parsed.success) return { ok: false, errors: dedupe(errors) };
  return { ok: true, sequence: parsed.data };
}

function dedupe(errors: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = `${e.path}\u0000${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The templates a sequence's email steps use (the API checks they exist). */
export function templatesUsed(sequence: SequenceDefinition): { stepIndex: number; templateId: string }[] {
  return sequence.steps.flatMap((step, stepIndex) =>
    step.type === 'touch' && step.channel === 'email' ? [{ stepIndex, templateId: step.template }] : [],
  );
}

/** The id of the step that follows `stepId` in list order, or undefined at the end. */
export function followingStepId(sequence: SequenceDefinition, stepId: string): string | undefined {
  const i = sequence.steps.findIndex((s) => s.id === stepId);
  return i >= 0 ? sequence.steps[i + 1]?.id : undefined;
}

/** Resolves a step target ("next", "exit" or an id) to a step id, or undefined for the end. */
export function resolveTarget(sequence: SequenceDefinition, from: Step, target: string): string | undefined {
  if (target === EXIT) return undefined;
  if (target === NEXT) return followingStepId(sequence, from.id);
  return target;
}
