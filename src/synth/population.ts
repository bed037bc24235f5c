/**
 * The simulated population as a struct of typed arrays: one slot per person ever simulated
 * (including outside spouses who never live here), one per household. A million people over ten
 * years is a few hundred megabytes of flat arrays and no per-person objects.
 */

export const NONE = -1;
/** "No date": later than any real day. */
export const NO_DAY = 2_147_483_647;

export const MALE = 1;
export const FEMALE = 2;

/** Residence types, as DESIGN.md names them; index 0 = not living in the county. */
export const RESIDENCE_TYPES = ['', 'registered', 'resident', 'inflow', 'outflow'] as const;
export const REGISTERED = 1;
export const RESIDENT = 2;
export const INFLOW = 3;
export const OUTFLOW = 4;

export const MARITAL_STATUSES = ['', 'single', 'married', 'divorced', 'widowed'] as const;
export const SINGLE = 1;
export const MARRIED = 2;
export const DIVORCED = 3;
export const WIDOWED = 4;

export const HUKOU_TYPES = ['', 'rural', 'urban'] as const;
export const RURAL = 1;
export const URBAN = 2;

/** How a person came into the simulation. */
export const ORIGINS = ['', 'initial', 'birth', 'move_in', 'external'] as const;
export const ORIGIN_INITIAL = 1;
export const ORIGIN_BIRTH = 2;
export const ORIGIN_MOVE_IN = 3;
export const ORIGIN_EXTERNAL = 4;

export const EXIT_REASONS = ['', 'death', 'move_out'] as const;
export const EXIT_DEATH = 1;
export const EXIT_MOVE_OUT = 2;

/** Registry status of a person record. */
export const REG_STATUSES = ['', 'active', 'dead', 'moved_out'] as const;
export const REG_ACTIVE = 1;
export const REG_DEAD = 2;
export const REG_MOVED_OUT = 3;

type Growable = Int32Array | Uint8Array | Uint16Array;

function grow<T extends Growable>(array: T, capacity: number, fill?: number): T {
  const next = new (array.constructor as new (n: number) => T)(capacity);
  next.set(array);
  if (fill !== undefined) next.fill(fill, array.length);
  return next;
}

export class Population {
  count = 0;
  capacity: number;

  // The true person.
  sex: Uint8Array;
  birth: Int32Array;
  death: Int32Array;
  /** Day the person entered the county's population (start, birth, arrival); NO_DAY for outsiders. */
  entry: Int32Array;
  exit: Int32Array;
  exitReason: Uint8Array;
  origin: Uint8Array;
  /** 1 while the person is alive and lives in (or is registered in) the county. */
  present: Uint8Array;
  mother: Int32Array;
  father: Int32Array;
  spouse: Int32Array;
  /** Live births so far (women). */
  parity: Uint8Array;
  lastBirth: Int32Array;
  birthOrder: Uint8Array;
  household: Int32Array;
  /** Next and previous member of the same household (a doubly linked list). */
  hhNext: Int32Array;
  hhPrev: Int32Array;
  village: Int32Array;
  residence: Uint8Array;
  hukou: Uint8Array;
  marital: Uint8Array;
  ethnicity: Uint8Array;
  surname: Uint16Array;
  /** Index into SynthCounty.areaCodes of the county that issued the ID number. */
  area: Uint16Array;
  sequence: Uint16Array;
  /** Start of the current true residence spell. */
  spellStart: Int32Array;
  names: string[] = [];
  idNumbers: (string | undefined)[] = [];

  // The registry's view of the person (what reported events told it).
  regKey: Int32Array;
  regDay: Int32Array;
  regVillage: Int32Array;
  regResidence: Uint8Array;
  regHousehold: Int32Array;
  regSpellStart: Int32Array;
  regStatus: Uint8Array;
  regDeath: Int32Array;
  regMarital: Uint8Array;
  regSpouse: Int32Array;
  /** Where the registry learned of the person (vocab SOURCES). */
  regSource: Uint8Array;

