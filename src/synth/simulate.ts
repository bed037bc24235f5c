import { ageOnDay, dayOf, yearOf } from './calendar.ts';
import { drawOtherArea } from './county.ts';
import {
  writeBirthCertificate,
  writeDeathCertificate,
  writeHukouRecord,
  writeMarriageRegistration,
} from './feeds.ts';
import {
  DIVORCED,
  EXIT_DEATH,
  EXIT_MOVE_OUT,
  FEMALE,
  INFLOW,
  joinHousehold,
  MALE,
  MARRIED,
  NONE,
  ORIGIN_BIRTH,
  ORIGIN_EXTERNAL,
  ORIGIN_MOVE_IN,
  OUTFLOW,
  REGISTERED,
  RESIDENT,
  RURAL,
  SINGLE,
  URBAN,
  WIDOWED,
} from './population.ts';
import { deathRate, fertilityRates, valueForYear } from './rates.ts';
import { AliasTable, type Rng } from './rng.ts';
import { EVENT, HUKOU_BUSINESS } from './vocab.ts';
import type { World } from './world.ts';

const DEATH = 1;
const BIRTH = 2;
const WOMAN_MARRIES = 3;
const MAN_MARRIES_OUTSIDE = 4;
const DIVORCE = 5;
const YOUNG_ADULT_LEAVES = 6;
const TO_OUTFLOW = 7;
const OUTFLOW_RETURNS = 8;
const HUKOU_SETTLES = 9;
const HOUSEHOLD_LEAVES = 10;
const HOUSEHOLD_MOVES = 11;
const ARRIVAL = 12;
const BRIDE_LEAVES = 13;

const DAYS_PER_YEAR = 365.25;

/**
 * Simulates the county year by year as a competing-risks event process: at the start of each year
 * every person draws a candidate day for each event they are at risk of (death, a birth, a
 * marriage, a move…) from its hazard; the candidates go into one queue and are applied in date
 * order, each checked against what happened before it (a woman who died in March has no birth in
 * May). People who arrive or are born during the year draw their candidates on arrival.
 */
export class YearSimulator {
  private readonly w: World;
  private readonly rng: Rng;
  private readonly maxAge: number;
  private year = 0;
  private yStart = 0;
  private yEnd = 0;
  private july1 = 0;
  /** Death hazard by sex (0 male, 1 female) and single age. */
  private deathRates: Float64Array;
  /** Probability of dying within a whole year, same layout. */
  private deathFullYear: Float64Array;
  /** Birth hazard per woman-year by age group (7) × parity class (0, 1, 2+) × married (0/1). */
  private birthRates = new Float64Array(7 * 3 * 2);
  /** This year's age-specific fertility rates, for women who arrive during the year. */
  private asfr: number[] = [];
  private marriageFactor = 1;
  private divorceFactor = 1;
  /** Unmarried men by birth year, for local marriages. */
  private menByYear: number[][] = [];
  /** Age on 1 July of the year (0 for those born later), by birth day − ageBase. */
  private ageByBirthDay = new Int16Array(0);
  private ageBase = 0;
  private menMinYear = 0;
  private readonly arrivalSizes: AliasTable;
  private readonly arrivalTypes: AliasTable;

  constructor(w: World) {
    this.w = w;
    this.rng = w.rngEvents;
    this.maxAge = w.rates.population.maxAge;
    this.deathRates = new Float64Array(2 * (this.maxAge + 1));
    this.deathFullYear = new Float64Array(2 * (this.maxAge + 1));
    this.arrivalSizes = new AliasTable(w.rates.migration.arrivalSizes);
    this.arrivalTypes = new AliasTable(w.rates.migration.arrivalTypes.map(([, share]) => share));
  }

