import { readFileSync } from 'node:fs';
import { join } from 'node:path';

let cached: string | undefined;

/** The package version, for /api/health and the CLI. */
export function readVersion(): string {
  cached ??= (
    JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as { version: string }
  ).version;
  return cached;
}
