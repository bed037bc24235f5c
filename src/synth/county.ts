import { AppError } from '../domain/errors.ts';
import { text } from '../domain/i18n.ts';
import {
  type DivisionEntry,
  readCounties,
  readCountySubtree,
  readUpperDivisions,
} from '../org/division-source.ts';
import { resolveCounty } from '../org/init-county.ts';
import { classifyUnit, shortenName } from '../org/naming.ts';
import { AliasTable, type Rng } from './rng.ts';

/** One village or community of the county, as the generator uses it. */
export interface SynthVillage {
  code: string;
  name: string;
  shortName: string;
  community: boolean;
  townshipIndex: number;
  weight: number;
}

export interface SynthTownship {
  code: string;
  name: string;
  shortName: string;
  /** Indexes of its villages in `SynthCounty.villages`. */
  villages: number[];
}

/** The county's real units, village weights and the other counties migrants come from. */
export interface SynthCounty {
  code: string;
  name: string;
  /** "甘肃省平凉市华亭市" */
  fullName: string;
  townships: SynthTownship[];
  villages: SynthVillage[];
  /** Draws a village by size. */
  villageTable: AliasTable;
  /** Draws a village for arriving migrants: towns and communities draw more of them. */
  arrivalTable: AliasTable;
  /** Area codes the population's ID numbers use: index 0 is this county. */
  areaCodes: string[];
  areaNames: string[];
  /** Indexes into areaCodes of the counties of the same prefecture, province and the rest. */
  samePrefecture: number[];
  sameProvince: number[];
  elsewhere: number[];
}

/** Loads a county's townships and villages and gives each village a seeded size weight. */
export async function loadSynthCounty(
  input: string,
  rng: Rng,
  options: { weightSigma: number; communityWeight: number },
): Promise<SynthCounty> {
  const county = resolveCounty(input);
  const subtree = await readCountySubtree(county.code);
  const townshipEntries = subtree.filter((entry) => entry.level === 'township');
  const villageEntries = subtree.filter((entry) => entry.level === 'village');
  if (villageEntries.length === 0) {
    throw new AppError(
      'invalid_input',
      text(
        `${county.name}（${county.code}）在区划数据中没有村居，无法生成人口`,
        `${county.name} (${county.code}) has no villages or communities in the division list; nothing to generate`,
      ),
      { field: 'county' },
    );
  }
  const townships: SynthTownship[] = townshipEntries.map((entry) => ({
    code: entry.code,
    name: entry.name,
    shortName: shortenName(entry.name),
    villages: [],
  }));
  const townshipIndex = new Map(townships.map((t, i) => [t.code, i]));
  const villages: SynthVillage[] = [];
  for (const entry of villageEntries) {
    let ti = townshipIndex.get(entry.code.slice(0, 9));
    if (ti === undefined) {
      // A village whose township is missing from the list still needs a home.
      ti = townships.length;
      townships.push({
        code: entry.code.slice(0, 9),
        name: entry.code.slice(0, 9),
        shortName: '',
        villages: [],
      });
      townshipIndex.set(entry.code.slice(0, 9), ti);
    }
    const community = classifyUnit(entry.name, 'village') === 'community';
    const weight = Math.exp(options.weightSigma * rng.normal()) * (community ? options.communityWeight : 1);
    townships[ti]!.villages.push(villages.length);
    villages.push({
      code: entry.code,
      name: entry.name,
      shortName: shortenName(entry.name),
      community,
      townshipIndex: ti,
      weight,
    });
  }
  const upper = new Map(readUpperDivisions().map((entry) => [entry.code, entry]));
  const fullName = [county.code.slice(0, 2), county.code.slice(0, 4)]
    .map((code) => upper.get(code)?.name)
    .filter((name): name is string => name !== undefined && name !== '市辖区')
    .concat(county.name)
    .join('');
  const others = readCounties().filter((entry: DivisionEntry) => entry.code !== county.code);
  const areaCodes = [county.code, ...others.map((entry) => entry.code)];
  const areaNames = [fullName, ...others.map((entry) => placeName(entry, upper))];
  const samePrefecture: number[] = [];
  const sameProvince: number[] = [];
  const elsewhere: number[] = [];
  for (let i = 1; i < areaCodes.length; i++) {
    const code = areaCodes[i]!;
    if (code.slice(0, 4) === county.code.slice(0, 4)) samePrefecture.push(i);
    else if (code.slice(0, 2) === county.code.slice(0, 2)) sameProvince.push(i);
    else elsewhere.push(i);
  }
  return {
    code: county.code,
    name: county.name,
    fullName,
    townships,
    villages,
    villageTable: new AliasTable(villages.map((v) => v.weight)),
    arrivalTable: new AliasTable(villages.map((v) => v.weight * (v.community ? 2 : 1))),
    areaCodes,
    areaNames,
    samePrefecture,
    sameProvince,
    elsewhere,
  };
}

function placeName(entry: DivisionEntry, upper: Map<string, DivisionEntry>): string {
  const parts = [entry.code.slice(0, 2), entry.code.slice(0, 4)]
    .map((code) => upper.get(code)?.name)
    .filter(
      (name): name is string => name !== undefined && name !== '市辖区' && !name.endsWith('直辖县级行政区划'),
    );
  return [...parts, entry.name].join('');
}

/** Draws the area index of another county: near ones more often, as migration mostly is. */
export function drawOtherArea(
  county: SynthCounty,
  rng: Rng,
  origin: { samePrefecture: number; sameProvince: number },
): number {
  const u = rng.next();
  if (u < origin.samePrefecture && county.samePrefecture.length > 0) return rng.pick(county.samePrefecture);
  if (u < origin.samePrefecture + origin.sameProvince && county.sameProvince.length > 0) {
    return rng.pick(county.sameProvince);
  }
  if (county.elsewhere.length > 0) return rng.pick(county.elsewhere);
  return rng.pick(county.sameProvince.length > 0 ? county.sameProvince : county.samePrefecture);
}
