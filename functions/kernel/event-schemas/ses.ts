/** What the SES normaliser reads of an SES event (SES sends more; unknown keys pass). */
import * as z from 'zod';

/** The part of an SES event detail the normaliser reads (SES sends more; unknown keys pass). */
export const SesEventDetail = z.looseObject({
  eventType: z.string().optional(),
  mail: z.looseObject({
    messageId: z.string().min(1),
    timestamp: z.string().optional(),
    destination: z.array(z.string()).default([]),
    tags: z.record(z.string(), z.array(z.string())).default({}),
  }),
  bounce: z
    .looseObject({
      bounceType: z.string().optional(),
      bounceSubType: z.string().optional(),
      bouncedRecipients: z.array(z.looseObject({ emailAddress: z.string() })).default([]),
      timestamp: z.string().optional(),
    })
    .optional(),
  complaint: z
    .looseObject({
      complainedRecipients: z.array(z.looseObject({ emailAddress: z.string() })).default([]),
      complaintFeedbackType: z.string().optional(),
      timestamp: z.string().optional(),
    })
    .optional(),
  delivery: z.looseObject({ timestamp: z.string().optional() }).optional(),
  open: z.looseObject({ timestamp: z.string().optional() }).optional(),
  click: z.looseObject({ timestamp: z.string().optional(), link: z.string().optional() }).optional(),
  reject: z.looseObject({ reason: z.string().optional() }).optional(),
  send: z.looseObject({}).optional(),
});
export type SesEventDetail = z.infer<typeof SesEventDetail>;
