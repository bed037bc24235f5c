import { type Right, ROLE_RIGHTS, type RoleName } from './roles.ts';

/** One role held for one unit (and its subtree). */
export interface Assignment {
  role: RoleName;
  unit: string;
}

/**
 * Who is making a request: a signed-in user, a department system's API token, or the local
 * operator at the command line (whoever can run the CLI can read the database files anyway; the
 * CLI acts as the system and records the OS user in the audit log).
 */
export interface Principal {
  kind: 'user' | 'token' | 'system';
  /** As recorded in histories and the audit log: user:wang.li, token:3, cli:root. */
  actor: string;
  userId?: number;
  username?: string;
  displayName?: string;
  /** For users: role × unit. */
  assignments: Assignment[];
  /** For tokens: the scopes, held for `tokenUnit`. */
  scopes?: Right[];
  tokenUnit?: string;
  mustChangePassword?: boolean;
}

/** Org codes are hierarchical by prefix: 620881 ⊃ 620881100 ⊃ 620881100001. */
export function unitCovers(scope: string, unit: string): boolean {
  return unit.startsWith(scope);
}

/** The units (subtree roots) for which the principal holds a right. */
export function unitsWithRight(principal: Principal, right: Right): string[] {
  if (principal.kind === 'system') return [''];
  if (principal.kind === 'token') return principal.scopes?.includes(right) ? [principal.tokenUnit ?? ''] : [];
  const units = principal.assignments.filter((a) => ROLE_RIGHTS[a.role].includes(right)).map((a) => a.unit);
  // Only the tops: two roles on one unit, or a unit under another, are one subtree.
  return [...new Set(units)].filter((u) => !units.some((other) => other !== u && unitCovers(other, u)));
}

/** Holds the right for some unit. */
export function hasRight(principal: Principal, right: Right): boolean {
  return unitsWithRight(principal, right).length > 0;
}

/** Holds the right for this unit (or a unit above it). */
export function canOn(principal: Principal, right: Right, unit: string): boolean {
  return unitsWithRight(principal, right).some((scope) => unitCovers(scope, unit));
}

/** Every right the principal holds anywhere: for menus. */
export function rightsOf(principal: Principal): Right[] {
  const rights = new Set<Right>();
  if (principal.kind === 'token') for (const s of principal.scopes ?? []) rights.add(s);
  for (const a of principal.assignments) for (const r of ROLE_RIGHTS[a.role]) rights.add(r);
  return [...rights];
}

export const SYSTEM: Principal = { kind: 'system', actor: 'system', assignments: [] };

/** The CLI's principal: the operator, named by the OS user. */
export function cliPrincipal(): Principal {
  const user = process.env.USER || process.env.USERNAME || 'operator';
  return { kind: 'system', actor: `cli:${user}`, assignments: [] };
}
