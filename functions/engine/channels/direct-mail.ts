/**
 * Direct mail: a piece to each eligible contact within two budgets, the step's (`maxCostCents` per
 * account) and the account's (`directMailBudgetCents`, reserved before the order and given back if
 * the order fails). A piece costs the step's `costCents`, else the configured piece's `priceCents`
 * (`config.providers.directMail.pieces`), else the whole step budget.
 *
 * How an order reaches a print-and-mail provider (Lob, PostGrid) so that no piece prints twice and
 * none is lost (docs/providers.md, "Direct mail: once and only once"):
 * - the order id is the touch id, and the provider's idempotency key derives from it, so every
 *   send of one touch (the HTTP client's retries, the engine's retries, another attempt after a
 *   crash) names the same piece: the provider answers a repeated key with the piece it made;
 * - the touch is handed over on the ledger before the call; an answer records it `sent` with the
 *   piece id;
 * - a refusal (an invalid address, an unknown template) records it `failed`: the provider did not
 *   act, and sending it again would be refused again;
 * - no answer (the HTTP client gave up on 429s, 5xx or timeouts): the reservation is given back and
 *   the touch is `deferred` for `MAIL_RETRY_MS`, then sent again with the same key; past
 *   `MAIL_RESEND_WINDOW_MS` from the first hand-over (the key may have expired at the provider:
 *   Lob keeps one 24 hours) it is recorded `uncertain` instead, never sent again;
 * - a crash between hand-over and answer: the next attempt claims the handed-over touch again within
 *   the same window and sends it again (engine/ledger.ts, `resendHandedOverWithinMs`), without
 *   reserving the budget a second time.
 * The default provider (an event on the bus) keeps its behaviour: a failure to publish fails the
 * touch and the step is retried.
 */
import { DEFAULT_DIRECT_MAIL } from '../../kernel/direct-mail-providers';
import type { DirectMailStep, Touch } from '../../kernel/model';
import { DirectMailError } from '../../platform/providers/mail';
import { iso } from '../context';
import { directMailEligibility } from '../domain/audience';
import {
  accountBudgetAllows,
  pieceCostCents,
  pieceUnknown,
  piecesLeft as piecesAllowed,
} from '../domain/direct-mail';
import { TransientError } from '../errors';
import type { ChannelFactory } from './types';
import { WINDOWED } from '../domain/touch-timing';

/** How long an order the provider did not answer waits before it is sent again (same key). */
export const MAIL_RETRY_MS = 10 * 60_000;
/**
 * How long after its first hand-over an order may still be sent again: inside the providers'
 * idempotency window (Lob: 24 hours, https://support.lob.com/hc/en-us/articles/360005117519) with
 * a margin for clock skew and the retry interval.
 */
export const MAIL_RESEND_WINDOW_MS = 20 * 3600_000;
const UNANSWERED = 'provider_unanswered';

/** When an order first went to the provider, if an earlier attempt sent it without an answer. */
function firstHandOver(previous: Touch | undefined): string | undefined {
  if (!previous) return undefined;
  if (previous.status === 'handing_over') return previous.at;
  if (previous.status !== 'deferred') return undefined;
  return new RegExp(`^${UNANSWERED} since (\\S+)`).exec(previous.reason ?? '')?.[1];
}

export const directMail: ChannelFactory<DirectMailStep> = (deps) => {
  const settings = deps.config.directMail ?? DEFAULT_DIRECT_MAIL;
  const provider = () => deps.providers.directMail;
  return {
    windowed: WINDOWED.direct_mail,
    resendHandedOverWithinMs: settings.provider === 'eventbridge' ? undefined : MAIL_RESEND_WINDOW_MS,
    begin: (run, step) => {
      const cost = pieceCostCents(step, settings);
      const unknownPiece = pieceUnknown(step, settings);
      const spent = run.recent.filter(
        (t) => t.status === 'sent' && t.executionName === run.input.executionName && t.stepId === step.id,
      ).length;
      let piecesLeft = piecesAllowed(step, spent, settings);
      return {
        ineligible(contact) {
          const eligible = directMailEligibility(contact);
          if (!eligible.ok) return eligible.reason;
          if (unknownPiece) return unknownPiece;
          return piecesLeft <= 0 ? 'over_step_budget' : undefined;
        },
        async deliver(touch, contact, previous) {
          const since = firstHandOver(previous);
          // A touch a crashed attempt handed over: that attempt reserved the budget already.
          const reservedBefore = previous?.status === 'handing_over';
          // Handed over before the budget is reserved: a crash after the reservation must not
          // reserve it again on a retry.
          if (!(await deps.ledger.handingOver(run, touch))) return undefined;
          if (since && run.now.getTime() - Date.parse(since) > MAIL_RESEND_WINDOW_MS) {
            await deps.ledger.unknown(run, touch, `${UNANSWERED} since ${since}: past the resend window`);
            return undefined;
          }
          let reserved = reservedBefore;
          if (!reservedBefore) {
            await deps.accounts.update(run.account.accountId, (account) => {
              reserved = false;
              if (!accountBudgetAllows(account, cost)) return undefined;
              reserved = true;
              return { ...account, directMailSpentCents: account.directMailSpentCents + cost };
            });
            if (!reserved) {
              await deps.ledger.released(run, touch, 'over_account_budget');
              return undefined;
            }
          }
          piecesLeft--;
          const giveBack = () =>
            deps.accounts.update(run.account.accountId, (a) => ({
              ...a,
              directMailSpentCents: Math.max(0, a.directMailSpentCents - cost),
            }));
          try {
            const { ref } = await provider().request({
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
              ...(since ? { resend: true } : {}),
            });
            await deps.ledger.sent(run, touch, ref, `direct mail ${step.piece}`);
            return undefined;
          } catch (err) {
            piecesLeft++;
            await giveBack();
            if (err instanceof DirectMailError) {
              if (!err.retryable) {
                await deps.ledger.failed(run, touch, `provider:${err.message}`, true);
                return undefined;
              }
              deps.log('direct mail order not answered: sent again later with the same key', {
                touchId: touch.touchId,
                error: err.message,
              });
              return {
                reason: `${UNANSWERED} since ${since ?? iso(run.now)}`,
                until: new Date(run.now.getTime() + MAIL_RETRY_MS),
              };
            }
            await deps.ledger.failed(run, touch, `provider:${(err as Error).message}`, false);
            throw new TransientError(`direct mail provider: ${(err as Error).message}`, { cause: err });
          }
        },
      };
    },
  };
};
