import { ageOnDay, dateOf, yearOf } from './calendar.ts';
import { changeIdDigit, swapDayMonth, transposeIdDigits } from './corrupt.ts';
import { makeTypo, swapHomophone } from './names.ts';
import { NONE } from './population.ts';
import type { FeedErrorModel } from './rates.ts';
import type { Rng } from './rng.ts';
import type { RowOut } from './row-out.ts';
import { DEATH_PLACES, FEED, HUKOU_BUSINESSES, MARRIAGE_BUSINESSES, ROLE, SEX_ZH } from './vocab.ts';
import type { World } from './world.ts';

/**
 * The department feeds: what the hospital, civil affairs, the police and the death-certificate
 * system recorded, each in its own columns and with its own mistakes and delays. Every record
 * also gets truth links (which true person each role is, and which errors were made).
 */

/** Errors made in one person's fields of a record, as "field:kind" entries. */
class ErrorLog {
  entries: string[] = [];
  add(field: string, kind: string) {
    this.entries.push(`${field}:${kind}`);
  }
  take(): string {
    const out = this.entries.join(';');
    this.entries = [];
    return out;
  }
}

function corruptName(name: string, model: FeedErrorModel, rng: Rng, log: ErrorLog): string {
  let out = name;
  if (rng.next() < model.homophone) {
    const swapped = swapHomophone(out, rng);
    if (swapped !== out) log.add('name', 'homophone');
    out = swapped;
  }
  if (rng.next() < model.typo) {
    const typed = makeTypo(out, rng);
    if (typed !== out) log.add('name', 'typo');
    out = typed;
  }
  return out;
}

function corruptId(id: string, model: FeedErrorModel, rng: Rng, log: ErrorLog): string | null {
  if (rng.next() < model.missingIdNumber) {
    log.add('id_number', 'missing');
    return null;
  }
  if (rng.next() < model.idTranspose) {
    const out = transposeIdDigits(id, rng);
    if (out !== id) log.add('id_number', 'transpose');
    return out;
  }
  if (rng.next() < model.idDigit) {
    log.add('id_number', 'digit');
    return changeIdDigit(id, rng);
  }
  return id;
}

/** Writes a date cell, with day and month swapped at the model's rate. */
function writeDate(out: RowOut, day: number, model: FeedErrorModel, rng: Rng, log: ErrorLog, field: string) {
  if (rng.next() < model.dayMonthSwap) {
    const swapped = swapDayMonth(dateOf(day));
    if (swapped) {
      log.add(field, 'day_month_swap');
      out.text(swapped);
      return;
    }
  }
  out.date(day);
}

/** When the feed has the record: its issue day, or -1 if never or after the extract date. */
function feedDay(w: World, model: FeedErrorModel, rng: Rng, day: number): number {
  const delay = w.drawDelay(model.delay, rng);
  if (delay < 0) return -1;
  const issued = day + delay;
  return issued <= w.asOfDay ? issued : -1;
}

