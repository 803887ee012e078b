/**
 * Email templates (docs/architecture.md "Templates"): Handlebars subject, html and text, with variants by
 * role and overrides by account (1:1). Resolution order, field by field:
 * byAccount[accountId] > byRole[role] > the base template.
 *
 * The schemas only: parsing and checking a template when it is saved are in `./template-compile`
 * (the whole of Handlebars), resolving and rendering from its compiled form in `./template-render`
 * (Handlebars' compiler and runtime, no parser), so the bundles that read or validate templates
 * without rendering them (the API router) carry no Handlebars at all.
 */
import * as z from 'zod';
import {
  DOCUMENT_MAX_BYTES,
  Id,
  jsonBytes,
  ROLES,
  TEMPLATE_ACCOUNT_OVERRIDES_MAX,
  TEMPLATE_BODY_MAX,
  type Role,
} from './model';

const Parts = z
  .object({
    subject: z.string().min(1).max(998),
    html: z.string().min(1).max(TEMPLATE_BODY_MAX),
    text: z.string().min(1).max(TEMPLATE_BODY_MAX),
  })
  .strict();
const PartialParts = Parts.partial();

export const TemplateInput = Parts.extend({
  byRole: z.partialRecord(z.enum(ROLES), PartialParts).default({}),
  byAccount: z
    .record(Id, PartialParts)
    .refine((r) => Object.keys(r).length <= TEMPLATE_ACCOUNT_OVERRIDES_MAX, {
      message: `at most ${TEMPLATE_ACCOUNT_OVERRIDES_MAX} accounts`,
    })
    .default({}),
}).strict();
export type TemplateInput = z.input<typeof TemplateInput>;

export const EmailTemplate = TemplateInput.extend({
  templateId: Id,
  version: z.number().int().positive().default(1),
  updatedAt: z.string(),
});
export type EmailTemplate = z.infer<typeof EmailTemplate>;

export interface TemplateContext {
  account: { accountId: string; name: string; industry?: string; domain?: string; [k: string]: unknown };
  contact: {
    contactId: string;
    name: string;
    firstName: string;
    role: Role;
    title?: string;
    [k: string]: unknown;
  };
  sender: { name?: string; email: string; [k: string]: unknown };
  unsubscribeUrl: string;
  /** What the last touch to this account said, for continuity ("Following up on ..."). */
  lastTouch?: { stepId: string; channel: string; summary?: string; at: string };
  [k: string]: unknown;
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

/** Why the whole template does not fit in its item (DOCUMENT_MAX_BYTES of JSON), if it does not. */
export function templateSizeError(template: z.infer<typeof TemplateInput>): string | undefined {
  const bytes = jsonBytes(template);
  return bytes > DOCUMENT_MAX_BYTES
    ? `the template is ${bytes} bytes as JSON; at most ${DOCUMENT_MAX_BYTES} (a DynamoDB item is at most 400 KB)`
    : undefined;
}

/** Which source each part uses for this account and role. */
export function resolveTemplate(
  template: Pick<EmailTemplate, 'subject' | 'html' | 'text' | 'byRole' | 'byAccount'>,
  accountId: string,
  role: Role,
): RenderedEmail {
  const byAccount = template.byAccount?.[accountId] ?? {};
  const byRole = template.byRole?.[role] ?? {};
  return {
    subject: byAccount.subject ?? byRole.subject ?? template.subject,
    html: byAccount.html ?? byRole.html ?? template.html,
    text: byAccount.text ?? byRole.text ?? template.text,
  };
}

// Zod-free, so the engine's lazily loaded renderer pulls in no schema with it.
export { untrackedUnsubscribeLinks } from './unsubscribe-links';

/**
 * The variables an email template renders with, from the account, the contact and the sender: one
 * builder for the engine's email channel and the catalog's preview and test send, so a preview
 * shows what a send would render.
 */
export function emailContext(p: {
  account: { accountId: string; name: string; industry?: string; domain?: string };
  contact: { contactId: string; name: string; role: Role; title?: string };
  sender: { email: string; name?: string };
  unsubscribeUrl: string;
  lastTouch?: TemplateContext['lastTouch'];
}): TemplateContext {
  return {
    account: {
      accountId: p.account.accountId,
      name: p.account.name,
      industry: p.account.industry,
      domain: p.account.domain,
    },
    contact: {
      contactId: p.contact.contactId,
      name: p.contact.name,
      firstName: p.contact.name.split(/\s+/)[0] ?? p.contact.name,
      role: p.contact.role,
      title: p.contact.title,
    },
    sender: { email: p.sender.email, name: p.sender.name },
    unsubscribeUrl: p.unsubscribeUrl,
    lastTouch: p.lastTouch,
  };
}
