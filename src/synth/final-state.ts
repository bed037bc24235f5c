import { ageOnDay, dateOf } from './calendar.ts';
import { swapDayMonth } from './corrupt.ts';
import { householdNo } from './feeds.ts';
import { makeTypo, swapHomophone } from './names.ts';
import {
  EXIT_REASONS,
  HUKOU_TYPES,
  INFLOW,
  MALE,
  MARITAL_STATUSES,
  NO_DAY,
  NONE,
  ORIGINS,
  REG_ACTIVE,
  REG_STATUSES,
  RESIDENCE_TYPES,
  RESIDENT,
} from './population.ts';
import type { Rng } from './rng.ts';
import type { World } from './world.ts';

/**
 * Writes what exists at the end of the run: the registry's households and persons as the county
 * has them on the extract date (with their own errors and duplicates), every open residence
 * spell, the true persons, and the links from registry records to true persons.
 */
export async function writeFinalState(w: World, onProgress: (fraction: number) => void) {
  const { pop, hh } = w;
  const n = pop.count;

  // The registry's households: who it has in each and whom it names as head.
  const members = new Int32Array(hh.count);
  const known = new Uint8Array(hh.count);
  const fallbackHead = new Int32Array(hh.count).fill(NONE);
  for (let p = 0; p < n; p++) {
    const h = pop.regHousehold[p]!;
    if (pop.regKey[p] === 0 || h === NONE) continue;
    known[h] = 1;
    if (pop.regStatus[p] !== REG_ACTIVE) continue;
    members[h]!++;
    if (fallbackHead[h] === NONE || pop.birth[p]! < pop.birth[fallbackHead[h]!]!) fallbackHead[h] = p;
  }
  const heads = new Int32Array(hh.count).fill(NONE);
  for (let h = 0; h < hh.count; h++) {
    if (known[h] === 0) continue;
    const head = hh.head[h]!;
    heads[h] =
      head !== NONE && pop.regStatus[head] === REG_ACTIVE && pop.regHousehold[head] === h
        ? head
        : fallbackHead[h]!;
    writeHousehold(w, h, heads[h]!, members[h]!);
  }
  await w.drain();

  for (let p = 0; p < n; p++) {
    writeTruthPerson(w, p);
    if (pop.present[p] === 1) w.writeTruthSpell(p, pop.spellStart[p]!, NO_DAY);
    if (pop.regKey[p] !== 0) {
      const h = pop.regHousehold[p]!;
      writeRegistryPerson(w, p, h === NONE ? NONE : heads[h]!);
    }
    if ((p & 0x3fff) === 0x3fff) {
      await w.drain();
      onProgress(p / n);
    }
  }
  onProgress(1);
}

const RELATIONS = {
  head: 'head',
  spouse: 'spouse',
  child: 'child',
  parent: 'parent',
  parentInLaw: 'parent_in_law',
  childInLaw: 'child_in_law',
  grandchild: 'grandchild',
  sibling: 'sibling',
  other: 'other',
} as const;

/** The person's relation to the household head, from the family links. */
function relationToHead(w: World, p: number, head: number): string {
  const { mother, father, spouse } = w.pop;
  if (head === NONE) return RELATIONS.other;
  if (p === head) return RELATIONS.head;
  if (spouse[head] === p || spouse[p] === head) return RELATIONS.spouse;
  const childOf = (c: number, x: number) => x !== NONE && c !== NONE && (mother[c] === x || father[c] === x);
  const headSpouse = spouse[head]!;
  if (childOf(p, head) || childOf(p, headSpouse)) return RELATIONS.child;
  if (childOf(head, p)) return RELATIONS.parent;
  if (childOf(headSpouse, p)) return RELATIONS.parentInLaw;
  const ownSpouse = spouse[p]!;
  if (childOf(ownSpouse, head) || childOf(ownSpouse, headSpouse)) return RELATIONS.childInLaw;
  const m = mother[p]!;
  const f = father[p]!;
  if (childOf(m, head) || childOf(f, head) || childOf(m, headSpouse) || childOf(f, headSpouse)) {
    return RELATIONS.grandchild;
  }
  if ((m !== NONE && m === mother[head]) || (f !== NONE && f === father[head])) return RELATIONS.sibling;
  return RELATIONS.other;
}

function addressOf(w: World, h: number, village: number): string {
  const v = w.county.villages[village]!;
  const a = ((h + 1) * 2654435761) >>> 0;
  if (v.community) {
    return `${v.shortName}${1 + (a % 36)}号楼${1 + ((a >>> 8) % 6)}单元${(1 + ((a >>> 12) % 18)) * 100 + 1 + ((a >>> 20) % 4)}室`;
  }
  return `${v.shortName}${1 + (a % 12)}组${1 + ((a >>> 8) % 90)}号`;
}

