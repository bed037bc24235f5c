import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from 'react';
import { ApiError, apiGet, apiPost, routeExists, setCsrfToken } from './api.ts';
import type { SessionUser } from './types.ts';

/**
 * Who is signed in. Access control is issue 10, being built alongside: until the server has its
 * session routes (GET /api/auth/me), the app runs in "open" mode — no sign-in, every menu shown,
 * and writes recorded as 'api'. Nothing here pretends to authenticate. Once /api/auth/me exists,
 * this provider asks it who the user is at load; 401 means signed out and sends the user to
 * /sign-in, which posts to /api/auth/login. Writes then carry the session's CSRF token.
 */

export type AuthState =
  | { state: 'checking' }
  | { state: 'open' }
  | { state: 'signed-out' }
  | { state: 'signed-in'; user: SessionUser };

export interface Auth {
  auth: AuthState;
  signIn(username: string, password: string): Promise<void>;
  signOut(): Promise<void>;
  /** POST /api/auth/password, then asks who the user is again (the must-change flag is cleared). */
  changePassword(oldPassword: string, newPassword: string): Promise<void>;
}

const AuthContext = createContext<Auth | undefined>(undefined);

const ME = '/api/auth/me';

/**
 * Who the user is, asked as soon as the app's code runs (before React draws anything), so that
 * the landing page can send its own requests as soon as the answer is in (see DashboardPage).
 */
let firstMe: Promise<SessionUser> | undefined = apiGet<SessionUser>(ME);
firstMe.catch(() => undefined);

/** The signed-in user of the first load, or undefined (signed out, open mode, an error). */
export const initialUser: Promise<SessionUser | undefined> = firstMe.then(
  (user) => user,
  () => undefined,
);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [auth, setAuth] = useState<AuthState>({ state: 'checking' });

  // One request at load: who the user is, or 401 (signed out), or "no such route" (open mode).
  const load = useCallback(async () => {
    try {
      const early = firstMe;
      firstMe = undefined;
      const user = await (early ?? apiGet<SessionUser>(ME));
      setCsrfToken(user.csrfToken ?? undefined);
      setAuth({ state: 'signed-in', user });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) setAuth({ state: 'signed-out' });
      else if (error instanceof ApiError && error.status === 404 && !(await routeExists(ME)))
        setAuth({ state: 'open' });
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
    async changePassword(oldPassword, newPassword) {
      await apiPost('/api/auth/password', { oldPassword, newPassword });
      await load();
    },
  };
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const value = useContext(AuthContext);
  if (!value) throw new Error('useAuth outside AuthProvider');
  return value;
}
