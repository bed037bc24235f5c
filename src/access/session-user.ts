import type { Text } from '../domain/i18n.ts';
import { type Principal, rightsOf } from './principal.ts';
import { type Right, ROLE_NAMES, type RoleName } from './roles.ts';

/**
 * Who is signed in, as GET /api/auth/me and POST /api/auth/login answer it (the web app reads
 * this type: web/src/auth.tsx).
 */
export interface SessionUser {
  /** As recorded in histories and the audit log: user:wang.li, token:3. */
  actor: string;
  username: string | null;
  displayName: string | null;
  kind: Principal['kind'];
  /** Role assignments: the role, the unit it covers and the role's name. */
  roles: { role: RoleName; unit: string; name: Text }[];
  rights: Right[];
  mustChangePassword: boolean;
  /** The session's CSRF token, which every write must carry; null for a caller without a session (a token). */
  csrfToken: string | null;
}

/** A principal as the session routes describe it, with the session's CSRF token. */
export function describeSessionUser(principal: Principal, csrfToken: string | null): SessionUser {
  return {
    actor: principal.actor,
    username: principal.username ?? null,
    displayName: principal.displayName ?? null,
    kind: principal.kind,
    roles: principal.assignments.map((a) => ({ role: a.role, unit: a.unit, name: ROLE_NAMES[a.role] })),
    rights: rightsOf(principal),
    mustChangePassword: principal.mustChangePassword ?? false,
    csrfToken,
  };
}
