/**
 * The direct-mail budgets (docs/architecture.md "Sequences"): a step's pieces per account within its
 * `maxCostCents`, and the account's own budget. The channel (channels/direct-mail.ts) and the launch
 * forecast (domain/forecast.ts) price a piece with `pieceCostCents`, the one place the price is read.
 */
import type { Account, DirectMailStep } from '../../kernel/model';

/**
 * The price of one piece of a direct-mail step, in cents: the step's `costCents`, else its whole
 * per-account budget (`maxCostCents`: one piece). The one lookup of a piece's price.
 */
export function pieceCostCents(step: Pick<DirectMailStep, 'piece' | 'costCents' | 'maxCostCents'>): number {
  return step.costCents ?? step.maxCostCents;
}

/** How many more pieces the step's per-account budget allows, `sent` of them already sent. */
export function piecesLeft(
  step: Pick<DirectMailStep, 'piece' | 'costCents' | 'maxCostCents'>,
  sent: number,
): number {
  return Math.floor(step.maxCostCents / pieceCostCents(step)) - sent;
}

/** Whether the account's direct-mail budget (none: unlimited) takes one more piece of `cost` cents. */
export function accountBudgetAllows(
  account: Pick<Account, 'directMailBudgetCents' | 'directMailSpentCents'>,
  cost: number,
): boolean {
  const budget = account.directMailBudgetCents;
  return budget === undefined || (account.directMailSpentCents ?? 0) + cost <= budget;
}
