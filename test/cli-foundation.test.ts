import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT, runRenkou } from './helpers/cli.ts';
import { createScratchStorage, type ScratchStorage, storageName } from './helpers/database.ts';

describe(`renkou CLI (${storageName})`, () => {
  let storage: ScratchStorage;
  before(async () => {
    storage = await createScratchStorage();
  });
  after(() => storage.cleanup());

  it('prints help in zh-CN by default and English on request', async () => {
    const zh = await runRenkou(['--help']);
    assert.equal(zh.code, 0);
    assert.match(zh.stdout, /载入一个县/);
    const en = await runRenkou(['--help', '--lang', 'en']);
    assert.match(en.stdout, /Load a county with all its townships and villages/);
    const envEn = await runRenkou(['init', '--help'], { RENKOU_LANG: 'en' });
    assert.match(envEn.stdout, /6-digit county code/);
  });

  it('init --county 330825 loads 龙游县 with its real townships and villages', async () => {
    const result = await runRenkou(['init', '--county', '330825'], storage.env);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /已载入 龙游县（330825）：15 个乡镇街道，288 个村居/);
    const show = await runRenkou(['org', 'show', '330825', '--json'], storage.env);
    assert.equal(show.code, 0, show.stderr);
    const unit = JSON.parse(show.stdout);
    assert.equal(unit.children.length, 15);
    assert.ok(unit.children.some((c: { name: string }) => c.name === '龙洲街道'));
  });

  it('a wrong code gets a clear error with near matches and exit code 1', async () => {
    const result = await runRenkou(['init', '--county', '330829'], storage.env);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /错误: 找不到县级单位 330829/);
    assert.match(result.stderr, /330825 浙江省 衢州市 龙游县/);
    assert.doesNotMatch(result.stderr, /at .*\.ts:\d+/, 'no stack trace');
    const en = await runRenkou(['init', '--county', '330829', '--lang', 'en'], storage.env);
    assert.match(en.stderr, /Error: No county-level unit 330829/);
  });

  it('a missing option is a usage error (exit 2) in zh-CN', async () => {
    const result = await runRenkou(['init'], storage.env);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /缺少必需的选项/);
  });
});

interface Started {
  url: string;
  stop(): Promise<number | null>;
  stderr(): string;
}

function startRenkou(env: NodeJS.ProcessEnv): Promise<Started> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'src', 'cli', 'main.ts'), 'start'], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn', HOST: '127.0.0.1', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no start within 30 s:\n${stderr}`));
    }, 30_000);
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      const match = /renkou 已启动：(http:\/\/[^（\s]+)/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve({
          url: match[1]!,
          stderr: () => stderr,
          stop: () =>
            new Promise((done) => {
              child.once('exit', (code) => done(code));
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`renkou start exited with ${code}:\n${stderr}`));
    });
  });
}

describe(`renkou start (${storageName})`, () => {
  let storage: ScratchStorage;
  before(async () => {
    storage = await createScratchStorage();
  });
  after(() => storage.cleanup());

  it('answers /api/health within 30 s, loads the default county on first start, stops cleanly', async () => {
    const server = await startRenkou({ ...storage.env, PORT: '0', RENKOU_DEMO_PERSONS: '0' });
    try {
      const health = (await (await fetch(`${server.url}/api/health`)).json()) as {
        status: string;
        storage: string;
      };
      assert.equal(health.status, 'ok');
      assert.equal(health.storage, storageName);
      // Nothing else answers before someone signs in, and there is no default account.
      const county = await fetch(`${server.url}/api/org-units/620881`);
      assert.equal(county.status, 401);
    } finally {
      assert.equal(await server.stop(), 0, 'graceful shutdown exits 0');
    }
  });

  it('keeps its data across a restart, and serves the first administrator made at the command line', async () => {
    // The county the first start loaded is there: a role can be granted on it.
    const created = await runRenkou(
      ['users', 'create', '--username', 'first.admin', '--name', '管理员', '--role', 'county_admin@620881'],
      storage.env,
      60_000,
      'First-admin-pass-1\n',
    );
    assert.equal(created.code, 0, created.stderr);
    const server = await startRenkou({ ...storage.env, PORT: '0', RENKOU_DEMO_PERSONS: '0' });
    try {
      const login = await fetch(`${server.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'first.admin', password: 'First-admin-pass-1' }),
      });
      assert.equal(login.status, 200);
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
      const county = (await (
        await fetch(`${server.url}/api/org-units/620881`, { headers: { cookie } })
      ).json()) as {
        name: string;
        children: unknown[];
      };
      assert.equal(county.name, '华亭市');
      assert.equal(county.children.length, 11);
    } finally {
      await server.stop();
    }
  });

  it('says clearly when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const result = await runRenkou(['start'], { ...storage.env, PORT: String(port), HOST: '127.0.0.1' });
      assert.equal(result.code, 1);
      assert.match(result.stderr, new RegExp(`端口 ${port} 已被占用`));
      assert.doesNotMatch(result.stderr, /EADDRINUSE|at .*\.ts:\d+/);
    } finally {
      blocker.close();
    }
  });
});