  /** Simulates one calendar year. */
  async runYear(year: number) {
    const w = this.w;
    const pop = w.pop;
    this.prepareYear(year);
    // One pass over everyone: the women at risk of a birth (for the birth hazards), the unmarried
    // men (for local marriages), and every candidate event but births.
    const n = pop.count;
    const minInterval = w.rates.fertility.minIntervalDays;
    const women = new Float64Array(7);
    const eligible = new Float64Array(7 * 3 * 2);
    const span = (this.yEnd - this.yStart) / DAYS_PER_YEAR;
    let mothers = new Int32Array(1024);
    let motherCount = 0;
    let present = 0;
    for (let p = 0; p < n; p++) {
      if (pop.present[p] === 0) continue;
      present++;
      const age = this.ageByBirthDay[pop.birth[p]! - this.ageBase]!;
      if (pop.sex[p] === MALE) {
        if (age >= 20 && age <= 70 && pop.marital[p] !== MARRIED) {
          this.menByYear[yearOf(pop.birth[p]!) - this.menMinYear]?.push(p);
        }
      } else if (age >= 14 && age <= 50) {
        if (motherCount === mothers.length) {
          const grown = new Int32Array(mothers.length * 2);
          grown.set(mothers);
          mothers = grown;
        }
        mothers[motherCount++] = p;
        if (age >= 15 && age <= 49) {
          const g = ((age - 15) / 5) | 0;
          women[g]! += span;
          const from = Math.max(this.yStart, pop.lastBirth[p]! + minInterval);
          if (from < this.yEnd) {
            const cell = (g * 3 + Math.min(2, pop.parity[p]!)) * 2 + (pop.marital[p] === MARRIED ? 1 : 0);
            eligible[cell]! += (this.yEnd - from) / DAYS_PER_YEAR;
          }
        }
      }
      this.drawPersonEvents(p, this.yStart, age, false);
    }
    this.setBirthRates(women, eligible);
    for (let k = 0; k < motherCount; k++) this.drawBirth(mothers[k]!, this.yStart, false);
    const hh = w.hh;
    const migration = w.rates.migration;
    for (let h = 0; h < hh.count; h++) {
      if (hh.size[h]! === 0) continue;
      const head = hh.head[h]!;
      const inflow = pop.residence[head] === INFLOW || pop.residence[head] === RESIDENT;
      const leave = this.drawDay(inflow ? migration.inflowLeaves : migration.householdOut, this.yStart);
      if (leave >= 0) w.queue.push(leave, HOUSEHOLD_LEAVES, h);
      const move = this.drawDay(migration.householdBetweenVillages, this.yStart);
      if (move >= 0) w.queue.push(move, HOUSEHOLD_MOVES, h);
    }
    const sizes = migration.arrivalSizes;
    let meanSize = 0;
    let total = 0;
    for (let k = 0; k < sizes.length; k++) {
      meanSize += (k + 1) * sizes[k]!;
      total += sizes[k]!;
    }
    meanSize /= total;
    const arrivals = this.rng.poisson((migration.arrivals * present) / meanSize);
    for (let k = 0; k < arrivals; k++) {
      w.queue.push(this.yStart + this.rng.int(this.yEnd - this.yStart), ARRIVAL, 0);
    }
    let applied = 0;
    while (w.queue.peekDay() < this.yEnd) {
      w.queue.pop();
      this.apply(w.queue.lastKind, w.queue.lastSubject, w.queue.lastDay);
      if ((++applied & 0x7fff) === 0) await w.drain();
    }
  }

  private prepareYear(year: number) {
    const rates = this.w.rates;
    this.year = year;
    this.yStart = dayOf(year, 1, 1);
    this.yEnd = dayOf(year + 1, 1, 1);
    this.july1 = dayOf(year, 7, 1);
    const span = (this.yEnd - this.yStart) / DAYS_PER_YEAR;
    for (let s = 0; s < 2; s++) {
      for (let a = 0; a <= this.maxAge; a++) {
        const m = deathRate(rates, s === 0 ? 'male' : 'female', a, year);
        this.deathRates[s * (this.maxAge + 1) + a] = m;
        this.deathFullYear[s * (this.maxAge + 1) + a] = 1 - Math.exp(-m * span);
      }
    }
    this.marriageFactor = valueForYear(rates.marriage.byYear, year);
    this.divorceFactor = valueForYear(rates.divorce.byYear, year);
    // Everyone alive was born after 1880 and before the end of the year.
    this.ageBase = dayOf(1880, 1, 1);
    this.ageByBirthDay = new Int16Array(this.yEnd - this.ageBase);
    for (let d = 0; d < this.ageByBirthDay.length; d++) {
      this.ageByBirthDay[d] = Math.max(0, ageOnDay(this.ageBase + d, this.july1));
    }
    this.menMinYear = year - 71;
    this.menByYear = Array.from({ length: 52 }, () => []);
  }

  /**
   * Birth hazards by age group, parity and marriage, normalised on the women at risk so that each
   * group gets its age-specific rate and each birth order its configured share.
   */
  private setBirthRates(women: Float64Array, eligible: Float64Array) {
    const rates = this.w.rates;
    const asfr = fertilityRates(rates, this.year);
    this.asfr = asfr;
    const lambda = rates.fertility.unmarriedWeight;
    for (let g = 0; g < 7; g++) {
      const shares = rates.fertility.orderShares[g]!;
      const wanted = asfr[g]! * women[g]!;
      let lost = 0;
      const base = new Float64Array(3);
      for (let c = 0; c < 3; c++) {
        const births = wanted * shares[c]!;
        const exposure = eligible[(g * 3 + c) * 2 + 1]! + lambda * eligible[(g * 3 + c) * 2]!;
        if (exposure <= 0) {
          lost += births;
          continue;
        }
        base[c] = births / exposure;
      }
      // Births a parity class cannot take (no woman in it) go to the other classes of the group.
      const scale = lost > 0 && wanted > lost ? wanted / (wanted - lost) : 1;
      for (let c = 0; c < 3; c++) {
        const married = Math.min(0.9, base[c]! * scale);
        this.birthRates[(g * 3 + c) * 2 + 1] = married;
        this.birthRates[(g * 3 + c) * 2] = Math.min(0.9, married * lambda);
      }
    }
  }

  /** A candidate day for an event of yearly hazard `rate` in [from, end of year), or -1. */
  private drawDay(rate: number, from: number): number {
    if (rate <= 0) return -1;
    const span = (this.yEnd - from) / DAYS_PER_YEAR;
    const u = this.rng.next();
    // 1 − e^(−x) ≤ x: most draws are ruled out without computing the exponential.
    const x = rate * span;
    if (u >= x || u >= 1 - Math.exp(-x)) return -1;
    return from + Math.floor((-Math.log(1 - u) / rate) * DAYS_PER_YEAR);
  }

