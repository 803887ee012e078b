/**
 * Which committee members a step reaches, and whether each may be contacted on a channel.
 */
import type { Audience, Contact } from '../../kernel/model';

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

export function directMailEligibility(contact: Contact): Eligibility {
  if (!contact.postalAddress) return { ok: false, reason: 'no_postal_address' };
  if (!contact.consent?.directMail) return { ok: false, reason: 'no_direct_mail_consent' };
  return { ok: true };
}

/** Every contact of the committee has unsubscribed (an empty committee is not "all unsubscribed"). */
export function allUnsubscribed(contacts: readonly Pick<Contact, 'unsubscribedAt'>[]): boolean {
  return contacts.length > 0 && contacts.every((c) => Boolean(c.unsubscribedAt));
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
