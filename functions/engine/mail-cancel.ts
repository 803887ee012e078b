/**
 * Cancelling the direct mail of an enrollment that is stopped or exits (the issue: "a stop or an
 * exit inside the piece's cancellation window cancels it"). Every piece the enrollment's
 * `direct_mail` steps ordered (its touch is `sent`, with the provider's piece id as `ref`) is
 * cancelled at the provider; the provider decides whether it still can (Lob: until the piece's
 * `send_date`, the end of the account's cancellation window; PostGrid: while the piece is `ready`).
 * One query (the execution's touches), one call per piece. Best effort by design: a provider that
 * cannot be reached is logged with the piece, and does not hold up the stop (the piece then mails).
 */
import type { CancelOutcome, DirectMailProvider } from '../platform/providers';
import type { TouchRepository } from '../platform/store/touches';

export interface MailCancelDeps {
  touches: Pick<TouchRepository, 'ofExecution'>;
  directMail: DirectMailProvider;
  log: (message: string, data?: Record<string, unknown>) => void;
}

export async function cancelEnrollmentMail(
  deps: MailCancelDeps,
  args: { accountId: string; executionName: string; reason: string },
): Promise<Record<CancelOutcome | 'failed', string[]>> {
  const out: Record<CancelOutcome | 'failed', string[]> = {
    cancelled: [],
    too_late: [],
    unknown: [],
    failed: [],
  };
  const cancel = deps.directMail.cancel?.bind(deps.directMail);
  if (!cancel) return out;
  const touches = await deps.touches.ofExecution(args.accountId, args.executionName);
  for (const t of touches) {
    if (t.channel !== 'direct_mail' || t.status !== 'sent' || !t.ref) continue;
    try {
      const outcome = await cancel(t.ref);
      out[outcome].push(t.ref);
      deps.log(`direct mail piece ${outcome === 'cancelled' ? 'cancelled' : `not cancelled (${outcome})`}`, {
        provider: deps.directMail.name,
        touchId: t.touchId,
        piece: t.ref,
        reason: args.reason,
      });
    } catch (err) {
      out.failed.push(t.ref);
      deps.log('direct mail piece could not be cancelled', {
        provider: deps.directMail.name,
        touchId: t.touchId,
        piece: t.ref,
        error: String(err),
      });
    }
  }
  return out;
}
