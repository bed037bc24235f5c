import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type BirthCells, estimateBirthCompleteness } from '../src/completeness/birth-completeness.ts';
import { estimateDualSystem, sumCounts } from '../src/completeness/dual-system.ts';
import { DECISIONS, linkRecords, parseLinkConfig } from '../src/linkage/index.ts';
import { readCountySubtree } from '../src/org/division-source.ts';
import { shortenName } from '../src/org/naming.ts';
import { writeCountyCsv } from '../src/synth/index.ts';
import { type CsvTable, readCsvFile } from '../src/synth/read-csv.ts';

/**
 * The must-show of the completeness estimate, independent of feed ingestion: registry births are
 * linked with the hospital birth certificates by the linkage engine directly from the synthetic
 * county's CSV files, the 2×2 counts are built per township, and the 95% interval is held
 * against the true number of births from the ground truth.
 */

const COUNTY = '620881';
// Extracted three months after the last year ends, as a county would estimate a year's completeness:
// a birth in the last days before the extract has had no time to reach either list, which makes
// the two lists' misses dependent (both miss the newest births) — see docs/completeness.md.
const OPTIONS = {
  county: COUNTY,
  persons: 20_000,
  from: 2021,
  to: 2025,
  asOf: '2026-03-31',
  seed: 5,
} as const;

const BIRTH_LINK_CONFIG = {
  id: 'id',
  comparisons: [
    { name: 'mother_id', type: 'id-number', column: 'mother_id', m: { else: 0.001 } },
    { name: 'name', type: 'han-name', column: 'name', tf: true },
    {
      name: 'birth_date',
      type: 'date',
      column: 'birth_date',
      levels: ['exact', 'day-month-swapped', 'within-days:10', 'same-year'],
    },
    { name: 'sex', type: 'exact', column: 'sex' },
    { name: 'village', type: 'place', column: 'village' },
    { name: 'mother_name', type: 'han-name', column: 'mother_name', tf: true },
  ],
  blocking: [
    { name: 'mother id', on: ['mother_id:id'] },
    { name: 'birth date + sex', on: ['birth_date:date', 'sex'] },
    { name: 'mother name + birth year', on: ['mother_name:pinyin', 'birth_date:year'] },
  ],
  thresholds: { autoLink: 0.95, review: 0.5 },
  oneToOne: true,
};
const COLUMNS = ['id', 'mother_id', 'name', 'birth_date', 'sex', 'village', 'mother_name'];

function values(table: CsvTable, row: string[], name: string): string | null {
  return row[table.column(name)] || null;
}

/** Spells by person: does the person have an outflow spell open on the date? */
function outflowOn(spells: CsvTable, keyColumn: string, villageColumn = 'village_code') {
  const byPerson = new Map<string, [string, string, string][]>();
  for (const row of spells.rows) {
    const key = row[spells.column(keyColumn)]!;
    const list = byPerson.get(key) ?? [];
    list.push([
      row[spells.column('valid_from')]!,
      row[spells.column('valid_to')]!,
      row[spells.column('residence_type')]!,
    ]);
    byPerson.set(key, list);
  }
  void villageColumn;
  return (person: string | null, date: string) =>
    person !== null &&
    (byPerson.get(person) ?? []).some(
      ([from, to, type]) => type === 'outflow' && from <= date && (to === '' || date < to),
    );
}