  /** Draws a newcomer's candidate events (births included) for the rest of the year from `day`. */
  private drawNewcomerEvents(p: number, day: number) {
    const age = this.ageByBirthDay[this.w.pop.birth[p]! - this.ageBase]!;
    this.drawPersonEvents(p, day, age, true);
  }

  /** Draws the person's candidate events for the rest of the year from `from`; `age` is on 1 July. */
  private drawPersonEvents(p: number, from: number, age: number, withBirth: boolean) {
    const w = this.w;
    const pop = w.pop;
    const rates = w.rates;
    const queue = w.queue;
    if (from >= this.yEnd) return;
    const sex = pop.sex[p]!;
    const index = (sex === MALE ? 0 : this.maxAge + 1) + Math.min(age, this.maxAge);
    const m = this.deathRates[index]!;
    const u = this.rng.next();
    const q =
      from === this.yStart
        ? this.deathFullYear[index]!
        : 1 - Math.exp((-m * (this.yEnd - from)) / DAYS_PER_YEAR);
    if (u < q) queue.push(from + Math.floor((-Math.log(1 - u) / m) * DAYS_PER_YEAR), DEATH, p);
    if (age < 14 || age > 75) return;

    const marital = pop.marital[p]!;
    const group = Math.min(7, Math.max(0, ((age - 15) / 5) | 0));
    if (sex === FEMALE) {
      if (withBirth && age <= 50) this.drawBirth(p, from, true);
      if (marital !== MARRIED) {
        const table = marital === SINGLE ? rates.marriage.femaleFirst : rates.marriage.femaleRemarriage;
        const day = this.drawDay((table[group] ?? 0) * this.marriageFactor, from);
        if (day >= 0) queue.push(day, WOMAN_MARRIES, p);
      } else if (pop.spouse[p]! !== NONE) {
        const day = this.drawDay(rates.divorce.perCouple * this.divorceFactor, from);
        if (day >= 0) queue.push(day, DIVORCE, p);
      }
    } else if (marital === SINGLE) {
      const day = this.drawDay((rates.marriage.maleOutsideBride[group] ?? 0) * this.marriageFactor, from);
      if (day >= 0) queue.push(day, MAN_MARRIES_OUTSIDE, p);
    }
    if (age < 18) return;
    const residence = pop.residence[p]!;
    const migration = rates.migration;
    if (marital === SINGLE && age <= 29 && (residence === REGISTERED || residence === OUTFLOW)) {
      const day = this.drawDay(migration.youngAdultOut, from);
      if (day >= 0) queue.push(day, YOUNG_ADULT_LEAVES, p);
    }
    if (residence === REGISTERED && age <= 45) {
      const day = this.drawDay(migration.toOutflow, from);
      if (day >= 0) queue.push(day, TO_OUTFLOW, p);
    } else if (residence === OUTFLOW) {
      const day = this.drawDay(migration.outflowReturns, from);
      if (day >= 0) queue.push(day, OUTFLOW_RETURNS, p);
    } else if (residence === RESIDENT) {
      const day = this.drawDay(migration.hukouSettles, from);
      if (day >= 0) queue.push(day, HUKOU_SETTLES, p);
    }
  }

  /**
   * A woman's one candidate birth of the year: a day drawn uniformly over the part of the year she
   * can give birth in, accepted with her hazard at her age on that day times that part's length.
   * A woman who arrives during the year was not in the year's normalisation: she gets the plain
   * age-specific rate, so arrivals neither add to nor take from the configured fertility.
   */
  private drawBirth(p: number, from: number, newcomer: boolean) {
    const pop = this.w.pop;
    const start = Math.max(from, pop.lastBirth[p]! + this.w.rates.fertility.minIntervalDays);
    if (start >= this.yEnd) return;
    const span = this.yEnd - start;
    const day = start + Math.floor(this.rng.next() * span);
    const u = this.rng.next();
    const age = ageOnDay(pop.birth[p]!, day);
    if (age < 15 || age > 49) return;
    const group = ((age - 15) / 5) | 0;
    const rate = newcomer
      ? this.asfr[group]!
      : this.birthRates[
          (group * 3 + Math.min(2, pop.parity[p]!)) * 2 + (pop.marital[p] === MARRIED ? 1 : 0)
        ]!;
    if (u < (rate * span) / DAYS_PER_YEAR) this.w.queue.push(day, BIRTH, p);
  }

  private apply(kind: number, subject: number, day: number) {
    switch (kind) {
      case DEATH:
        return this.applyDeath(subject, day);
      case BIRTH:
        return this.applyBirth(subject, day);
      case WOMAN_MARRIES:
        return this.applyWomanMarries(subject, day);
      case MAN_MARRIES_OUTSIDE:
        return this.applyManMarriesOutside(subject, day);
      case DIVORCE:
        return this.applyDivorce(subject, day);
      case YOUNG_ADULT_LEAVES:
        return this.applyYoungAdultLeaves(subject, day);
      case TO_OUTFLOW:
        return this.applyResidenceType(subject, day, REGISTERED, OUTFLOW);
      case OUTFLOW_RETURNS:
        return this.applyResidenceType(subject, day, OUTFLOW, REGISTERED);
      case HUKOU_SETTLES:
        return this.applyResidenceType(subject, day, RESIDENT, REGISTERED);
      case HOUSEHOLD_LEAVES:
        return this.applyHouseholdLeaves(subject, day);
      case HOUSEHOLD_MOVES:
        return this.applyHouseholdMoves(subject, day);
      case ARRIVAL:
        return this.applyArrival(day);
      case BRIDE_LEAVES:
        return this.applyBrideLeaves(subject, day);
    }
  }

