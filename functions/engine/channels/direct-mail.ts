/**
 * Direct mail: a piece to each eligible contact within two budgets, the step's (`maxCostCents` per
 * account) and the account's (`directMailBudgetCents`, reserved before the order and given back if
 * the order fails).
 */
import type { DirectMailStep } from '../../kernel/model';
import { iso } from '../context';
import { directMailEligibility } from '../domain/audience';
import { accountBudgetAllows, pieceCostCents, piecesLeft as piecesAllowed } from '../domain/direct-mail';
import { TransientError } from '../errors';
import type { ChannelFactory } from './types';
import { WINDOWED } from '../domain/touch-timing';

export const directMail: ChannelFactory<DirectMailStep> = (deps) => ({
  windowed: WINDOWED.direct_mail,
  begin: (run, step) => {
    const cost = pieceCostCents(step);
    const spent = run.recent.filter(
      (t) => t.status === 'sent' && t.executionName === run.input.executionName && t.stepId === step.id,
    ).length;
    let piecesLeft = piecesAllowed(step, spent);
    return {
      ineligible(contact) {
        const eligible = directMailEligibility(contact);
        if (!eligible.ok) return eligible.reason;
        return piecesLeft <= 0 ? 'over_step_budget' : undefined;
      },
      async deliver(touch, contact) {
        // Handed over before the budget is reserved: a crash after the reservation must not
        // reserve it again on a retry (the touch is then uncertain, its budget kept).
        if (!(await deps.ledger.handingOver(run, touch))) return;
        let reserved = false;
        await deps.accounts.update(run.account.accountId, (account) => {
          reserved = false;
          if (!accountBudgetAllows(account, cost)) return undefined;
          reserved = true;
          return { ...account, directMailSpentCents: account.directMailSpentCents + cost };
        });
        if (!reserved) {
          await deps.ledger.released(run, touch, 'over_account_budget');
          return;
        }
        piecesLeft--;
        try {
          const { ref } = await deps.providers.directMail.request({
            orderId: touch.touchId,
            accountId: run.account.accountId,
            campaignId: run.input.campaignId,
            stepId: step.id,
            contactId: contact.contactId,
            recipientName: contact.name,
            address: contact.postalAddress!,
            piece: step.piece,
            costCents: cost,
            occurredAt: iso(run.now),
          });
          await deps.ledger.sent(run, touch, ref, `direct mail ${step.piece}`);
        } catch (err) {
          await deps.accounts.update(run.account.accountId, (a) => ({
            ...a,
            directMailSpentCents: Math.max(0, a.directMailSpentCents - cost),
          }));
          await deps.ledger.failed(run, touch, `provider:${(err as Error).message}`, false);
          throw new TransientError(`direct mail provider: ${(err as Error).message}`, { cause: err });
        }
      },
    };
  },
});
