import { composeResidentId } from '../domain/resident-id.ts';
import type { Dataset } from './dataset.ts';
import { createRandom } from './random.ts';

/**
 * A seeded generator of linkage test data with ground truth, for tests, the bench and the docs:
 * a registry of persons and a department feed, some of whose records are registry persons written
 * down again with the mistakes clerks make — homophone characters (晓/小), a wrong character,
 * transposed or mistyped ID digits, day and month swapped, a date a few days off, a village
 * instead of another, missing fields — and the rest people the registry does not have, among them
 * the hard cases: twins and siblings of registry persons. Same seed, same records.
 *
 * The synthetic county generator (synth/) will model households and events; this one models only
 * what record linkage sees.
 */

/** Surnames with their approximate national shares in percent (2020 census order). */
const SURNAMES: readonly [string, number][] = [
  ['王', 7.12],
  ['李', 7.0],
  ['张', 6.6],
  ['刘', 5.38],
  ['陈', 4.53],
  ['杨', 3.08],
  ['黄', 2.23],
  ['赵', 2.19],
  ['吴', 2.05],
  ['周', 1.89],
  ['徐', 1.55],
  ['孙', 1.54],
  ['马', 1.45],
  ['朱', 1.36],
  ['胡', 1.31],
  ['郭', 1.15],
  ['何', 1.13],
  ['高', 1.06],
  ['林', 1.06],
  ['罗', 0.89],
  ['郑', 0.88],
  ['梁', 0.87],
  ['谢', 0.77],
  ['宋', 0.7],
  ['唐', 0.66],
  ['许', 0.66],
  ['韩', 0.64],
  ['冯', 0.63],
  ['邓', 0.62],
  ['曹', 0.61],
  ['彭', 0.6],
  ['曾', 0.58],
  ['肖', 0.57],
  ['田', 0.55],
  ['董', 0.54],
  ['袁', 0.53],
  ['潘', 0.52],
  ['于', 0.51],
  ['蒋', 0.5],
  ['蔡', 0.49],
  ['余', 0.48],
  ['杜', 0.47],
  ['叶', 0.46],
  ['程', 0.45],
  ['苏', 0.44],
  ['魏', 0.43],
  ['吕', 0.42],
  ['丁', 0.41],
  ['任', 0.4],
  ['沈', 0.39],
  ['姚', 0.38],
  ['卢', 0.37],
  ['姜', 0.36],
  ['崔', 0.35],
  ['钟', 0.34],
  ['谭', 0.33],
  ['陆', 0.32],
  ['汪', 0.31],
  ['范', 0.3],
  ['金', 0.29],
  ['石', 0.28],
  ['廖', 0.27],
  ['贾', 0.26],
  ['夏', 0.25],
  ['韦', 0.24],
  ['付', 0.23],
  ['方', 0.22],
  ['白', 0.21],
  ['邹', 0.2],
  ['孟', 0.19],
  ['熊', 0.18],
  ['秦', 0.17],
  ['邱', 0.16],
  ['江', 0.15],
  ['尹', 0.14],
  ['薛', 0.13],
  ['闫', 0.12],
  ['段', 0.11],
  ['雷', 0.1],
  ['侯', 0.1],
  ['龙', 0.09],
  ['史', 0.09],
  ['陶', 0.08],
  ['黎', 0.08],
  ['贺', 0.08],
  ['顾', 0.07],
  ['毛', 0.07],
  ['郝', 0.07],
  ['龚', 0.06],
  ['邵', 0.06],
  ['万', 0.06],
  ['单', 0.05],
  ['解', 0.03],
  ['欧阳', 0.05],
  ['司马', 0.01],
  ['诸葛', 0.01],
  ['上官', 0.01],
  ['翟', 0.04],
  ['查', 0.02],
  ['仇', 0.02],
  ['区', 0.01],
  ['盖', 0.01],
  ['朴', 0.01],
];