  constructor(capacity: number) {
    this.capacity = Math.max(16, capacity);
    const n = this.capacity;
    this.sex = new Uint8Array(n);
    this.birth = new Int32Array(n);
    this.death = new Int32Array(n).fill(NO_DAY);
    this.entry = new Int32Array(n).fill(NO_DAY);
    this.exit = new Int32Array(n).fill(NO_DAY);
    this.exitReason = new Uint8Array(n);
    this.origin = new Uint8Array(n);
    this.present = new Uint8Array(n);
    this.mother = new Int32Array(n).fill(NONE);
    this.father = new Int32Array(n).fill(NONE);
    this.spouse = new Int32Array(n).fill(NONE);
    this.parity = new Uint8Array(n);
    this.lastBirth = new Int32Array(n).fill(-NO_DAY);
    this.birthOrder = new Uint8Array(n);
    this.household = new Int32Array(n).fill(NONE);
    this.hhNext = new Int32Array(n).fill(NONE);
    this.hhPrev = new Int32Array(n).fill(NONE);
    this.village = new Int32Array(n).fill(NONE);
    this.residence = new Uint8Array(n);
    this.hukou = new Uint8Array(n);
    this.marital = new Uint8Array(n);
    this.ethnicity = new Uint8Array(n);
    this.surname = new Uint16Array(n);
    this.area = new Uint16Array(n);
    this.sequence = new Uint16Array(n);
    this.spellStart = new Int32Array(n);
    this.regKey = new Int32Array(n);
    this.regDay = new Int32Array(n);
    this.regVillage = new Int32Array(n).fill(NONE);
    this.regResidence = new Uint8Array(n);
    this.regHousehold = new Int32Array(n).fill(NONE);
    this.regSpellStart = new Int32Array(n);
    this.regStatus = new Uint8Array(n);
    this.regDeath = new Int32Array(n).fill(NO_DAY);
    this.regMarital = new Uint8Array(n);
    this.regSpouse = new Int32Array(n).fill(NONE);
    this.regSource = new Uint8Array(n);
  }

  private ensure(n: number) {
    if (n <= this.capacity) return;
    let capacity = this.capacity;
    while (capacity < n) capacity = Math.ceil(capacity * 1.5);
    this.sex = grow(this.sex, capacity);
    this.birth = grow(this.birth, capacity);
    this.death = grow(this.death, capacity, NO_DAY);
    this.entry = grow(this.entry, capacity, NO_DAY);
    this.exit = grow(this.exit, capacity, NO_DAY);
    this.exitReason = grow(this.exitReason, capacity);
    this.origin = grow(this.origin, capacity);
    this.present = grow(this.present, capacity);
    this.mother = grow(this.mother, capacity, NONE);
    this.father = grow(this.father, capacity, NONE);
    this.spouse = grow(this.spouse, capacity, NONE);
    this.parity = grow(this.parity, capacity);
    this.lastBirth = grow(this.lastBirth, capacity, -NO_DAY);
    this.birthOrder = grow(this.birthOrder, capacity);
    this.household = grow(this.household, capacity, NONE);
    this.hhNext = grow(this.hhNext, capacity, NONE);
    this.hhPrev = grow(this.hhPrev, capacity, NONE);
    this.village = grow(this.village, capacity, NONE);
    this.residence = grow(this.residence, capacity);
    this.hukou = grow(this.hukou, capacity);
    this.marital = grow(this.marital, capacity);
    this.ethnicity = grow(this.ethnicity, capacity);
    this.surname = grow(this.surname, capacity);
    this.area = grow(this.area, capacity);
    this.sequence = grow(this.sequence, capacity);
    this.spellStart = grow(this.spellStart, capacity);
    this.regKey = grow(this.regKey, capacity);
    this.regDay = grow(this.regDay, capacity);
    this.regVillage = grow(this.regVillage, capacity, NONE);
    this.regResidence = grow(this.regResidence, capacity);
    this.regHousehold = grow(this.regHousehold, capacity, NONE);
    this.regSpellStart = grow(this.regSpellStart, capacity);
    this.regStatus = grow(this.regStatus, capacity);
    this.regDeath = grow(this.regDeath, capacity, NO_DAY);
    this.regMarital = grow(this.regMarital, capacity);
    this.regSpouse = grow(this.regSpouse, capacity, NONE);
    this.regSource = grow(this.regSource, capacity);
    this.capacity = capacity;
  }

  /** A new person slot with the given sex and birth day; everything else empty. */
  add(sex: number, birth: number): number {
    const i = this.count;
    this.ensure(i + 1);
    this.count = i + 1;
    this.sex[i] = sex;
    this.birth[i] = birth;
    this.names.push('');
    this.idNumbers.push(undefined);
    return i;
  }
}

