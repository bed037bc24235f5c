import { ageOnDay, dayOf, yearOf } from './calendar.ts';
import { drawOtherArea } from './county.ts';
import {
  DIVORCED,
  FEMALE,
  INFLOW,
  joinHousehold,
  MALE,
  MARRIED,
  NONE,
  ORIGIN_INITIAL,
  OUTFLOW,
  REGISTERED,
  RESIDENT,
  RURAL,
  SINGLE,
  URBAN,
  WIDOWED,
} from './population.ts';
import { AliasTable } from './rng.ts';
import { SOURCE } from './vocab.ts';
import type { World } from './world.ts';

/** Marks a widowed elder waiting to see whether a child's household takes them in. */
const PENDING = -2;

/**
 * Builds the population of 1 January of the first year: ages and sexes from the census
 * structure, marriages by pairing wives with husbands of a plausible age gap, children linked to
 * mothers of a plausible age and parity, households formed from couples, their unmarried children,
 * stem families and elders, then villages, hukou, residence types, ID numbers and the registry's
 * initial load.
 */
export function buildInitialPopulation(w: World) {
  const { pop, rates } = w;
  const rng = w.rngPopulation;
  const start = w.startDay;
  const fromYear = w.settings.from;
  const n = w.settings.persons;
  const maxAge = rates.population.maxAge;
  const groups = rates.population.male.length;

  // 1. Ages and sexes from the census structure; ages uniform within a 5-year group. Persons are
  // numbered oldest first, so the passes below (which go oldest first) walk memory in order.
  const cells = new AliasTable([...rates.population.male, ...rates.population.female]);
  const drawnSex = new Uint8Array(n);
  const drawnBirth = new Int32Array(n);
  const drawnAge = new Uint8Array(n);
  // 2 January of the year each age was born in.
  const yearStarts = Array.from({ length: maxAge + 1 }, (_, age) => dayOf(fromYear - age - 1, 1, 2));
  for (let k = 0; k < n; k++) {
    const cell = cells.sample(rng);
    const female = cell >= groups;
    const g = female ? cell - groups : cell;
    const age = g < groups - 1 ? 5 * g + rng.int(5) : 5 * g + rng.int(Math.max(1, maxAge - 5 * g + 1));
    drawnSex[k] = female ? FEMALE : MALE;
    drawnAge[k] = age;
    // Born between (Y−age−1)-01-02 and (Y−age)-01-01: exactly `age` on 1 January of Y.
    drawnBirth[k] = yearStarts[age]! + rng.int(365);
  }
  const ageAt = new Uint8Array(n);
  for (const k of sortByBirth(drawnBirth, n)) {
    const p = pop.add(drawnSex[k]!, drawnBirth[k]!);
    pop.origin[p] = ORIGIN_INITIAL;
    ageAt[p] = drawnAge[k]!;
  }

  // 2. Marital status by age and sex.
  for (let p = 0; p < n; p++) {
    const age = ageAt[p]!;
    if (age < 15) {
      pop.marital[p] = SINGLE;
      continue;
    }
    const row = (pop.sex[p] === FEMALE ? rates.initial.femaleMarital : rates.initial.maleMarital)[
      Math.min(14, Math.floor((age - 15) / 5))
    ]!;
    pop.marital[p] = drawStatus(row, rng.next());
  }

  // 3. Couples: each married woman gets a husband about ageGapMean years older.
  const marriedMen: number[][] = Array.from({ length: maxAge + 1 }, () => []);
  const freeMen: number[][] = Array.from({ length: maxAge + 1 }, () => []);
  for (let p = 0; p < n; p++) {
    if (pop.sex[p] !== MALE || ageAt[p]! < 15) continue;
    if (pop.marital[p] === MARRIED) marriedMen[ageAt[p]!]!.push(p);
    else if (ageAt[p]! >= 22) freeMen[ageAt[p]!]!.push(p);
  }
  for (const bucket of marriedMen) rng.shuffle(bucket);
  for (const bucket of freeMen) rng.shuffle(bucket);
  for (let p = 0; p < n; p++) {
    if (pop.sex[p] !== FEMALE || pop.marital[p] !== MARRIED) continue;
    const target = ageAt[p]! + Math.round(rates.marriage.ageGapMean + rates.marriage.ageGapSd * rng.normal());
    let husband = takeNear(marriedMen, target, 6, 20);
    if (husband === NONE) husband = takeNear(freeMen, target, 3, 22);
    if (husband === NONE) {
      pop.marital[p] = ageAt[p]! >= 45 ? WIDOWED : DIVORCED;
      continue;
    }
    pop.marital[husband] = MARRIED;
    pop.spouse[p] = husband;
    pop.spouse[husband] = p;
  }
  // Husbands-to-be left without a wife take the other statuses of their age.
  for (const bucket of marriedMen) {
    for (const p of bucket) {
      const row = rates.initial.maleMarital[Math.min(14, Math.floor((ageAt[p]! - 15) / 5))]!;
      pop.marital[p] = drawStatus([row[0], 0, row[2], row[3]], rng.next());
    }
  }

  // 4. Children and their mothers, oldest children first so birth spacing can be checked.
  const birthYear = new Int16Array(n);
  for (let p = 0; p < n; p++) birthYear[p] = yearOf(pop.birth[p]!);
  const order = new Int32Array(n);
  for (let p = 0; p < n; p++) order[p] = p;
  const minYear = fromYear - maxAge - 2;
  const womenByYear: number[][] = Array.from({ length: maxAge + 3 }, () => []);
  for (let p = 0; p < n; p++) {
    if (pop.sex[p] === FEMALE) womenByYear[birthYear[p]! - minYear]!.push(p);
  }
  const minGap = rates.fertility.minIntervalDays + 60;
  // The mother's age at the birth: normal (sd 4.5) around 24 before 1990, 26 to 2009, 28 since,
  // cut to 16–46; alias tables make each draw one uniform.
  const motherAges = [24, 26, 28].map(
    (mean) =>
      new AliasTable(Array.from({ length: 31 }, (_, k) => Math.exp(-(((16 + k - mean) / 4.5) ** 2) / 2))),
  );
  const tryLink = (c: number, tries: number, strict: boolean): boolean => {
    const childYear = birthYear[c]!;
    const ages = motherAges[childYear < 1990 ? 0 : childYear < 2010 ? 1 : 2]!;
    for (let t = 0; t < tries; t++) {
      const ageAtBirth = 16 + ages.sample(rng);
      const bucket = womenByYear[childYear - ageAtBirth - minYear];
      if (!bucket || bucket.length === 0) continue;
      const m = bucket[rng.int(bucket.length)]!;
      if (m === c || pop.birth[c]! - pop.lastBirth[m]! < minGap) continue;
      const motherYear = birthYear[m]!;
      const parity = pop.parity[m]!;
      if (parity >= parityCap(motherYear) + (strict ? 0 : 1)) continue;
      if (strict) {
        const weight = parityWeight(motherYear, parity) * (pop.marital[m] === SINGLE ? 0.05 : 1);
        if (rng.next() >= weight) continue;
      }
      pop.mother[c] = m;
      pop.parity[m] = parity + 1;
      pop.lastBirth[m] = pop.birth[c]!;
      pop.birthOrder[c] = parity + 1;
      const s = pop.spouse[m]!;
      if (s !== NONE && ageOnDay(pop.birth[s]!, pop.birth[c]!) >= 18 && rng.next() < 0.97) pop.father[c] = s;
      return true;
    }
    return false;
  };
  for (const c of order) {
    const age = ageAt[c]!;
    if (age >= 60) continue;
    if (!tryLink(c, 12, true) && age < 18) tryLink(c, 12, false);
  }

  // 5. Names: children take the father's surname (sometimes the mother's).
  for (const p of order) {
    const father = pop.father[p]!;
    const mother = pop.mother[p]!;
    let surname: number;
    if (father !== NONE) surname = rng.next() < 0.96 ? pop.surname[father]! : pop.surname[mother]!;
    else if (mother !== NONE && pop.spouse[mother]! !== NONE && rng.next() < 0.9)
      surname = pop.surname[pop.spouse[mother]!]!;
    else if (mother !== NONE && rng.next() < 0.5) surname = pop.surname[mother]!;
    else surname = w.names.drawSurname(rng);
    w.assignName(p, surname, rng);
  }

  // 6. Households, oldest first: couples (alone or with the husband's parents), their unmarried
  // children, elders who move in with a child, and everyone else on their own.
  const { hh, county } = w;
  const hasChild = new Uint8Array(n);
  for (let p = 0; p < n; p++) {
    if (pop.mother[p]! !== NONE) hasChild[pop.mother[p]!] = 1;
    if (pop.father[p]! !== NONE) hasChild[pop.father[p]!] = 1;
  }
  const parentHousehold = (p: number): number => {
    const mother = pop.mother[p]!;
    if (mother !== NONE && pop.household[mother]! >= 0) return pop.household[mother]!;
    const father = pop.father[p]!;
    if (father !== NONE && pop.household[father]! >= 0) return pop.household[father]!;
    return NONE;
  };
  const adoptElder = (elder: number, h: number) => {
    if (elder !== NONE && pop.household[elder] === PENDING && rng.next() < rates.initial.elderlyWithChild) {
      pop.household[elder] = NONE;
      joinHousehold(pop, hh, elder, h);
    }
  };
  const newHousehold = (near: number): number => {
    const village = near >= 0 && rng.next() < 0.6 ? hh.village[near]! : county.villageTable.sample(rng);
    return hh.add(village, RURAL, start);
  };
  for (const p of order) {
    if (pop.household[p] !== NONE) continue;
    const age = ageAt[p]!;
    const s = pop.spouse[p]!;
    if (s !== NONE) {
      const husband = pop.sex[p] === MALE ? p : s;
      const wife = husband === p ? s : p;
      const parents = parentHousehold(husband);
      const urban = parents >= 0 && county.villages[hh.village[parents]!]!.community;
      const stem = urban ? rates.initial.stemFamily.urban : rates.initial.stemFamily.rural;
      if (parents >= 0 && rng.next() < stem) {
        joinHousehold(pop, hh, husband, parents);
        joinHousehold(pop, hh, wife, parents);
        continue;
      }
      const h = newHousehold(parents);
      const husbandHeads = rng.next() < 0.85;
      joinHousehold(pop, hh, husbandHeads ? husband : wife, h);
      joinHousehold(pop, hh, husbandHeads ? wife : husband, h);
      adoptElder(pop.mother[husband]!, h);
      adoptElder(pop.father[husband]!, h);
      adoptElder(pop.mother[wife]!, h);
      adoptElder(pop.father[wife]!, h);
      continue;
    }
    const parents = parentHousehold(p);
    if ((age < 18 || (pop.marital[p] === SINGLE && age < 30)) && parents >= 0) {
      joinHousehold(pop, hh, p, parents);
      continue;
    }
    if (age < 18 && hh.count > 0) {
      // No parent here: a child living with relatives.
      joinHousehold(pop, hh, p, rng.int(hh.count));
      continue;
    }
    if (pop.marital[p] === WIDOWED && age >= 70 && hasChild[p] === 1) {
      pop.household[p] = PENDING;
      continue;
    }
    joinHousehold(pop, hh, p, newHousehold(parents));
  }
  for (let p = 0; p < n; p++) {
    if (pop.household[p] !== PENDING) continue;
    pop.household[p] = NONE;
    joinHousehold(pop, hh, p, newHousehold(NONE));
  }

  // 7. Village, hukou, residence type, ID area and number, spells and the registry's initial load.
  const init = rates.initial;
  for (let h = 0; h < hh.count; h++) {
    const village = hh.village[h]!;
    const community = county.villages[village]!.community;
    const inflow = rng.next() < (community ? init.inflowHouseholds.community : init.inflowHouseholds.village);
    const type = inflow ? (rng.next() < init.residentShareOfInflow ? RESIDENT : INFLOW) : REGISTERED;
    const originArea = inflow ? drawOtherArea(county, rng, rates.migration.origin) : 0;
    const urbanShare = inflow ? 0.3 : community ? init.urbanHukou.community : init.urbanHukou.village;
    const hukou = rng.next() < urbanShare ? URBAN : RURAL;
    hh.hukou[h] = hukou;
    const ethnicity = w.drawEthnicity(rng);
    for (let m = hh.first[h]!; m !== NONE; m = pop.hhNext[m]!) {
      const age = ageAt[m]!;
      const marriedWoman = pop.sex[m] === FEMALE && pop.marital[m] !== SINGLE;
      pop.village[m] = village;
      pop.hukou[m] = hukou;
      pop.ethnicity[m] = marriedWoman && rng.next() < 0.1 ? w.drawEthnicity(rng) : ethnicity;
      let residence = type;
      let area = originArea;
      if (inflow) {
        if (marriedWoman && rng.next() < 0.3) area = drawOtherArea(county, rng, rates.migration.origin);
      } else {
        const outflowShare = community ? init.outflow.community : init.outflow.village;
        if (age >= 18 && age <= 45 && rng.next() < outflowShare) residence = OUTFLOW;
        if (marriedWoman && rng.next() < init.bridesFromElsewhere) {
          area = drawOtherArea(county, rng, rates.migration.origin);
        } else if (age >= 18 && rng.next() < 0.03) {
          area = drawOtherArea(county, rng, rates.migration.origin);
        }
      }
      pop.residence[m] = residence;
      pop.area[m] = area;
      w.assignSequence(m, rng);
      const birth = pop.birth[m]!;
      let spellStart: number;
      if (residence === INFLOW || residence === RESIDENT) {
        spellStart = Math.max(birth, start - 1 - Math.floor(rng.exponential(3 * 365)));
      } else if (residence === OUTFLOW) {
        spellStart = Math.max(birth + 16 * 365, start - 1 - Math.floor(rng.exponential(2 * 365)));
      } else if (age < 16 || rng.next() < 0.6) {
        spellStart = birth;
      } else {
        const from = birth + 16 * 365;
        spellStart = from + rng.int(Math.max(1, start - 1 - from));
      }
      spellStart = Math.min(spellStart, start - 1);
      pop.entry[m] = start;
      pop.present[m] = 1;
      pop.spellStart[m] = spellStart;
      const missing =
        (age < 5 && rng.next() < w.rates.registry.initialChildMissing) ||
        ((residence === INFLOW || residence === RESIDENT) &&
          rng.next() < w.rates.registry.initialInflowUnknown);
      if (!missing) {
        const reportDay = Math.min(start - 1, spellStart + Math.floor(rng.exponential(20)));
        w.register(m, reportDay, spellStart, SOURCE.initialLoad);
      }
    }
  }
}