/** Given-name characters in rough order of popularity. */
const MALE_CHARS =
  '伟强磊军勇杰涛明超刚平辉斌建峰波海志浩宇轩博鹏飞龙国文华俊东鑫晨阳航成凯豪虎洋帆鸣锋健智昊宏永';
const FEMALE_CHARS = '芳娜敏静丽艳娟霞秀玲燕婷红兰梅琳雪欣佳怡梦涵倩颖晶慧萍英玉春云月凤悦琪莉雯馨婕芸岚玫';

/** Characters read the same (toneless): the homophone swaps clerks make. */
const HOMOPHONES = (
  '小晓筱 丽莉立力利 静晶京菁 敏民 伟玮维薇 军君俊 芳方 红虹宏鸿 华花 英颖莹瑛 杰洁婕 涛韬 琳林霖 ' +
  '玲铃 燕艳雁 婷亭 娟鹃 明铭鸣 峰锋丰枫 平萍 霞侠 刚钢 斌彬滨 辉慧惠晖 建健剑 兰岚 梅玫 勇永 ' +
  '志智 文雯 宇雨语 欣新心馨 佳嘉家 怡宜 涵晗 浩昊 轩宣 云芸'
).split(' ');
const HOMOPHONE_OF = new Map<string, string>();
for (const group of HOMOPHONES) for (const char of group) HOMOPHONE_OF.set(char, group);

const COUNTY = '620881';
const OTHER_AREAS = [
  '620802',
  '620821',
  '620822',
  '620823',
  '620825',
  '620826',
  '620102',
  '610104',
  '640104',
  '511602',
];

/** How often each mistake is made when a person is written down again. */
export interface ErrorRates {
  homophone: number;
  wrongCharacter: number;
  idMissing: number;
  idOneDigit: number;
  idTransposed: number;
  dayMonthSwapped: number;
  dateOff: number;
  dateMissing: number;
  otherVillage: number;
  townshipOnly: number;
  villageMissing: number;
  sexMissing: number;
  /** Dates written 19900315 or 1990/3/15 instead of 1990-03-15 (not an error: a format). */
  otherDateFormat: number;
}

export const DEFAULT_ERROR_RATES: ErrorRates = {
  homophone: 0.05,
  wrongCharacter: 0.02,
  idMissing: 0.15,
  idOneDigit: 0.02,
  idTransposed: 0.01,
  dayMonthSwapped: 0.02,
  dateOff: 0.03,
  dateMissing: 0.02,
  otherVillage: 0.08,
  townshipOnly: 0.05,
  villageMissing: 0.03,
  sexMissing: 0.01,
  otherDateFormat: 0.1,
};

export interface SyntheticOptions {
  seed: number;
  /** Persons in the registry (the right file). */
  registry: number;
  /** Records in the feed (the left file). */
  feed: number;
  /** Share of feed records that are registry persons; the rest are not in the registry. */
  matchedShare?: number;
  /** Share of the unmatched feed records that are a twin or sibling of a registry person (default 0.1). */
  relativeShare?: number;
  /** Share of those relatives that are twins (default 0.3). */
  twinShare?: number;
  /** Share of registry persons entered twice (for deduplication). */
  registryDuplicates?: number;
  errors?: Partial<ErrorRates>;
}

/** The columns every synthetic record has; `entity` is the ground truth. */
export const SYNTHETIC_COLUMNS = [
  'id',
  'entity',
  'name',
  'sex',
  'birth_date',
  'id_number',
  'village',
  'mother_id',
] as const;

interface Person {
  entity: number;
  surname: string;
  given: string;
  sex: '男' | '女';
  birthDate: string;
  idNumber: string;
  village: string;
  motherId: string | null;
}

