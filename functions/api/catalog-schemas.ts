/**
 * The schemas of the catalog routes (templates and sequences), on their own for the catalog
 * function's bundle (schema-common.ts says why); schemas.ts re-exports them.
 */
import * as z from 'zod';
import { Email, Id, Role, SequenceInput } from '../kernel/model';
import { TemplateInput } from '../kernel/templates';
import { QueryInt } from './schema-common';

export const TemplateIdParams = z.object({ templateId: Id });
export const TemplatePutBody = TemplateInput.meta({ id: 'TemplatePut' });
export const TemplateView = TemplateInput.extend({
  templateId: Id,
  version: z.number().int().positive(),
  updatedAt: z.string(),
}).meta({ id: 'Template' });
export const TemplateList = z
  .object({
    items: z.array(
      z.object({ templateId: Id, subject: z.string(), version: z.number(), updatedAt: z.string() }),
    ),
    cursor: z.string().nullable(),
  })
  .meta({ id: 'TemplateList' });

export const TemplatePreviewBody = z
  .object({ accountId: Id, contactId: Id })
  .strict()
  .meta({ id: 'TemplatePreviewRequest' });
export const TemplatePreview = z
  .object({
    templateId: Id,
    version: z.number().int(),
    accountId: Id,
    contactId: Id,
    subject: z.string(),
    html: z.string(),
    text: z.string(),
    /** Variables the template uses that the render context has no field for (typos): they render empty. */
    unknownVariables: z.array(z.string()),
    /** Known variables without a value for this account or contact (`contact.title`): they render empty. */
    emptyVariables: z.array(z.string()),
    /** Which variant rendered: the contact's role's, the account's override (null: the base). */
    variant: z.object({ role: Role.nullable(), account: Id.nullable() }),
    /** The contact's address (a real send would go there); null when it has none. */
    to: z.string().nullable(),
  })
  .meta({ id: 'TemplatePreview' });
export const TemplateTestSendBody = z
  .object({ to: Email, accountId: Id, contactId: Id })
  .strict()
  .meta({ id: 'TemplateTestSendRequest' });
export const TemplateTestSend = z
  .object({
    messageId: z.string(),
    to: z.string(),
    subject: z.string(),
    unknownVariables: z.array(z.string()),
    /** Tagged `abmTest=true`: its SES events are never scored nor counted in a campaign. */
    test: z.literal(true),
  })
  .meta({ id: 'TemplateTestSend' });

export const SequenceIdParams = z.object({ sequenceId: Id });
export const SequenceGetQuery = z.object({ version: QueryInt(1, 99_999_999).optional() });
/** Validated by validateSequence (with field paths), so the route accepts any object here. */
export const SequencePutBody = z.record(z.string(), z.unknown());
export const SequencePutBodyDoc = SequenceInput.extend({ id: Id.optional() }).meta({
  id: 'SequencePut',
  description:
    'A sequence definition (docs/architecture.md "Sequences"). `id`, when given, must equal the path parameter.',
});
export const SequenceView = z
  .object({
    sequence: z.record(z.string(), z.unknown()),
    version: z.number().int().positive(),
    createdAt: z.string(),
  })
  .meta({ id: 'SequenceVersion' });
export const SequenceList = z
  .object({
    items: z.array(
      z.object({ sequenceId: Id, name: z.string(), latestVersion: z.number().int(), updatedAt: z.string() }),
    ),
    cursor: z.string().nullable(),
  })
  .meta({ id: 'SequenceList' });