  /** The registry's report day, no earlier than the person's own registration. */
  private reportFor(p: number, report: number): number {
    return Math.max(report, this.w.pop.regDay[p]!);
  }

  private hukouHere(p: number): boolean {
    const residence = this.w.pop.residence[p]!;
    return residence === REGISTERED || residence === OUTFLOW;
  }

  private applyDeath(p: number, day: number) {
    const w = this.w;
    const pop = w.pop;
    if (pop.present[p] === 0) return;
    w.stats.deaths++;
    const report = w.registryReportDay(w.rates.reporting.death, day);
    const reported = report >= 0 && w.inRegistry(p);
    const key = reported
      ? w.writeRegistryEvent(EVENT.death, p, NONE, day, this.reportFor(p, report), pop.regVillage[p]!)
      : 0;
    w.writeTruthEvent(EVENT.death, p, NONE, day, pop.village[p]!, key);
    // A death away from the county (outflow) gets its certificate where it happened.
    if (pop.residence[p] !== OUTFLOW) writeDeathCertificate(w, p, day);
    if (this.hukouHere(p)) writeHukouRecord(w, HUKOU_BUSINESS.death, p, day, null);
    const s = pop.spouse[p]!;
    if (s !== NONE && pop.spouse[s] === p) {
      pop.marital[s] = WIDOWED;
      pop.spouse[s] = NONE;
      if (reported && w.inRegistry(s) && pop.regSpouse[s] === p) {
        pop.regMarital[s] = WIDOWED;
        pop.regSpouse[s] = NONE;
      }
    }
    w.exitPerson(p, day, EXIT_DEATH, reported);
  }

  private applyBirth(mother: number, day: number) {
    const w = this.w;
    const pop = w.pop;
    const rates = w.rates;
    if (pop.present[mother] === 0) return;
    if (day - pop.lastBirth[mother]! < rates.fertility.minIntervalDays) return;
    const srb = rates.fertility.sexRatioAtBirth;
    const sex = this.rng.next() < srb / (100 + srb) ? MALE : FEMALE;
    const father = pop.marital[mother] === MARRIED ? pop.spouse[mother]! : NONE;
    const residence = pop.residence[mother]!;
    const away = residence === INFLOW || residence === RESIDENT;
    const surname = father !== NONE && this.rng.next() < 0.96 ? pop.surname[father]! : pop.surname[mother]!;
    const child = w.newPerson(sex, day, away ? pop.area[mother]! : 0, surname, this.rng);
    pop.origin[child] = ORIGIN_BIRTH;
    pop.mother[child] = mother;
    pop.father[child] = father;
    pop.parity[mother] = pop.parity[mother]! + 1;
    pop.lastBirth[mother] = day;
    pop.birthOrder[child] = pop.parity[mother]!;
    pop.hukou[child] = pop.hukou[mother]!;
    pop.ethnicity[child] = pop.ethnicity[mother]!;
    pop.marital[child] = SINGLE;
    let household = w.isMember(mother) ? pop.household[mother]! : NONE;
    if (household === NONE) {
      household = w.hh.add(pop.village[mother]!, pop.hukou[mother]!, day);
      joinHousehold(pop, w.hh, mother, household);
    }
    w.enter(child, day, pop.village[mother]!, residence, household);
    w.stats.births++;

    const reporting = rates.reporting;
    const never =
      residence === OUTFLOW
        ? reporting.birthOutflowNever
        : away
          ? reporting.birthInflowNever
          : reporting.birth.never;
    const report = w.registryReportDay(reporting.birth, day, never);
    let key = 0;
    if (report >= 0) {
      const source = w.drawRegistrySource();
      w.register(child, report, day, source);
      key = w.writeRegistryEvent(
        EVENT.birth,
        child,
        mother,
        day,
        report,
        pop.village[child]!,
        {
          motherKey: w.inRegistry(mother) ? pop.regKey[mother]! : 0,
          fatherKey: father !== NONE && w.inRegistry(father) ? pop.regKey[father]! : 0,
          birthOrder: pop.birthOrder[child]!,
        },
        source,
      );
    }
    w.writeTruthEvent(EVENT.birth, child, mother, day, pop.village[child]!, key, {
      birthOrder: pop.birthOrder[child]!,
    });
    // Outflow mothers give birth where they live, in another county's hospital.
    if (residence !== OUTFLOW) writeBirthCertificate(w, child, mother, day);
    if (!away) writeHukouRecord(w, HUKOU_BUSINESS.birth, child, day, null);
    this.drawNewcomerEvents(child, day);
  }

