import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { computeCheckChar } from '../src/domain/resident-id.ts';
import { writeCountyCsv } from '../src/synth/generate-county.ts';
import { ageStructure, DEFAULT_RATES, deathRate, fertilityRates, valueForYear } from '../src/synth/rates.ts';
import { type CsvTable, readCsvFile } from '../src/synth/read-csv.ts';

/**
 * The generated county against its configuration. Every indicator is recomputed here from the
 * ground-truth files, with the definitions of DESIGN.md, and compared with what the configured
 * rates imply for the same people: the tolerance is 4 standard errors of the sampling error
 * (Poisson for counts, binomial for shares), so a correct generator fails a check with
 * probability below 1 in 10,000, and a bias of a few percent does not pass.
 */

const PERSONS = 40_000;
const FROM = 2016;
const TO = 2025;
const Z = Number(process.env.SYNTH_Z ?? 4);
const rates = DEFAULT_RATES;

/** Day number of 'YYYY-MM-DD', computed here independently of the generator's calendar. */
function toDay(date: string): number {
  return (
    Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / 86_400_000
  );
}

/** Completed years on `date`; the birthday counts on the day (29 February birthdays on 1 March). */
function ageOn(birth: string, date: string): number {
  let age = Number(date.slice(0, 4)) - Number(birth.slice(0, 4));
  if (date.slice(5) < birth.slice(5)) age -= 1;
  return age;
}

interface TruePerson {
  id: number;
  sex: 'male' | 'female';
  birth: string;
  idNumber: string;
  entry: number;
  exit: number;
  origin: string;
}

/** Person-years in [from, to), split at the birthday of that year: [age, years] pairs. */
function exposureByAge(p: TruePerson, year: number): Array<[number, number]> {
  const yStart = toDay(`${year}-01-01`);
  const yEnd = toDay(`${year + 1}-01-01`);
  const from = Math.max(p.entry, yStart);
  const to = Math.min(p.exit, yEnd);
  if (to <= from) return [];
  const birthday = Date.UTC(year, Number(p.birth.slice(5, 7)) - 1, Number(p.birth.slice(8, 10))) / 86_400_000;
  const before = year - Number(p.birth.slice(0, 4)) - 1;
  const out: Array<[number, number]> = [];
  if (from < birthday) out.push([before, (Math.min(to, birthday) - from) / 365.25]);
  if (to > birthday) out.push([before + 1, (to - Math.max(from, birthday)) / 365.25]);
  return out;
}

function zScore(observed: number, expected: number, se: number): number {
  return se === 0 ? 0 : (observed - expected) / se;
}

