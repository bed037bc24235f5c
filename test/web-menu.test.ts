import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ROLE_RIGHTS, type RoleName } from '../src/access/roles.ts';
import { buildMenu, type MenuTitle } from '../web/src/menu.ts';

/** The menu pages of web/src/areas.tsx (paths, rights, titles), without their components. */
interface Page {
  path: string;
  right?: string;
  title?: MenuTitle;
}
const AREAS: { key: string; pages: Page[] }[] = [
  {
    key: 'dashboard',
    pages: [
      { path: '/', right: 'aggregates.read', title: ['工作台', 'Dashboard'] },
      { path: '/indicators/:id', right: 'aggregates.read' },
    ],
  },
  {
    key: 'registry',
    pages: [
      { path: '/registry', right: 'registry.read', title: ['人员查询', 'Search'] },
      { path: '/registry/birth', right: 'registry.write', title: ['出生登记', 'Register a birth'] },
      { path: '/persons/:id', right: 'registry.read' },
    ],
  },
  {
    key: 'reports',
    pages: [
      { path: '/reports', right: 'reports.generate', title: ['报告与报表', 'Reports'] },
      { path: '/projection', right: 'aggregates.read', title: ['人口预测', 'Population projection'] },
    ],
  },
  {
    key: 'benefits',
    pages: [
      { path: '/services', right: 'services.read', title: ['服务记录', 'Health services'] },
      { path: '/benefits', right: 'benefits.manage', title: ['家庭扶助', 'Family benefits'] },
    ],
  },
];

/** The menu of a user holding one role, as (area, entry key, label or sub-menu labels). */
function menuOf(role: RoleName) {
  const rights = new Set<string>(ROLE_RIGHTS[role]);
  return buildMenu(AREAS, (page) => !page.right || rights.has(page.right)).map((entry) =>
    entry.kind === 'page'
      ? { area: entry.area.key, key: entry.key, label: entry.title[0] }
      : { area: entry.area.key, key: entry.key, under: entry.pages.map((p) => p.title[0]) },
  );
}

describe('side menu (web/src/menu.ts)', () => {
  it('names an area’s only page after the page: a statistician sees 人口预测, not 统计报表', () => {
    assert.deepEqual(menuOf('statistician'), [
      { area: 'dashboard', key: '/', label: '工作台' },
      { area: 'reports', key: '/projection', label: '人口预测' },
    ]);
  });

  it('does the same for every role: a health-service provider sees 人员查询 and 服务记录 as entries of their own', () => {
    assert.deepEqual(menuOf('health_provider'), [
      { area: 'dashboard', key: '/', label: '工作台' },
      { area: 'registry', key: '/registry', label: '人员查询' },
      { area: 'reports', key: '/projection', label: '人口预测' },
      { area: 'benefits', key: '/services', label: '服务记录' },
    ]);
  });

  it('keeps an area with two or more pages a sub-menu under the area’s name, its pages in order', () => {
    const menu = menuOf('county_admin');
    assert.deepEqual(
      menu.find((entry) => entry.area === 'reports'),
      { area: 'reports', key: 'reports', under: ['报告与报表', '人口预测'] },
    );
    assert.deepEqual(
      menu.find((entry) => entry.area === 'registry'),
      { area: 'registry', key: 'registry', under: ['人员查询', '出生登记'] },
    );
  });

  it('leaves out an area with no page the user may open, and pages reached only by links', () => {
    // A system administrator has no registry right: no 人口登记 at all, and never /persons/:id.
    const menu = menuOf('system_admin');
    assert.ok(!menu.some((entry) => entry.area === 'registry'));
    assert.deepEqual(
      buildMenu(AREAS, () => true).flatMap((entry) =>
        entry.kind === 'page' ? [entry.key] : entry.pages.map((p) => p.page.path),
      ),
      ['/', '/registry', '/registry/birth', '/reports', '/projection', '/services', '/benefits'],
    );
  });
});
