/**
 * One-click unsubscribe (RFC 8058). GET shows a confirmation page (mail clients and link scanners
 * prefetch GETs, so a GET never unsubscribes); POST unsubscribes at once: the contact is marked
 * unsubscribed and the address goes on the suppression list, which every email send checks.
 * The token is HMAC-signed and expires (functions/kernel/unsubscribe-token.ts).
 */
import { BadRequest, NotFound } from '../kernel/errors';
import type { Clock } from '../kernel/clock';
import { verifyUnsubscribeToken } from '../kernel/unsubscribe-token';
import type { AccountRepository } from '../platform/store/accounts';

export interface UnsubscribeDeps {
  accounts: AccountRepository;
  clock: Clock;
  /** The HMAC key (Secrets Manager on AWS, configuration in local mode); loaded once. */
  signingKey: () => Promise<string>;
}

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

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

  async function confirmationPage(token: string): Promise<string> {
    await check(token);
    const t = escapeHtml(token);
    return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Unsubscribe</title></head>
<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem">
<h1>Unsubscribe</h1>
<p>Stop receiving these emails?</p>
<form method="post" action="?t=${t}">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">Unsubscribe</button>
</form>
</body></html>`;
  }

  async function unsubscribe(token: string) {
    const payload = await check(token);
    const now = deps.clock.now().toISOString();
    const contact = await deps.accounts.getContact(payload.a, payload.c);
    if (!contact) throw new NotFound('the contact of this link no longer exists');
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

  return { confirmationPage, unsubscribe };
}
