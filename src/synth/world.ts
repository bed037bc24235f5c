import { composeResidentId, computeCheckChar } from '../domain/resident-id.ts';
import { compactDateBytes, compactDateOf, dateOf, dayOf, yearOf } from './calendar.ts';
import type { SynthCounty } from './county.ts';
import { isCsvSink } from './csv-sink.ts';
import { EventQueue } from './event-queue.ts';
import { NameMaker } from './names.ts';
import {
  EXIT_DEATH,
  FEMALE,
  Households,
  joinHousehold,
  leaveHousehold,
  MALE,
  NONE,
  Population,
  REG_ACTIVE,
  REG_DEAD,
  REG_MOVED_OUT,
} from './population.ts';
import type { DelayModel, SynthRates } from './rates.ts';
import { AliasTable, mixInts, Rng } from './rng.ts';
import { CsvRowOut, type RowOut, ValuesRowOut, Vocab } from './row-out.ts';
import type { SynthSink } from './sink.ts';
import { SYNTH_TABLE_NAMES, SYNTH_TABLES, type SynthTable } from './tables.ts';
import { EVENT_KINDS, FEEDS, RESIDENCE, ROLES, SOURCE, SOURCES } from './vocab.ts';

/** What one run simulates. */
export interface WorldSettings {
  county: SynthCounty;
  rates: SynthRates;
  persons: number;
  from: number;
  to: number;
  seed: string;
  /** The day the registry and the feeds are extracted: nothing reported later is in them. */
  asOfDay: number;
}

/** The codes CSV output needs to write villages and ID areas from pre-encoded bytes. */
export function codesOf(county: SynthCounty): { villageCodes: string[]; areaCodes: string[] } {
  return { villageCodes: county.villages.map((v) => v.code), areaCodes: county.areaCodes };
}

/** Counts of what happened, for the summary and the manifest. */
export interface SynthStats {
  births: number;
  deaths: number;
  marriages: number;
  divorces: number;
  moveIns: number;
  moveOuts: number;
  betweenVillages: number;
  outflowChanges: number;
}

/** ISO 7064 MOD 11-2 weights of the 17 digits, and the check character (as a char code) by sum mod 11. */
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK_CODES = [...'10X98765432'].map((c) => c.charCodeAt(0));

/** '000' … '999'. */
const SEQUENCES = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/** Birth days 1880-01-01 … 2238 fit the sequence-number key. */
const SEQ_BASE_DAY = dayOf(1880, 1, 1);
const SEQ_DAYS = 131072;

/** One counter per (ID area, birth day, sex): the key of the sequence-number counters. */
function sequenceKey(area: number, birth: number, sex: number): number {
  return (area * SEQ_DAYS + (birth - SEQ_BASE_DAY)) * 2 + (sex === FEMALE ? 1 : 0);
}

/**
 * The state of one run: the population, the households, the random streams, the pending events
 * and the sink the rows go to, with the helpers every stage shares (new persons, ID numbers,
 * residence spells, report delays, row output).
 */
export class World {
  readonly county: SynthCounty;
  readonly rates: SynthRates;
  readonly settings: WorldSettings;
  readonly pop: Population;
  readonly hh: Households;
  readonly queue = new EventQueue(1 << 16);
  readonly names = new NameMaker();
  readonly ethnicityNames: string[];
  readonly ethnicityTable: AliasTable;
  readonly startDay: number;
  readonly endDay: number;
  readonly asOfDay: number;
  readonly seedHash: number;

  /** Independent random streams, one per concern. */
  readonly rngPopulation: Rng;
  readonly rngEvents: Rng;
  readonly rngReports: Rng;
  readonly rngRegistry: Rng;
  readonly rngBirthFeed: Rng;
  readonly rngMarriageFeed: Rng;
  readonly rngHukouFeed: Rng;
  readonly rngDeathFeed: Rng;

  readonly rowCounts: Record<SynthTable, number>;
  /** "上关镇水联村": township and village as addresses write them, by village. */
  readonly places: Vocab;
  /** Township police stations (派出所), by township. */
  readonly policeStations: Vocab;
  /**
   * Where births and deaths are certified: the county hospital, maternity hospital and hospital
   * of Chinese medicine (0, 1, 2), then each township's health centre (卫生院) at 3 + township.
   */
  readonly hospitals: Vocab;
  readonly marriageRegistry: string;
  readonly ethnicities: Vocab;
  readonly stats: SynthStats = {
    births: 0,
    deaths: 0,
    marriages: 0,
    divorces: 0,
    moveIns: 0,
    moveOuts: 0,
    betweenVillages: 0,
    outflowChanges: 0,
  };