/** A hospital birth medical certificate (出生医学证明) for a birth in this county's hospitals. */
export function writeBirthCertificate(w: World, child: number, mother: number, day: number) {
  const model = w.rates.feeds.birthCertificates;
  const rng = w.rngBirthFeed;
  if (rng.next() < model.homeBirth) return;
  const issued = feedDay(w, model, rng, day);
  if (issued < 0) return;
  const pop = w.pop;
  const log = new ErrorLog();
  const recordNo = `Q${String(++w.feedCounters.birth).padStart(9, '0')}`;
  const out = w.out;
  const feed = FEED.birthCertificates;
  const unnamed = rng.next() < model.childUnnamed;
  out.begin('feeds/birth_certificates');
  out.text(recordNo);
  if (unnamed) {
    out.empty();
    log.add('name', 'unnamed');
  } else {
    out.text(corruptName(pop.names[child]!, model, rng, log));
  }
  out.word(SEX_ZH, pop.sex[child]!);
  writeDate(out, day, model, rng, log, 'birth_date');
  out.int(Math.round(Math.min(5000, Math.max(1200, 3300 + 450 * rng.normal())) / 10) * 10);
  const village = pop.village[child]!;
  const u = rng.next();
  out.word(
    w.hospitals,
    u < 0.45 ? 0 : u < 0.8 ? 1 : u < 0.88 ? 2 : 3 + w.county.villages[village]!.townshipIndex,
  );
  const childErrors = log.take();
  out.text(corruptName(pop.names[mother]!, model, rng, log));
  out.optText(corruptId(w.idNumber(mother), model, rng, log));
  const motherErrors = log.take();
  const father = pop.father[child]!;
  const withFather = father !== NONE && pop.spouse[mother] === father && rng.next() >= model.fatherMissing;
  let fatherErrors = '';
  if (withFather) {
    out.text(corruptName(pop.names[father]!, model, rng, log));
    out.optText(corruptId(w.idNumber(father), model, rng, log));
    fatherErrors = log.take();
  } else {
    out.empty();
    out.empty();
  }
  out.word(w.places, village);
  out.date(issued);
  out.end();
  w.writeFeedLink(feed, recordNo, ROLE.child, child, childErrors);
  w.writeFeedLink(feed, recordNo, ROLE.mother, mother, motherErrors);
  if (withFather) w.writeFeedLink(feed, recordNo, ROLE.father, father, fatherErrors);
}

/** A civil-affairs marriage or divorce registration (婚姻登记). */
export function writeMarriageRegistration(
  w: World,
  kind: 'marriage' | 'divorce',
  husband: number,
  wife: number,
  day: number,
) {
  const model = w.rates.feeds.marriageRegistrations;
  const rng = w.rngMarriageFeed;
  if (kind === 'divorce' && rng.next() < model.courtDivorce) return;
  const issued = feedDay(w, model, rng, day);
  if (issued < 0) return;
  const pop = w.pop;
  const log = new ErrorLog();
  const counter = kind === 'marriage' ? ++w.feedCounters.marriage : ++w.feedCounters.divorce;
  // The certificate's 字号: J (结婚) or L (离婚), county code, year, serial.
  const recordNo = `${kind === 'marriage' ? 'J' : 'L'}${w.county.code}-${yearOf(day)}-${String(counter).padStart(6, '0')}`;
  const out = w.out;
  const feed = FEED.marriageRegistrations;
  out.begin('feeds/marriage_registrations');
  out.text(recordNo);
  out.word(MARRIAGE_BUSINESSES, kind === 'marriage' ? 0 : 1);
  out.date(day);
  out.text(corruptName(pop.names[husband]!, model, rng, log));
  out.optText(corruptId(w.idNumber(husband), model, rng, log));
  writeDate(out, pop.birth[husband]!, model, rng, log, 'birth_date');
  const husbandErrors = log.take();
  out.text(corruptName(pop.names[wife]!, model, rng, log));
  out.optText(corruptId(w.idNumber(wife), model, rng, log));
  writeDate(out, pop.birth[wife]!, model, rng, log, 'birth_date');
  const wifeErrors = log.take();
  out.text(w.marriageRegistry);
  out.end();
  w.writeFeedLink(feed, recordNo, ROLE.husband, husband, husbandErrors);
  w.writeFeedLink(feed, recordNo, ROLE.wife, wife, wifeErrors);
}

