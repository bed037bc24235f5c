import { readUpperDivisions } from '../org/division-source.ts';

/**
 * Area codes (地址码) of resident ID numbers: the GB/T 2260 code of the county where the number
 * was first issued. A number keeps its code for life, so the codes of counties merged or renamed
 * since 1980 stay valid: only the province part can be checked strictly. Names come from today's
 * division list and are known only for codes still in use.
 */

/**
 * The 34 province-level regions of GB/T 2260: 31 on the mainland, Taiwan (71), Hong Kong (81) and
 * Macao (82). Static on purpose: whether an ID number is valid must not depend on a data file.
 * No province-level code has been retired since 1980 (Hainan 46 and Chongqing 50 were added; the
 * numbers issued there before keep 44 and 51).
 */
export const PROVINCE_NAMES: Readonly<Record<string, string>> = {
  '11': '北京市',
  '12': '天津市',
  '13': '河北省',
  '14': '山西省',
  '15': '内蒙古自治区',
  '21': '辽宁省',
  '22': '吉林省',
  '23': '黑龙江省',
  '31': '上海市',
  '32': '江苏省',
  '33': '浙江省',
  '34': '安徽省',
  '35': '福建省',
  '36': '江西省',
  '37': '山东省',
  '41': '河南省',
  '42': '湖北省',
  '43': '湖南省',
  '44': '广东省',
  '45': '广西壮族自治区',
  '46': '海南省',
  '50': '重庆市',
  '51': '四川省',
  '52': '贵州省',
  '53': '云南省',
  '54': '西藏自治区',
  '61': '陕西省',
  '62': '甘肃省',
  '63': '青海省',
  '64': '宁夏回族自治区',
  '65': '新疆维吾尔自治区',
  '71': '台湾省',
  '81': '香港特别行政区',
  '82': '澳门特别行政区',
};

/** True when the two digits name one of the 34 province-level regions. */
export function isProvinceCode(code2: string): boolean {
  return Object.hasOwn(PROVINCE_NAMES, code2);
}

/** True when the two digits name a mainland province (the only ones that issue resident IDs and foreigner cards). */
export function isMainlandProvinceCode(code2: string): boolean {
  return isProvinceCode(code2) && code2 !== '71' && code2 !== '81' && code2 !== '82';
}

/** Current names by code: 2 digits province, 4 prefecture, 6 county. */
export interface AreaDirectory {
  findName(code: string): string | undefined;
}

/** Builds a directory from division entries (codes of 2, 4 or 6 digits). */
export function createAreaDirectory(entries: Iterable<{ code: string; name: string }>): AreaDirectory {
  const names = new Map<string, string>();
  for (const entry of entries) names.set(entry.code, entry.name);
  return { findName: (code) => names.get(code) };
}

let currentDirectory: AreaDirectory | undefined;

/**
 * Today's provinces, prefectures and counties from the division list, read once (a few ms).
 * The one read of static package data in the domain core, so that every caller of the ID
 * validator gets the same names without wiring a directory through.
 */
export function currentAreaDirectory(): AreaDirectory {
  currentDirectory ??= createAreaDirectory([
    ...readUpperDivisions(),
    ...Object.entries(PROVINCE_NAMES).map(([code, name]) => ({ code, name })),
  ]);
  return currentDirectory;
}

/** What an area code says: its current name where known, and whether it is a code in use today. */
export interface AreaDescription {
  code: string;
  /** "甘肃省平凉市华亭市"; for a retired county code, the levels still known ("甘肃省平凉市"). */
  name: string | undefined;
  province: string | undefined;
  prefecture: string | undefined;
  county: string | undefined;
  /** The code names a unit of today's list (county, or a prefecture/province code padded with zeros). */
  isCurrent: boolean;
}

/** Placeholder prefectures of the division list that are not places ("市辖区", "省直辖县级行政区划"). */
function isPlaceholder(name: string): boolean {
  return name === '市辖区' || name === '县' || name.endsWith('直辖县级行政区划');
}

/** Describes a 6-digit area code. */
export function describeArea(
  code: string,
  directory: AreaDirectory = currentAreaDirectory(),
): AreaDescription {
  const provinceCode = code.slice(0, 2);
  const prefectureCode = code.slice(0, 4);
  const province = directory.findName(provinceCode) ?? PROVINCE_NAMES[provinceCode];
  const prefectureName = code.endsWith('0000') ? undefined : directory.findName(prefectureCode);
  const prefecture = prefectureName && !isPlaceholder(prefectureName) ? prefectureName : undefined;
  const county = code.endsWith('0000') ? undefined : directory.findName(code);
  const isCurrent =
    county !== undefined ||
    (code.endsWith('0000') && province !== undefined) ||
    (code.endsWith('00') && prefectureName !== undefined);
  const parts: string[] = [];
  for (const part of [province, prefecture, county]) {
    // Prefecture-level cities without counties (东莞市 4419 / 441900) would otherwise repeat.
    if (part && parts.at(-1) !== part) parts.push(part);
  }
  return {
    code,
    name: parts.length > 0 ? parts.join('') : undefined,
    province,
    prefecture,
    county,
    isCurrent,
  };
}