describe('synthetic county: rates recomputed from the ground truth', () => {
  let dir: string;
  let persons: TruePerson[];
  let byId: Map<number, TruePerson>;
  let events: CsvTable;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'renkou-synth-'));
    await writeCountyCsv({ county: '620881', persons: PERSONS, from: FROM, to: TO, seed: 'rates-test' }, dir);
    const table = readCsvFile(join(dir, 'truth/persons.csv'));
    const col = (name: string) => table.column(name);
    const [id, sex, birth, idNumber, entry, exit, origin] = [
      'person_id',
      'sex',
      'birth_date',
      'id_number',
      'entry_date',
      'exit_date',
      'origin',
    ].map(col) as [number, number, number, number, number, number, number];
    persons = table.rows.map((r) => ({
      id: Number(r[id]),
      sex: r[sex] as 'male' | 'female',
      birth: r[birth]!,
      idNumber: r[idNumber]!,
      entry: r[entry] ? toDay(r[entry]!) : Number.POSITIVE_INFINITY,
      exit: r[exit] ? toDay(r[exit]!) : Number.POSITIVE_INFINITY,
      origin: r[origin]!,
    }));
    byId = new Map(persons.map((p) => [p.id, p]));
    events = readCsvFile(join(dir, 'truth/events.csv'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Births by year and mother's 5-year age group (0 = 15–19 … 6 = 45–49), with the child's sex and order. */
  function births() {
    const kind = events.column('kind');
    const child = events.column('person_id');
    const mother = events.column('other_person_id');
    const date = events.column('event_date');
    const order = events.column('birth_order');
    return events.rows
      .filter((r) => r[kind] === 'birth')
      .map((r) => {
        const m = byId.get(Number(r[mother]))!;
        const age = ageOn(m.birth, r[date]!);
        return {
          year: Number(r[date]!.slice(0, 4)),
          group: Math.floor((age - 15) / 5),
          sex: byId.get(Number(r[child]))!.sex,
          order: Number(r[order]),
        };
      });
  }

  /** Woman-years by year and 5-year group 15–19 … 45–49. */
  function womanYears(): number[][] {
    const out = Array.from({ length: TO - FROM + 1 }, () => new Array<number>(7).fill(0));
    for (const p of persons) {
      if (p.sex !== 'female' || p.entry === Number.POSITIVE_INFINITY) continue;
      for (let year = FROM; year <= TO; year++) {
        for (const [age, years] of exposureByAge(p, year)) {
          if (age >= 15 && age <= 49) out[year - FROM]![Math.floor((age - 15) / 5)]! += years;
        }
      }
    }
    return out;
  }

  /** Population on 1 January of a year (entry ≤ day < exit). */
  function populationOn(day: number): number {
    let n = 0;
    for (const p of persons) if (p.entry <= day && day < p.exit) n++;
    return n;
  }

  it('has births matching the age-specific fertility rates: total fertility rate by year and overall', () => {
    const exposure = womanYears();
    const observed = Array.from({ length: TO - FROM + 1 }, () => new Array<number>(7).fill(0));
    for (const b of births()) {
      assert.ok(b.group >= 0 && b.group < 7, `mother aged outside 15–49 (group ${b.group})`);
      observed[b.year - FROM]![b.group]!++;
    }
    const pooledBirths = new Array<number>(7).fill(0);
    const pooledExpected = new Array<number>(7).fill(0);
    const pooledExposure = new Array<number>(7).fill(0);
    for (let year = FROM; year <= TO; year++) {
      const asfr = fertilityRates(rates, year);
      let tfr = 0;
      let variance = 0;
      for (let g = 0; g < 7; g++) {
        const w = exposure[year - FROM]![g]!;
        const b = observed[year - FROM]![g]!;
        tfr += (5 * b) / w;
        // Poisson variance of the count under the configured rate, carried into 5·B/W.
        variance += (25 * asfr[g]! * w) / (w * w);
        pooledBirths[g]! += b;
        pooledExpected[g]! += asfr[g]! * w;
        pooledExposure[g]! += w;
      }
      const configured = valueForYear(rates.fertility.tfrByYear, year);
      const z = zScore(tfr, configured, Math.sqrt(variance));
      assert.ok(
        Math.abs(z) < Z,
        `TFR ${year}: ${tfr.toFixed(3)} vs configured ${configured} (z = ${z.toFixed(2)})`,
      );
    }
    let tfr = 0;
    let expected = 0;
    let variance = 0;
    for (let g = 0; g < 7; g++) {
      tfr += (5 * pooledBirths[g]!) / pooledExposure[g]!;
      expected += (5 * pooledExpected[g]!) / pooledExposure[g]!;
      variance += (25 * pooledExpected[g]!) / pooledExposure[g]! ** 2;
    }
    const z = zScore(tfr, expected, Math.sqrt(variance));
    assert.ok(
      Math.abs(z) < Z,
      `TFR ${FROM}–${TO}: ${tfr.toFixed(3)} vs ${expected.toFixed(3)} (z = ${z.toFixed(2)})`,
    );
    assert.ok(tfr > 1.0 && tfr < 1.5, `mean TFR ${tfr.toFixed(3)} is in China's recent range`);
  });

  it('has a crude birth rate (births / average population) as the configured fertility implies', () => {
    const exposure = womanYears();
    const byYear = new Array<number>(TO - FROM + 1).fill(0);
    for (const b of births()) byYear[b.year - FROM]!++;
    let allBirths = 0;
    let allExpected = 0;
    let allPopulation = 0;
    for (let year = FROM; year <= TO; year++) {
      const average = (populationOn(toDay(`${year}-01-01`)) + populationOn(toDay(`${year + 1}-01-01`))) / 2;
      const asfr = fertilityRates(rates, year);
      const expected = asfr.reduce((sum, rate, g) => sum + rate * exposure[year - FROM]![g]!, 0);
      const observed = byYear[year - FROM]!;
      const z = zScore(observed, expected, Math.sqrt(expected));
      assert.ok(
        Math.abs(z) < Z,
        `CBR ${year}: ${((1000 * observed) / average).toFixed(2)}‰ vs ${((1000 * expected) / average).toFixed(2)}‰ (z = ${z.toFixed(2)})`,
      );
      allBirths += observed;
      allExpected += expected;
      allPopulation += average;
    }
    const cbr = (1000 * allBirths) / allPopulation;
    const z = zScore(allBirths, allExpected, Math.sqrt(allExpected));
    assert.ok(
      Math.abs(z) < Z,
      `CBR ${cbr.toFixed(2)}‰ vs ${((1000 * allExpected) / allPopulation).toFixed(2)}‰ (z = ${z.toFixed(2)})`,
    );
    assert.ok(cbr > 4 && cbr < 12, `CBR ${cbr.toFixed(2)}‰ is in China's 2016–2025 range`);
  });

  it('has a sex ratio at birth of about 110, within its binomial error', () => {
    const all = births();
    const males = all.filter((b) => b.sex === 'male').length;
    const p = rates.fertility.sexRatioAtBirth / (100 + rates.fertility.sexRatioAtBirth);
    const share = males / all.length;
    const z = zScore(share, p, Math.sqrt((p * (1 - p)) / all.length));
    const ratio = (100 * males) / (all.length - males);
    assert.ok(
      Math.abs(z) < Z,
      `sex ratio at birth ${ratio.toFixed(1)} vs ${rates.fertility.sexRatioAtBirth} (z = ${z.toFixed(2)})`,
    );
  });

  it('gives each birth order its configured share within the mother’s age group', () => {
    const all = births();
    for (let g = 1; g <= 4; g++) {
      const inGroup = all.filter((b) => b.group === g);
      for (let order = 1; order <= 3; order++) {
        const p = rates.fertility.orderShares[g]![order - 1]!;
        if (inGroup.length * p < 20) continue;
        const count = inGroup.filter((b) => Math.min(3, b.order) === order).length;
        const z = zScore(count / inGroup.length, p, Math.sqrt((p * (1 - p)) / inGroup.length));
        assert.ok(
          Math.abs(z) < Z,
          `order ${order} at ages ${15 + 5 * g}–${19 + 5 * g}: ${(count / inGroup.length).toFixed(3)} vs ${p} (z = ${z.toFixed(2)})`,
        );
      }
    }
  });

  it('has deaths matching the life table: crude death rate by year and overall', () => {
    const kind = events.column('kind');
    const date = events.column('event_date');
    const deaths = new Array<number>(TO - FROM + 1).fill(0);
    for (const r of events.rows) if (r[kind] === 'death') deaths[Number(r[date]!.slice(0, 4)) - FROM]!++;
    let allDeaths = 0;
    let allExpected = 0;
    let allPopulation = 0;
    for (let year = FROM; year <= TO; year++) {
      const yStart = toDay(`${year}-01-01`);
      const yEnd = toDay(`${year + 1}-01-01`);
      let expected = 0;
      for (const p of persons) {
        const from = Math.max(p.entry, yStart);
        const to = Math.min(p.exit, yEnd);
        if (to <= from) continue;
        // The generator's hazard for the year is the one at the age reached on 1 July.
        const age = Math.min(rates.population.maxAge, Math.max(0, ageOn(p.birth, `${year}-07-01`)));
        expected += (deathRate(rates, p.sex, age, year) * (to - from)) / 365.25;
      }
      const average = (populationOn(yStart) + populationOn(yEnd)) / 2;
      const observed = deaths[year - FROM]!;
      const z = zScore(observed, expected, Math.sqrt(expected));
      assert.ok(
        Math.abs(z) < Z,
        `CDR ${year}: ${((1000 * observed) / average).toFixed(2)}‰ vs ${((1000 * expected) / average).toFixed(2)}‰ (z = ${z.toFixed(2)})`,
      );
      allDeaths += observed;
      allExpected += expected;
      allPopulation += average;
    }
    const cdr = (1000 * allDeaths) / allPopulation;
    const z = zScore(allDeaths, allExpected, Math.sqrt(allExpected));
    assert.ok(
      Math.abs(z) < Z,
      `CDR ${cdr.toFixed(2)}‰ vs ${((1000 * allExpected) / allPopulation).toFixed(2)}‰ (z = ${z.toFixed(2)})`,
    );
    assert.ok(cdr > 5 && cdr < 12, `CDR ${cdr.toFixed(2)}‰ is in China's 2016–2025 range`);
  });

  it('starts from the 2020 census age–sex structure', () => {
    const start = toDay(`${FROM}-01-01`);
    const initial = persons.filter((p) => p.origin === 'initial');
    assert.equal(initial.length, PERSONS, '--persons is the population on 1 January of the first year');
    const shares = ageStructure(rates);
    const groups = shares.male.length;
    const counts = { male: new Array<number>(groups).fill(0), female: new Array<number>(groups).fill(0) };
    for (const p of initial) {
      assert.equal(p.entry, start, `person ${p.id} was there on 1 January ${FROM}`);
      const age = ageOn(p.birth, `${FROM}-01-01`);
      counts[p.sex][Math.min(groups - 1, Math.floor(age / 5))]!++;
    }
    for (const sex of ['male', 'female'] as const) {
      for (let g = 0; g < groups; g++) {
        const p = shares[sex][g]!;
        const z = zScore(counts[sex][g]! / initial.length, p, Math.sqrt((p * (1 - p)) / initial.length));
        assert.ok(
          Math.abs(z) < Z,
          `${sex} ${5 * g}–${5 * g + 4}: ${(counts[sex][g]! / initial.length).toFixed(4)} vs ${p.toFixed(4)} (z = ${z.toFixed(2)})`,
        );
      }
    }
    const males = counts.male.reduce((a, b) => a + b, 0);
    const pMale = shares.male.reduce((a, b) => a + b, 0);
    const z = zScore(males / initial.length, pMale, Math.sqrt((pMale * (1 - pMale)) / initial.length));
    assert.ok(
      Math.abs(z) < Z,
      `sex ratio ${((100 * males) / (initial.length - males)).toFixed(1)} (z = ${z.toFixed(2)})`,
    );
    const old =
      counts.male
        .slice(13)
        .concat(counts.female.slice(13))
        .reduce((a, b) => a + b, 0) / initial.length;
    assert.ok(Math.abs(old - 0.135) < 0.01, `65+ share ${old.toFixed(3)} is the census's 13.5 %`);
  });

  it('gives everyone a valid resident ID number that agrees with their birth date and sex', () => {
    const seen = new Set<string>();
    for (const p of persons) {
      assert.match(p.idNumber, /^\d{17}[\dX]$/, `person ${p.id}`);
      assert.equal(
        p.idNumber[17],
        computeCheckChar(p.idNumber.slice(0, 17)),
        `check character of ${p.idNumber}`,
      );
      assert.equal(p.idNumber.slice(6, 14), p.birth.replaceAll('-', ''), `birth date in ${p.idNumber}`);
      assert.equal(
        Number(p.idNumber.slice(14, 17)) % 2 === 1 ? 'male' : 'female',
        p.sex,
        `sex digit of ${p.idNumber}`,
      );
      assert.ok(!seen.has(p.idNumber), `ID number ${p.idNumber} given twice`);
      seen.add(p.idNumber);
    }
  });

  it('keeps the registry’s ID numbers valid and unique among live records', () => {
    const registry = readCsvFile(join(dir, 'registry/persons.csv'));
    const links = readCsvFile(join(dir, 'truth/registry_links.csv'));
    const idCol = registry.column('id_number');
    const status = registry.column('status');
    const truthOf = new Map(links.rows.map((r) => [r[0], { person: Number(r[1]), duplicate: r[2] === '1' }]));
    const live = new Set<string>();
    for (const r of registry.rows) {
      const id = r[idCol]!;
      if (id === '') continue;
      assert.equal(id[17], computeCheckChar(id.slice(0, 17)), `check character of registry ID ${id}`);
      const link = truthOf.get(r[0])!;
      if (!link.duplicate)
        assert.equal(id, byId.get(link.person)!.idNumber, 'a registry ID is the person’s own');
      if (r[status] === 'active') {
        assert.ok(!live.has(id), `two live registry records share ${id}`);
        live.add(id);
      }
    }
  });
});
