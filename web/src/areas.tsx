import {
  AimOutlined,
  DashboardOutlined,
  FileTextOutlined,
  HeartOutlined,
  SwapOutlined,
  TeamOutlined,
} from '@ant-design/icons';
import { type ComponentType, lazy, type ReactNode } from 'react';
import type { MessageKey } from './i18n.tsx';
// The landing page is in the first download, so its data requests start without another round trip.
import DashboardPage from './pages/DashboardPage.tsx';
import type { Right } from './types.ts';

/**
 * The app's areas and their pages: the one place a new page plugs in. A page with a `probe` is
 * shown (in the menu and by its route) only when that API answers at load — so an area whose
 * server side is not there yet has no menu entry and no placeholder page. An area without any
 * shown page has no menu entry at all.
 *
 * To add a page: write web/src/pages/<area>/<Name>Page.tsx, then add
 * `{ path, probe, title, component: lazy(() => import(...)) }` to its area below.
 */

export interface PageProps {
  params: Record<string, string>;
}

export interface AreaPage {
  /** Route pattern, e.g. '/linkage/queue' or '/persons/:id'. */
  path: string;
  /** A GET the page needs; the page exists only if it answers (anything but "no such route"). */
  probe?: string;
  /**
   * The right the page needs (src/access/roles.ts); with sign-in on, a page whose right the user
   * does not hold is left out like a page whose API is absent. Pages without one are for everyone.
   * Typed by the server's list, so a misspelt right breaks the build instead of hiding the page.
   */
  right?: Right;
  /** Menu label; pages without one are reached by links only (detail pages, forms). */
  title?: readonly [zh: string, en: string];
  component: ComponentType<PageProps>;
}

export interface Area {
  key: string;
  title: MessageKey;
  icon: ReactNode;
  pages: AreaPage[];
}

const page = (load: () => Promise<{ default: ComponentType<PageProps> }>) => lazy(load);

export const AREAS: Area[] = [
  {
    key: 'dashboard',
    title: 'dashboard',
    icon: <DashboardOutlined />,
    pages: [
      { path: '/', right: 'aggregates.read', title: ['工作台', 'Dashboard'], component: DashboardPage },
      {
        path: '/indicators/:id',
        right: 'aggregates.read',
        component: page(() => import('./pages/IndicatorPage.tsx')),
      },
      // The user's own account (reached from their name in the header; signed in only).
      { path: '/account/password', component: page(() => import('./pages/PasswordPage.tsx')) },
    ],
  },
  {
    key: 'registry',
    title: 'registry',
    icon: <TeamOutlined />,
    pages: [
      {
        path: '/registry',
        right: 'registry.read',
        title: ['人员查询', 'Search'],
        component: page(() => import('./pages/registry/SearchPage.tsx')),
      },
      {
        path: '/registry/birth',
        right: 'registry.write',
        title: ['出生登记', 'Register a birth'],
        component: page(() => import('./pages/registry/BirthPage.tsx')),
      },
      {
        path: '/registry/move-in',
        right: 'registry.write',
        title: ['迁入登记', 'Register a move in'],
        component: page(() => import('./pages/registry/MoveInPage.tsx')),
      },
      {
        path: '/registry/import',
        right: 'registry.import',
        probe: '/api/imports',
        title: ['批量导入', 'Import'],
        component: page(() => import('./pages/registry/ImportPage.tsx')),
      },
      {
        path: '/persons/:id',
        right: 'registry.read',
        component: page(() => import('./pages/registry/PersonPage.tsx')),
      },
      {
        path: '/households/:id',
        right: 'registry.read',
        component: page(() => import('./pages/registry/HouseholdPage.tsx')),
      },
      {
        path: '/persons/:id/:action',
        right: 'registry.write',
        component: page(() => import('./pages/registry/PersonActionPage.tsx')),
      },
    ],
  },
  // The areas below are being built as APIs (/api/feeds, /api/tasks, /api/targets, /api/quality,
  // /api/audits, /api/reports, /api/benefits). Their pages plug in here with a probe each.
  {
    key: 'linkage',
    title: 'linkage',
    icon: <SwapOutlined />,
    pages: [
      {
        path: '/linkage/review',
        right: 'feeds.review',
        probe: '/api/feeds/review',
        title: ['比对审核', 'Review queue'],
        component: page(() => import('./pages/linkage/ReviewPage.tsx')),
      },
      {
        path: '/tasks',
        probe: '/api/tasks',
        right: 'registry.write',
        title: ['待办', 'Work list'],
        component: page(() => import('./pages/tasks/TasksPage.tsx')),
      },
      {
        path: '/linkage/completeness',
        probe: '/api/completeness',
        right: 'aggregates.read',
        title: ['登记完整性', 'Completeness'],
        component: page(() => import('./pages/linkage/CompletenessPage.tsx')),
      },
    ],
  },
  {
    key: 'targets',
    title: 'targets',
    icon: <AimOutlined />,
    pages: [
      {
        path: '/targets/progress',
        probe: '/api/targets/progress',
        right: 'aggregates.read',
        title: ['目标进度与排名', 'Progress & rankings'],
        component: page(() => import('./pages/targets/ProgressPage.tsx')),
      },
      {
        path: '/targets/sheet',
        probe: '/api/targets/sheets',
        right: 'aggregates.read',
        title: ['目标表', 'Target sheets'],
        component: page(() => import('./pages/targets/SheetPage.tsx')),
      },
      {
        path: '/quality',
        probe: '/api/quality/rates',
        right: 'aggregates.read',
        title: ['数据质量', 'Data quality'],
        component: page(() => import('./pages/targets/QualityPage.tsx')),
      },
      {
        path: '/audits',
        probe: '/api/audits',
        right: 'quality.audit',
        title: ['入户核查', 'Field audits'],
        component: page(() => import('./pages/targets/AuditsPage.tsx')),
      },
    ],
  },
  {
    key: 'reports',
    title: 'reports',
    icon: <FileTextOutlined />,
    pages: [
      {
        path: '/reports',
        right: 'reports.generate',
        probe: '/api/reports/runs',
        title: ['报告与报表', 'Reports'],
        component: page(() => import('./pages/reports/ReportsPage.tsx')),
      },
      {
        path: '/projection',
        right: 'aggregates.read',
        probe: '/api/projection',
        title: ['人口预测', 'Population projection'],
        component: page(() => import('./pages/reports/ProjectionPage.tsx')),
      },
    ],
  },
  {
    key: 'benefits',
    title: 'benefits',
    icon: <HeartOutlined />,
    pages: [
      {
        path: '/services',
        probe: '/api/services/kinds',
        right: 'services.read',
        title: ['服务记录', 'Health services'],
        component: page(() => import('./pages/benefits/ServicesPage.tsx')),
      },
      {
        path: '/benefits',
        probe: '/api/benefits/programmes',
        right: 'benefits.manage',
        title: ['家庭扶助', 'Family benefits'],
        component: page(() => import('./pages/benefits/BenefitsPage.tsx')),
      },
    ],
  },
];