  /** A person from another county: a spouse who moves in, or one who stays away. */
  private createOutsider(
    sex: number,
    birthYear: number,
    minAge: number,
    day: number,
    origin: number,
  ): number {
    const w = this.w;
    const pop = w.pop;
    const rng = this.rng;
    let birth = dayOf(birthYear, 1, 1) + rng.int(365);
    const latest = dayOf(yearOf(day) - minAge, 1, 1) - 1;
    if (birth > latest) birth = latest - rng.int(365);
    const area = drawOtherArea(w.county, rng, w.rates.migration.origin);
    const p = w.newPerson(sex, birth, area, w.names.drawSurname(rng), rng);
    pop.origin[p] = origin;
    pop.marital[p] = rng.next() < 0.9 ? SINGLE : DIVORCED;
    pop.hukou[p] = rng.next() < w.rates.migration.arrivalsUrban ? URBAN : RURAL;
    pop.ethnicity[p] = w.drawEthnicity(rng);
    return p;
  }

  private findLocalMan(woman: number, day: number): number {
    const pop = this.w.pop;
    const rates = this.w.rates;
    const target =
      yearOf(pop.birth[woman]!) -
      Math.round(rates.marriage.ageGapMean + rates.marriage.ageGapSd * this.rng.normal());
    for (let d = 0; d <= 3; d++) {
      for (const year of d === 0 ? [target] : [target - d, target + d]) {
        const bucket = this.menByYear[year - this.menMinYear];
        if (!bucket) continue;
        for (let tries = 0; tries < 3 && bucket.length > 0; tries++) {
          const at = this.rng.int(bucket.length);
          const man = bucket[at]!;
          if (pop.present[man] === 0 || pop.marital[man] === MARRIED) {
            bucket[at] = bucket[bucket.length - 1]!;
            bucket.pop();
            continue;
          }
          const related =
            man === pop.father[woman] ||
            (pop.mother[man] !== NONE && pop.mother[man] === pop.mother[woman]) ||
            (pop.father[man] !== NONE && pop.father[man] === pop.father[woman]);
          if (!related && ageOnDay(pop.birth[man]!, day) >= 22) return man;
        }
      }
    }
    return NONE;
  }

  private marry(husband: number, wife: number) {
    const pop = this.w.pop;
    pop.spouse[husband] = wife;
    pop.spouse[wife] = husband;
    pop.marital[husband] = MARRIED;
    pop.marital[wife] = MARRIED;
  }

  /** Records a marriage in the registry (if it reached it), the truth and the civil-affairs feed. */
  private recordMarriage(husband: number, wife: number, day: number, report: number, feed: boolean) {
    const w = this.w;
    const pop = w.pop;
    let key = 0;
    if (report >= 0 && (w.inRegistry(wife) || w.inRegistry(husband))) {
      const person = w.inRegistry(wife) ? wife : husband;
      const other = person === wife ? husband : wife;
      key = w.writeRegistryEvent(
        EVENT.marriage,
        person,
        other,
        day,
        this.reportFor(person, report),
        pop.regVillage[person]!,
      );
      for (const [x, y] of [
        [wife, husband],
        [husband, wife],
      ] as const) {
        if (!w.inRegistry(x)) continue;
        pop.regMarital[x] = MARRIED;
        pop.regSpouse[x] = y;
      }
    }
    const village = pop.present[wife] === 1 ? pop.village[wife]! : pop.village[husband]!;
    w.writeTruthEvent(EVENT.marriage, wife, husband, day, village, key);
    if (feed) writeMarriageRegistration(w, 'marriage', husband, wife, day);
    w.stats.marriages++;
  }

  /**
   * Moves a person (and the children under 18 living with them) into another household, writing
   * a residence change when the village changes.
   */
  private moveIntoHousehold(p: number, day: number, household: number, report: number) {
    const w = this.w;
    const pop = w.pop;
    const village = w.hh.village[household]!;
    const oldHousehold = w.isMember(p) ? pop.household[p]! : NONE;
    const movers = [p];
    if (oldHousehold !== NONE && pop.sex[p] === FEMALE) {
      for (let m = w.hh.first[oldHousehold]!; m !== NONE; m = pop.hhNext[m]!) {
        if (pop.mother[m] === p && ageOnDay(pop.birth[m]!, day) < 18) movers.push(m);
      }
    }
    for (const m of movers) {
      const from = pop.village[m]!;
      const reported = report >= 0 && w.inRegistry(m);
      if (from !== village) {
        const fromCode = w.county.villages[from]!.code;
        const toCode = w.county.villages[village]!.code;
        const key = reported
          ? w.writeRegistryEvent(
              EVENT.residence_change,
              m,
              NONE,
              day,
              this.reportFor(m, report),
              pop.regVillage[m]!,
              {
                fromCode,
                toCode,
              },
            )
          : 0;
        w.writeTruthEvent(EVENT.residence_change, m, NONE, day, from, key, { fromCode, toCode });
        w.stats.betweenVillages++;
      }
      w.changeResidence(m, day, village, pop.residence[m]!, household, reported);
    }
  }