  nextRegistryKey = 1;
  nextRegistrySpell = 1;
  nextRegistryEvent = 1;
  nextTruthEvent = 1;
  readonly feedCounters = { birth: 0, marriage: 0, divorce: 0, hukou: 0, death: 0 };

  private readonly sink: SynthSink;
  /** Where rows are written, cell by cell. */
  readonly out: RowOut;
  private readonly sequences = new Map<number, number>();
  /** Weighted digit sum of each ID area code (−1 until needed), for check characters. */
  private readonly areaSums: Int32Array;
  /** Next sequence counter + 1 (0 = none yet) for this county's code, by birth day and sex. */
  private readonly localSequences = new Int32Array(SEQ_DAYS * 2);

  constructor(settings: WorldSettings, sink: SynthSink) {
    this.settings = settings;
    this.county = settings.county;
    this.rates = settings.rates;
    this.sink = sink;
    const expected = Math.ceil(settings.persons * 1.25) + 64;
    this.pop = new Population(expected);
    this.hh = new Households(Math.ceil(expected / 2.5), settings.county.villages.length);
    this.startDay = dayOf(settings.from, 1, 1);
    this.endDay = dayOf(settings.to + 1, 1, 1);
    this.asOfDay = settings.asOfDay;
    this.seedHash = mixInts(
      settings.seed.length,
      [...settings.seed].reduce((h, c) => mixInts(h, c.charCodeAt(0)), 7),
    );
    this.rngPopulation = new Rng(settings.seed, 'population');
    this.rngEvents = new Rng(settings.seed, 'events');
    this.rngReports = new Rng(settings.seed, 'reports');
    this.rngRegistry = new Rng(settings.seed, 'registry');
    this.rngBirthFeed = new Rng(settings.seed, 'feed:birth_certificates');
    this.rngMarriageFeed = new Rng(settings.seed, 'feed:marriage_registrations');
    this.rngHukouFeed = new Rng(settings.seed, 'feed:hukou_registrations');
    this.rngDeathFeed = new Rng(settings.seed, 'feed:death_certificates');
    this.ethnicityNames = settings.rates.ethnicity.map(([name]) => name);
    this.areaSums = new Int32Array(settings.county.areaCodes.length).fill(-1);
    const county = settings.county;
    this.places = new Vocab(
      county.villages.map((v) => county.townships[v.townshipIndex]!.shortName + v.shortName),
    );
    this.policeStations = new Vocab(county.townships.map((t) => `${county.name}公安局${t.shortName}派出所`));
    this.hospitals = new Vocab([
      `${county.name}人民医院`,
      `${county.name}妇幼保健院`,
      `${county.name}中医医院`,
      ...county.townships.map((t) => `${t.shortName}卫生院`),
    ]);
    this.marriageRegistry = `${county.name}民政局婚姻登记处`;
    this.ethnicities = new Vocab(this.ethnicityNames);
    this.ethnicityTable = new AliasTable(settings.rates.ethnicity.map(([, share]) => share));
    this.rowCounts = Object.fromEntries(SYNTH_TABLE_NAMES.map((t) => [t, 0])) as Record<SynthTable, number>;
    this.out = isCsvSink(sink)
      ? new CsvRowOut(sink.encoders, codesOf(settings.county), this.rowCounts)
      : new ValuesRowOut(sink, settings.county, this.rowCounts);
  }

  /** Announces every table to the sink. */
  async openTables() {
    for (const table of SYNTH_TABLE_NAMES) await this.sink.open(table, SYNTH_TABLES[table]);
  }

  drain(): Promise<void> {
    return this.sink.drain();
  }

  close(): Promise<void> {
    return this.sink.close();
  }

  // ---- persons ---------------------------------------------------------------------------

  /** A new person with a name and an ID sequence; not yet living anywhere. */
  newPerson(sex: number, birth: number, area: number, surname: number, rng: Rng): number {
    const pop = this.pop;
    const p = pop.add(sex, birth);
    pop.area[p] = area;
    this.assignName(p, surname, rng);
    this.assignSequence(p, rng);
    return p;
  }

