import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

/** Runs the renkou CLI in its own process; rejects with its stderr when it fails. */
export function runRenkou(argv: string[], env: NodeJS.ProcessEnv, input = ''): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'src', 'cli', 'main.ts'), ...argv], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    child.stdin.end(input);
    let stderr = '';
    child.stderr.on('data', (c) => {
      stderr += c;
    });
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`renkou ${argv.join(' ')}: ${code}\n${stderr}`)),
    );
  });
}

/**
 * Makes a bench user with one role through `renkou users create` — the way an administrator
 * would — under a name of its own (so runs against a kept database do not collide).
 */
export async function createBenchUser(
  env: NodeJS.ProcessEnv,
  prefix: string,
  role: string,
): Promise<{ username: string; password: string }> {
  const username = `${prefix}.${Date.now().toString(36)}`;
  const password = `Bench-${process.pid}-${Date.now()}-x`;
  await runRenkou(
    ['users', 'create', '--username', username, '--name', 'bench', '--role', role],
    env,
    `${password}\n`,
  );
  return { username, password };
}

export interface Reply {
  status: number;
  body: string;
}

/**
 * A keep-alive HTTP client that signs in once and carries the session cookie on every request.
 * `send` never rejects: a connection failure or a 10 s timeout is status 0.
 */
export class BenchClient {
  readonly #base: URL;
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 256 });
  #cookie = '';

  constructor(url: string) {
    this.#base = new URL(url);
  }

  async signIn(username: string, password: string): Promise<void> {
    const login = await this.send('POST', '/api/auth/login', JSON.stringify({ username, password }));
    if (login.status !== 200) throw new Error(`sign-in failed: ${login.status} ${login.body}`);
  }

  send(method: string, path: string, body?: string): Promise<Reply> {
    return new Promise((resolve) => {
      const req = request(
        {
          host: this.#base.hostname,
          port: this.#base.port,
          method,
          path,
          agent: this.#agent,
          headers: {
            ...(this.#cookie ? { cookie: this.#cookie } : {}),
            ...(body
              ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }
              : {}),
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => {
            text += c;
          });
          res.on('end', () => {
            const setCookie = res.headers['set-cookie'];
            if (setCookie) this.#cookie = String(setCookie).split(';')[0]!;
            resolve({ status: res.statusCode ?? 0, body: text });
          });
          res.on('error', () => resolve({ status: 0, body: '' }));
        },
      );
      req.setTimeout(10_000, () => req.destroy());
      req.on('error', () => resolve({ status: 0, body: '' }));
      req.end(body);
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}
