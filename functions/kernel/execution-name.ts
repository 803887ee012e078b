import { createHash } from 'node:crypto';

/**
 * The Step Functions execution name of one account in one campaign: deterministic, so a
 * second launch of the same campaign finds the execution already there (idempotent launch).
 * Execution names allow 1-80 of [A-Za-z0-9-_]; ids may hold "." which is mapped to "_",
 * and a name that would be too long keeps a prefix and a hash of the whole.
 */
export function executionNameFor(campaignId: string, accountId: string): string {
  const raw = `${campaignId}--${accountId}`.replace(/[^A-Za-z0-9_-]/g, '_');
  if (raw.length <= 80) return raw;
  const digest = createHash('sha256').update(`${campaignId}\u0000${accountId}`).digest('hex').slice(0, 16);
  return `${raw.slice(0, 63)}-${digest}`;
}
