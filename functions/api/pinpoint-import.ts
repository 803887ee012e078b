/**
 * A way off Amazon Pinpoint (end of support 2026-10-30): converts a Pinpoint journey, as
 * `aws pinpoint get-journey` prints it (`{ "JourneyResponse": {...} }`) or the bare journey, into
 * a sequence (docs/architecture.md "Sequences"), with everything it could not convert listed with
 * its JSON path in the journey. Pure: nothing is read or saved (the user saves the sequence with
 * PUT /sequences/{id}). The mapping table is in docs/api.md "Importing a Pinpoint journey".
 *
 * The journey's shape is AWS's Pinpoint REST API reference, "Journey" resource
 * (https://docs.aws.amazon.com/pinpoint/latest/apireference/apps-application-id-journeys-journey-id.html):
 * JourneyResponse, Activity, EmailMessageActivity, WaitActivity, WaitTime (WaitFor: an ISO 8601
 * duration; WaitUntil: an ISO 8601 date and time), ConditionalSplitActivity (Condition,
 * EvaluationWaitTime, TrueActivity, FalseActivity), MultiConditionalSplitActivity (Branches,
 * DefaultActivity, EvaluationWaitTime), HoldoutActivity (Percentage: who does not continue),
 * RandomSplitActivity (Branches of Percentage and NextActivity), JourneyLimits, QuietTime (HH:MM),
 * OpenHours (per channel, a map of day to rules) and ClosedDays. ContactCenterActivity (a
 * NextActivity only) is in the SDKs' model of the same API
 * (https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/pinpoint/aws.sdk.kotlin.services.pinpoint.model/-contact-center-activity/);
 * the OpenHours day keys (MONDAY..SUNDAY) are the DayOfWeek enum of the same model. The email
 * event types a condition names (`_email.open`, `_email.click`, ...) are Pinpoint's event stream
 * types (https://docs.aws.amazon.com/pinpoint/latest/developerguide/event-streams-data-email.html).
 */
import * as z from 'zod';
import { BadRequest } from '../kernel/errors';
import {
  DURATION_MAX_DAYS,
  HHMM,
  ID_MAX,
  IsoDuration,
  NAME_MAX,
  TEXT_MAX,
  type Condition,
  type EngagementType,
  type SequenceDefinition,
  type Weekday,
} from '../kernel/model';
import { EXIT, validateSequence, zodErrors } from '../kernel/sequence';

import { Activity, Journey, PinpointJourney, SimpleCondition, WaitTime } from './pinpoint-journey';

export interface Unconverted {
  /** JSON path in the journey (without the JourneyResponse wrapper), e.g. `Activities.abc123.SMS`. */
  path: string;
  reason: string;
}

export interface PinpointImport {
  sequence: SequenceDefinition;
  unconverted: Unconverted[];
}

// ---------------------------------------------------------------------------
// Mapping tables
// ---------------------------------------------------------------------------

/** Pinpoint's email event types and the engagement types they are here (email.* from SES). */
const EMAIL_EVENTS: Record<string, EngagementType> = {
  '_email.send': 'email.sent',
  '_email.delivered': 'email.delivered',
  '_email.open': 'email.opened',
  '_email.click': 'email.clicked',
  '_email.hardbounce': 'email.bounced',
  '_email.complaint': 'email.complained',
  '_email.rejected': 'email.rejected',
};

const DAYS: Record<string, Weekday> = {
  MONDAY: 'mon',
  TUESDAY: 'tue',
  WEDNESDAY: 'wed',
  THURSDAY: 'thu',
  FRIDAY: 'fri',
  SATURDAY: 'sat',
  SUNDAY: 'sun',
};
const ALL_DAYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** Activity types with no channel here: the path continues at their NextActivity. */
const PASS_THROUGH = {
  SMS: 'no SMS channel',
  PUSH: 'no push channel',
  CUSTOM: 'no custom (Lambda or webhook) channel',
} as const;
const ACTIVITY_TYPES = [
  'EMAIL',
  'Wait',
  'ConditionalSplit',
  'MultiCondition',
  'Holdout',
  'RandomSplit',
  'ContactCenter',
  'SMS',
  'PUSH',
  'CUSTOM',
] as const;