/** A public-security household registration (户籍登记) of a person whose hukou is in this county. */
export function writeHukouRecord(
  w: World,
  /** HUKOU_BUSINESS.birth, .moveIn … */
  business: number,
  p: number,
  day: number,
  place: string | null,
) {
  const model = w.rates.feeds.hukouRegistrations;
  const rng = w.rngHukouFeed;
  const done = feedDay(w, model, rng, day);
  if (done < 0) return;
  const pop = w.pop;
  const log = new ErrorLog();
  const recordNo = `HJ${w.county.code}${String(++w.feedCounters.hukou).padStart(8, '0')}`;
  const out = w.out;
  const village = pop.village[p]!;
  const h = pop.household[p]!;
  out.begin('feeds/hukou_registrations');
  out.text(recordNo);
  out.word(HUKOU_BUSINESSES, business);
  out.date(done);
  out.text(corruptName(pop.names[p]!, model, rng, log));
  out.word(SEX_ZH, pop.sex[p]!);
  writeDate(out, pop.birth[p]!, model, rng, log, 'birth_date');
  out.optText(corruptId(w.idNumber(p), model, rng, log));
  out.optText(h === NONE ? null : householdNo(w, h));
  out.word(w.places, village);
  out.optText(place);
  out.word(w.policeStations, w.county.villages[village]!.townshipIndex);
  out.end();
  w.writeFeedLink(FEED.hukouRegistrations, recordNo, ROLE.person, p, log.take());
}

/** 户号: the code of the village that issued it and the household's number there. */
export function householdNo(w: World, h: number): string {
  const issued = w.hh.number[h]!;
  return w.county.villages[Math.floor(issued / 100_000)]!.code + String(issued % 100_000).padStart(4, '0');
}

const CAUSES_ADULT: ReadonlyArray<readonly [string, number]> = [
  ['循环系统疾病', 0.45],
  ['恶性肿瘤', 0.25],
  ['呼吸系统疾病', 0.1],
  ['损伤和中毒', 0.04],
  ['内分泌营养和代谢疾病', 0.03],
  ['消化系统疾病', 0.03],
  ['其他疾病', 0.1],
];
const CAUSES_YOUNG: ReadonlyArray<readonly [string, number]> = [
  ['损伤和中毒', 0.35],
  ['恶性肿瘤', 0.2],
  ['循环系统疾病', 0.2],
  ['其他疾病', 0.25],
];
const CAUSES_INFANT: ReadonlyArray<readonly [string, number]> = [
  ['起源于围生期的某些情况', 0.5],
  ['先天畸形和染色体异常', 0.25],
  ['其他疾病', 0.25],
];

function drawCause(age: number, rng: Rng): string {
  const list = age < 1 ? CAUSES_INFANT : age < 45 ? CAUSES_YOUNG : CAUSES_ADULT;
  let u = rng.next();
  for (const [cause, share] of list) {
    if (u < share) return cause;
    u -= share;
  }
  return list[list.length - 1]![0];
}

/** A medical certificate of death (居民死亡医学证明书) for a death in the county. */
export function writeDeathCertificate(w: World, p: number, day: number) {
  const model = w.rates.feeds.deathCertificates;
  const rng = w.rngDeathFeed;
  if (rng.next() < model.uncertified) return;
  const filed = feedDay(w, model, rng, day);
  if (filed < 0) return;
  const pop = w.pop;
  const log = new ErrorLog();
  const recordNo = `SW${w.county.code}${String(++w.feedCounters.death).padStart(7, '0')}`;
  const out = w.out;
  const village = pop.village[p]!;
  const age = ageOnDay(pop.birth[p]!, day);
  const u = rng.next();
  const inHospital = u < 0.35;
  out.begin('feeds/death_certificates');
  out.text(recordNo);
  out.text(corruptName(pop.names[p]!, model, rng, log));
  out.word(SEX_ZH, pop.sex[p]!);
  if (rng.next() < 0.03) out.empty();
  else out.word(w.ethnicities, pop.ethnicity[p]!);
  out.optText(corruptId(w.idNumber(p), model, rng, log));
  writeDate(out, pop.birth[p]!, model, rng, log, 'birth_date');
  out.date(day);
  out.word(DEATH_PLACES, inHospital ? 0 : u < 0.93 ? 1 : 2);
  out.text(drawCause(age, rng));
  out.word(w.places, village);
  out.date(filed);
  out.word(w.hospitals, inHospital && rng.next() < 0.6 ? 0 : 3 + w.county.villages[village]!.townshipIndex);
  out.end();
  w.writeFeedLink(FEED.deathCertificates, recordNo, ROLE.deceased, p, log.take());
}
