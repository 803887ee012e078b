/**
 * Ad audiences: consenting committee members (by hashed email and contact id) and, when the step
 * targets companies, the account as a company, are added to or removed from the audience a step
 * names, in one change per step (a retried step reuses its change id; the audience sync's
 * membership ledger makes a repeated change harmless). A step that targets only companies reaches
 * no person: each contact's touch is skipped (`account_level`) and the change carries the company.
 */
import { hashEmailForAudience } from '../../kernel/hash';
import type { AdsStep } from '../../kernel/model';
import { adsStepIneligibility } from '../domain/audience';
import { iso } from '../context';
import { TransientError } from '../errors';
import type { TouchRef } from '../ledger';
import type { ChannelFactory } from './types';
import { WINDOWED } from '../domain/touch-timing';

export const ads: ChannelFactory<AdsStep> = (deps) => ({
  windowed: WINDOWED.ads,
  begin: (run, step) => {
    const claimed: { touch: TouchRef; hash: string; contactId: string }[] = [];
    const company = step.target === 'companies' || step.target === 'both' ? step.action : undefined;
    return {
      ineligible: (contact) => adsStepIneligibility(step, contact),
      async deliver(touch, contact) {
        claimed.push({
          touch,
          hash: hashEmailForAudience(contact.email as string),
          contactId: contact.contactId,
        });
      },
      async flush() {
        // The hand-over of every claimed touch, immediately before the one provider call.
        const held: typeof claimed = [];
        for (const c of claimed) if (await deps.ledger.handingOver(run, c.touch)) held.push(c);
        if (held.length === 0 && !company) return;
        const hashes = held.map((c) => c.hash);
        const contactIds = held.map((c) => c.contactId);
        try {
          const { ref } = await deps.providers.audiences.apply({
            changeId: `${run.input.executionName}#${step.id}#audience`,
            audienceId: step.audience,
            accountId: run.account.accountId,
            campaignId: run.input.campaignId,
            stepId: step.id,
            add: step.action === 'add' ? hashes : [],
            remove: step.action === 'remove' ? hashes : [],
            target: step.target,
            addContactIds: step.action === 'add' ? contactIds : [],
            removeContactIds: step.action === 'remove' ? contactIds : [],
            company,
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
