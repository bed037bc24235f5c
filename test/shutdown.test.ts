import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT, runRenkou } from './helpers/cli.ts';
import { createScratchStorage, type ScratchStorage, storageName } from './helpers/database.ts';

/**
 * `renkou start` stopped with SIGTERM (what systemd and docker send): a request already being
 * received is answered, then the process exits 0; a new connection afterwards is refused.
 */
describe(`renkou start shuts down gracefully on SIGTERM (${storageName})`, () => {
  let storage: ScratchStorage;
  const PASSWORD = 'Shutdown-test-2025';
  before(async () => {
    storage = await createScratchStorage();
    assert.equal((await runRenkou(['init', '--county', '620881'], storage.env)).code, 0);
    const created = await runRenkou(
      [
        'users',
        'create',
        '--username',
        'shutdown.admin',
        '--name',
        'shutdown',
        '--role',
        'county_admin@620881',
      ],
      storage.env,
      120_000,
      `${PASSWORD}\n`,
    );
    assert.equal(created.code, 0, created.stderr);
  });
  after(async () => {
    await storage?.cleanup();
  });

  it('answers the request in flight, then exits 0', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'src', 'cli', 'main.ts'), 'start', '--lang', 'en'], {
      cwd: ROOT,
      env: {
        ...process.env,
        // info: the server logs "incoming request" once it has a request's headers.
        LOG_LEVEL: 'info',
        HOST: '127.0.0.1',
        PORT: '0',
        RENKOU_DEMO_PERSONS: '0',
        ...storage.env,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    let stderr = '';
    child.stderr.setEncoding('utf8');
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (chunk: string) => {
        stderr += chunk;
        const m = stderr.match(/running at (http:\/\/[^\s]+)/);
        if (m) resolve(m[1]!);
      });
      child.on('exit', () => reject(new Error(`renkou start exited early:\n${stderr}`)));
    });
    const { port } = new URL(url);
    const requestArrived = new Promise<void>((resolve) => {
      const look = () => {
        if (
          stderr
            .split('\n')
            .some((line) => line.includes('incoming request') && line.includes('/api/auth/login'))
        ) {
          child.stderr.off('data', look);
          resolve();
        }
      };
      child.stderr.on('data', look);
    });

    // A sign-in whose body is still arriving when SIGTERM comes: the server has the request.
    const body = JSON.stringify({ username: 'shutdown.admin', password: PASSWORD });
    const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/api/auth/login',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => {
            text += c;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      req.write(body.slice(0, 10));
      // SIGTERM once the server has the request (not after a fixed wait, which a busy machine outruns).
      void requestArrived.then(() => {
        child.kill('SIGTERM');
        // The rest of the body after the signal: the server must still read it and answer.
        setTimeout(() => req.end(body.slice(10)), 300);
      });
    });

    const answered = await response;
    assert.equal(answered.status, 200, `the in-flight sign-in was answered: ${answered.body}`);
    assert.ok(JSON.parse(answered.body).csrfToken, 'with a session');
    const exit = await exited;
    assert.deepEqual(exit, { code: 0, signal: null }, `exit after SIGTERM:\n${stderr}`);

    // Nothing listens any more.
    await assert.rejects(
      fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2000) }),
      'the server no longer accepts connections',
    );
  });
});