function writeHousehold(w: World, h: number, head: number, members: number) {
  const { pop, hh } = w;
  const r = w.row('registry/households');
  const village = hh.regVillage[h]!;
  r[0] = h + 1;
  r[1] = householdNo(w, h);
  r[2] = w.county.villages[village]!.code;
  r[3] = addressOf(w, h, village);
  r[4] = HUKOU_TYPES[hh.hukou[h]!] || null;
  r[5] = head === NONE ? null : pop.regKey[head]!;
  r[6] = members;
  r[7] = members > 0 ? 'active' : 'dissolved';
  r[8] = dateOf(hh.created[h]!);
  w.emit('registry/households');
}

function writeTruthPerson(w: World, p: number) {
  const pop = w.pop;
  const r = w.row('truth/persons');
  const village = pop.village[p]!;
  r[0] = p + 1;
  r[1] = pop.names[p]!;
  r[2] = pop.sex[p] === MALE ? 'male' : 'female';
  r[3] = dateOf(pop.birth[p]!);
  r[4] = w.idNumber(p);
  r[5] = w.ethnicityNames[pop.ethnicity[p]!]!;
  r[6] = w.county.areaCodes[pop.area[p]!]!;
  r[7] = HUKOU_TYPES[pop.hukou[p]!] || null;
  r[8] = ORIGINS[pop.origin[p]!]!;
  r[9] = pop.entry[p] === NO_DAY ? null : dateOf(pop.entry[p]!);
  r[10] = pop.exit[p] === NO_DAY ? null : dateOf(pop.exit[p]!);
  r[11] = EXIT_REASONS[pop.exitReason[p]!] || null;
  r[12] = pop.death[p] === NO_DAY ? null : dateOf(pop.death[p]!);
  r[13] = pop.mother[p] === NONE ? null : pop.mother[p]! + 1;
  r[14] = pop.father[p] === NONE ? null : pop.father[p]! + 1;
  r[15] = pop.birthOrder[p] || null;
  r[16] = MARITAL_STATUSES[pop.marital[p]!] || null;
  r[17] = pop.spouse[p] === NONE ? null : pop.spouse[p]! + 1;
  r[18] = pop.household[p] === NONE ? null : pop.household[p]! + 1;
  r[19] = village === NONE ? null : w.county.villages[village]!.code;
  r[20] = RESIDENCE_TYPES[pop.residence[p]!] || null;
  w.emit('truth/persons');
}

/** A date a few days off, or with day and month swapped: the registry's wrong birth dates. */
function misdate(day: number, rng: Rng): string {
  if (rng.next() < 0.3) {
    const swapped = swapDayMonth(dateOf(day));
    if (swapped) return swapped;
  }
  const shift = 1 + rng.int(10);
  return dateOf(day + (rng.next() < 0.5 ? -shift : shift));
}

function otherVillageNear(w: World, village: number, rng: Rng): number {
  const siblings = w.county.townships[w.county.villages[village]!.townshipIndex]!.villages;
  if (siblings.length > 1) {
    const other = siblings[rng.int(siblings.length - 1)]!;
    return other === village ? siblings[siblings.length - 1]! : other;
  }
  return w.county.villageTable.sample(rng);
}

function keyOf(w: World, p: number): number | null {
  return p === NONE || w.pop.regKey[p] === 0 ? null : w.pop.regKey[p]!;
}