/** Households as the simulation knows them: a village, a head and a linked list of members. */
export class Households {
  count = 0;
  capacity: number;
  village: Int32Array;
  head: Int32Array;
  first: Int32Array;
  size: Int32Array;
  hukou: Uint8Array;
  /**
   * The 户号 as issued: village index × 100,000 + the household's number in that village. It stays
   * with the household when the household moves, so two households never share one 户号.
   */
  number: Int32Array;
  created: Int32Array;
  /** The village the registry has for the household (moves reach it late or never). */
  regVillage: Int32Array;
  private nextNumber: Int32Array;

  constructor(capacity: number, villages: number) {
    this.capacity = Math.max(16, capacity);
    const n = this.capacity;
    this.village = new Int32Array(n).fill(NONE);
    this.head = new Int32Array(n).fill(NONE);
    this.first = new Int32Array(n).fill(NONE);
    this.size = new Int32Array(n);
    this.hukou = new Uint8Array(n);
    this.number = new Int32Array(n);
    this.created = new Int32Array(n);
    this.regVillage = new Int32Array(n).fill(NONE);
    this.nextNumber = new Int32Array(villages);
  }

  private ensure(n: number) {
    if (n <= this.capacity) return;
    let capacity = this.capacity;
    while (capacity < n) capacity = Math.ceil(capacity * 1.5);
    this.village = grow(this.village, capacity, NONE);
    this.head = grow(this.head, capacity, NONE);
    this.first = grow(this.first, capacity, NONE);
    this.size = grow(this.size, capacity);
    this.hukou = grow(this.hukou, capacity);
    this.number = grow(this.number, capacity);
    this.created = grow(this.created, capacity);
    this.regVillage = grow(this.regVillage, capacity, NONE);
    this.capacity = capacity;
  }

  /** A new, empty household in a village. */
  add(village: number, hukou: number, created: number): number {
    const h = this.count;
    this.ensure(h + 1);
    this.count = h + 1;
    this.village[h] = village;
    this.regVillage[h] = village;
    this.hukou[h] = hukou;
    this.created[h] = created;
    this.nextNumber[village] = (this.nextNumber[village] ?? 0) + 1;
    this.number[h] = village * 100_000 + this.nextNumber[village]!;
    return h;
  }
}

/** Puts a person into a household (taking them out of any other). */
export function joinHousehold(pop: Population, hh: Households, person: number, household: number) {
  leaveHousehold(pop, hh, person);
  const first = hh.first[household]!;
  pop.household[person] = household;
  pop.hhPrev[person] = NONE;
  pop.hhNext[person] = first;
  if (first !== NONE) pop.hhPrev[first] = person;
  hh.first[household] = person;
  hh.size[household] = hh.size[household]! + 1;
  if (hh.head[household] === NONE) hh.head[household] = person;
}

/**
 * Takes a person out of their household; a head is succeeded by the spouse, else the oldest
 * member. The person keeps `household` as their last household for the record.
 */
export function leaveHousehold(pop: Population, hh: Households, person: number) {
  const h = pop.household[person]!;
  if (h === NONE || (hh.first[h] !== person && pop.hhPrev[person] === NONE)) return;
  const prev = pop.hhPrev[person]!;
  const next = pop.hhNext[person]!;
  if (prev !== NONE) pop.hhNext[prev] = next;
  else hh.first[h] = next;
  if (next !== NONE) pop.hhPrev[next] = prev;
  pop.hhPrev[person] = NONE;
  pop.hhNext[person] = NONE;
  hh.size[h] = hh.size[h]! - 1;
  if (hh.head[h] === person) hh.head[h] = chooseHead(pop, hh, h, pop.spouse[person]!);
}

function chooseHead(pop: Population, hh: Households, h: number, spouse: number): number {
  if (spouse !== NONE && pop.household[spouse] === h && isMember(pop, hh, h, spouse)) return spouse;
  let best = NONE;
  for (let m = hh.first[h]!; m !== NONE; m = pop.hhNext[m]!) {
    if (best === NONE || pop.birth[m]! < pop.birth[best]!) best = m;
  }
  return best;
}

function isMember(pop: Population, hh: Households, h: number, person: number): boolean {
  return hh.first[h] === person || pop.hhPrev[person] !== NONE;
}