  private applyWomanMarries(wife: number, day: number) {
    const w = this.w;
    const pop = w.pop;
    const rates = w.rates;
    if (pop.present[wife] === 0 || pop.marital[wife] === MARRIED) return;
    if (ageOnDay(pop.birth[wife]!, day) < 20) return;
    let husband = this.rng.next() < rates.marriage.localShare ? this.findLocalMan(wife, day) : NONE;
    const report = w.registryReportDay(rates.reporting.marriage, day);
    if (husband !== NONE) {
      this.marry(husband, wife);
      const urban = pop.hukou[husband] === URBAN;
      const own =
        this.rng.next() < (urban ? rates.marriage.newHousehold.urban : rates.marriage.newHousehold.rural);
      let household = w.isMember(husband) ? pop.household[husband]! : NONE;
      if (own || household === NONE) {
        const village =
          this.rng.next() < 0.7 ? pop.village[husband]! : w.county.villageTable.sample(this.rng);
        household = w.hh.add(village, pop.hukou[husband]!, day);
        this.moveIntoHousehold(husband, day, household, report);
      }
      this.moveIntoHousehold(wife, day, household, report);
      this.recordMarriage(husband, wife, day, report, true);
      return;
    }
    const birthYear =
      yearOf(pop.birth[wife]!) -
      Math.round(rates.marriage.ageGapMean + rates.marriage.ageGapSd * this.rng.normal());
    if (this.rng.next() < rates.marriage.outsideMovesIn) {
      // He moves in: an arrival into her household or a new one in her village.
      husband = this.createOutsider(MALE, birthYear, 22, day, ORIGIN_MOVE_IN);
      this.marry(husband, wife);
      let household = w.isMember(wife) ? pop.household[wife]! : NONE;
      const own = household === NONE || this.rng.next() < 0.3;
      if (own) household = w.hh.add(pop.village[wife]!, pop.hukou[wife]!, day);
      pop.hukou[husband] = pop.hukou[wife]!;
      const residence = this.rng.next() < rates.marriage.husbandHukouMovesIn ? REGISTERED : INFLOW;
      this.arrive(
        husband,
        day,
        pop.village[wife]!,
        residence,
        household,
        this.w.registryReportDay(rates.reporting.move_in, day),
      );
      if (own) this.moveIntoHousehold(wife, day, household, report);
      this.recordMarriage(husband, wife, day, report, true);
      this.drawNewcomerEvents(husband, day);
      return;
    }
    // She marries out: her hukou follows her to his county a few weeks or months later.
    husband = this.createOutsider(MALE, birthYear, 22, day, ORIGIN_EXTERNAL);
    this.marry(husband, wife);
    const elsewhere = w.rngMarriageFeed.next() < rates.feeds.marriageRegistrations.registeredElsewhere;
    this.recordMarriage(husband, wife, day, report, !elsewhere);
    w.queue.push(day + 15 + Math.floor(this.rng.exponential(60)), BRIDE_LEAVES, wife);
  }

  private applyManMarriesOutside(husband: number, day: number) {
    const w = this.w;
    const pop = w.pop;
    const rates = w.rates;
    if (pop.present[husband] === 0 || pop.marital[husband] !== SINGLE) return;
    if (ageOnDay(pop.birth[husband]!, day) < 22) return;
    const birthYear =
      yearOf(pop.birth[husband]!) +
      Math.round(rates.marriage.ageGapMean + rates.marriage.ageGapSd * this.rng.normal());
    const wife = this.createOutsider(FEMALE, birthYear, 20, day, ORIGIN_MOVE_IN);
    this.marry(husband, wife);
    const report = w.registryReportDay(rates.reporting.marriage, day);
    const urban = pop.hukou[husband] === URBAN;
    let household = w.isMember(husband) ? pop.household[husband]! : NONE;
    if (
      household === NONE ||
      this.rng.next() < (urban ? rates.marriage.newHousehold.urban : rates.marriage.newHousehold.rural)
    ) {
      household = w.hh.add(pop.village[husband]!, pop.hukou[husband]!, day);
      this.moveIntoHousehold(husband, day, household, report);
    }
    pop.hukou[wife] = pop.hukou[husband]!;
    const residence = this.rng.next() < rates.marriage.brideHukouMovesIn ? REGISTERED : INFLOW;
    this.arrive(
      wife,
      day,
      w.hh.village[household]!,
      residence,
      household,
      w.registryReportDay(rates.reporting.move_in, day),
    );
    this.recordMarriage(husband, wife, day, report, true);
    this.drawNewcomerEvents(wife, day);
  }

  /** A person arriving from another county (their area code says where from). */
  private arrive(
    p: number,
    day: number,
    village: number,
    residence: number,
    household: number,
    report: number,
  ) {
    const w = this.w;
    const pop = w.pop;
    w.enter(p, day, village, residence, household);
    pop.origin[p] = ORIGIN_MOVE_IN;
    w.stats.moveIns++;
    const fromCode = w.county.areaCodes[pop.area[p]!]!;
    const toCode = w.county.villages[village]!.code;
    let key = 0;
    if (report >= 0) {
      const source = w.drawRegistrySource();
      w.register(p, report, day, source);
      key = w.writeRegistryEvent(
        EVENT.move_in,
        p,
        NONE,
        day,
        report,
        village,
        { fromCode, toCode, toType: residence },
        source,
      );
    }
    w.writeTruthEvent(EVENT.move_in, p, NONE, day, village, key, { fromCode, toCode, toType: residence });
    if (residence === REGISTERED)
      writeHukouRecord(w, HUKOU_BUSINESS.moveIn, p, day, w.county.areaNames[pop.area[p]!]!);
  }

