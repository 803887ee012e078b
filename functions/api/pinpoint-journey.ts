/**
 * The Amazon Pinpoint journey as AWS documents it (the schema functions/api/pinpoint-import.ts
 * reads); the pages are cited there. Only the import's own function bundles it
 * (functions/api/handlers/import-pinpoint.ts); the API document names AWS's Journey resource
 * instead of repeating it (functions/api/schemas.ts `PinpointImportBodyDoc`).
 */
import * as z from 'zod';

// ---------------------------------------------------------------------------
// The journey as AWS documents it (unknown fields pass, and are listed as unconverted)
// ---------------------------------------------------------------------------

/** Bounds so that a huge document costs bounded work (the router bounds the body too). */
export const ACTIVITIES_MAX = 500;
export const Str = z.string().max(2048);
export const Next = Str.optional();
export const Percentage = z.number().int().min(0).max(100);
export const Count = z.number().int().min(0);

export const WaitTime = z.looseObject({ WaitFor: Str.optional(), WaitUntil: Str.optional() });
export const SetDimension = z.looseObject({
  DimensionType: z.enum(['INCLUSIVE', 'EXCLUSIVE']).optional(),
  Values: z.array(Str).max(100),
});
export const SimpleCondition = z.looseObject({
  EventCondition: z
    .looseObject({
      Dimensions: z
        .looseObject({
          EventType: SetDimension.optional(),
          Attributes: z.record(z.string(), z.unknown()).optional(),
          Metrics: z.record(z.string(), z.unknown()).optional(),
        })
        .optional(),
      MessageActivity: Str.optional(),
    })
    .optional(),
  SegmentCondition: z.looseObject({ SegmentId: Str }).optional(),
  segmentDimensions: z.record(z.string(), z.unknown()).optional(),
});
export type SimpleCondition = z.infer<typeof SimpleCondition>;
export const MessageActivity = z.looseObject({ NextActivity: Next, TemplateName: Str.optional() });

export const Activity = z.looseObject({
  Description: Str.optional(),
  EMAIL: MessageActivity.extend({
    MessageConfig: z.looseObject({ FromAddress: Str.optional() }).optional(),
    TemplateVersion: Str.optional(),
  }).optional(),
  SMS: MessageActivity.optional(),
  PUSH: MessageActivity.optional(),
  CUSTOM: MessageActivity.optional(),
  Wait: z.looseObject({ NextActivity: Next, WaitTime: WaitTime.optional() }).optional(),
  ConditionalSplit: z
    .looseObject({
      Condition: z
        .looseObject({
          Conditions: z.array(SimpleCondition).max(100).optional(),
          Operator: z.enum(['ALL', 'ANY']).optional(),
        })
        .optional(),
      EvaluationWaitTime: WaitTime.optional(),
      TrueActivity: Next,
      FalseActivity: Next,
    })
    .optional(),
  MultiCondition: z
    .looseObject({
      Branches: z
        .array(z.looseObject({ Condition: SimpleCondition.optional(), NextActivity: Next }))
        .max(100)
        .optional(),
      DefaultActivity: Next,
      EvaluationWaitTime: WaitTime.optional(),
    })
    .optional(),
  Holdout: z.looseObject({ NextActivity: Next, Percentage }).optional(),
  RandomSplit: z
    .looseObject({
      Branches: z
        .array(z.looseObject({ NextActivity: Next, Percentage: Percentage.optional() }))
        .max(100)
        .optional(),
    })
    .optional(),
  ContactCenter: z.looseObject({ NextActivity: Next }).optional(),
});
export type Activity = z.infer<typeof Activity>;

export const OpenHoursRules = z.record(
  z.string(),
  z.array(z.looseObject({ StartTime: Str, EndTime: Str })).max(100),
);

export const PinpointJourney = z.looseObject({
  Id: Str.optional(),
  Name: Str.optional(),
  StartActivity: Str.min(1),
  Activities: z
    .record(Str, Activity)
    .refine((a) => Object.keys(a).length > 0, 'a journey has at least one activity')
    .refine((a) => Object.keys(a).length <= ACTIVITIES_MAX, `at most ${ACTIVITIES_MAX} activities`),
  Limits: z
    .looseObject({
      DailyCap: Count.optional(),
      TotalCap: Count.optional(),
      MessagesPerSecond: Count.optional(),
      EndpointReentryCap: Count.optional(),
      EndpointReentryInterval: Str.optional(),
      TimeframeCap: z.looseObject({ Days: Count.optional(), Cap: Count.optional() }).optional(),
    })
    .optional(),
  QuietTime: z.looseObject({ Start: Str.optional(), End: Str.optional() }).optional(),
  OpenHours: z
    .looseObject({
      EMAIL: OpenHoursRules.optional(),
      SMS: OpenHoursRules.optional(),
      PUSH: OpenHoursRules.optional(),
      VOICE: OpenHoursRules.optional(),
      CUSTOM: OpenHoursRules.optional(),
    })
    .optional(),
  WaitForQuietTime: z.boolean().optional(),
  RefreshOnSegmentUpdate: z.boolean().optional(),
});
export type Journey = z.infer<typeof PinpointJourney>;
