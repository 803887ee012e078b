/**
 * Buying-committee coverage (README "Coverage"): the roles each tier's committee needs
 * (`config.coverage.requiredRoles`), and which of them an account has mapped. An account missing
 * a required role gets one SDR research task naming the missing roles, closed by itself when
 * contacts with those roles are imported (functions/api/coverage-service.ts). Pure.
 */
import * as z from 'zod';
import { Role, ROLES } from './model/basics';

/**
 * The default: a 1:1 account needs the whole committee the issue names; a 1:few account its buyer
 * and its champion; a 1:many account no research (tier 3 is worked through programmatic
 * channels, and a research task per account would bury the SDRs).
 */
export const DEFAULT_REQUIRED_ROLES: Record<'1' | '2' | '3', Role[]> = {
  '1': ['economic_buyer', 'technical_evaluator', 'champion', 'end_user', 'blocker'],
  '2': ['economic_buyer', 'champion'],
  '3': [],
};

const RoleList = z
  .array(Role)
  .max(ROLES.length)
  .refine((roles) => new Set(roles).size === roles.length, { message: 'a role is listed twice' });

export const CoverageConfig = z
  .object({
    /** Roles by tier ("1", "2", "3"); a tier left out keeps its default. */
    requiredRoles: z
      .object({ '1': RoleList.optional(), '2': RoleList.optional(), '3': RoleList.optional() })
      .strict()
      .default({}),
  })
  .strict();
export type CoverageConfig = z.input<typeof CoverageConfig>;

export type RequiredRoles = Record<'1' | '2' | '3', Role[]>;

/** The roles each tier needs: the configured ones over the defaults. */
export function requiredRolesOf(config: unknown): RequiredRoles {
  const parsed = CoverageConfig.parse(config ?? {});
  return { ...DEFAULT_REQUIRED_ROLES, ...stripUndefined(parsed.requiredRoles) };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export interface Coverage {
  /** The roles this account's tier needs. */
  required: Role[];
  /** Contacts mapped per role (every role, zero included). */
  byRole: Record<Role, number>;
  /** Required roles with no contact. */
  missing: Role[];
}

/** The committee's coverage for an account of this tier with these contacts. */
export function coverageOf(
  tier: 1 | 2 | 3,
  contacts: readonly { role: Role }[],
  required: RequiredRoles,
): Coverage {
  const byRole = Object.fromEntries(ROLES.map((r) => [r, 0])) as Record<Role, number>;
  for (const c of contacts) byRole[c.role]++;
  const needed = required[String(tier) as '1' | '2' | '3'];
  return { required: [...needed], byRole, missing: needed.filter((r) => byRole[r] === 0) };
}

const ROLE_NAMES: Record<Role, string> = {
  economic_buyer: 'economic buyer',
  technical_evaluator: 'technical evaluator',
  champion: 'champion',
  end_user: 'end user',
  blocker: 'blocker',
  influencer: 'influencer',
};

/** "find the economic buyer and the blocker at Northwind Retail" */
export function researchReason(missing: readonly Role[], accountName: string): string {
  const names = missing.map((r) => `the ${ROLE_NAMES[r]}`);
  const list =
    names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  return `find ${list} at ${accountName}`;
}
