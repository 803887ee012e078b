/**
 * The test accounts' shared parts: a company profile that fits the default ideal-customer profile,
 * and the buying committee the engine, API and local-mode tests address by name.
 * (No vitest import: bench/ uses it too.)
 */
import type { Role } from '../../functions/kernel/model';

/** An account in the default ICP: logistics, 6,000 people, $2B revenue, North America, Snowflake. */
export function fitProfile(accountId: string, name: string) {
  return {
    accountId,
    name,
    domain: `${accountId}.example`,
    industry: 'logistics',
    employees: 6000,
    annualRevenueUsd: 2_000_000_000,
    region: 'NA',
    techStack: ['snowflake'],
  };
}

const COMMITTEE = {
  economic_buyer: { suffix: 'eb', name: 'Dana Cole', mailbox: 'dana' },
  champion: { suffix: 'ch', name: 'Sam Reed', mailbox: 'sam' },
  technical_evaluator: { suffix: 'te', name: 'Kim Park', mailbox: 'kim' },
} as const;

/** Dana Cole (economic buyer), Sam Reed (champion) or Kim Park (technical evaluator) of an account. */
export function committeeMember<R extends keyof typeof COMMITTEE & Role>(accountId: string, role: R) {
  const { suffix, name, mailbox } = COMMITTEE[role];
  return { contactId: `${accountId}-${suffix}`, name, email: `${mailbox}@${accountId}.example`, role };
}