  private applyDivorce(wife: number, day: number) {
    const w = this.w;
    const pop = w.pop;
    const husband = pop.spouse[wife]!;
    if (pop.present[wife] === 0 || pop.marital[wife] !== MARRIED || husband === NONE) return;
    pop.marital[wife] = DIVORCED;
    pop.marital[husband] = DIVORCED;
    pop.spouse[wife] = NONE;
    pop.spouse[husband] = NONE;
    w.stats.divorces++;
    const report = w.registryReportDay(w.rates.reporting.divorce, day);
    if (pop.present[husband] === 1 && w.isMember(wife) && pop.household[wife] === pop.household[husband]) {
      const household = w.hh.add(pop.village[wife]!, pop.hukou[wife]!, day);
      const reported = report >= 0 && w.inRegistry(wife);
      w.changeResidence(wife, day, pop.village[wife]!, pop.residence[wife]!, household, reported);
    }
    let key = 0;
    if (report >= 0 && (w.inRegistry(wife) || w.inRegistry(husband))) {
      const person = w.inRegistry(wife) ? wife : husband;
      key = w.writeRegistryEvent(
        EVENT.divorce,
        person,
        person === wife ? husband : wife,
        day,
        this.reportFor(person, report),
        pop.regVillage[person]!,
      );
      for (const x of [wife, husband]) {
        if (!w.inRegistry(x)) continue;
        pop.regMarital[x] = DIVORCED;
        pop.regSpouse[x] = NONE;
      }
    }
    w.writeTruthEvent(EVENT.divorce, wife, husband, day, pop.village[wife]!, key);
    writeMarriageRegistration(w, 'divorce', husband, wife, day);
  }

  /** A person's hukou and life leave the county for `toArea`. */
  private moveOut(p: number, day: number, toArea: number, report: number) {
    const w = this.w;
    const pop = w.pop;
    w.stats.moveOuts++;
    const reported = report >= 0 && w.inRegistry(p);
    const fromCode = w.county.villages[pop.village[p]!]!.code;
    const toCode = w.county.areaCodes[toArea]!;
    const fromType = pop.residence[p]!;
    const key = reported
      ? w.writeRegistryEvent(EVENT.move_out, p, NONE, day, this.reportFor(p, report), pop.regVillage[p]!, {
          fromCode,
          toCode,
          fromType,
        })
      : 0;
    w.writeTruthEvent(EVENT.move_out, p, NONE, day, pop.village[p]!, key, { fromCode, toCode, fromType });
    if (this.hukouHere(p)) writeHukouRecord(w, HUKOU_BUSINESS.moveOut, p, day, w.county.areaNames[toArea]!);
    w.exitPerson(p, day, EXIT_MOVE_OUT, reported);
  }

  private applyYoungAdultLeaves(p: number, day: number) {
    const w = this.w;
    const pop = w.pop;
    if (pop.present[p] === 0 || pop.marital[p] !== SINGLE || !this.hukouHere(p)) return;
    const to = drawOtherArea(w.county, this.rng, w.rates.migration.origin);
    this.moveOut(p, day, to, w.registryReportDay(w.rates.reporting.move_out, day));
  }

  private applyBrideLeaves(p: number, day: number) {
    const w = this.w;
    const pop = w.pop;
    if (pop.present[p] === 0) return;
    const spouse = pop.spouse[p]!;
    const to =
      spouse !== NONE ? pop.area[spouse]! : drawOtherArea(w.county, this.rng, w.rates.migration.origin);
    this.moveOut(p, day, to, w.registryReportDay(w.rates.reporting.move_out, day));
  }

  private presentMembers(h: number): number[] {
    const pop = this.w.pop;
    const members: number[] = [];
    for (let m = this.w.hh.first[h]!; m !== NONE; m = pop.hhNext[m]!)
      if (pop.present[m] === 1) members.push(m);
    return members;
  }

  private applyHouseholdLeaves(h: number, day: number) {
    const w = this.w;
    const pop = w.pop;
    const members = this.presentMembers(h);
    if (members.length === 0) return;
    const head = w.hh.head[h]!;
    const inflow = head !== NONE && (pop.residence[head] === INFLOW || pop.residence[head] === RESIDENT);
    // Migrants mostly go home; local households go where migration from here goes.
    const to = inflow ? pop.area[head]! : drawOtherArea(w.county, this.rng, w.rates.migration.origin);
    const report = w.registryReportDay(w.rates.reporting.move_out, day);
    for (const m of members) this.moveOut(m, day, to, report);
  }

