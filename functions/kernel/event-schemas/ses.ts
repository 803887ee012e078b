/**
 * What the SES normaliser reads of an SES event record, for the ten event types a configuration
 * set publishes (SES sends more; unknown keys pass). The shapes are those of the documented
 * records (https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html and
 * the examples in event-publishing-retrieving-sns-examples.html; test/ingest/fixtures/ses-records.ts).
 */
import * as z from 'zod';

const Timestamped = { timestamp: z.string().optional() };
const Recipients = z.array(z.looseObject({ emailAddress: z.string() })).default([]);
const TopicPreferences = z.looseObject({
  unsubscribeAll: z.boolean().optional(),
  topicSubscriptionStatus: z
    .array(z.looseObject({ topicName: z.string().optional(), subscriptionStatus: z.string().optional() }))
    .optional(),
});

/** The part of an SES event detail the normaliser reads. */
export const SesEventDetail = z.looseObject({
  eventType: z.string().optional(),
  mail: z.looseObject({
    messageId: z.string().min(1),
    timestamp: z.string().optional(),
    /** The From address, `Name <address>` or `address`. */
    source: z.string().optional(),
    destination: z.array(z.string()).default([]),
    tags: z.record(z.string(), z.array(z.string())).default({}),
  }),
  send: z.looseObject({}).optional(),
  reject: z.looseObject({ reason: z.string().optional() }).optional(),
  bounce: z
    .looseObject({
      bounceType: z.string().optional(),
      bounceSubType: z.string().optional(),
      bouncedRecipients: Recipients,
      ...Timestamped,
    })
    .optional(),
  complaint: z
    .looseObject({
      complainedRecipients: Recipients,
      complaintFeedbackType: z.string().optional(),
      ...Timestamped,
    })
    .optional(),
  delivery: z.looseObject({ ...Timestamped }).optional(),
  open: z.looseObject({ ...Timestamped }).optional(),
  click: z.looseObject({ ...Timestamped, link: z.string().optional() }).optional(),
  failure: z
    .looseObject({ errorMessage: z.string().optional(), templateName: z.string().optional() })
    .optional(),
  deliveryDelay: z
    .looseObject({ ...Timestamped, delayType: z.string().optional(), delayedRecipients: Recipients })
    .optional(),
  subscription: z
    .looseObject({
      ...Timestamped,
      contactList: z.string().optional(),
      source: z.string().optional(),
      newTopicPreferences: TopicPreferences.optional(),
      oldTopicPreferences: TopicPreferences.optional(),
    })
    .optional(),
});
export type SesEventDetail = z.infer<typeof SesEventDetail>;

/** An SES event as EventBridge delivers it (the envelope fields the normaliser reads). */
export const SesEventEnvelope = z.looseObject({
  id: z.string().optional(),
  source: z.string().min(1),
  'detail-type': z.string().min(1),
  time: z.string().optional(),
  detail: z.unknown(),
});
export type SesEventEnvelope = z.infer<typeof SesEventEnvelope>;
