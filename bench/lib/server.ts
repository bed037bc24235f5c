import { spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

/** Starts `renkou start` in its own process (so load and server do not share a core's event loop). */
export function startServerProcess(env: NodeJS.ProcessEnv): Promise<{ url: string; stop(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'src', 'cli', 'main.ts'), 'start'], {
      cwd: ROOT,
      env: {
        ...process.env,
        LOG_LEVEL: 'warn',
        HOST: '127.0.0.1',
        PORT: '0',
        RENKOU_DEMO_PERSONS: '0',
        ...env,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      const match = /renkou 已启动：(http:\/\/[^（\s]+)/.exec(stderr);
      if (match) {
        resolve({
          url: match[1]!,
          stop: () =>
            new Promise((done) => {
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}\n${stderr}`)));
  });
}