  /** Gives a person a surname and a given name fitting their sex and birth year. */
  assignName(p: number, surname: number, rng: Rng) {
    const pop = this.pop;
    pop.surname[p] = surname;
    pop.names[p] =
      this.names.surnameAt(surname) +
      this.names.drawGivenName(rng, pop.sex[p] === MALE, yearOf(pop.birth[p]!));
  }

  /** Draws the sequence of the person's ID number from their area, birth day and sex. */
  assignSequence(p: number, rng: Rng) {
    const pop = this.pop;
    pop.sequence[p] = this.drawSequence(pop.area[p]!, pop.birth[p]!, pop.sex[p]!, rng);
    pop.idNumbers[p] = undefined;
  }

  /** The 3-digit sequence of an ID number: unique per area, birth date and sex, odd for men. */
  private drawSequence(area: number, birth: number, sex: number, rng: Rng): number {
    const key = sequenceKey(area, birth, sex);
    // Most people carry this county's code: their counters live in a flat array, the rest in a map.
    const local = area === 0 ? key : -1;
    const known = local >= 0 ? this.localSequences[local]! - 1 : (this.sequences.get(key) ?? -1);
    const k = known >= 0 ? known : rng.int(30);
    const next = k + 1 + rng.int(3);
    if (local >= 0) this.localSequences[local] = next + 1;
    else this.sequences.set(key, next);
    const sequence = 2 * k + (sex === MALE ? 1 : 2);
    if (sequence > 999) throw new Error(`ID sequence exhausted for area ${area}, day ${birth}`);
    return sequence;
  }

  /**
   * A valid ID number of the same area, birth date and sex that nobody has: what a clerk gets when
   * a person is entered twice from an old card or a misread form.
   */
  unusedIdNumber(p: number, rng: Rng): string {
    const pop = this.pop;
    const sex = pop.sex[p]!;
    const key = sequenceKey(pop.area[p]!, pop.birth[p]!, sex);
    const local = pop.area[p] === 0;
    const used = local ? this.localSequences[key]! - 1 : (this.sequences.get(key) ?? 0);
    const k = Math.max(0, used) + 2 + rng.int(10);
    if (local) this.localSequences[key] = k + 2;
    else this.sequences.set(key, k + 1);
    const sequence = Math.min(2 * k + (sex === MALE ? 1 : 2), sex === MALE ? 999 : 998);
    return composeResidentId(this.county.areaCodes[pop.area[p]!]!, dateOf(pop.birth[p]!), sequence);
  }

  /** The person's true resident ID number (computed once). */
  idNumber(p: number): string {
    const cached = this.pop.idNumbers[p];
    if (cached !== undefined) return cached;
    const pop = this.pop;
    // composeResidentId's parts, from cached strings: this runs once for each of millions of people.
    const first17 =
      this.county.areaCodes[pop.area[p]!]! + compactDateOf(pop.birth[p]!) + SEQUENCES[pop.sequence[p]!]!;
    const id = first17 + computeCheckChar(first17);
    pop.idNumbers[p] = id;
    return id;
  }

  /**
   * The char code of the person's ID check character, computed from the parts (ISO 7064
   * MOD 11-2, as computeCheckChar does) without building the string: output writes the ID from
   * bytes. Tests check every written ID with computeCheckChar.
   */
  idCheckCode(p: number): number {
    const pop = this.pop;
    const area = pop.area[p]!;
    let areaSum = this.areaSums[area]!;
    if (areaSum < 0) {
      const code = this.county.areaCodes[area]!;
      areaSum = 0;
      for (let i = 0; i < 6; i++) areaSum += (code.charCodeAt(i) - 48) * ID_WEIGHTS[i]!;
      this.areaSums[area] = areaSum;
    }
    const { bytes, base } = compactDateBytes();
    let sum = areaSum;
    for (let i = 0, at = (pop.birth[p]! - base) * 8; i < 8; i++)
      sum += (bytes[at + i]! - 48) * ID_WEIGHTS[6 + i]!;
    const sequence = pop.sequence[p]!;
    sum += ((sequence / 100) | 0) * 8 + (((sequence / 10) | 0) % 10) * 4 + (sequence % 10) * 2;
    return ID_CHECK_CODES[sum % 11]!;
  }

  /** Writes the person's ID number cell. */
  writeIdNumber(p: number) {
    const pop = this.pop;
    this.out.id(pop.area[p]!, pop.birth[p]!, pop.sequence[p]!, this.idCheckCode(p));
  }

