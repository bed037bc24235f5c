import { ageOnDay, dateOf } from './calendar.ts';
import { swapDayMonth } from './corrupt.ts';
import { householdNo } from './feeds.ts';
import { makeTypo, swapHomophone } from './names.ts';
import { INFLOW, NO_DAY, NONE, REG_ACTIVE, RESIDENT } from './population.ts';
import type { Rng } from './rng.ts';
import {
  EXIT,
  HOUSEHOLD_STATUS,
  HUKOU,
  MARITAL,
  ORIGIN,
  REGISTRY_STATUS,
  RELATION,
  RELATIONS,
  RESIDENCE,
  SEX,
  SOURCE,
  SOURCES,
} from './vocab.ts';
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

/** The person's relation to the household head (vocab RELATIONS), from the family links. */
function relationToHead(w: World, p: number, head: number): number {
  const { mother, father, spouse } = w.pop;
  if (head === NONE) return RELATION.other;
  if (p === head) return RELATION.head;
  if (spouse[head] === p || spouse[p] === head) return RELATION.spouse;
  const childOf = (c: number, x: number) => x !== NONE && c !== NONE && (mother[c] === x || father[c] === x);
  const headSpouse = spouse[head]!;
  if (childOf(p, head) || childOf(p, headSpouse)) return RELATION.child;
  if (childOf(head, p)) return RELATION.parent;
  if (childOf(headSpouse, p)) return RELATION.parentInLaw;
  const ownSpouse = spouse[p]!;
  if (childOf(ownSpouse, head) || childOf(ownSpouse, headSpouse)) return RELATION.childInLaw;
  const m = mother[p]!;
  const f = father[p]!;
  if (childOf(m, head) || childOf(f, head) || childOf(m, headSpouse) || childOf(f, headSpouse)) {
    return RELATION.grandchild;
  }
  if ((m !== NONE && m === mother[head]) || (f !== NONE && f === father[head])) return RELATION.sibling;
  return RELATION.other;
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
  const { pop, hh, out } = w;
  const village = hh.regVillage[h]!;
  out.begin('registry/households');
  out.int(h + 1);
  out.text(householdNo(w, h));
  out.village(village);
  out.text(addressOf(w, h, village));
  out.word(HUKOU, hh.hukou[h]!);
  out.key(head === NONE ? 0 : pop.regKey[head]!);
  out.int(members);
  out.word(HOUSEHOLD_STATUS, members > 0 ? 0 : 1);
  out.date(hh.created[h]!);
  out.end();
}

