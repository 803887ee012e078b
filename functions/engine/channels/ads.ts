/**
 * Ad audiences: consenting committee members (by hashed email) are added to or removed from the
 * audience a step names, in one change per step (a retried step reuses its change id).
 */
import { hashEmailForAudience } from '../../kernel/hash';
import type { AdsStep } from '../../kernel/model';
import { adsEligibility } from '../domain/audience';
import { iso } from '../context';
import { TransientError } from '../errors';
import type { TouchRef } from '../ledger';
import type { ChannelFactory } from './types';

export const ads: ChannelFactory<AdsStep> = (deps) => ({
  windowed: false,
  begin: (run, step) => {
    const claimed: { touch: TouchRef; hash: string }[] = [];
    return {
      ineligible(contact) {
        if (step.action === 'remove') return contact.email ? undefined : 'no_email_address';
        const eligible = adsEligibility(contact);
        return eligible.ok ? undefined : eligible.reason;
      },
      async deliver(touch, contact) {
        claimed.push({ touch, hash: hashEmailForAudience(contact.email as string) });
      },
      async flush() {
        // The hand-over of every claimed touch, immediately before the one provider call.
        const held: typeof claimed = [];
        for (const c of claimed) if (await deps.ledger.handingOver(run, c.touch)) held.push(c);
        if (held.length === 0) return;
        const hashes = held.map((c) => c.hash);
        try {
          const { ref } = await deps.providers.audiences.apply({
            changeId: `${run.input.executionName}#${step.id}#audience`,
            audienceId: step.audience,
            accountId: run.account.accountId,
            campaignId: run.input.campaignId,
            stepId: step.id,
            add: step.action === 'add' ? hashes : [],
            remove: step.action === 'remove' ? hashes : [],
            occurredAt: iso(run.now),
            reason: `sequence step ${step.id}`,
          });
          for (const c of held)
            await deps.ledger.sent(run, c.touch, ref, `ads ${step.action} ${step.audience}`);
        } catch (err) {
          for (const c of held)
            await deps.ledger.failed(run, c.touch, `provider:${(err as Error).message}`, false);
          throw new TransientError(`audience provider: ${(err as Error).message}`, { cause: err });
        }
      },
    };
  },
});
