import assert from 'node:assert/strict';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Assignment } from '../../src/access/principal.ts';
import { ROLES } from '../../src/access/roles.ts';
import { createUser } from '../../src/access/users.ts';
import { loadConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/database.ts';
import { buildApp } from '../../src/server/app.ts';

/** A signed-in browser session: the cookie and the CSRF token the app handed out. */
export interface Session {
  cookie: string;
  csrf: string;
}

export const TEST_PASSWORD = 'Test-password-2025';
let userSeq = 0;

/** Creates a user with these roles straight in the database (what `renkou users create` does). */
export async function createTestUser(
  database: Database,
  roles: Assignment[],
  username?: string,
): Promise<string> {
  userSeq += 1;
  const name = username ?? `tester.${process.pid}.${userSeq}`;
  await createUser(
    database.db,
    { username: name, displayName: name, password: TEST_PASSWORD, roles },
    'test',
  );
  return name;
}

/** Signs in through POST /api/auth/login, as a browser would. */
export async function signIn(
  app: FastifyInstance,
  username: string,
  password = TEST_PASSWORD,
): Promise<Session> {
  const response = await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { username, password },
  });
  assert.equal(response.statusCode, 200, response.body);
  return { cookie: String(response.headers['set-cookie']).split(';')[0]!, csrf: response.json().csrfToken };
}

/** The session's cookie and CSRF header added to a request. */
export function withSession(session: Session, options: InjectOptions): InjectOptions {
  return {
    ...options,
    headers: { cookie: session.cookie, 'x-csrf-token': session.csrf, ...(options.headers ?? {}) },
  };
}

/** An app and a signed-in user: `inject` sends every request as that user. */
export interface TestClient {
  app: FastifyInstance;
  session: Session;
  username: string;
  inject(options: InjectOptions | string): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/**
 * The whole app with a signed-in user holding `roles` — by default every role for the county,
 * which is what tests of a feature (rather than of access control) want.
 */
export async function signedInApp(
  database: Database,
  roles: Assignment[] = ROLES.map((role) => ({ role, unit: '620881' })),
): Promise<TestClient> {
  const app = await buildApp({ config: loadConfig({}), database, version: 'test' });
  const username = await createTestUser(database, roles);
  const session = await signIn(app, username);
  return {
    app,
    session,
    username,
    inject: (options) =>
      app.inject(withSession(session, typeof options === 'string' ? { url: options } : options)),
    close: () => app.close(),
  };
}
