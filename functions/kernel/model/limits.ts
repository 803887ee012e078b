/**
 * Bounds on what the API accepts (docs/api.md "Field limits"), so that nothing reaches storage that
 * storage refuses: a client's oversized value is a 400 with its path, never a 500 from DynamoDB.
 * Constants and helper functions only (no schema is built at module scope: fields.ts says why).
 *
 * DynamoDB's limits they keep inside
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Constraints.html,
 * "Partition keys and sort keys", "Items"; number range in
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html):
 * an item is at most 400 KB (409,600 bytes: names and values, UTF-8), a partition key value at
 * most 2,048 bytes, a sort key value at most 1,024 bytes, and a number has at most 38 significant
 * digits with a magnitude from 1E-130 to 9.99E+125 (or is 0); a larger or smaller one is refused.
 */
import * as z from 'zod';

/** DynamoDB's largest item (400 KB, binary units). */
export const DYNAMODB_ITEM_MAX_BYTES = 400 * 1024;
/** DynamoDB's longest partition key value and sort key value. */
export const DYNAMODB_PARTITION_KEY_MAX_BYTES = 2048;
export const DYNAMODB_SORT_KEY_MAX_BYTES = 1024;

// ---------------------------------------------------------------------------
// Strings (in characters: one UTF-16 unit is at most 3 UTF-8 bytes)
// ---------------------------------------------------------------------------

/** Identifiers (accounts, contacts, templates, sequences, campaigns, steps): keys and execution names. */
export const ID_MAX = 64;
/** Names of accounts, contacts, sequences, campaigns; a contact's title; postal address lines. */
export const NAME_MAX = 200;
/** Short labels: industry, region, cluster, a tech-stack entry, a split variant's name, a city. */
export const LABEL_MAX = 100;
/** Free text: a sequence's description, an exit step's reason. */
export const TEXT_MAX = 2000;
/** A DNS name is at most 253 characters (RFC 1035); it is part of a GSI key (DOMAIN#). */
export const DOMAIN_MAX = 253;
/** An address is at most 254 characters (RFC 5321 path limit); it is part of keys (EMAIL#, SUPPRESSION#). */
export const EMAIL_MAX = 254;
/** IANA zone names are short (America/Argentina/ComodRivadavia, 32). */
export const TIME_ZONE_MAX = 64;
export const POSTAL_CODE_MAX = 20;
/** An ISO 8601 duration string (P3D, PT4H30M). */
export const DURATION_TEXT_MAX = 32;

// ---------------------------------------------------------------------------
// Collections
// ---------------------------------------------------------------------------

export const TECH_STACK_MAX = 100;
export const SEQUENCE_STEPS_MAX = 100;
export const BRANCH_CASES_MAX = 20;
export const SPLIT_VARIANTS_MAX = 20;
/** A template's html or text (mail clients clip a body much over 100 KB anyway). */
export const TEMPLATE_BODY_MAX = 64 * 1024;
/** Accounts with their own override in one template (1:1 personalisation). */
export const TEMPLATE_ACCOUNT_OVERRIDES_MAX = 100;
/** A campaign's explicit audience; larger audiences are named by tier or cluster. */
export const AUDIENCE_ACCOUNT_IDS_MAX = 2000;

/**
 * A template or a sequence definition, as JSON (UTF-8). Its item holds it with a few small fields
 * and keys, and DynamoDB counts a document at most twice its JSON text (item sizes:
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html;
 * a string costs its bytes, a number 1 byte per two digits plus 1, a list or map 3 bytes plus 1
 * per element, against JSON's quotes, brackets and commas; the worst case is a list of one-digit
 * numbers), so 192 KiB keeps the item under 384 KiB plus its keys, below 400 KB.
 */
export const DOCUMENT_MAX_BYTES = 192 * 1024;
/**
 * Step Functions' largest state input or output, execution input included: 262,144 bytes of UTF-8
 * JSON (https://docs.aws.amazon.com/step-functions/latest/apireference/API_StateEnteredEventDetails.html,
 * `input`; https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html). A Distributed
 * Map batch, its BatchInput included, has the same ceiling (MaxInputBytesPerBatch).
 */
export const STEP_FUNCTIONS_PAYLOAD_MAX_BYTES = 256 * 1024;
/**
 * A sequence definition, as JSON (UTF-8): stricter than DOCUMENT_MAX_BYTES because a launch carries
 * the snapshot in every account's execution input and in each launcher batch, beside the engine's
 * plan (the contacts still to reach, a pause's plan to resume, a caught error's cause of up to
 * 32 KiB) and the batch's account ids. 160 KiB leaves 96 KiB of the 256 KiB for those: a sequence
 * that is saved can always launch (test/kernel/sequence-size.test.ts works the worst case).
 */
export const SEQUENCE_MAX_BYTES = 160 * 1024;
/**
 * An engagement event's free-form `properties`, as JSON: it rides on the bus (ten events to a
 * PutEvents call of at most 256 KB:
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html) and, when its
 * account is unknown, in an item.
 */
export const EVENT_PROPERTIES_MAX_BYTES = 8 * 1024;
/** Nesting of `properties` (DynamoDB stores documents up to 32 levels deep). */
export const EVENT_PROPERTIES_MAX_DEPTH = 8;

// ---------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------

/** The smallest non-zero magnitude of a decimal the API accepts (DynamoDB refuses below 1E-130). */
export const DECIMAL_MIN_MAGNITUDE = 1e-6;
/** Score thresholds (minScore, maxScore) lie within plus or minus this. */
export const SCORE_MAX = 1e9;
/** Annual revenue in USD (world GDP is about 1e14). */
export const REVENUE_MAX = 1e15;
/** A split variant's relative weight. */
export const SPLIT_WEIGHT_MAX = 1e6;
/**
 * Waits and windows: a Standard Step Functions execution lasts at most one year
 * (https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html).
 */
export const DURATION_MAX_DAYS = 365;

const tinyMessage = `use 0 or a magnitude of at least ${DECIMAL_MIN_MAGNITUDE}`;

/** A number that storage keeps as given: finite, within the safe-integer range, 0 or not tiny. */
export function isStorableNumber(n: number): boolean {
  return (
    Number.isFinite(n) &&
    Math.abs(n) <= Number.MAX_SAFE_INTEGER &&
    (n === 0 || Math.abs(n) >= DECIMAL_MIN_MAGNITUDE)
  );
}

/** A decimal within [min, max] that is 0 or at least DECIMAL_MIN_MAGNITUDE in magnitude. */
export function decimal(min: number, max: number) {
  return z
    .number()
    .min(min)
    .max(max)
    .refine((n) => n === 0 || Math.abs(n) >= DECIMAL_MIN_MAGNITUDE, { message: tinyMessage });
}

/** UTF-8 bytes of a value's JSON text. */
export function jsonBytes(value: unknown): number {
  const text = JSON.stringify(value);
  return text === undefined ? 0 : utf8Bytes(text);
}

/** UTF-8 bytes of a string, without encoding it. */
export function utf8Bytes(s: string): number {
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/** A check for `.superRefine`: the value's JSON is at most `max` bytes (reported on the whole value). */
export function maxJsonBytes(max: number, what: string) {
  return (value: unknown, ctx: z.RefinementCtx) => {
    const bytes = jsonBytes(value);
    if (bytes > max)
      ctx.addIssue({
        code: 'custom',
        message: `${what} is ${bytes} bytes as JSON; at most ${max} (a DynamoDB item is at most 400 KB)`,
      });
  };
}
