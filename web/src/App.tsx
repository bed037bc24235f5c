import { App as AntApp, ConfigProvider, Result, Spin } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { Suspense, useEffect, useMemo, useState } from 'react';
import { routeExists } from './api.ts';
import { AREAS, type AreaPage } from './areas.tsx';
import { AuthProvider, useAuth } from './auth.tsx';
import { AppLayout } from './components/AppLayout.tsx';
import { I18nProvider, useI18n } from './i18n.tsx';
import SignInPage from './pages/SignInPage.tsx';
import { matchPath, navigate, useLocation } from './router.tsx';
import { SelectionProvider } from './selection.tsx';

export function App() {
  return (
    <I18nProvider>
      <Localised />
    </I18nProvider>
  );
}

function Localised() {
  const { lang } = useI18n();
  return (
    <ConfigProvider locale={lang === 'en' ? enUS : zhCN} theme={{ token: { colorPrimary: '#1f6fb2' } }}>
      <AntApp>
        <AuthProvider>
          <Gate />
        </AuthProvider>
      </AntApp>
    </ConfigProvider>
  );
}

/** Pages whose API answers (or that need none); checked once at load. */
function useAvailablePages(): AreaPage[] | undefined {
  const [available, setAvailable] = useState<AreaPage[]>();
  useEffect(() => {
    const pages = AREAS.flatMap((area) => area.pages);
    const probes = [...new Set(pages.flatMap((p) => (p.probe ? [p.probe] : [])))];
    Promise.all(probes.map(async (probe) => [probe, await routeExists(probe)] as const)).then((results) => {
      const ok = new Set(results.filter(([, exists]) => exists).map(([probe]) => probe));
      setAvailable(pages.filter((p) => !p.probe || ok.has(p.probe)));
    });
  }, []);
  return available;
}

function Gate() {
  const { auth } = useAuth();
  const { path } = useLocation();
  const probed = useAvailablePages();
  // Signed in: only the pages whose right the user holds (the server checks every call anyway;
  // this spares the user menus that would only answer "not allowed").
  const available = useMemo(() => {
    if (!probed || auth.state !== 'signed-in') return probed;
    const rights = new Set(auth.user.rights);
    return probed.filter((p) => !p.right || rights.has(p.right));
  }, [probed, auth]);
  useEffect(() => {
    if (auth.state === 'signed-out' && path !== '/sign-in') navigate('/sign-in', { replace: true });
  }, [auth.state, path]);
  if (auth.state === 'checking' || !available) return <Spin fullscreen />;
  if (path === '/sign-in' || auth.state === 'signed-out') return <SignInPage />;
  return (
    <SelectionProvider>
      <AppLayout available={available}>
        <Routed available={available} path={path} />
      </AppLayout>
    </SelectionProvider>
  );
}

function Routed({ available, path }: { available: AreaPage[]; path: string }) {
  const { tr } = useI18n();
  const match = useMemo(() => {
    for (const page of available) {
      const params = matchPath(page.path, path);
      if (params) return { page, params };
    }
    return undefined;
  }, [available, path]);
  if (!match) {
    return <Result status="404" title="404" subTitle={tr('没有这个页面', 'There is no such page')} />;
  }
  const Page = match.page.component;
  return (
    <Suspense fallback={<Spin style={{ margin: 48 }} />}>
      <Page key={path} params={match.params} />
    </Suspense>
  );
}