  /** A mobile number that stays the same for the person across runs of the same seed. */
  phoneOf(p: number): string {
    const a = mixInts(this.seedHash, p, 1);
    const b = mixInts(this.seedHash, p, 2);
    const prefix = ['13', '15', '18', '17', '19', '13', '15', '18'][a & 7]!;
    return `${prefix}${(a >>> 3) % 10}${String(b % 100_000_000).padStart(8, '0')}`;
  }

  drawEthnicity(rng: Rng): number {
    return this.ethnicityTable.sample(rng);
  }

  // ---- residence -------------------------------------------------------------------------

  /** Starts a person's life in the county on `day` (birth, arrival or the initial load). */
  enter(p: number, day: number, village: number, residence: number, household: number) {
    const pop = this.pop;
    pop.entry[p] = day;
    pop.present[p] = 1;
    pop.village[p] = village;
    pop.residence[p] = residence;
    pop.spellStart[p] = day;
    if (household !== NONE) joinHousehold(pop, this.hh, p, household);
  }

  /**
   * Moves a person to a new village, residence type or household from `day`: closes the true
   * spell, and — when the change reaches the registry by the extract date — the registry's too.
   */
  changeResidence(
    p: number,
    day: number,
    village: number,
    residence: number,
    household: number,
    reported: boolean,
  ) {
    const pop = this.pop;
    if (day > pop.spellStart[p]!) this.writeTruthSpell(p, pop.spellStart[p]!, day);
    pop.spellStart[p] = day;
    pop.village[p] = village;
    pop.residence[p] = residence;
    if (household !== pop.household[p] || !this.isMember(p)) {
      if (household !== NONE) joinHousehold(pop, this.hh, p, household);
    }
    if (reported && pop.regKey[p] !== 0 && pop.regStatus[p] === REG_ACTIVE) {
      if (day > pop.regSpellStart[p]!) this.writeRegistrySpell(p, pop.regSpellStart[p]!, day);
      pop.regSpellStart[p] = day;
      pop.regVillage[p] = village;
      pop.regResidence[p] = residence;
      pop.regHousehold[p] = household;
    }
  }

  /** Ends a person's life in the county on `day` (death or moving out), in the registry too when reported. */
  exitPerson(p: number, day: number, reason: number, reported: boolean) {
    const pop = this.pop;
    if (day > pop.spellStart[p]!) this.writeTruthSpell(p, pop.spellStart[p]!, day);
    pop.present[p] = 0;
    pop.exit[p] = day;
    pop.exitReason[p] = reason;
    if (reason === EXIT_DEATH) pop.death[p] = day;
    leaveHousehold(pop, this.hh, p);
    if (reported && pop.regKey[p] !== 0 && pop.regStatus[p] === REG_ACTIVE) {
      if (day > pop.regSpellStart[p]!) this.writeRegistrySpell(p, pop.regSpellStart[p]!, day);
      pop.regStatus[p] = reason === EXIT_DEATH ? REG_DEAD : REG_MOVED_OUT;
      if (reason === EXIT_DEATH) pop.regDeath[p] = day;
    }
  }

  /** True when the person has a live registry record. */
  inRegistry(p: number): boolean {
    return this.pop.regKey[p] !== 0 && this.pop.regStatus[p] === REG_ACTIVE;
  }

  isMember(p: number): boolean {
    const h = this.pop.household[p]!;
    return h !== NONE && (this.hh.first[h] === p || this.pop.hhPrev[p] !== NONE);
  }

  writeTruthSpell(p: number, from: number, to: number) {
    const pop = this.pop;
    const out = this.out;
    out.begin('truth/residence_spells');
    out.ref(p);
    out.ref(pop.household[p]!);
    out.village(pop.village[p]!);
    out.word(RESIDENCE, pop.residence[p]!);
    out.date(from);
    out.date(to);
    out.end();
  }

  writeRegistrySpell(p: number, from: number, to: number, village = this.pop.regVillage[p]!) {
    const pop = this.pop;
    const out = this.out;
    out.begin('registry/residence_spells');
    out.int(this.nextRegistrySpell++);
    out.int(pop.regKey[p]!);
    out.ref(pop.regHousehold[p]!);
    out.village(village);
    out.word(RESIDENCE, pop.regResidence[p]!);
    out.date(from);
    out.date(to);
    out.end();
  }

  // ---- reporting -------------------------------------------------------------------------