/** Journey fields that describe the journey rather than what it does: nothing to convert. */
const JOURNEY_METADATA = new Set([
  'Id',
  'Name',
  'ApplicationId',
  'CreationDate',
  'LastModifiedDate',
  'State',
  'tags',
  'LocalTime',
  'SendingSchedule',
  'TimezoneEstimationMethods',
  'StartActivity',
  'Activities',
  'Limits',
  'QuietTime',
  'OpenHours',
  'WaitForQuietTime',
]);
const JOURNEY_UNSUPPORTED: Record<string, string> = {
  StartCondition:
    'who enters is the campaign audience chosen at launch (POST /campaigns: a tier, accounts or a cluster), not a Pinpoint segment or event',
  Schedule: 'a sequence starts when a campaign is launched (POST /campaigns); there is no schedule on it',
  RefreshFrequency: 'audiences are resolved once, at launch; there is no segment refresh',
  RefreshOnSegmentUpdate: 'audiences are resolved once, at launch; there is no segment refresh',
  ClosedDays: 'the send window has no closed dates yet; add them by hand when it does',
  JourneyChannelSettings: 'no Amazon Connect campaign: a ContactCenter activity becomes an SDR call task',
};

// ---------------------------------------------------------------------------
// Conversion
// ---------------------------------------------------------------------------

/** The journey out of the body: get-journey's wrapper or the bare object; 400 with paths otherwise. */
export function readJourney(body: unknown): { journey: Journey; prefix: string } {
  const wrapped =
    body !== null && typeof body === 'object' && !Array.isArray(body) && 'JourneyResponse' in body;
  const raw = wrapped ? (body as { JourneyResponse: unknown }).JourneyResponse : body;
  const prefix = wrapped ? 'body.JourneyResponse' : 'body';
  const parsed = PinpointJourney.safeParse(raw);
  if (!parsed.success) {
    throw new BadRequest(
      zodErrors(parsed.error).map((e) => ({
        path: e.path ? `${prefix}.${e.path}` : prefix,
        message: e.message,
      })),
      'the body is not a Pinpoint journey (the output of aws pinpoint get-journey, or its JourneyResponse)',
    );
  }
  const journey = parsed.data;
  if (!Object.hasOwn(journey.Activities, journey.StartActivity)) {
    throw new BadRequest(
      [{ path: `${prefix}.StartActivity`, message: `no activity "${journey.StartActivity}" in Activities` }],
      'the body is not a Pinpoint journey',
    );
  }
  return { journey, prefix };
}

/** Converts the body (see readJourney) and checks the sequence; 400 with the reasons when it fails. */
export function importPinpointJourney(body: unknown): PinpointImport {
  const { journey, prefix } = readJourney(body);
  const result = convertJourney(journey);
  const checked = validateSequence(result.sequence);
  if (!checked.ok) {
    // Why: the sequence's own errors, then what was not converted (paths in the journey).
    throw new BadRequest(
      [
        // A converted sequence's error is the journey's as a whole (a path must name a request field).
        ...checked.errors.map((e) => ({
          path: prefix,
          message: `the converted sequence's ${e.path}: ${e.message}`,
        })),
        ...result.unconverted.map((u) => ({
          path: `${prefix}.${u.path}`,
          message: `not converted: ${u.reason}`,
        })),
      ],
      'the converted sequence is not valid; the details say why',
    );
  }
  return { sequence: checked.sequence, unconverted: result.unconverted };
}

type Target = string | undefined; // a step id, or the end of the journey
type Draft = Record<string, unknown> & { id: string };

/** A step id from a Pinpoint id: letters, digits, ".", "_", "-", at most 64. */
function toId(raw: string, fallback: string): string {
  const cleaned = raw
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, ID_MAX);
  return cleaned || fallback;
}

