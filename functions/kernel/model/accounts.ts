/**
 * The domain model, one file per aggregate (kernel/model.ts re-exports them all). These zod schemas
 * are the one source of the domain's types: every type is inferred from a schema. Pure: no AWS
 * imports, no I/O.
 */
import * as z from 'zod';
import { Id, IsoTimestamp, Role, Stage } from './basics';
import { Email, Tier, TimeZone } from './fields';
import {
  decimal,
  DOMAIN_MAX,
  LABEL_MAX,
  NAME_MAX,
  POSTAL_CODE_MAX,
  REVENUE_MAX,
  TECH_STACK_MAX,
} from './limits';

// ---------------------------------------------------------------------------
// Accounts and contacts
// ---------------------------------------------------------------------------

export const Consent = z.object({
  email: z.boolean().default(false),
  ads: z.boolean().default(false),
  directMail: z.boolean().default(false),
});
export type Consent = z.infer<typeof Consent>;

export const PostalAddress = z.object({
  line1: z.string().min(1).max(NAME_MAX),
  line2: z.string().max(NAME_MAX).optional(),
  city: z.string().min(1).max(LABEL_MAX),
  region: z.string().max(LABEL_MAX).optional(),
  postalCode: z.string().min(1).max(POSTAL_CODE_MAX),
  country: z.string().length(2, 'ISO 3166-1 alpha-2 country code'),
});
export type PostalAddress = z.infer<typeof PostalAddress>;

export const ContactInput = z.object({
  contactId: Id,
  name: z.string().min(1).max(NAME_MAX),
  email: Email.optional(),
  title: z.string().max(NAME_MAX).optional(),
  role: Role,
  timeZone: TimeZone.default('UTC'),
  phone: z
    .string()
    .regex(/^\+[1-9]\d{6,14}$/, 'E.164 phone number, e.g. +13125550100')
    .optional(),
  consent: Consent.default({ email: false, ads: false, directMail: false }),
  postalAddress: PostalAddress.optional(),
});
export type ContactInput = z.input<typeof ContactInput>;

export const Contact = ContactInput.extend({
  accountId: Id,
  /** Set when the person unsubscribed (one-click or otherwise): no more email, ever. */
  unsubscribedAt: IsoTimestamp.optional(),
  updatedAt: IsoTimestamp.optional(),
});
export type Contact = z.infer<typeof Contact>;

export const FitResult = z.object({
  score: z.number().min(0).max(100),
  suggestedTier: Tier,
  fits: z.array(z.string()),
  misses: z.array(z.string()),
  /** One line, e.g. "fits: logistics, 5,000+ employees; misses: no data warehouse". */
  summary: z.string(),
});
export type FitResult = z.infer<typeof FitResult>;

export const AccountInput = z.object({
  accountId: Id,
  name: z.string().min(1).max(NAME_MAX),
  domain: z
    .string()
    .trim()
    .toLowerCase()
    .max(DOMAIN_MAX, { abort: true })
    .regex(/^([a-z0-9-]+\.)+[a-z]{2,}$/, 'a domain name such as northwind.example'),
  industry: z.string().trim().toLowerCase().min(1).max(LABEL_MAX).optional(),
  employees: z.number().int().nonnegative().optional(),
  annualRevenueUsd: decimal(0, REVENUE_MAX).optional(),
  region: z.string().min(1).max(LABEL_MAX).optional(),
  techStack: z.array(z.string().trim().toLowerCase().min(1).max(LABEL_MAX)).max(TECH_STACK_MAX).default([]),
  tier: Tier.optional(),
  cluster: z.string().min(1).max(LABEL_MAX).nullable().optional(),
  ownerSdr: Id.optional(),
  /** Direct-mail spend allowed for this account across all sequences, in cents. */
  directMailBudgetCents: z.number().int().nonnegative().optional(),
  contacts: z.array(ContactInput).default([]),
});
export type AccountInput = z.input<typeof AccountInput>;

export const Account = AccountInput.omit({ contacts: true }).extend({
  tier: Tier,
  stage: Stage.default('target'),
  fit: FitResult.optional(),
  /** No sequence may touch a suppressed account. */
  suppressed: z.boolean().default(false),
  directMailSpentCents: z.number().int().nonnegative().default(0),
  createdAt: IsoTimestamp,
  updatedAt: IsoTimestamp,
  /** Optimistic-concurrency version, incremented by every write. */
  version: z.number().int().nonnegative().default(0),
});
export type Account = z.infer<typeof Account>;