function writeRegistryPerson(w: World, p: number, head: number) {
  const pop = w.pop;
  const rng = w.rngRegistry;
  const model = w.rates.registry;
  const errors: string[] = [];
  const active = pop.regStatus[p] === REG_ACTIVE;
  const ageNow = ageOnDay(pop.birth[p]!, w.asOfDay);
  const residence = pop.regResidence[p]!;

  let name = pop.names[p]!;
  if (rng.next() < model.homophoneName) {
    const swapped = swapHomophone(name, rng);
    if (swapped !== name) errors.push('name:homophone');
    name = swapped;
  }
  let birthDate = dateOf(pop.birth[p]!);
  if (rng.next() < model.wrongBirthDay) {
    birthDate = misdate(pop.birth[p]!, rng);
    errors.push('birth_date:wrong');
  }
  let idNumber: string | null = w.idNumber(p);
  if (
    (ageNow < 1 && rng.next() < model.missingIdInfant) ||
    ((residence === INFLOW || residence === RESIDENT) && rng.next() < model.missingIdInflow)
  ) {
    idNumber = null;
    errors.push('id_number:missing');
  }
  let ethnicity: string | null = w.ethnicityNames[pop.ethnicity[p]!]!;
  if (rng.next() < model.missingEthnicity) {
    ethnicity = null;
    errors.push('ethnicity:missing');
  }
  const phone = ageNow >= 16 && rng.next() < model.phoneKnown ? w.phoneOf(p) : null;
  let village = pop.regVillage[p]!;
  if (active && rng.next() < model.wrongVillage) {
    village = otherVillageNear(w, village, rng);
    errors.push('village:wrong');
  }
  const h = pop.regHousehold[p]!;
  const r = w.row('registry/persons');
  r[0] = pop.regKey[p]!;
  r[1] = h === NONE ? null : h + 1;
  r[2] = idNumber;
  r[3] = name;
  r[4] = pop.sex[p] === MALE ? 'male' : 'female';
  r[5] = birthDate;
  r[6] = ethnicity;
  r[7] = HUKOU_TYPES[pop.hukou[p]!] || null;
  r[8] = MARITAL_STATUSES[pop.regMarital[p]!] || null;
  r[9] = phone;
  r[10] = active && h !== NONE ? relationToHead(w, p, head) : null;
  r[11] = keyOf(w, pop.mother[p]!);
  r[12] = keyOf(w, pop.father[p]!);
  r[13] = keyOf(w, pop.regSpouse[p]!);
  r[14] = pop.birthOrder[p] || null;
  r[15] = w.county.villages[village]!.code;
  r[16] = RESIDENCE_TYPES[residence]!;
  r[17] = REG_STATUSES[pop.regStatus[p]!]!;
  r[18] = pop.regDeath[p] === NO_DAY ? null : dateOf(pop.regDeath[p]!);
  r[19] = dateOf(pop.regDay[p]!);
  r[20] = pop.regInitial[p] ? 'initial_load' : pop.regViaExchange[p] ? 'data_exchange' : 'village_report';
  w.emit('registry/persons');
  if (active) w.writeRegistrySpell(p, pop.regSpellStart[p]!, NO_DAY, village);
  writeRegistryLink(w, pop.regKey[p]!, p, false, errors.join(';'));

  if (active && rng.next() < model.duplicate) writeDuplicate(w, p, phone);
}

function writeRegistryLink(w: World, key: number, p: number, duplicate: boolean, errors: string) {
  const r = w.row('truth/registry_links');
  r[0] = key;
  r[1] = p + 1;
  r[2] = duplicate ? 1 : 0;
  r[3] = errors || null;
  w.emit('truth/registry_links');
}

/**
 * The same person entered a second time: by another village, from an old card, under a name
 * variant; usually without the ID number (the live one would clash), sometimes with a wrong one.
 */
function writeDuplicate(w: World, p: number, phone: string | null) {
  const pop = w.pop;
  const rng = w.rngRegistry;
  const errors = ['duplicate'];
  const key = w.nextRegistryKey++;
  let name = pop.names[p]!;
  const variant = rng.next() < 0.7 ? swapHomophone(name, rng) : name;
  if (variant !== name) {
    errors.push('name:homophone');
    name = variant;
  } else {
    name = makeTypo(name, rng);
    errors.push('name:typo');
  }
  let idNumber: string | null = null;
  if (rng.next() < 0.4) {
    idNumber = w.unusedIdNumber(p, rng);
    errors.push('id_number:wrong');
  } else {
    errors.push('id_number:missing');
  }
  let birthDate = dateOf(pop.birth[p]!);
  if (rng.next() < 0.2) {
    birthDate = misdate(pop.birth[p]!, rng);
    errors.push('birth_date:wrong');
  }
  let village = pop.regVillage[p]!;
  if (rng.next() < 0.5) {
    village = otherVillageNear(w, village, rng);
    errors.push('village:other');
  }
  const registered = Math.min(w.asOfDay, pop.regDay[p]! + 30 + rng.int(700));
  const r = w.row('registry/persons');
  r[0] = key;
  r[1] = null;
  r[2] = idNumber;
  r[3] = name;
  r[4] = pop.sex[p] === MALE ? 'male' : 'female';
  r[5] = birthDate;
  r[6] = rng.next() < 0.5 ? w.ethnicityNames[pop.ethnicity[p]!]! : null;
  r[7] = HUKOU_TYPES[pop.hukou[p]!] || null;
  r[8] = MARITAL_STATUSES[pop.regMarital[p]!] || null;
  r[9] = rng.next() < 0.3 ? phone : null;
  r[10] = null;
  r[11] = null;
  r[12] = null;
  r[13] = null;
  r[14] = null;
  r[15] = w.county.villages[village]!.code;
  r[16] = RESIDENCE_TYPES[pop.regResidence[p]!]!;
  r[17] = REG_STATUSES[REG_ACTIVE]!;
  r[18] = null;
  r[19] = dateOf(registered);
  r[20] = 'village_report';
  w.emit('registry/persons');
  const spell = w.row('registry/residence_spells');
  spell[0] = w.nextRegistrySpell++;
  spell[1] = key;
  spell[2] = null;
  spell[3] = w.county.villages[village]!.code;
  spell[4] = RESIDENCE_TYPES[pop.regResidence[p]!]!;
  spell[5] = dateOf(registered);
  spell[6] = null;
  w.emit('registry/residence_spells');
  writeRegistryLink(w, key, p, true, errors.join(';'));
}
