import { describe, expect, it } from 'vitest';
import { hashEmailForAudience, isHeldOut, pickWeighted, stableFraction } from '../../functions/kernel/hash';
import { signUnsubscribeToken, verifyUnsubscribeToken } from '../../functions/kernel/unsubscribe-token';

describe('stable hashing', () => {
  it('is deterministic and spread out', () => {
    expect(stableFraction('a', 'b')).toBe(stableFraction('a', 'b'));
    expect(stableFraction('a', 'b')).not.toBe(stableFraction('ab'));
    const held = Array.from({ length: 1000 }, (_, i) => isHeldOut('camp', `acct-${i}`, 20)).filter(
      Boolean,
    ).length;
    expect(held).toBeGreaterThanOrEqual(170);
    expect(held).toBeLessThanOrEqual(230);
  });

  it('splits by weight', () => {
    const variants = [
      { name: 'A', weight: 1 },
      { name: 'B', weight: 3 },
    ];
    const b = Array.from({ length: 2000 }, (_, i) => pickWeighted(variants, 'split', `a${i}`).name).filter(
      (n) => n === 'B',
    );
    expect(b.length / 2000).toBeGreaterThan(0.7);
    expect(b.length / 2000).toBeLessThan(0.8);
  });

  it('hashes emails the way ad platforms match them', () => {
    expect(hashEmailForAudience('  Dana@Northwind.Example ')).toBe(
      hashEmailForAudience('dana@northwind.example'),
    );
    expect(hashEmailForAudience('dana@northwind.example')).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('unsubscribe tokens', () => {
  const now = new Date('2026-11-22T10:00:00Z');
  const payload = { a: 'acme', c: 'c1', exp: Math.floor(now.getTime() / 1000) + 3600 };

  it('round-trips', () => {
    const token = signUnsubscribeToken(payload, 'k1');
    expect(verifyUnsubscribeToken(token, 'k1', now)).toEqual({ ok: true, payload });
  });

  it('rejects a wrong key, a tampered body, an expired token and garbage', () => {
    const token = signUnsubscribeToken(payload, 'k1');
    expect(verifyUnsubscribeToken(token, 'k2', now)).toEqual({ ok: false, reason: 'bad_signature' });
    const [, sig] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...payload, c: 'c2' })).toString('base64url');
    expect(verifyUnsubscribeToken(`${forged}.${sig}`, 'k1', now)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    expect(verifyUnsubscribeToken(token, 'k1', new Date(now.getTime() + 7200_000))).toEqual({
      ok: false,
      reason: 'expired',
    });
    expect(verifyUnsubscribeToken('nonsense', 'k1', now)).toEqual({ ok: false, reason: 'malformed' });
  });
});

describe('executionNameFor', () => {
  it('is deterministic, legal and at most 80 characters', async () => {
    const { executionNameFor } = await import('../../functions/kernel/execution');
    expect(executionNameFor('q1-tier1', 'northwind.retail')).toBe('q1-tier1--northwind_retail');
    const long = executionNameFor('c'.repeat(64), 'a'.repeat(64));
    expect(long).toHaveLength(80);
    expect(long).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(executionNameFor('c'.repeat(64), 'a'.repeat(63) + 'b')).not.toBe(long);
  });
});
