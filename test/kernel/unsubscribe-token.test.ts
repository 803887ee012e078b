/**
 * The unsubscribe token has one spelling (functions/kernel/unsubscribe-token.ts): the canonical,
 * unpadded base64url encoding of its HMAC. Other spellings that a lenient decoder maps to the same
 * bytes are refused.
 */
import { describe, expect, it } from 'vitest';
import { signUnsubscribeToken, verifyUnsubscribeToken } from '../../functions/kernel/unsubscribe-token';

const now = new Date('2026-11-22T10:00:00Z');
const key = 'k1';
// A token whose signature has a character that standard base64 spells otherwise (- or _).
const token = Array.from({ length: 100 }, (_, i) =>
  signUnsubscribeToken({ a: 'acme', c: `c${i}`, exp: Math.floor(now.getTime() / 1000) + 3600 }, key),
).find((t) => /[-_]/.test(t.split('.')[1]))!;
const [body, signature] = token.split('.');
const verify = (t: string) => verifyUnsubscribeToken(t, key, now);
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe('unsubscribe token spelling', () => {
  it('the signature is 43 characters of unpadded base64url and verifies as issued', () => {
    expect(signature).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(verify(token).ok).toBe(true);
  });

  it('accepts exactly one value of the last character (its low 2 bits are padding)', () => {
    const last = signature[signature.length - 1];
    const alternatives = [...B64URL].filter((c) => c !== last);
    // A lenient decoder maps three other last characters to the same 32 bytes.
    const sameBytes = alternatives.filter((c) =>
      Buffer.from(signature.slice(0, -1) + c, 'base64url').equals(Buffer.from(signature, 'base64url')),
    );
    expect(sameBytes).toHaveLength(3);
    for (const c of alternatives) expect(verify(`${body}.${signature.slice(0, -1)}${c}`).ok).toBe(false);
  });

  it('refuses the standard-base64 spelling, padding, NUL and whitespace', () => {
    const standard = Buffer.from(signature, 'base64url').toString('base64'); // with + / and =
    const spellings = [
      `${body}.${standard}`,
      `${body}.${standard.replace(/=+$/, '')}`,
      `${body}.${signature}=`,
      `${body}.${signature.slice(0, 10)}\u0000${signature.slice(10)}`,
      `${body}.${signature} `,
      `${body}.${signature.slice(0, 20)}\n${signature.slice(20)}`,
      `${body}.${signature.slice(0, 20)}+${signature.slice(21)}`,
      `${body}\u0000.${signature}`,
      ` ${token}`,
    ];
    for (const t of spellings)
      expect(verify(t), JSON.stringify(t)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses a wrong signature of the right shape as bad_signature', () => {
    const wrong = signature.startsWith('A') ? `B${signature.slice(1)}` : `A${signature.slice(1)}`;
    expect(verify(`${body}.${wrong}`)).toEqual({ ok: false, reason: 'bad_signature' });
  });
});
