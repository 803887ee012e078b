/**
 * Which committee members a step reaches, and whether each may be contacted on a channel.
 */
import type { Account, AdsStep, Audience, Contact, SequenceDefinition } from '../../kernel/model';

export function selectContacts<C extends Pick<Contact, 'role' | 'contactId'>>(
  contacts: readonly C[],
  to: Audience,
): C[] {
  const chosen = to === 'all' ? [...contacts] : contacts.filter((c) => (to as string[]).includes(c.role));
  return chosen.sort((a, b) => a.contactId.localeCompare(b.contactId));
}

export type Eligibility = { ok: true } | { ok: false; reason: string };

export function emailEligibility(contact: Contact, suppressed: boolean): Eligibility {
  if (!contact.email) return { ok: false, reason: 'no_email_address' };
  if (contact.unsubscribedAt) return { ok: false, reason: 'unsubscribed' };
  if (suppressed) return { ok: false, reason: 'suppressed' };
  if (!contact.consent?.email) return { ok: false, reason: 'no_email_consent' };
  return { ok: true };
}

export function adsEligibility(contact: Contact): Eligibility {
  if (!contact.email) return { ok: false, reason: 'no_email_address' };
  if (!contact.consent?.ads) return { ok: false, reason: 'no_ads_consent' };
  return { ok: true };
}

/** Why an ads step does not reach the contact as a person, or nothing. */
export function adsStepIneligibility(
  step: Pick<AdsStep, 'target' | 'action'>,
  contact: Contact,
): string | undefined {
  if (step.target === 'companies') return 'account_level';
  if (step.action === 'remove') return contact.email ? undefined : 'no_email_address';
  const eligible = adsEligibility(contact);
  return eligible.ok ? undefined : eligible.reason;
}

export function directMailEligibility(contact: Contact): Eligibility {
  if (!contact.postalAddress) return { ok: false, reason: 'no_postal_address' };
  if (!contact.consent?.directMail) return { ok: false, reason: 'no_direct_mail_consent' };
  return { ok: true };
}

/** Every contact of the committee has unsubscribed (an empty committee is not "all unsubscribed"). */
export function allUnsubscribed(contacts: readonly Pick<Contact, 'unsubscribedAt'>[]): boolean {
  return contacts.length > 0 && contacts.every((c) => Boolean(c.unsubscribedAt));
}

/** Why an enrollment ends before its next step (suppressed, an exit stage, everyone unsubscribed), or nothing. */
export function exitReasonOf(
  account: Pick<Account, 'suppressed' | 'stage'>,
  contacts: readonly Pick<Contact, 'unsubscribedAt'>[],
  seq: Pick<SequenceDefinition, 'exitWhen'>,
): string | undefined {
  if (account.suppressed) return 'account_suppressed';
  if (seq.exitWhen.stages.includes(account.stage)) return `exit_stage:${account.stage}`;
  if (seq.exitWhen.allUnsubscribed && allUnsubscribed(contacts)) return 'all_unsubscribed';
  return undefined;
}

/** Exclusive sequences: an account in an exclusive sequence is in no other, and vice versa. */
export function exclusivityConflict(
  active: readonly { campaignId: string; exclusive?: boolean; status: string }[],
  candidate: { campaignId: string; exclusive: boolean },
): { campaignId: string } | undefined {
  const ACTIVE = new Set(['running', 'waiting', 'paused']);
  const others = active.filter((e) => e.campaignId !== candidate.campaignId && ACTIVE.has(e.status));
  const clash = others.find((e) => candidate.exclusive || e.exclusive);
  return clash ? { campaignId: clash.campaignId } : undefined;
}
