import { ageOnDay, dateOf, yearOf } from './calendar.ts';
import { changeIdDigit, swapDayMonth, transposeIdDigits } from './corrupt.ts';
import { makeTypo, swapHomophone } from './names.ts';
import { FEMALE, MALE, NONE } from './population.ts';
import type { FeedErrorModel } from './rates.ts';
import type { Rng } from './rng.ts';
import { FEED_NAMES } from './tables.ts';
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

function corruptDate(date: string, model: FeedErrorModel, rng: Rng, log: ErrorLog, field: string): string {
  if (rng.next() < model.dayMonthSwap) {
    const swapped = swapDayMonth(date);
    if (swapped) {
      log.add(field, 'day_month_swap');
      return swapped;
    }
  }
  return date;
}

/** When the feed has the record: its issue day, or -1 if never or after the extract date. */
function feedDay(w: World, model: FeedErrorModel, rng: Rng, day: number): number {
  const delay = w.drawDelay(model.delay, rng);
  if (delay < 0) return -1;
  const issued = day + delay;
  return issued <= w.asOfDay ? issued : -1;
}

function sexText(sex: number): string {
  return sex === MALE ? '男' : '女';
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
  const r = w.row('feeds/birth_certificates');
  const feed = FEED_NAMES.birthCertificates;
  const unnamed = rng.next() < model.childUnnamed;
  r[0] = recordNo;
  r[1] = unnamed ? null : corruptName(pop.names[child]!, model, rng, log);
  if (unnamed) log.add('name', 'unnamed');
  r[2] = sexText(pop.sex[child]!);
  r[3] = corruptDate(dateOf(day), model, rng, log, 'birth_date');
  r[4] = Math.round(Math.min(5000, Math.max(1200, 3300 + 450 * rng.normal())) / 10) * 10;
  const village = pop.village[child]!;
  const u = rng.next();
  r[5] =
    u < 0.45
      ? w.countyHospital
      : u < 0.8
        ? w.maternityHospital
        : u < 0.88
          ? w.tcmHospital
          : w.healthCentres[w.county.villages[village]!.townshipIndex]!;
  const childErrors = log.take();
  r[6] = corruptName(pop.names[mother]!, model, rng, log);
  r[7] = corruptId(w.idNumber(mother), model, rng, log);
  const motherErrors = log.take();
  const father = pop.father[child]!;
  const withFather = father !== NONE && pop.spouse[mother] === father && rng.next() >= model.fatherMissing;
  let fatherErrors = '';
  if (withFather) {
    r[8] = corruptName(pop.names[father]!, model, rng, log);
    r[9] = corruptId(w.idNumber(father), model, rng, log);
    fatherErrors = log.take();
  } else {
    r[8] = null;
    r[9] = null;
  }
  r[10] = w.placeNames[village]!;
  r[11] = dateOf(issued);
  w.emit('feeds/birth_certificates');
  w.writeFeedLink(feed, recordNo, 'child', child, childErrors);
  w.writeFeedLink(feed, recordNo, 'mother', mother, motherErrors);
  if (withFather) w.writeFeedLink(feed, recordNo, 'father', father, fatherErrors);
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
  const r = w.row('feeds/marriage_registrations');
  const feed = FEED_NAMES.marriageRegistrations;
  r[0] = recordNo;
  r[1] = kind === 'marriage' ? '结婚登记' : '离婚登记';
  r[2] = dateOf(day);
  r[3] = corruptName(pop.names[husband]!, model, rng, log);
  r[4] = corruptId(w.idNumber(husband), model, rng, log);
  r[5] = corruptDate(dateOf(pop.birth[husband]!), model, rng, log, 'birth_date');
  const husbandErrors = log.take();
  r[6] = corruptName(pop.names[wife]!, model, rng, log);
  r[7] = corruptId(w.idNumber(wife), model, rng, log);
  r[8] = corruptDate(dateOf(pop.birth[wife]!), model, rng, log, 'birth_date');
  const wifeErrors = log.take();
  r[9] = w.marriageRegistry;
  w.emit('feeds/marriage_registrations');
  w.writeFeedLink(feed, recordNo, 'husband', husband, husbandErrors);
  w.writeFeedLink(feed, recordNo, 'wife', wife, wifeErrors);
}

export type HukouBusiness = '出生登记' | '迁入登记' | '迁出登记' | '死亡注销' | '县内迁移';

/** A public-security household registration (户籍登记) of a person whose hukou is in this county. */
export function writeHukouRecord(
  w: World,
  business: HukouBusiness,
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
  const r = w.row('feeds/hukou_registrations');
  const village = pop.village[p]!;
  const h = pop.household[p]!;
  r[0] = recordNo;
  r[1] = business;
  r[2] = dateOf(done);
  r[3] = corruptName(pop.names[p]!, model, rng, log);
  r[4] = sexText(pop.sex[p]!);
  r[5] = corruptDate(dateOf(pop.birth[p]!), model, rng, log, 'birth_date');
  r[6] = corruptId(w.idNumber(p), model, rng, log);
  r[7] = h === NONE ? null : householdNo(w, h);
  r[8] = w.placeNames[village]!;
  r[9] = place;
  r[10] = w.policeStations[w.county.villages[village]!.townshipIndex]!;
  w.emit('feeds/hukou_registrations');
  w.writeFeedLink(FEED_NAMES.hukouRegistrations, recordNo, 'person', p, log.take());
}

/** 户号: the village code and the household's number in it. */
export function householdNo(w: World, h: number): string {
  return w.county.villages[w.hh.village[h]!]!.code + String(w.hh.number[h]!).padStart(4, '0');
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
  const r = w.row('feeds/death_certificates');
  const village = pop.village[p]!;
  const age = ageOnDay(pop.birth[p]!, day);
  const u = rng.next();
  const inHospital = u < 0.35;
  r[0] = recordNo;
  r[1] = corruptName(pop.names[p]!, model, rng, log);
  r[2] = pop.sex[p] === FEMALE ? '女' : '男';
  r[3] = rng.next() < 0.03 ? null : w.ethnicityNames[pop.ethnicity[p]!]!;
  r[4] = corruptId(w.idNumber(p), model, rng, log);
  r[5] = corruptDate(dateOf(pop.birth[p]!), model, rng, log, 'birth_date');
  r[6] = dateOf(day);
  r[7] = inHospital ? '医疗卫生机构' : u < 0.93 ? '家中' : '其他场所';
  r[8] = drawCause(age, rng);
  r[9] = w.placeNames[village]!;
  r[10] = dateOf(filed);
  r[11] =
    inHospital && rng.next() < 0.6
      ? w.countyHospital
      : w.healthCentres[w.county.villages[village]!.townshipIndex]!;
  w.emit('feeds/death_certificates');
  w.writeFeedLink(FEED_NAMES.deathCertificates, recordNo, 'deceased', p, log.take());
}