/** Builds the registry and feed datasets. Both have the SYNTHETIC_COLUMNS, the id column included. */
export function generateLinkageData(options: SyntheticOptions): { registry: Dataset; feed: Dataset } {
  const random = createRandom(options.seed);
  const rates = { ...DEFAULT_ERROR_RATES, ...options.errors };
  const chance = (p: number) => random() < p;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const weighted = <T>(items: readonly T[], cumulative: Float64Array): T => {
    const x = random() * cumulative[cumulative.length - 1]!;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return items[lo]!;
  };
  const cumulate = (weights: number[]) => {
    const out = new Float64Array(weights.length);
    let sum = 0;
    for (const [i, w] of weights.entries()) out[i] = sum += w;
    return out;
  };
  const surnameCumulative = cumulate(SURNAMES.map(([, share]) => share));
  const surnames = SURNAMES.map(([name]) => name);
  const zipf = (chars: string) => ({
    chars: [...chars],
    cumulative: cumulate([...chars].map((_, r) => 1 / (r + 4))),
  });
  const male = zipf(MALE_CHARS);
  const female = zipf(FEMALE_CHARS);
  const villages: string[] = [];
  for (let t = 1; t <= 25; t++) {
    for (let v = 1; v <= 20; v++) villages.push(`${COUNTY}${String(100 + t)}${String(200 + v)}`);
  }
  // Ages 0–60 equally likely, thinning to none at 100.
  const ageCumulative = cumulate(Array.from({ length: 100 }, (_, age) => (age <= 60 ? 1 : (100 - age) / 40)));
  const ages = Array.from({ length: 100 }, (_, age) => age);

  const usedIds = new Set<string>();
  const idFor = (area: string, birthDate: string, sex: '男' | '女', near?: number): string => {
    for (let attempt = 0; ; attempt++) {
      let sequence =
        near !== undefined && attempt < 5 ? near + 2 * (attempt + 1) : 1 + Math.floor(random() * 998);
      if (sequence > 999) sequence -= 998;
      if ((sequence % 2 === 1) !== (sex === '男')) sequence = sequence === 999 ? 998 : sequence + 1;
      const id = composeResidentId(area, birthDate, sequence);
      if (!usedIds.has(id)) {
        usedIds.add(id);
        return id;
      }
    }
  };
  const givenName = (sex: '男' | '女', first?: string): string => {
    const pool = sex === '男' ? male : female;
    const two = first !== undefined || random() < 0.65;
    const head = first ?? (random() < 0.15 ? pick(['小', '晓']) : weighted(pool.chars, pool.cumulative));
    if (!two) return head;
    let tail = weighted(pool.chars, pool.cumulative);
    while (tail === head) tail = weighted(pool.chars, pool.cumulative);
    return head + tail;
  };
  const birthDateAt = (age: number): string => {
    const year = 2025 - age;
    const dayOfYear = Math.floor(random() * 365);
    return new Date(Date.UTC(year, 0, 1 + dayOfYear)).toISOString().slice(0, 10);
  };
  let nextEntity = 0;
  const women: string[] = [];
  const newPerson = (): Person => {
    const sex = random() < 0.51 ? '男' : '女';
    const age = weighted(ages, ageCumulative);
    const birthDate = birthDateAt(age);
    const area = random() < 0.8 ? COUNTY : pick(OTHER_AREAS);
    const idNumber = idFor(area, birthDate, sex);
    const person: Person = {
      entity: nextEntity++,
      surname: weighted(surnames, surnameCumulative),
      given: givenName(sex),
      sex,
      birthDate,
      idNumber,
      village: pick(villages),
      motherId: age < 18 && women.length > 0 ? pick(women) : null,
    };
    if (sex === '女' && age >= 20 && age <= 45 && women.length < 50_000) women.push(idNumber);
    return person;
  };
  /** A twin (same birth date) or a sibling (another date) of a person: a different entity. */
  const relativeOf = (person: Person, twin: boolean): Person => {
    const sex = random() < 0.5 ? person.sex : person.sex === '男' ? '女' : '男';
    const birthDate = twin
      ? person.birthDate
      : birthDateAt(Math.max(0, 2025 - Number(person.birthDate.slice(0, 4)) + 1 + Math.floor(random() * 6)));
    // Twins often share the first given-name character (小龙, 小虎).
    const first = twin && person.given.length === 2 && random() < 0.5 ? person.given[0] : undefined;
    let given = givenName(sex, first);
    while (given === person.given) given = givenName(sex, first);
    const sequence = Number(person.idNumber.slice(14, 17));
    return {
      entity: nextEntity++,
      surname: person.surname,
      given,
      sex,
      birthDate,
      idNumber: idFor(person.idNumber.slice(0, 6), birthDate, sex, twin ? sequence : undefined),
      village: person.village,
      motherId: person.motherId,
    };
  };

  const registryPeople: Person[] = [];
  for (let i = 0; i < options.registry; i++) {
    const person = newPerson();
    registryPeople.push(person);
    // About 1% of children are twins, both in the registry.
    if (person.motherId !== null && random() < 0.02 && registryPeople.length < options.registry) {
      registryPeople.push(relativeOf(person, true));
      i++;
    }
  }

  /** Writes a person down again, with mistakes. */
  const copy = (person: Person): Record<string, string | null> => {
    let given = [...person.given];
    if (chance(rates.homophone)) {
      const positions = given.map((c, i) => (HOMOPHONE_OF.has(c) ? i : -1)).filter((i) => i >= 0);
      if (positions.length > 0) {
        const at = pick(positions);
        const group = [...HOMOPHONE_OF.get(given[at]!)!].filter((c) => c !== given[at]);
        given[at] = pick(group);
      }
    }
    if (chance(rates.wrongCharacter)) {
      const at = Math.floor(random() * given.length);
      const pool = person.sex === '男' ? male : female;
      let char = weighted(pool.chars, pool.cumulative);
      while (char === given[at]) char = weighted(pool.chars, pool.cumulative);
      given = given.map((c, i) => (i === at ? char : c));
    }
    let idNumber: string | null = person.idNumber;
    if (chance(rates.idMissing)) idNumber = null;
    else if (chance(rates.idOneDigit)) {
      const at = 6 + Math.floor(random() * 11);
      const digit = (Number(idNumber[at]) + 1 + Math.floor(random() * 9)) % 10;
      idNumber = idNumber.slice(0, at) + digit + idNumber.slice(at + 1);
    } else if (chance(rates.idTransposed)) {
      let at = 6 + Math.floor(random() * 10);
      for (let tries = 0; tries < 10 && idNumber[at] === idNumber[at + 1]; tries++)
        at = 6 + Math.floor(random() * 10);
      idNumber = idNumber.slice(0, at) + idNumber[at + 1] + idNumber[at] + idNumber.slice(at + 2);
    }
    let birthDate: string | null = person.birthDate;
    const [y, m, d] = person.birthDate.split('-');
    if (chance(rates.dateMissing)) birthDate = null;
    else if (chance(rates.dayMonthSwapped) && Number(d) <= 12 && d !== m) birthDate = `${y}-${d}-${m}`;
    else if (chance(rates.dateOff)) {
      const shift = (1 + Math.floor(random() * 10)) * (random() < 0.5 ? -1 : 1);
      birthDate = new Date(Date.parse(`${person.birthDate}T00:00:00Z`) + shift * 86_400_000)
        .toISOString()
        .slice(0, 10);
    }
    if (birthDate !== null && chance(rates.otherDateFormat)) {
      const [yy, mm, dd] = birthDate.split('-');
      birthDate = random() < 0.5 ? `${yy}${mm}${dd}` : `${yy}/${Number(mm)}/${Number(dd)}`;
    }
    let village: string | null = person.village;
    if (chance(rates.villageMissing)) village = null;
    else if (chance(rates.townshipOnly)) village = person.village.slice(0, 9);
    else if (chance(rates.otherVillage))
      village = `${person.village.slice(0, 9)}${String(201 + Math.floor(random() * 20))}`;
    return {
      entity: String(person.entity),
      name: person.surname + given.join(''),
      sex: chance(rates.sexMissing) ? null : person.sex,
      birth_date: birthDate,
      id_number: idNumber,
      village,
      mother_id: person.motherId,
    };
  };
  const exact = (person: Person): Record<string, string | null> => ({
    entity: String(person.entity),
    name: person.surname + person.given,
    sex: person.sex,
    birth_date: person.birthDate,
    id_number: person.idNumber,
    village: person.village,
    mother_id: person.motherId,
  });

  const registryRows = registryPeople.map(exact);
  const duplicates = Math.round((options.registryDuplicates ?? 0) * registryPeople.length);
  for (let d = 0; d < duplicates; d++) registryRows.push(copy(pick(registryPeople)));

  // The feed: matched persons drawn without replacement, then people the registry lacks.
  const matched = Math.min(registryPeople.length, Math.round((options.matchedShare ?? 0.85) * options.feed));
  const order = Array.from({ length: registryPeople.length }, (_, i) => i);
  for (let i = 0; i < matched; i++) {
    const j = i + Math.floor(random() * (order.length - i));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const feedRows: Record<string, string | null>[] = [];
  for (let i = 0; i < matched; i++) feedRows.push(copy(registryPeople[order[i]!]!));
  const relativeShare = options.relativeShare ?? 0.1;
  const twinShare = options.twinShare ?? 0.3;
  for (let i = matched; i < options.feed; i++) {
    const person =
      chance(relativeShare) && registryPeople.length > 0
        ? relativeOf(pick(registryPeople), chance(twinShare))
        : newPerson();
    feedRows.push(copy(person));
  }
  // Shuffle the feed so matched and unmatched records mix.
  for (let i = feedRows.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [feedRows[i], feedRows[j]] = [feedRows[j]!, feedRows[i]!];
  }
  return { registry: toDataset(registryRows, 'R'), feed: toDataset(feedRows, 'F') };
}

function toDataset(rows: Record<string, string | null>[], prefix: string): Dataset {
  const ids = rows.map((_, i) => `${prefix}${String(i + 1).padStart(7, '0')}`);
  const columns = new Map<string, (string | null)[]>();
  columns.set('id', [...ids]);
  for (const name of SYNTHETIC_COLUMNS) {
    if (name === 'id') continue;
    columns.set(
      name,
      rows.map((row) => row[name] ?? null),
    );
  }
  return { ids, columns };
}

/** A linkage configuration for the synthetic columns: the one docs/linkage.md walks through. */
export const SYNTHETIC_CONFIG = {
  id: 'id',
  comparisons: [
    // Two valid, different ID numbers are two people, however alike (twins): EM cannot learn that
    // from families, so it is said here.
    { name: 'id_number', type: 'id-number', column: 'id_number', m: { else: 0.001 } },
    { name: 'name', type: 'han-name', column: 'name', tf: true },
    {
      name: 'birth_date',
      type: 'date',
      column: 'birth_date',
      levels: ['exact', 'day-month-swapped', 'within-days:10', 'same-year'],
    },
    { name: 'sex', type: 'exact', column: 'sex' },
    { name: 'village', type: 'place', column: 'village' },
  ],
  blocking: [
    { name: 'id', on: ['id_number:id'] },
    { name: 'birth date + sex', on: ['birth_date:date', 'sex'] },
    { name: 'surname pinyin + birth year', on: ['name:surname-pinyin', 'birth_date:year'] },
    { name: 'given-name pinyin + birth month', on: ['name:given-pinyin', 'birth_date:year-month'] },
    { name: 'name pinyin + village', on: ['name:pinyin', 'village:prefix:9'] },
  ],
  thresholds: { autoLink: 0.95, review: 0.5 },
};