  /**
   * Days from an event to its report, or -1 if it is never reported. On-time reports follow an
   * exponential cut at 30 days; late ones a log-normal tail of months and years.
   */
  drawDelay(model: DelayModel, rng: Rng, never = model.never): number {
    if (rng.next() < never) return -1;
    if (rng.next() < model.onTime) {
      const cut = 1 - Math.exp(-30 / model.onTimeMeanDays);
      return Math.min(30, Math.floor(-model.onTimeMeanDays * Math.log(1 - rng.next() * cut)));
    }
    return 31 + Math.floor(rng.logNormal(model.lateMedianDays, model.lateSigma));
  }

  /** The report day of an event, or -1 when the registry does not have it by the extract date. */
  registryReportDay(model: DelayModel, day: number, never = model.never): number {
    const delay = this.drawDelay(model, this.rngReports, never);
    if (delay < 0) return -1;
    const report = day + delay;
    return report <= this.asOfDay ? report : -1;
  }

  /** Where the registry learned of an event: mostly the village worker, sometimes an exchange. */
  drawRegistrySource(): number {
    return this.rngReports.next() < this.rates.reporting.viaExchange
      ? SOURCE.dataExchange
      : SOURCE.villageReport;
  }

  /** Gives a person a registry record from a report on `reportDay`, as things stand now. */
  register(p: number, reportDay: number, spellStart: number, source: number) {
    const pop = this.pop;
    pop.regKey[p] = this.nextRegistryKey++;
    pop.regDay[p] = reportDay;
    pop.regVillage[p] = pop.village[p]!;
    pop.regResidence[p] = pop.residence[p]!;
    pop.regHousehold[p] = pop.household[p]!;
    pop.regSpellStart[p] = spellStart;
    pop.regStatus[p] = REG_ACTIVE;
    pop.regMarital[p] = pop.marital[p]!;
    pop.regSpouse[p] = pop.spouse[p]!;
    pop.regSource[p] = source;
  }

  /** Writes a registry event row; returns its key. */
  writeRegistryEvent(
    kind: number,
    p: number,
    other: number,
    day: number,
    reportDay: number,
    village: number,
    details: {
      motherKey?: number;
      fatherKey?: number;
      birthOrder?: number;
      fromCode?: string;
      toCode?: string;
      fromType?: number;
      toType?: number;
    } = {},
    source = this.drawRegistrySource(),
  ): number {
    const pop = this.pop;
    const key = this.nextRegistryEvent++;
    const out = this.out;
    out.begin('registry/events');
    out.int(key);
    out.word(EVENT_KINDS, kind);
    out.int(pop.regKey[p]!);
    out.key(other === NONE ? 0 : pop.regKey[other]!);
    out.date(day);
    out.date(reportDay);
    out.village(village);
    out.word(SOURCES, source);
    out.key(details.motherKey ?? 0);
    out.key(details.fatherKey ?? 0);
    out.key(details.birthOrder ?? 0);
    out.optText(details.fromCode);
    out.optText(details.toCode);
    out.word(RESIDENCE, details.fromType ?? 0);
    out.word(RESIDENCE, details.toType ?? 0);
    out.end();
    return key;
  }

  /** Writes a true event row. */
  writeTruthEvent(
    kind: number,
    p: number,
    other: number,
    day: number,
    village: number,
    registryKey: number,
    details: {
      birthOrder?: number;
      fromCode?: string;
      toCode?: string;
      fromType?: number;
      toType?: number;
    } = {},
  ) {
    const out = this.out;
    out.begin('truth/events');
    out.int(this.nextTruthEvent++);
    out.word(EVENT_KINDS, kind);
    out.ref(p);
    out.ref(other);
    out.date(day);
    out.village(village);
    out.optText(details.fromCode);
    out.optText(details.toCode);
    out.word(RESIDENCE, details.fromType ?? 0);
    out.word(RESIDENCE, details.toType ?? 0);
    out.key(details.birthOrder ?? 0);
    out.key(registryKey);
    out.end();
  }

  /** Writes one truth link of a feed record. */
  writeFeedLink(feed: number, recordNo: string, role: number, p: number, errors: string) {
    const out = this.out;
    out.begin('truth/feed_links');
    out.word(FEEDS, feed);
    out.text(recordNo);
    out.word(ROLES, role);
    out.ref(p);
    out.optText(errors);
    out.end();
  }

  /** 'YYYYMMDD' of a day. */
  compactDate(day: number): string {
    return compactDateOf(day);
  }
}
