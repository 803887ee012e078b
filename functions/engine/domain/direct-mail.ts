/**
 * The direct-mail budgets (docs/architecture.md "Sequences"): a step's pieces per account within its
 * `maxCostCents`, and the account's own budget. The channel (channels/direct-mail.ts) and the launch
 * forecast (domain/forecast.ts) price a piece with `pieceCostCents`, the one place the price is read.
 */
import {
  DEFAULT_DIRECT_MAIL,
  knowsPiece,
  pieceCost,
  type DirectMailSettings,
} from '../../kernel/direct-mail-providers';
import type { Account, DirectMailStep } from '../../kernel/model';

type PricedStep = Pick<DirectMailStep, 'piece' | 'costCents' | 'maxCostCents'>;

/**
 * The price of one piece of a direct-mail step, in cents: the step's `costCents`, else the
 * configured piece's `priceCents` (`config.providers.directMail.pieces`), else its whole
 * per-account budget (`maxCostCents`: one piece). The one lookup of a piece's price.
 */
export function pieceCostCents(step: PricedStep, settings: DirectMailSettings = DEFAULT_DIRECT_MAIL): number {
  return pieceCost(step, settings);
}

/** How many more pieces the step's per-account budget allows, `sent` of them already sent. */
export function piecesLeft(
  step: PricedStep,
  sent: number,
  settings: DirectMailSettings = DEFAULT_DIRECT_MAIL,
): number {
  return Math.floor(step.maxCostCents / pieceCostCents(step, settings)) - sent;
}

/** The skip reason of a piece the configured provider does not have (none: it has it). */
export function pieceUnknown(
  step: Pick<DirectMailStep, 'piece'>,
  settings: DirectMailSettings,
): string | undefined {
  return knowsPiece(settings, step.piece) ? undefined : `unknown_piece:${step.piece}`;
}

/** Whether the account's direct-mail budget (none: unlimited) takes one more piece of `cost` cents. */
export function accountBudgetAllows(
  account: Pick<Account, 'directMailBudgetCents' | 'directMailSpentCents'>,
  cost: number,
): boolean {
  const budget = account.directMailBudgetCents;
  return budget === undefined || (account.directMailSpentCents ?? 0) + cost <= budget;
}
