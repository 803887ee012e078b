/**
 * One-click unsubscribe (RFC 8058). GET shows a confirmation page (mail clients and link scanners
 * prefetch GETs, so a GET never unsubscribes); POST unsubscribes at once: the contact is marked
 * unsubscribed and the address goes on the suppression list, which every email send checks.
 * The token is HMAC-signed and expires (functions/kernel/unsubscribe-token.ts).
 *
 * A browser (`Accept: text/html`) gets small human pages (functions/api/html-page.ts); an API
 * client or a mail client's one-click POST gets JSON.
 */
import { BadRequest, NotFound, type ErrorBody } from '../kernel/errors';
import type { Clock } from '../kernel/clock';
import { verifyUnsubscribeToken } from '../kernel/unsubscribe-token';
import type { AccountRepository } from '../platform/store/accounts';
import { escapeHtml, htmlPage } from './html-page';

export interface UnsubscribeDeps {
  accounts: AccountRepository;
  clock: Clock;
  /** The HMAC key (Secrets Manager on AWS, configuration in local mode); loaded once. */
  signingKey: () => Promise<string>;
}

export function createUnsubscribeService(deps: UnsubscribeDeps) {
  async function check(token: string) {
    const result = verifyUnsubscribeToken(token, await deps.signingKey(), deps.clock.now());
    if (!result.ok) {
      const message =
        result.reason === 'expired'
          ? 'this unsubscribe link has expired'
          : 'this unsubscribe link is not valid';
      throw new BadRequest([{ path: 'query.t', message: `${message} (${result.reason})` }], message);
    }
    return result.payload;
  }

  async function contactOf(token: string) {
    const payload = await check(token);
    const contact = await deps.accounts.getContact(payload.a, payload.c);
    if (!contact) throw new NotFound('the contact of this link no longer exists');
    return { payload, contact };
  }

  /** What the link would do (GET): whose link it is, whether it is done already, until when it works. */
  async function status(token: string) {
    const { payload, contact } = await contactOf(token);
    return {
      accountId: payload.a,
      contactId: payload.c,
      unsubscribed: contact.unsubscribedAt !== undefined,
      expiresAt: new Date(payload.exp * 1000).toISOString(),
    };
  }

  async function unsubscribe(token: string) {
    const { payload, contact } = await contactOf(token);
    const now = deps.clock.now().toISOString();
    // Suppression first: it is what senders check, and it survives a later re-import of the contact.
    if (contact.email)
      await deps.accounts.addSuppression(contact.email, {
        reason: 'unsubscribed',
        source: payload.k ? `campaign:${payload.k}` : 'one-click',
        at: now,
      });
    await deps.accounts.markContactUnsubscribed(payload.a, payload.c, now);
    return { unsubscribed: true as const, accountId: payload.a, contactId: payload.c };
  }

  return { status, unsubscribe };
}

/** The confirmation page (GET): one button that posts back to the same link. */
export function confirmationPage(token: string, alreadyUnsubscribed: boolean) {
  return alreadyUnsubscribed
    ? htmlPage('Unsubscribed', '<p>You are already unsubscribed: you will get no more of these emails.</p>')
    : htmlPage(
        'Unsubscribe',
        `<p>Stop receiving these emails?</p>
<form method="post" action="?t=${escapeHtml(encodeURIComponent(token))}">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">Unsubscribe</button>
</form>`,
      );
}

/** The answer to the confirmation's POST. */
export const donePage = () =>
  htmlPage('Unsubscribed', '<p>You are unsubscribed: you will get no more of these emails.</p>');

/** An error as a page (an expired or broken link, a person already erased). */
export function errorPage(error: ErrorBody['error'], status: number) {
  const text =
    status === 404
      ? 'This link no longer leads anywhere: there is nobody to unsubscribe.'
      : status >= 500
        ? `Something went wrong on our side; please try again later (reference ${error.requestId ?? 'none'}).`
        : `${error.message[0]?.toUpperCase() ?? ''}${error.message.slice(1)}.`;
  return htmlPage('Unsubscribe', `<p>${escapeHtml(text)}</p>`);
}
