/**
 * The domain's word lists, with no imports: the zod schemas (basics.ts, fields.ts) are built from
 * them, and the web console (console/src/types.ts) imports them as they are, so neither copies the
 * other and the console's bundle carries no schema library.
 */

/** The roles of a buying committee. */
export const ROLES = [
  'economic_buyer',
  'technical_evaluator',
  'champion',
  'end_user',
  'blocker',
  'influencer',
] as const;

/** An account's stage, in funnel order. */
export const STAGES = ['target', 'engaged', 'mqa', 'opportunity', 'customer', 'disqualified'] as const;

/** How an SDR call ended. */
export const SDR_OUTCOMES = [
  'connected',
  'voicemail',
  'no_answer',
  'meeting_booked',
  'not_interested',
  'bad_number',
] as const;