/** Pure: the journey's sequence (validated by the caller) and what it could not convert. */
export function convertJourney(journey: Journey): PinpointImport {
  const unconverted: Unconverted[] = [];
  const reported = new Set<string>();
  const note = (path: string, reason: string) => {
    if (reported.has(path)) return;
    reported.add(path);
    unconverted.push({ path, reason });
  };
  const activities = journey.Activities;
  const has = (id: string | undefined): id is string => id !== undefined && Object.hasOwn(activities, id);

  // Step ids: one per activity (and its helpers), unique, never a reserved word.
  const taken = new Set<string>([EXIT, 'next']);
  const claim = (base: string) => {
    let id = base;
    for (let n = 2; taken.has(id); n++) id = `${base.slice(0, ID_MAX - String(n).length - 1)}-${n}`;
    taken.add(id);
    return id;
  };
  const stepIdOf = new Map<string, string>();
  for (const key of Object.keys(activities)) stepIdOf.set(key, claim(toId(key, 'activity')));

  /** The activity's one type (the first in ACTIVITY_TYPES order); others listed. */
  const typeOf = (key: string): (typeof ACTIVITY_TYPES)[number] | undefined => {
    const activity = activities[key]!;
    const present = ACTIVITY_TYPES.filter((t) => activity[t] !== undefined);
    for (const extra of present.slice(1))
      note(`Activities.${key}.${extra}`, `an activity has one type; converted as ${present[0]}`);
    for (const field of Object.keys(activity))
      if (field !== 'Description' && !(ACTIVITY_TYPES as readonly string[]).includes(field))
        note(`Activities.${key}.${field}`, `unknown activity field`);
    if (present.length === 0) note(`Activities.${key}`, 'no activity type this converter knows');
    return present[0];
  };

  /** A WaitTime as an ISO duration, or undefined (listed). */
  const duration = (wait: z.infer<typeof WaitTime> | undefined, path: string): string | undefined => {
    if (!wait) return undefined;
    if (wait.WaitUntil !== undefined) {
      note(
        `${path}.WaitUntil`,
        'a fixed date and time has no equivalent: a sequence waits durations from the previous step; set the step\'s "after" by hand',
      );
    }
    if (wait.WaitFor === undefined) return undefined;
    const ok = IsoDuration.safeParse(wait.WaitFor);
    if (!ok.success) {
      note(
        `${path}.WaitFor`,
        `${ok.error.issues[0]?.message ?? 'not a duration'} (at most ${DURATION_MAX_DAYS} days)`,
      );
      return undefined;
    }
    return wait.WaitFor;
  };

  /** Resolves a Pinpoint target to an activity that becomes a step, passing through those that do not. */
  const land = (target: string | undefined, path: string, seen = new Set<string>()): string | undefined => {
    if (target === undefined || target === '') return undefined;
    if (!has(target)) {
      note(path, `no activity "${target}" in Activities; this path ends here`);
      return undefined;
    }
    if (seen.has(target)) return undefined;
    seen.add(target);
    visitedRaw.add(target);
    const type = typeOf(target);
    const activity = activities[target]!;
    const base = `Activities.${target}`;
    if (type === undefined) return undefined;
    if (type in PASS_THROUGH) {
      const t = type as keyof typeof PASS_THROUGH;
      note(`${base}.${t}`, `${PASS_THROUGH[t]}; the path continues at its NextActivity`);
      return land(activity[t]!.NextActivity, `${base}.${t}.NextActivity`, seen);
    }
    if (type === 'Wait' && duration(activity.Wait!.WaitTime, `${base}.Wait.WaitTime`) === undefined) {
      if (!activity.Wait!.WaitTime) note(`${base}.Wait`, 'a wait with no WaitTime; passed through');
      return land(activity.Wait!.NextActivity, `${base}.Wait.NextActivity`, seen);
    }
    if (type === 'Holdout' && activity.Holdout!.Percentage === 0)
      return land(activity.Holdout!.NextActivity, `${base}.Holdout.NextActivity`, seen);
    return target;
  };
  const visitedRaw = new Set<string>();

  // Each converted activity: its drafted steps (the first is where edges into it land) and its edges.
  interface Edge {
    to: string | undefined; // activity key
    path: string;
    set: (draft: Draft, step: Target) => void;
  }
  const drafts = new Map<string, { steps: Draft[]; edges: Edge[] }>();
  const exits: Draft[] = [];

  const condition = (c: SimpleCondition | undefined, path: string): Condition | undefined => {
    if (!c) {
      note(path, 'no condition');
      return undefined;
    }
    if (c.SegmentCondition) {
      note(
        `${path}.SegmentCondition`,
        'Pinpoint segments do not exist here; express the condition with stages, score or engagement by hand',
      );
      return undefined;
    }
    if (c.segmentDimensions) {
      note(`${path}.segmentDimensions`, 'segment dimensions (endpoint attributes) have no equivalent');
      return undefined;
    }
    const event = c.EventCondition;
    if (!event?.Dimensions?.EventType) {
      note(path, 'only event conditions on email events convert');
      return undefined;
    }
    const dims = event.Dimensions;
    for (const f of ['Attributes', 'Metrics'] as const) {
      if (dims[f] && Object.keys(dims[f]).length > 0) {
        note(
          `${path}.EventCondition.Dimensions.${f}`,
          'event attribute and metric filters have no equivalent',
        );
        return undefined;
      }
    }
    if (dims.EventType!.DimensionType === 'EXCLUSIVE') {
      note(
        `${path}.EventCondition.Dimensions.EventType.DimensionType`,
        'an EXCLUSIVE event type (did not happen) has no equivalent; swap the branches by hand',
      );
      return undefined;
    }
    const events: EngagementType[] = [];
    dims.EventType!.Values.forEach((value, i) => {
      const mapped = EMAIL_EVENTS[value];
      if (mapped) {
        if (!events.includes(mapped)) events.push(mapped);
      } else
        note(
          `${path}.EventCondition.Dimensions.EventType.Values.${i}`,
          `event "${value}" has no engagement type here (email events map: ${Object.keys(EMAIL_EVENTS).join(', ')})`,
        );
    });
    if (events.length === 0) return undefined;
    if (event.MessageActivity !== undefined)
      note(
        `${path}.EventCondition.MessageActivity`,
        `the condition counts the account's ${events.join(' or ')} from any email, not only from activity "${event.MessageActivity}"`,
      );
    return { events };
  };

  /** A pure wait (an await that nothing satisfies) before a branch, for EvaluationWaitTime. */
  /**
   * A branch (ConditionalSplit, MultiCondition): a pure wait for EvaluationWaitTime (an await that
   * nothing satisfies), then one case per condition that converted, the fallback as the default.
   * With no case, no step: participants follow the fallback.
   */
  const branchDraft = (
    key: string,
    evaluation: z.infer<typeof WaitTime> | undefined,
    base: string,
    cases: { cond: Condition; to: string | undefined; path: string }[],
    fallback: { to: string | undefined; path: string },
  ): { steps: Draft[]; edges: Edge[] } => {
    if (cases.length === 0) {
      note(base, `no condition converted: participants follow ${fallback.path.split('.').pop()}`);
      return { steps: [], edges: [{ ...fallback, set: () => undefined }] };
    }
    const id = stepIdOf.get(key)!;
    const d = duration(evaluation, `${base}.EvaluationWaitTime`);
    const wait: Draft[] = d
      ? [
          {
            id: claim(`${id}-wait`.slice(0, ID_MAX)),
            type: 'await_engagement',
            until: {},
            timeout: d,
            onTimeout: id,
          },
        ]
      : [];
    const branchCases = cases.map((c) => ({ if: c.cond, goto: '' }));
    const branch: Draft = { id, type: 'branch', cases: branchCases, default: EXIT };
    return {
      steps: [...wait, branch],
      edges: [
        ...cases.map((c, j) => ({
          to: c.to,
          path: c.path,
          set: (_d: Draft, step: Target) => void (branchCases[j]!.goto = step ?? endStep()),
        })),
        { ...fallback, set: (_d: Draft, step: Target) => void (branch.default = step ?? EXIT) },
      ],
    };
  };

  const draft = (key: string): { steps: Draft[]; edges: Edge[] } => {
    const activity: Activity = activities[key]!;
    const id = stepIdOf.get(key)!;
    const base = `Activities.${key}`;
    const nextEdge = (to: string | undefined, path: string): Edge => ({
      to,
      path,
      set: (d, step) => {
        d.next = step;
      },
    });
    switch (typeOf(key)) {
      case 'EMAIL': {
        const email = activity.EMAIL!;
        let template = email.TemplateName ? toId(email.TemplateName, id) : id;
        if (!email.TemplateName)
          note(`${base}.EMAIL.TemplateName`, `no template name; the step uses template "${id}"`);
        else if (template !== email.TemplateName)
          note(
            `${base}.EMAIL.TemplateName`,
            `template ids use letters, digits, ".", "_" and "-" (max 64): "${template}"`,
          );
        if (email.TemplateVersion !== undefined)
          note(
            `${base}.EMAIL.TemplateVersion`,
            'a step uses the template as saved (PUT /templates/{id}); no version pin',
          );
        if (email.MessageConfig?.FromAddress !== undefined)
          note(
            `${base}.EMAIL.MessageConfig.FromAddress`,
            "the sender is the deployment's (config.email.from), not per step",
          );
        template = template.slice(0, ID_MAX);
        return {
          steps: [{ id, channel: 'email', after: 'P0D', to: 'all', template }],
          edges: [nextEdge(email.NextActivity, `${base}.EMAIL.NextActivity`)],
        };
      }
      case 'ContactCenter':
        return {
          steps: [{ id, channel: 'sdr_task', after: 'P0D', to: 'all', taskType: 'call' }],
          edges: [nextEdge(activity.ContactCenter!.NextActivity, `${base}.ContactCenter.NextActivity`)],
        };
      case 'Wait': {
        const timeout = duration(activity.Wait!.WaitTime, `${base}.Wait.WaitTime`)!;
        return {
          steps: [{ id, type: 'await_engagement', until: {}, timeout }],
          edges: [
            {
              to: activity.Wait!.NextActivity,
              path: `${base}.Wait.NextActivity`,
              set: (d, step) => {
                d.onTimeout = step ?? EXIT;
              },
            },
          ],
        };
      }
      case 'ConditionalSplit': {
        const split = activity.ConditionalSplit!;
        const path = `${base}.ConditionalSplit.Condition`;
        const conds = split.Condition?.Conditions ?? [];
        const mapped = conds.map((c, i) => condition(c, `${path}.Conditions.${i}`));
        let kept: Condition[] = [];
        if (conds.length === 0) note(path, 'no condition');
        else if (split.Condition?.Operator === 'ANY')
          kept = mapped.filter((c): c is Condition => c !== undefined);
        else if (conds.length > 1 && mapped.every(Boolean))
          note(
            path,
            'ALL of several event conditions has no equivalent (a condition\'s "events" is any of them)',
          );
        else if (conds.length === 1 && mapped[0]) kept = [mapped[0]];
        return branchDraft(
          key,
          split.EvaluationWaitTime,
          `${base}.ConditionalSplit`,
          kept.map((cond) => ({
            cond,
            to: split.TrueActivity,
            path: `${base}.ConditionalSplit.TrueActivity`,
          })),
          { to: split.FalseActivity, path: `${base}.ConditionalSplit.FalseActivity` },
        );
      }
      case 'MultiCondition': {
        const multi = activity.MultiCondition!;
        const kept = (multi.Branches ?? []).flatMap((b, i) => {
          const cond = condition(b.Condition, `${base}.MultiCondition.Branches.${i}.Condition`);
          return cond
            ? [{ cond, to: b.NextActivity, path: `${base}.MultiCondition.Branches.${i}.NextActivity` }]
            : [];
        });
        return branchDraft(key, multi.EvaluationWaitTime, `${base}.MultiCondition`, kept, {
          to: multi.DefaultActivity,
          path: `${base}.MultiCondition.DefaultActivity`,
        });
      }
      case 'Holdout': {
        const holdout = activity.Holdout!;
        if (holdout.Percentage === 100) {
          note(`${base}.Holdout`, 'holds out everyone: the path ends here');
          return { steps: [], edges: [] };
        }
        const out: Draft = {
          id: claim(`${id}-holdout`.slice(0, ID_MAX)),
          type: 'exit',
          reason: `held out (Pinpoint holdout ${holdout.Percentage}%)`,
        };
        exits.push(out);
        const variants = [
          { name: 'holdout', weight: holdout.Percentage, goto: out.id },
          { name: 'continue', weight: 100 - holdout.Percentage, goto: '' },
        ];
        return {
          steps: [{ id, type: 'split', variants }],
          edges: [
            {
              to: holdout.NextActivity,
              path: `${base}.Holdout.NextActivity`,
              set: (_d, step) => void (variants[1]!.goto = step ?? endStep()),
            },
          ],
        };
      }
      case 'RandomSplit': {
        const branches = activity.RandomSplit!.Branches ?? [];
        const kept = branches
          .map((b, i) => ({ b, i }))
          .filter(({ b, i }) => {
            if (b.Percentage && b.Percentage > 0) return true;
            note(
              `Activities.${key}.RandomSplit.Branches.${i}`,
              'a path with no percentage gets nobody; left out',
            );
            return false;
          });
        if (kept.length < 2) {
          return {
            steps: [],
            edges: kept.map(({ b, i }) => ({
              to: b.NextActivity,
              path: `${base}.RandomSplit.Branches.${i}.NextActivity`,
              set: () => undefined,
            })),
          };
        }
        const variants = kept.map(({ b, i }) => ({ name: `path-${i + 1}`, weight: b.Percentage!, goto: '' }));
        return {
          steps: [{ id, type: 'split', variants }],
          edges: kept.map(({ b, i }, j) => ({
            to: b.NextActivity,
            path: `${base}.RandomSplit.Branches.${i}.NextActivity`,
            set: (_d: Draft, step: Target) => void (variants[j]!.goto = step ?? endStep()),
          })),
        };
      }
      default:
        return { steps: [], edges: [] };
    }
  };

  let end: Draft | undefined;
  const endStep = () => {
    if (!end) {
      end = { id: claim('journey-end'), type: 'exit', reason: 'end of the Pinpoint journey' };
    }
    return end.id;
  };

  // Walk the graph from StartActivity, depth first (the NextActivity path first), in list order.
  const order: string[] = [];
  const onStack = new Set<string>();
  const entryOf = new Map<string, Target>(); // activity key -> the step id edges into it land on
  const visit = (key: string): Target => {
    if (entryOf.has(key)) return entryOf.get(key);
    const d = draft(key);
    drafts.set(key, d);
    order.push(key);
    onStack.add(key);
    const placeholder = d.steps[0]?.id;
    entryOf.set(key, placeholder);
    for (const edge of d.edges) {
      const landed = land(edge.to, edge.path);
      let target: Target;
      if (landed !== undefined && onStack.has(landed) && entryOf.get(landed) !== undefined) {
        note(
          edge.path,
          `loops back to activity "${landed}"; a journey runs each activity once per entry, so this path ends here`,
        );
        target = undefined;
      } else target = landed === undefined ? undefined : visit(landed);
      const owner = d.steps[d.steps.length - 1] ?? d.steps[0];
      if (d.steps.length === 0) {
        // A split or condition that did not convert: edges into it land where its one path goes.
        if (entryOf.get(key) === undefined) entryOf.set(key, target);
      } else edge.set(owner!, target);
    }
    onStack.delete(key);
    return entryOf.get(key);
  };
  visitedRaw.add(journey.StartActivity);
  const startKey = land(journey.StartActivity, 'StartActivity');
  if (startKey !== undefined) visit(startKey);

  let steps: Draft[] = order.flatMap((k) => drafts.get(k)!.steps);

  // A wait followed by the one touch it leads to becomes that touch's "after" (step timing).
  const references = (stepId: string) =>
    steps.reduce(
      (n, s) =>
        n +
        JSON.stringify([s.next, s.onTimeout, s.default, s.cases, s.variants]).split(`"${stepId}"`).length -
        1,
      0,
    );
  for (const wait of steps.filter((s) => s.type === 'await_engagement' && typeof s.onTimeout === 'string')) {
    const touch = steps.find((s) => s.id === wait.onTimeout && s.channel !== undefined);
    if (!touch || touch.after !== 'P0D' || references(touch.id) !== 1) continue;
    touch.after = wait.timeout;
    for (const s of steps) {
      if (s.next === wait.id) s.next = touch.id;
      if (s.onTimeout === wait.id) s.onTimeout = touch.id;
      if (s.default === wait.id) s.default = touch.id;
      for (const c of (s.cases as { goto: string }[] | undefined) ?? [])
        if (c.goto === wait.id) c.goto = touch.id;
      for (const v of (s.variants as { goto: string }[] | undefined) ?? [])
        if (v.goto === wait.id) v.goto = touch.id;
    }
    // The touch takes the wait's place in the list (the wait may have been the first step).
    const without = steps.filter((s) => s !== touch);
    without[without.indexOf(wait)] = touch;
    steps = without;
  }

  // Make "next" explicit only where it is not the following step; end paths that are not last.
  steps = [...steps, ...exits];
  steps.forEach((s, i) => {
    if (s.channel === undefined) return;
    const following = steps[i + 1]?.id;
    if (s.next === undefined) {
      if (following !== undefined) s.next = endStep();
      else delete s.next;
    } else if (s.next === following) delete s.next;
  });
  if (end) steps.push(end);

  // What the walk never reached.
  const rawReachable = reachable(journey);
  for (const key of Object.keys(activities)) {
    if (visitedRaw.has(key)) continue;
    note(
      `Activities.${key}`,
      rawReachable.has(key)
        ? 'reached only through a path that did not convert (see the entries above)'
        : 'not reachable from StartActivity',
    );
  }

  const settings = journeySettings(journey, note);
  const name = (journey.Name ?? journey.Id ?? 'Pinpoint journey').slice(0, NAME_MAX) || 'Pinpoint journey';
  const sequence = {
    id: toId(journey.Id ? `pinpoint-${journey.Id}` : toId(name, 'pinpoint-journey'), 'pinpoint-journey'),
    name,
    description: `Imported from the Amazon Pinpoint journey ${journey.Id ?? name}`.slice(0, TEXT_MAX),
    ...settings,
    steps: steps.length > 0 ? steps : [],
  } as unknown as SequenceDefinition;
  if (steps.length === 0) note('Activities', 'no activity converted to a step');
  return { sequence, unconverted };
}

