/**
 * Builds the web app into web/dist unless the build there is newer than every source file.
 * Runs on `npm install` (prepare) and before `npm start` (prestart), so a fresh clone serves the
 * app without a separate step and an edited app is rebuilt; `--force` always builds.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const WEB = join(import.meta.dirname, '..');
const BUILT = join(WEB, 'dist', 'index.html');
const ROOT = join(WEB, '..');

/** The newest modification time under the app's sources, the build config and the lockfile. */
function newestSource(): number {
  let newest = 0;
  const visit = (path: string) => {
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path)) visit(join(path, entry));
    } else {
      newest = Math.max(newest, stat.mtimeMs);
    }
  };
  for (const path of [
    join(WEB, 'src'),
    join(WEB, 'index.html'),
    join(WEB, 'vite.config.ts'),
    join(ROOT, 'package-lock.json'),
  ]) {
    if (existsSync(path)) visit(path);
  }
  return newest;
}

const force = process.argv.includes('--force');
const stale = force || !existsSync(BUILT) || statSync(BUILT).mtimeMs < newestSource();
if (stale) {
  const started = Date.now();
  process.stderr.write('renkou: 构建网页应用 / building the web app (web/dist)…\n');
  // Vite is a dev dependency: an install without them (--omit=dev) serves the API and a notice.
  const vite = await import('vite').catch(() => undefined);
  if (!vite) {
    process.stderr.write(
      'renkou: 未安装 Vite，跳过网页构建 / Vite is not installed; the web app is not built\n',
    );
    process.exit(0);
  }
  await vite.build({ root: WEB, logLevel: 'warn', configFile: join(WEB, 'vite.config.ts') });
  process.stderr.write(
    `renkou: 网页应用已构建 / web app built in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
}