describe('completeness estimate on the synthetic county (linkage engine, no database)', () => {
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'renkou-completeness-'));
    await writeCountyCsv({ ...OPTIONS }, dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('covers the true number of births in at least 9 of 10 townships', async () => {
    const read = (path: string) => readCsvFile(join(dir, path));
    const persons = read('registry/persons.csv');
    const events = read('registry/events.csv');
    const spells = read('registry/residence_spells.csv');
    const certificates = read('feeds/birth_certificates.csv');
    const truthEvents = read('truth/events.csv');
    const truthPersons = read('truth/persons.csv');
    const registryLinks = read('truth/registry_links.csv');

    const person = new Map(persons.rows.map((row) => [row[persons.column('person_key')]!, row]));
    const registryAway = outflowOn(spells, 'person_key');

    // Registry births: the child's record, its mother's ID and name, the village where it counts.
    const registry: { id: string; township: string; away: boolean; values: Record<string, string | null> }[] =
      [];
    for (const row of events.rows) {
      if (row[events.column('kind')] !== 'birth') continue;
      const child = person.get(row[events.column('person_key')]!)!;
      const motherKey = values(events, row, 'mother_key');
      const mother = motherKey ? person.get(motherKey) : undefined;
      const village = row[events.column('org_code')]!;
      registry.push({
        id: `R${row[events.column('event_key')]}`,
        township: village.slice(0, 9),
        away: registryAway(motherKey, row[events.column('event_date')]!),
        values: {
          mother_id: mother ? values(persons, mother, 'id_number') : null,
          name: values(persons, child, 'name'),
          birth_date: row[events.column('event_date')]!,
          sex: values(persons, child, 'sex'),
          village,
          mother_name: mother ? values(persons, mother, 'name') : null,
        },
      });
    }

    // Hospital births: the address (township + village short names) placed on the village code.
    const subtree = await readCountySubtree(COUNTY);
    const townshipName = new Map(
      subtree.filter((e) => e.level === 'township').map((e) => [e.code, shortenName(e.name)]),
    );
    const placeOf = new Map<string, string>();
    for (const v of subtree.filter((e) => e.level === 'village')) {
      placeOf.set((townshipName.get(v.code.slice(0, 9)) ?? '') + shortenName(v.name), v.code);
    }
    const hospital = certificates.rows.map((row) => {
      const village = placeOf.get(row[certificates.column('家庭住址')]!) ?? null;
      const sex = row[certificates.column('性别')];
      return {
        id: `H${row[certificates.column('出生医学证明编号')]}`,
        township: village?.slice(0, 9) ?? null,
        values: {
          mother_id: values(certificates, row, '母亲身份证件号码'),
          name: values(certificates, row, '新生儿姓名'),
          birth_date: values(certificates, row, '出生日期'),
          sex: sex === '男' ? 'male' : sex === '女' ? 'female' : null,
          village,
          mother_name: values(certificates, row, '母亲姓名'),
        },
      };
    });
    assert.ok(
      hospital.every((h) => h.township !== null),
      'every synthetic address is a village',
    );

    const dataset = (records: { id: string; values: Record<string, string | null> }[]) => ({
      ids: records.map((r) => r.id),
      columns: new Map(COLUMNS.slice(1).map((c) => [c, records.map((r) => r.values[c] ?? null)])),
    });
    const parsed = parseLinkConfig(BIRTH_LINK_CONFIG, { left: COLUMNS, right: COLUMNS });
    assert.ok(parsed.ok);
    const result = linkRecords(dataset(hospital), dataset(registry), parsed.value);
    const linkedTo = new Map<number, number>();
    for (let k = 0; k < result.pairs.count; k++) {
      if (DECISIONS[result.pairs.decision[k]!] === 'link')
        linkedTo.set(result.pairs.left[k]!, result.pairs.right[k]!);
    }

    // The 2×2 counts per township and stratum: a matched pair counts where the registry has it.
    const cells = new Map<string, BirthCells>();
    const cell = (township: string) => {
      let c = cells.get(township);
      if (!c) {
        c = { here: { n1: 0, n2: 0, m: 0 }, away: { n1: 0, n2: 0, m: 0 } };
        cells.set(township, c);
      }
      return c;
    };
    for (const r of registry) cell(r.township)[r.away ? 'away' : 'here'].n1++;
    for (const [index, h] of hospital.entries()) {
      const j = linkedTo.get(index);
      if (j === undefined) {
        cell(h.township!).here.n2++;
        continue;
      }
      const r = registry[j]!;
      const stratum = cell(r.township)[r.away ? 'away' : 'here'];
      stratum.n2++;
      stratum.m++;
    }

    // The truth: every birth by township; "here" = the mother is not working elsewhere as the
    // registry has her (the births the stratified estimate is about).
    const truthMother = new Map(
      truthPersons.rows.map((row) => [
        row[truthPersons.column('person_id')]!,
        row[truthPersons.column('mother_id')]!,
      ]),
    );
    const keyOfTruth = new Map<string, string>();
    for (const row of registryLinks.rows) {
      if (row[registryLinks.column('duplicate')] === '0') {
        keyOfTruth.set(row[registryLinks.column('person_id')]!, row[registryLinks.column('person_key')]!);
      }
    }
    const truth = new Map<string, { all: number; here: number }>();
    for (const row of truthEvents.rows) {
      if (row[truthEvents.column('kind')] !== 'birth') continue;
      const township = row[truthEvents.column('org_code')]!.slice(0, 9);
      const motherKey = keyOfTruth.get(truthMother.get(row[truthEvents.column('person_id')]!)!) ?? null;
      const t = truth.get(township) ?? { all: 0, here: 0 };
      t.all++;
      if (!registryAway(motherKey, row[truthEvents.column('event_date')]!)) t.here++;
      truth.set(township, t);
    }

    let coveredHere = 0;
    let coveredAll = 0;
    const lines: string[] = [];
    const townships = [...truth.keys()].sort();
    for (const township of townships) {
      const t = truth.get(township)!;
      const estimate = estimateBirthCompleteness(cell(township));
      const here = estimate.here;
      const okHere =
        here.lower !== null && here.lower <= t.here && (here.upper === null || t.here <= here.upper);
      const okAll =
        estimate.lower !== null &&
        estimate.lower <= t.all &&
        (estimate.upper === null || t.all <= estimate.upper);
      coveredHere += okHere ? 1 : 0;
      coveredAll += okAll ? 1 : 0;
      lines.push(
        `${township} here: n1 ${here.n1} n2 ${here.n2} m ${here.m} N̂ ${here.estimate?.toFixed(1)} [${here.lower}, ${here.upper}] true ${t.here} ${okHere ? 'covered' : 'MISSED'}; ` +
          `all: away ${estimate.awayRegistered} total [${estimate.lower}, ${estimate.upper}] true ${t.all} ${okAll ? 'covered' : 'missed'}`,
      );
    }
    console.log(lines.map((l) => `  ${l}`).join('\n'));
    console.log(
      `  covered: births to mothers living here ${coveredHere} of ${townships.length}; all births ${coveredAll} of ${townships.length}`,
    );
    // The claim: where the hospital list can see the births, the interval covers the truth.
    assert.ok(coveredHere / townships.length >= 0.9, `covered ${coveredHere} of ${townships.length}`);
    // Births to mothers working elsewhere are counted, not estimated: the total never overstates.
    for (const township of townships) {
      const estimate = estimateBirthCompleteness(cell(township));
      assert.ok(estimate.lower! <= truth.get(township)!.all, `${township}: the lower end is a lower bound`);
    }
    // Pooled over the county, unstratified, the dependence between the lists shows as bias.
    const pooled = estimateDualSystem(sumCounts([...cells.values()].flatMap((c) => [c.here, c.away])));
    const allBirths = [...truth.values()].reduce((n, t) => n + t.all, 0);
    console.log(
      `  county pooled without strata: N̂ ${pooled.estimate?.toFixed(1)} [${pooled.lower}, ${pooled.upper}], true ${allBirths}`,
    );
  });
});
