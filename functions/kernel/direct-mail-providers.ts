/**
 * The print-and-mail provider a deployment connects (`config.providers.directMail`, README
 * "Connect direct mail"): one shape for `cdk deploy` (cdk.json context) and local mode (cdk.json or
 * `ABM_CONFIG`), validated at synth, at local start and at a Lambda's cold start (the functions get
 * it as JSON in `ABM_DIRECT_MAIL_PROVIDER`). Pure.
 *
 * - `eventbridge` (the default): a `direct_mail` step publishes `direct_mail.requested` for a team's
 *   own fulfilment; `pieces` may still give each piece its price (budgets and forecasts).
 * - `lob` / `postgrid`: the piece is printed and mailed by the provider. `secretName` names the
 *   secret with the API key (`{ "apiKey" }`), `webhookSecretName` the secret with the webhook
 *   signing key (`{ "secret" }`), `from` the return address as the provider keeps it (a Lob address
 *   id `adr_...`, a PostGrid contact id `contact_...`), `baseUrl` the host as the ad-audiences
 *   providers take it (`scheme://host[:port]`; in local mode, absent means the in-process double),
 *   and `pieces` what each piece a sequence step names is at the provider.
 *
 * Every key is used: nothing is accepted and then ignored.
 */
import * as z from 'zod';
import { BaseUrl, SecretName } from './ads-providers';
import { Id } from './model/basics';

export const DIRECT_MAIL_PROVIDERS = ['eventbridge', 'lob', 'postgrid'] as const;
export type DirectMailProviderName = (typeof DIRECT_MAIL_PROVIDERS)[number];
export const PIECE_TYPES = ['letter', 'postcard'] as const;
export type PieceType = (typeof PIECE_TYPES)[number];
/** Lob's postcard sizes (https://docs.lob.com/#tag/Postcards, `size`); PostGrid takes the same names. */
export const POSTCARD_SIZES = ['4x6', '6x9', '6x11'] as const;

/** A provider template id: Lob `tmpl_...`, PostGrid `template_...`. */
const TemplateId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'Invalid template id (the provider template id, e.g. tmpl_abc)');

const Price = z.number().int().positive().max(100_000_00);

/** The price of one piece with no provider behind it (the default provider only publishes the request). */
const PricedPiece = z.object({ priceCents: Price }).strict();

const Letter = z
  .object({
    type: z.literal('letter'),
    /** The provider template printed on the letter. */
    template: TemplateId,
    /** Colour printing (Lob `color`, PostGrid `color`; both required or defaulted to false). */
    color: z.boolean().default(false),
    /** Both sides of each sheet (Lob `double_sided`, PostGrid `doubleSided`). */
    doubleSided: z.boolean().default(true),
    /** What one piece costs, in cents: the budget checks and forecasts use it. */
    priceCents: Price,
  })
  .strict();

const Postcard = z
  .object({
    type: z.literal('postcard'),
    /** The template of the front; `back` the template of the back (Lob requires both). */
    template: TemplateId,
    back: TemplateId,
    size: z.enum(POSTCARD_SIZES).default('4x6'),
    priceCents: Price,
  })
  .strict();

export const MailPiece = z.discriminatedUnion('type', [Letter, Postcard], {
  error: (iss) =>
    iss.code === 'invalid_union' ? `Unknown piece type (one of ${PIECE_TYPES.join(', ')})` : undefined,
});
export type MailPiece = z.infer<typeof MailPiece>;

/** A return address as the provider keeps it (Lob `adr_...`, PostGrid `contact_...`). */
const FromId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'Invalid from (the provider id of the return address, e.g. adr_abc)');

const printAndMail = {
  /** The secret with the API key: `{ "apiKey": "test_..." | "live_..." }`. */
  secretName: SecretName,
  baseUrl: BaseUrl.optional(),
  /** The secret with the webhook signing key, `{ "secret" }`: tracking webhooks are verified with it. */
  webhookSecretName: SecretName,
  from: FromId,
  /** Marketing or operational mail (Lob `use_type`, required on letters and postcards). */
  useType: z.enum(['marketing', 'operational']).default('marketing'),
  pieces: z
    .record(Id, MailPiece)
    .refine((p) => Object.keys(p).length > 0, { message: 'Configure at least one piece' }),
};

export const LobSettings = z.object({ provider: z.literal('lob'), ...printAndMail }).strict();
export const PostGridSettings = z.object({ provider: z.literal('postgrid'), ...printAndMail }).strict();
export const EventBridgeMailSettings = z
  .object({ provider: z.literal('eventbridge'), pieces: z.record(Id, PricedPiece).default({}) })
  .strict();

export const DirectMailSettings = z.discriminatedUnion(
  'provider',
  [EventBridgeMailSettings, LobSettings, PostGridSettings],
  {
    error: (iss) =>
      iss.code === 'invalid_union'
        ? `Unknown provider (one of ${DIRECT_MAIL_PROVIDERS.join(', ')})`
        : undefined,
  },
);
export type DirectMailSettings = z.infer<typeof DirectMailSettings>;
export type PrintAndMailSettings = z.infer<typeof LobSettings> | z.infer<typeof PostGridSettings>;

export const DEFAULT_DIRECT_MAIL: DirectMailSettings = { provider: 'eventbridge', pieces: {} };

/** The settings a function reads from its environment (absent: the default provider). */
export function parseDirectMailSettings(value: unknown): DirectMailSettings {
  if (value === undefined) return DEFAULT_DIRECT_MAIL;
  const parsed = DirectMailSettings.safeParse(value);
  if (!parsed.success)
    throw new Error(
      `invalid direct-mail provider configuration: ${parsed.error.issues
        .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
        .join('; ')}`,
    );
  return parsed.data;
}

/**
 * The cost of one piece of a step: the step's own `costCents` when it gives one (a per-step
 * override), else the configured piece's `priceCents`, else the whole step budget (one piece).
 */
export function pieceCost(
  step: { piece: string; costCents?: number; maxCostCents: number },
  settings: DirectMailSettings,
): number {
  return step.costCents ?? settings.pieces[step.piece]?.priceCents ?? step.maxCostCents;
}

/** Whether the provider has the piece (the default provider takes any piece name). */
export function knowsPiece(settings: DirectMailSettings, piece: string): boolean {
  return settings.provider === 'eventbridge' || settings.pieces[piece] !== undefined;
}
