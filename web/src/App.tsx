import { App as AntApp, ConfigProvider, Result, Spin } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import { apiGet, routeExists } from './api.ts';
import { AREAS, type AreaPage } from './areas.tsx';
import { AuthProvider, useAuth } from './auth.tsx';
import { AppLayout } from './components/AppLayout.tsx';
import { I18nProvider, useI18n } from './i18n.tsx';
import SignInPage from './pages/SignInPage.tsx';

const PasswordPage = lazy(() => import('./pages/PasswordPage.tsx'));

import { matchPath, navigate, useLocation } from './router.tsx';
import { SelectionProvider } from './selection.tsx';

export function App() {
  return (
    <I18nProvider>
      <Localised />
    </I18nProvider>
  );
}

/**
 * Ant Design with `zeroRuntime`: its component styles come from the static antd/dist/antd.css
 * (imported in main.tsx, a cached file) instead of being generated in the browser on first render —
 * on the office's slow PCs that generation was most of the dashboard's first second. The theme's
 * colours still apply: the ConfigProvider sets them as CSS variables.
 */
function Localised() {
  const { lang } = useI18n();
  return (
    <ConfigProvider
      locale={lang === 'en' ? enUS : zhCN}
      theme={{ zeroRuntime: true, token: { colorPrimary: '#1f6fb2' } }}
    >
      <AntApp>
        <AuthProvider>
          <Gate />
        </AuthProvider>
      </AntApp>
    </ConfigProvider>
  );
}

/**
 * Which of the probes the server has: one request (GET /api/routes); a server without that
 * route is asked one probe at a time.
 */
async function probeRoutes(probes: string[]): Promise<Set<string>> {
  try {
    const { exists } = await apiGet<{ exists: Record<string, boolean> }>('/api/routes', {
      paths: probes.join(','),
    });
    return new Set(probes.filter((probe) => exists[probe]));
  } catch {
    const results = await Promise.all(
      probes.map(async (probe) => [probe, await routeExists(probe)] as const),
    );
    return new Set(results.filter(([, exists]) => exists).map(([probe]) => probe));
  }
}

const ALL_PAGES = AREAS.flatMap((area) => area.pages);

/**
 * Pages whose API answers (or that need none), checked once at load. Until the probes answer,
 * the pages without a probe (the dashboard, the registry) are there at once, so the landing page
 * never waits for them; `probing` says the rest may still come.
 */
function useAvailablePages(enabled: boolean): { pages: AreaPage[]; probing: boolean } {
  const [probed, setProbed] = useState<AreaPage[]>();
  useEffect(() => {
    if (!enabled) return;
    const probe = () =>
      probeRoutes([...new Set(ALL_PAGES.flatMap((p) => (p.probe ? [p.probe] : [])))]).then((ok) =>
        setProbed(ALL_PAGES.filter((p) => !p.probe || ok.has(p.probe))),
      );
    probe();
  }, [enabled]);
  return useMemo(() => ({ pages: probed ?? ALL_PAGES.filter((p) => !p.probe), probing: !probed }), [probed]);
}

function Gate() {
  const { auth } = useAuth();
  const { path } = useLocation();
  // Probes are sent once the user may use the app (a signed-out or must-change user gets 401/403).
  const ready = auth.state === 'open' || (auth.state === 'signed-in' && !auth.user.mustChangePassword);
  const { pages: probed, probing } = useAvailablePages(ready);
  // Signed in: only the pages whose right the user holds (the server checks every call anyway;
  // this spares the user menus that would only answer "not allowed").
  const available = useMemo(() => {
    if (auth.state !== 'signed-in') return probed;
    const rights = new Set(auth.user.rights);
    return probed.filter((p) => !p.right || rights.has(p.right));
  }, [probed, auth]);
  useEffect(() => {
    if (auth.state === 'signed-out' && path !== '/sign-in') navigate('/sign-in', { replace: true });
  }, [auth.state, path]);
  if (auth.state === 'checking') return <Spin fullscreen />;
  if (path === '/sign-in' || auth.state === 'signed-out') return <SignInPage />;
  // An account an administrator created, or one flagged must-change: the server answers nothing
  // else until the password is changed, so the app shows only the form to change it.
  if (auth.state === 'signed-in' && auth.user.mustChangePassword) {
    return (
      <Suspense fallback={<Spin fullscreen />}>
        <PasswordPage forced />
      </Suspense>
    );
  }
  return (
    <SelectionProvider>
      <AppLayout available={available}>
        <Routed available={available} path={path} probing={probing} />
      </AppLayout>
    </SelectionProvider>
  );
}

function Routed({ available, path, probing }: { available: AreaPage[]; path: string; probing: boolean }) {
  const { tr } = useI18n();
  const match = useMemo(() => {
    for (const page of available) {
      const params = matchPath(page.path, path);
      if (params) return { page, params };
    }
    return undefined;
  }, [available, path]);
  if (!match) {
    // A page whose probe has not answered yet may still exist.
    if (probing) return <Spin style={{ margin: 48 }} />;
    return <Result status="404" title="404" subTitle={tr('没有这个页面', 'There is no such page')} />;
  }
  const Page = match.page.component;
  return (
    <Suspense fallback={<Spin style={{ margin: 48 }} />}>
      <Page key={path} params={match.params} />
    </Suspense>
  );
}
