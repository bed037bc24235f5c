import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from 'react';
import { ApiError, apiGet, apiPost, routeExists, setCsrfToken } from './api.ts';

/**
 * Who is signed in. Access control is issue 10, being built alongside: until the server has its
 * session routes (GET /api/auth/me), the app runs in "open" mode — no sign-in, every menu shown,
 * and writes recorded as 'api'. Nothing here pretends to authenticate. Once /api/auth/me exists,
 * this provider asks it who the user is at load; 401 means signed out and sends the user to
 * /sign-in, which posts to /api/auth/login. Writes then carry the session's CSRF token.
 */

export interface SessionUser {
  actor: string;
  username: string | null;
  displayName: string | null;
  /** Role assignments: the role and the unit it covers (issue 10 decides menus by them). */
  roles: { role: string; unit: string; name?: { 'zh-CN': string; en: string } }[];
  rights: string[];
  mustChangePassword: boolean;
  csrfToken?: string | null;
}

export type AuthState =
  | { state: 'checking' }
  | { state: 'open' }
  | { state: 'signed-out' }
  | { state: 'signed-in'; user: SessionUser };

export interface Auth {
  auth: AuthState;
  signIn(username: string, password: string): Promise<void>;
  signOut(): Promise<void>;
}

const AuthContext = createContext<Auth | undefined>(undefined);

const ME = '/api/auth/me';

export function AuthProvider({ children }: { children: ReactNode }) {
  const [auth, setAuth] = useState<AuthState>({ state: 'checking' });

  const load = useCallback(async () => {
    if (!(await routeExists(ME))) {
      setAuth({ state: 'open' });
      return;
    }
    try {
      const user = await apiGet<SessionUser>(ME);
      setCsrfToken(user.csrfToken ?? undefined);
      setAuth({ state: 'signed-in', user });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) setAuth({ state: 'signed-out' });
      else throw error;
    }
  }, []);

  useEffect(() => {
    load().catch(() => setAuth({ state: 'open' }));
  }, [load]);

  const value: Auth = {
    auth,
    async signIn(username, password) {
      const user = await apiPost<SessionUser>('/api/auth/login', { username, password });
      setCsrfToken(user.csrfToken ?? undefined);
      setAuth({ state: 'signed-in', user });
    },
    async signOut() {
      await apiPost('/api/auth/logout', {});
      setCsrfToken(undefined);
      setAuth({ state: 'signed-out' });
    },
  };
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const value = useContext(AuthContext);
  if (!value) throw new Error('useAuth outside AuthProvider');
  return value;
}
