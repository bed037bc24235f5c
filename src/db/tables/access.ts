import type { ColumnType, Generated } from 'kysely';

/** Tables of access control and the audit log (src/access/); the SQL in ../migrations/ is the source of truth. */

export type RoleName =
  | 'village_worker'
  | 'township_staff'
  | 'county_admin'
  | 'health_provider'
  | 'auditor'
  | 'statistician'
  | 'system_admin';

export interface AppUserTable {
  id: Generated<number>;
  username: string;
  display_name: string;
  password_hash: string;
  status: Generated<'active' | 'disabled'>;
  failed_logins: Generated<number>;
  locked_until: string | null;
  must_change_password: Generated<boolean>;
  password_changed_at: Generated<string>;
  created_at: Generated<string>;
  created_by: string;
}

export interface UserRoleTable {
  user_id: number;
  role: RoleName;
  unit_code: string;
  granted_at: Generated<string>;
  granted_by: string;
}

export interface UserSessionTable {
  token_hash: string;
  user_id: number;
  csrf_token: string;
  created_at: Generated<string>;
  last_seen_at: Generated<string>;
  expires_at: string;
  revoked_at: string | null;
  ip: string | null;
  user_agent: string | null;
}

export interface ApiTokenTable {
  id: Generated<number>;
  name: string;
  token_hash: string;
  scopes: ColumnType<string[], string[], string[]>;
  unit_code: string;
  created_at: Generated<string>;
  created_by: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
}

export interface AuditLogTable {
  seq: number;
  at: string;
  actor: string;
  action: string;
  resource: string;
  unit_code: string | null;
  outcome: 'ok' | 'denied' | 'failed';
  ip: string | null;
  details: ColumnType<Record<string, unknown>, string, never>;
  prev_hash: string;
  hash: string;
}

export interface AuditHeadTable {
  only_row: boolean;
  seq: number;
  hash: string;
}

export interface AccessTables {
  app_user: AppUserTable;
  user_role: UserRoleTable;
  user_session: UserSessionTable;
  api_token: ApiTokenTable;
  audit_log: AuditLogTable;
  audit_head: AuditHeadTable;
}
