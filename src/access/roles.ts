import type { RoleName } from '../db/tables/access.ts';
import { type Text, text } from '../domain/i18n.ts';

export type { RoleName };

/**
 * What a user may do, as data. A right is held for a unit and everything under it (a township
 * role covers its villages); routes and commands name the right they need and the unit they act
 * on, and src/access/authorize.ts decides.
 */
export const RIGHTS = [
  'registry.read', // person-level registry records: search, person and household pages
  'registry.write', // register and correct vital events, households
  'registry.import', // bulk import and export of persons
  'identifiers.read', // ID numbers and phone numbers unmasked
  'aggregates.read', // indicators, completeness, target progress, rates (small cells suppressed without records.read)
  'records.read', // the person records behind a figure
  'feeds.ingest', // deliver department feed batches
  'feeds.review', // link runs, review queue, work tasks
  'targets.manage', // write target sheets and assessments
  'quality.audit', // field audits: draw samples, enter results
  'reports.generate', // work reports, statistical tables, activity log
  'services.read', // person-level health-service records
  'services.write', // record health services
  'benefits.manage', // screen, apply, re-verify
  'benefits.approve', // approve entitlements, payment batches
  'users.manage', // users, roles, API tokens
  'audit.read', // the audit log
] as const;
export type Right = (typeof RIGHTS)[number];

export const ROLES: readonly RoleName[] = [
  'village_worker',
  'township_staff',
  'county_admin',
  'health_provider',
  'auditor',
  'statistician',
  'system_admin',
];

const REGISTRY_WORK: Right[] = [
  'registry.read',
  'registry.write',
  'identifiers.read',
  'aggregates.read',
  'records.read',
  'reports.generate',
  'benefits.manage',
];

/**
 * The rights of each role. Principles: a role gets what its daily work needs (PIPL minimisation);
 * health-service records only to health-service providers; statisticians see aggregates only;
 * the system administrator manages users and reads the audit log but browses no personal data.
 */
export const ROLE_RIGHTS: Record<RoleName, readonly Right[]> = {
  village_worker: REGISTRY_WORK,
  township_staff: [...REGISTRY_WORK, 'registry.import', 'feeds.review', 'quality.audit'],
  county_admin: [
    ...REGISTRY_WORK,
    'registry.import',
    'feeds.ingest',
    'feeds.review',
    'quality.audit',
    'targets.manage',
    'benefits.approve',
    'users.manage',
  ],
  health_provider: ['registry.read', 'aggregates.read', 'services.read', 'services.write'],
  auditor: ['registry.read', 'aggregates.read', 'records.read', 'audit.read'],
  statistician: ['aggregates.read'],
  system_admin: ['users.manage', 'audit.read', 'aggregates.read'],
};

export const ROLE_NAMES: Record<RoleName, Text> = {
  village_worker: text('村级人员', 'Village worker'),
  township_staff: text('乡镇工作人员', 'Township staff'),
  county_admin: text('县级管理员', 'County administrator'),
  health_provider: text('卫生服务人员', 'Health-service provider'),
  auditor: text('审计人员', 'Auditor'),
  statistician: text('统计人员（仅汇总数据）', 'Statistician (aggregates only)'),
  system_admin: text('系统管理员', 'System administrator'),
};

/** Rights a department system's API token may carry. */
export const TOKEN_SCOPES: readonly Right[] = ['feeds.ingest', 'aggregates.read'];

export function isRole(value: string): value is RoleName {
  return (ROLES as readonly string[]).includes(value);
}

export function isRight(value: string): value is Right {
  return (RIGHTS as readonly string[]).includes(value);
}