function drawStatus(row: readonly number[], u: number): number {
  const total = row[0]! + row[1]! + row[2]! + row[3]!;
  let acc = 0;
  for (let i = 0; i < 4; i++) {
    acc += row[i]! / total;
    if (u < acc) return i + 1;
  }
  return SINGLE;
}

/** Takes a random man from the bucket nearest the target age (within `radius` years). */
function takeNear(buckets: number[][], target: number, radius: number, minAge: number): number {
  for (let d = 0; d <= radius; d++) {
    for (const age of d === 0 ? [target] : [target + d, target - d]) {
      if (age < minAge || age >= buckets.length) continue;
      const bucket = buckets[age]!;
      if (bucket.length > 0) return bucket.pop()!;
    }
  }
  return NONE;
}

/** Most children a woman born in this year had (family sizes shrank from the 1970s). */
function parityCap(motherYear: number): number {
  if (motherYear < 1945) return 7;
  if (motherYear < 1955) return 5;
  if (motherYear < 1965) return 4;
  return 3;
}

/** How readily a woman of this cohort and parity takes one more child in the linking. */
function parityWeight(motherYear: number, parity: number): number {
  const weights = motherYear < 1960 ? [0.7, 1, 1, 0.9, 0.7, 0.5, 0.3, 0.2] : [0.6, 1, 0.45, 0.15, 0.05];
  return weights[parity] ?? 0;
}

/** Indexes 0..n−1 sorted by birth day, oldest first (a counting sort: O(n)). */
function sortByBirth(birth: Int32Array, n: number): Int32Array {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    if (birth[i]! < min) min = birth[i]!;
    if (birth[i]! > max) max = birth[i]!;
  }
  const counts = new Int32Array(max - min + 2);
  for (let i = 0; i < n; i++) counts[birth[i]! - min + 1]!++;
  for (let i = 1; i < counts.length; i++) counts[i]! += counts[i - 1]!;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[counts[birth[i]! - min]!++] = i;
  return out;
}
