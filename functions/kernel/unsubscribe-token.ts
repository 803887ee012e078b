/**
 * Signed unsubscribe tokens (RFC 8058 one-click): `base64url(payload).base64url(hmac)`.
 * The payload names the contact and the account and carries an expiry; the HMAC key comes
 * from Secrets Manager in AWS and from configuration in local mode, never from code.
 *
 * One token, one spelling: both parts are unpadded base64url (RFC 4648 section 5) and the
 * signature must be the canonical encoding of the HMAC, compared as text in constant time. A
 * decoder alone would accept other spellings of the same bytes (the unused low bits of the last
 * character, `+` `/` `=` of standard base64, characters it skips such as NUL or whitespace).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';

export const UnsubscribePayload = z.object({
  /** account id */
  a: z.string().min(1),
  /** contact id */
  c: z.string().min(1),
  /** expiry, epoch seconds */
  exp: z.number().int().positive(),
  /** campaign id, for the report */
  k: z.string().optional(),
});
export type UnsubscribePayload = z.infer<typeof UnsubscribePayload>;

export type TokenCheck =
  | { ok: true; payload: UnsubscribePayload }
  | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' };

function mac(body: string, key: string): Buffer {
  return createHmac('sha256', key).update(body).digest();
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

export function signUnsubscribeToken(payload: UnsubscribePayload, key: string): string {
  if (!key) throw new Error('unsubscribe signing key is empty');
  const body = Buffer.from(JSON.stringify(UnsubscribePayload.parse(payload))).toString('base64url');
  return `${body}.${mac(body, key).toString('base64url')}`;
}

export function verifyUnsubscribeToken(token: string, key: string, now: Date): TokenCheck {
  const [body, signature, extra] = typeof token === 'string' ? token.split('.') : [];
  if (!body || !signature || extra !== undefined || !BASE64URL.test(body) || !BASE64URL.test(signature))
    return { ok: false, reason: 'malformed' };
  // Both sides are ASCII here, so equal lengths mean equal byte lengths for timingSafeEqual.
  const expected = Buffer.from(mac(body, key).toString('base64url'), 'ascii');
  const given = Buffer.from(signature, 'ascii');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'bad_signature' };
  let payload: UnsubscribePayload;
  try {
    payload = UnsubscribePayload.parse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (payload.exp * 1000 <= now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, payload };
}