/** Activities reachable from StartActivity over every NextActivity-like field. */
function reachable(journey: Journey): Set<string> {
  const seen = new Set<string>();
  const stack = [journey.StartActivity];
  while (stack.length > 0) {
    const key = stack.pop()!;
    if (seen.has(key) || !Object.hasOwn(journey.Activities, key)) continue;
    seen.add(key);
    JSON.stringify(journey.Activities[key], (field, value: unknown) => {
      if (
        typeof value === 'string' &&
        /^(NextActivity|TrueActivity|FalseActivity|DefaultActivity)$/.test(field)
      )
        stack.push(value);
      return value;
    });
  }
  return seen;
}

/** Limits, QuietTime and OpenHours as the frequency cap and send window, where they map. */
function journeySettings(journey: Journey, note: (path: string, reason: string) => void) {
  const out: Record<string, unknown> = {};
  for (const [field, reason] of Object.entries(JOURNEY_UNSUPPORTED)) {
    const value = (journey as Record<string, unknown>)[field];
    if (value === undefined || value === false) continue;
    if (value && typeof value === 'object' && Object.keys(value).length === 0) continue;
    note(field, reason);
  }
  for (const field of Object.keys(journey))
    if (!JOURNEY_METADATA.has(field) && !(field in JOURNEY_UNSUPPORTED)) note(field, 'unknown journey field');

  const limits = journey.Limits ?? {};
  const frame = limits.TimeframeCap;
  if (limits.DailyCap) {
    out.frequencyCap = { perContact: limits.DailyCap, window: 'P1D', onCapped: 'skip' };
    if (frame?.Cap && frame.Days)
      note('Limits.TimeframeCap', 'one frequency cap per sequence: DailyCap was converted, this one was not');
  } else if (frame?.Cap && frame.Days) {
    out.frequencyCap = { perContact: frame.Cap, window: `P${frame.Days}D`, onCapped: 'skip' };
  }
  if (limits.TotalCap)
    note('Limits.TotalCap', 'no lifetime cap per sequence; the frequency cap counts touches in a window');
  if (limits.MessagesPerSecond)
    note('Limits.MessagesPerSecond', "the sending rate is the deployment's (SES quota), not a sequence's");
  for (const f of ['EndpointReentryCap', 'EndpointReentryInterval'] as const)
    if (limits[f] !== undefined)
      note(`Limits.${f}`, 'an account enters a campaign once; re-entry is decided at launch');

  // The send window: OpenHours' email days and hours, narrowed by QuietTime.
  let days: Weekday[] | undefined;
  let start: string | undefined;
  let end: string | undefined;
  const open = journey.OpenHours ?? {};
  for (const channel of ['SMS', 'PUSH', 'VOICE', 'CUSTOM'] as const)
    if (open[channel] && Object.keys(open[channel]).length > 0)
      note(`OpenHours.${channel}`, `no ${channel} channel`);
  const email = Object.entries(open.EMAIL ?? {});
  if (email.length > 0) {
    days = [];
    for (const [day, rules] of email) {
      const weekday = DAYS[day];
      if (!weekday || rules.length === 0) {
        note(`OpenHours.EMAIL.${day}`, weekday ? 'a day with no hours' : 'not a day of the week');
        continue;
      }
      rules.forEach((rule, i) => {
        const path = `OpenHours.EMAIL.${day}.${i}`;
        if (
          !HHMM.safeParse(rule.StartTime).success ||
          !HHMM.safeParse(rule.EndTime).success ||
          rule.StartTime >= rule.EndTime
        ) {
          note(path, 'hours as HH:MM with StartTime before EndTime convert');
        } else if (start === undefined) {
          [start, end] = [rule.StartTime, rule.EndTime];
          if (!days!.includes(weekday)) days!.push(weekday);
        } else if (rule.StartTime === start && rule.EndTime === end) {
          if (!days!.includes(weekday)) days!.push(weekday);
        } else
          note(
            path,
            `a send window has one range of hours for every day: ${start}-${end} was kept and ${day} left out`,
          );
      });
    }
    if (days.length === 0) days = undefined;
  }
  const quiet = journey.QuietTime;
  if (quiet && (quiet.Start !== undefined || quiet.End !== undefined)) {
    const ok = HHMM.safeParse(quiet.Start).success && HHMM.safeParse(quiet.End).success;
    if (!ok || !(quiet.End! < quiet.Start!)) {
      note(
        'QuietTime',
        ok
          ? 'quiet time inside the day (start before end) leaves two windows; a send window is one'
          : 'start and end as HH:MM convert',
      );
    } else {
      // Quiet from Start to End over midnight: sending is allowed from End to Start.
      start = start === undefined || quiet.End! > start ? quiet.End : start;
      end = end === undefined || quiet.Start! < end ? quiet.Start : end;
      days ??= ALL_DAYS;
      if (journey.WaitForQuietTime === false)
        note(
          'WaitForQuietTime',
          'a touch due in quiet time waits for the send window here; it is not dropped',
        );
    }
  }
  if (start !== undefined && end !== undefined && start < end)
    out.sendWindow = { days: days ?? ALL_DAYS, start, end };
  else if (start !== undefined) note('QuietTime', 'quiet time leaves no open hours');
  return out;
}