function writeTruthPerson(w: World, p: number) {
  const { pop, out } = w;
  out.begin('truth/persons');
  out.int(p + 1);
  out.text(pop.names[p]!);
  out.word(SEX, pop.sex[p]!);
  out.date(pop.birth[p]!);
  w.writeIdNumber(p);
  out.word(w.ethnicities, pop.ethnicity[p]!);
  out.area(pop.area[p]!);
  out.word(HUKOU, pop.hukou[p]!);
  out.word(ORIGIN, pop.origin[p]!);
  out.date(pop.entry[p]!);
  out.date(pop.exit[p]!);
  out.word(EXIT, pop.exitReason[p]!);
  out.date(pop.death[p]!);
  out.ref(pop.mother[p]!);
  out.ref(pop.father[p]!);
  out.key(pop.birthOrder[p]!);
  out.word(MARITAL, pop.marital[p]!);
  out.ref(pop.spouse[p]!);
  out.ref(pop.household[p]!);
  out.village(pop.village[p]!);
  out.word(RESIDENCE, pop.residence[p]!);
  out.end();
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

/** The registry key of a person, 0 when not in the registry. */
function keyOf(w: World, p: number): number {
  return p === NONE ? 0 : w.pop.regKey[p]!;
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
  let wrongBirthDate: string | null = null;
  if (rng.next() < model.wrongBirthDay) {
    wrongBirthDate = misdate(pop.birth[p]!, rng);
    errors.push('birth_date:wrong');
  }
  const idMissing =
    (ageNow < 1 && rng.next() < model.missingIdInfant) ||
    ((residence === INFLOW || residence === RESIDENT) && rng.next() < model.missingIdInflow);
  if (idMissing) errors.push('id_number:missing');
  const ethnicityMissing = rng.next() < model.missingEthnicity;
  if (ethnicityMissing) errors.push('ethnicity:missing');
  const phone = ageNow >= 16 && rng.next() < model.phoneKnown ? w.phoneOf(p) : null;
  let village = pop.regVillage[p]!;
  if (active && rng.next() < model.wrongVillage) {
    village = otherVillageNear(w, village, rng);
    errors.push('village:wrong');
  }
  const h = pop.regHousehold[p]!;
  const out = w.out;
  out.begin('registry/persons');
  out.int(pop.regKey[p]!);
  out.ref(h);
  if (idMissing) out.empty();
  else w.writeIdNumber(p);
  out.text(name);
  out.word(SEX, pop.sex[p]!);
  if (wrongBirthDate === null) out.date(pop.birth[p]!);
  else out.text(wrongBirthDate);
  if (ethnicityMissing) out.empty();
  else out.word(w.ethnicities, pop.ethnicity[p]!);
  out.word(HUKOU, pop.hukou[p]!);
  out.word(MARITAL, pop.regMarital[p]!);
  out.optText(phone);
  if (active && h !== NONE) out.word(RELATIONS, relationToHead(w, p, head));
  else out.empty();
  out.key(keyOf(w, pop.mother[p]!));
  out.key(keyOf(w, pop.father[p]!));
  out.key(keyOf(w, pop.regSpouse[p]!));
  out.key(pop.birthOrder[p]!);
  out.village(village);
  out.word(RESIDENCE, residence);
  out.word(REGISTRY_STATUS, pop.regStatus[p]!);
  out.date(pop.regDeath[p]!);
  out.date(pop.regDay[p]!);
  out.word(SOURCES, pop.regSource[p]!);
  out.end();
  if (active) w.writeRegistrySpell(p, pop.regSpellStart[p]!, NO_DAY, village);
  writeRegistryLink(w, pop.regKey[p]!, p, false, errors.join(';'));

  if (active && rng.next() < model.duplicate) writeDuplicate(w, p, phone);
}

function writeRegistryLink(w: World, key: number, p: number, duplicate: boolean, errors: string) {
  const out = w.out;
  out.begin('truth/registry_links');
  out.int(key);
  out.ref(p);
  out.int(duplicate ? 1 : 0);
  out.optText(errors);
  out.end();
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
  let wrongBirthDate: string | null = null;
  if (rng.next() < 0.2) {
    wrongBirthDate = misdate(pop.birth[p]!, rng);
    errors.push('birth_date:wrong');
  }
  let village = pop.regVillage[p]!;
  if (rng.next() < 0.5) {
    village = otherVillageNear(w, village, rng);
    errors.push('village:other');
  }
  const registered = Math.min(w.asOfDay, pop.regDay[p]! + 30 + rng.int(700));
  const out = w.out;
  out.begin('registry/persons');
  out.int(key);
  out.empty();
  out.optText(idNumber);
  out.text(name);
  out.word(SEX, pop.sex[p]!);
  if (wrongBirthDate === null) out.date(pop.birth[p]!);
  else out.text(wrongBirthDate);
  if (rng.next() < 0.5) out.word(w.ethnicities, pop.ethnicity[p]!);
  else out.empty();
  out.word(HUKOU, pop.hukou[p]!);
  out.word(MARITAL, pop.regMarital[p]!);
  out.optText(rng.next() < 0.3 ? phone : null);
  for (let i = 0; i < 5; i++) out.empty();
  out.village(village);
  out.word(RESIDENCE, pop.regResidence[p]!);
  out.word(REGISTRY_STATUS, REG_ACTIVE);
  out.empty();
  out.date(registered);
  out.word(SOURCES, SOURCE.villageReport);
  out.end();
  out.begin('registry/residence_spells');
  out.int(w.nextRegistrySpell++);
  out.int(key);
  out.empty();
  out.village(village);
  out.word(RESIDENCE, pop.regResidence[p]!);
  out.date(registered);
  out.empty();
  out.end();
  writeRegistryLink(w, key, p, true, errors.join(';'));
}
