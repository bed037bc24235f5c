#!/usr/bin/env node
// The renkou command. renkou runs on Node 24 (TypeScript type stripping); the project pins it as
// the `node` dev dependency. When this shim is started by an older Node (the machine's own),
// it hands over to the pinned one.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const main = join(root, 'src', 'cli', 'main.ts');
const major = Number(process.versions.node.split('.')[0]);

if (major >= 24) {
  const { runCli } = await import(main);
  const command = process.argv[2];
  const code = await runCli(process.argv.slice(2));
  if (code !== 0 || command !== 'start') process.exitCode = code;
} else {
  const pinned = join(root, 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(pinned)) {
    process.stderr.write(
      `renkou 需要 Node.js 24，请先在项目目录运行 npm install。\nrenkou needs Node.js 24: run npm install in the project first.\n`,
    );
    process.exit(1);
  }
  const result = spawnSync(pinned, [main, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