  private applyHouseholdMoves(h: number, day: number) {
    const w = this.w;
    const pop = w.pop;
    const members = this.presentMembers(h);
    if (members.length === 0) return;
    const county = w.county;
    const from = w.hh.village[h]!;
    const siblings = county.townships[county.villages[from]!.townshipIndex]!.villages;
    const to =
      siblings.length > 1 && this.rng.next() < 0.4
        ? this.rng.pick(siblings)
        : county.villageTable.sample(this.rng);
    if (to === from) return;
    const report = w.registryReportDay(w.rates.reporting.residence_change, day);
    w.hh.village[h] = to;
    if (report >= 0) w.hh.regVillage[h] = to;
    const fromCode = county.villages[from]!.code;
    const toCode = county.villages[to]!.code;
    for (const m of members) {
      const reported = report >= 0 && w.inRegistry(m);
      const key = reported
        ? w.writeRegistryEvent(
            EVENT.residence_change,
            m,
            NONE,
            day,
            this.reportFor(m, report),
            pop.regVillage[m]!,
            {
              fromCode,
              toCode,
            },
          )
        : 0;
      w.writeTruthEvent(EVENT.residence_change, m, NONE, day, from, key, { fromCode, toCode });
      w.changeResidence(m, day, to, pop.residence[m]!, h, reported);
      if (this.hukouHere(m))
        writeHukouRecord(w, HUKOU_BUSINESS.withinCounty, m, day, county.villages[from]!.name);
      w.stats.betweenVillages++;
    }
  }

  private applyResidenceType(p: number, day: number, from: number, to: number) {
    const w = this.w;
    const pop = w.pop;
    if (pop.present[p] === 0 || pop.residence[p] !== from) return;
    const report = w.registryReportDay(w.rates.reporting.residence_change, day);
    const reported = report >= 0 && w.inRegistry(p);
    const key = reported
      ? w.writeRegistryEvent(
          EVENT.residence_change,
          p,
          NONE,
          day,
          this.reportFor(p, report),
          pop.regVillage[p]!,
          {
            fromType: from,
            toType: to,
          },
        )
      : 0;
    w.writeTruthEvent(EVENT.residence_change, p, NONE, day, pop.village[p]!, key, {
      fromType: from,
      toType: to,
    });
    w.changeResidence(p, day, pop.village[p]!, to, pop.household[p]!, reported);
    // A resident's hukou arriving is a move-in for the police.
    if (from === RESIDENT)
      writeHukouRecord(w, HUKOU_BUSINESS.moveIn, p, day, w.county.areaNames[pop.area[p]!]!);
    w.stats.outflowChanges++;
  }

  private applyArrival(day: number) {
    const w = this.w;
    const pop = w.pop;
    const rng = this.rng;
    const rates = w.rates;
    const size = 1 + this.arrivalSizes.sample(rng);
    const typeName = rates.migration.arrivalTypes[this.arrivalTypes.sample(rng)]![0];
    const residence = typeName === 'registered' ? REGISTERED : typeName === 'inflow' ? INFLOW : RESIDENT;
    const area = drawOtherArea(w.county, rng, rates.migration.origin);
    const village = w.county.arrivalTable.sample(rng);
    const hukou = rng.next() < rates.migration.arrivalsUrban ? URBAN : RURAL;
    const ethnicity = w.drawEthnicity(rng);
    const household = w.hh.add(village, hukou, day);
    const members: number[] = [];
    const person = (sex: number, birth: number, surname: number): number => {
      const p = w.newPerson(sex, birth, area, surname, rng);
      pop.hukou[p] = hukou;
      pop.ethnicity[p] = ethnicity;
      pop.marital[p] = SINGLE;
      members.push(p);
      return p;
    };
    // Born so as to be `age` on the day of arrival.
    const birthFor = (age: number) => day - 1 - Math.floor((age + rng.next()) * 365.25);
    if (size === 1) {
      const age = Math.min(60, Math.max(18, Math.round(28 + 7 * rng.normal())));
      const p = person(rng.next() < 0.6 ? MALE : FEMALE, birthFor(age), w.names.drawSurname(rng));
      if (age >= 25 && rng.next() < 0.1) pop.marital[p] = DIVORCED;
    } else {
      const gap = Math.round(rates.marriage.ageGapMean + rates.marriage.ageGapSd * rng.normal());
      const husbandAge = Math.min(62, Math.max(22, Math.round(33 + 7 * rng.normal())));
      const wifeAge = Math.min(60, Math.max(20, husbandAge - gap));
      const husband = person(MALE, birthFor(husbandAge), w.names.drawSurname(rng));
      const wife = person(FEMALE, birthFor(wifeAge), w.names.drawSurname(rng));
      this.marry(husband, wife);
      // Children two or more years apart, the eldest born when the mother was 20 or older.
      const ages: number[] = [];
      for (let k = 2, oldest = Math.min(15, wifeAge - 20); k < size && oldest >= 0; k++) {
        const age = rng.int(oldest + 1);
        ages.push(age);
        oldest = age - 2;
      }
      ages.sort((a, b) => b - a);
      for (const age of ages) {
        const child = person(rng.next() < 0.52 ? MALE : FEMALE, birthFor(age), pop.surname[husband]!);
        pop.mother[child] = wife;
        pop.father[child] = husband;
        pop.parity[wife] = pop.parity[wife]! + 1;
        pop.birthOrder[child] = pop.parity[wife]!;
        pop.lastBirth[wife] = pop.birth[child]!;
      }
    }
    const report = w.registryReportDay(rates.reporting.move_in, day);
    for (const p of members) this.arrive(p, day, village, residence, household, report);
    for (const p of members) this.drawNewcomerEvents(p, day);
  }
}
