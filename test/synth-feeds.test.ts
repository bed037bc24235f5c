import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pinyin } from 'pinyin-pro';
import { computeCheckChar } from '../src/domain/resident-id.ts';
import { writeCountyCsv } from '../src/synth/generate-county.ts';
import { findHomophoneGroup } from '../src/synth/names.ts';
import { DEFAULT_RATES, type DelayModel } from '../src/synth/rates.ts';
import { type CsvTable, readCsvFile } from '../src/synth/read-csv.ts';

/**
 * The department feeds and the registry against the ground truth: every record is linked to the
 * true person it describes, each error the truth files admit to is really in the record (and no
 * other), and the error and loss rates match the configured models within 4 standard errors.
 */

const PERSONS = 25_000;
const AS_OF = '2025-12-31';
const Z = 4;
const feeds = DEFAULT_RATES.feeds;

interface Truth {
  name: string;
  idNumber: string;
  birth: string;
  sex: string;
  mother: string;
}

/** Standard normal distribution function (Abramowitz & Stegun 7.1.26, error below 1.5e-7). */
function normalCdf(x: number): number {
  const t = 1 / (1 + (0.3275911 * Math.abs(x)) / Math.SQRT2);
  const poly =
    t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-(x * x) / 2);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** Probability that a delay model has reported within `days` (for days ≥ 30). */
function reportedWithin(model: DelayModel, days: number): number {
  const late = normalCdf(Math.log((days - 30) / model.lateMedianDays) / model.lateSigma);
  return (1 - model.never) * (model.onTime + (1 - model.onTime) * late);
}

function days(from: string, to: string): number {
  return (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000;
}

/** Positions where two strings of equal length differ. */
function differences(a: string, b: string): number[] {
  const x = [...a];
  const y = [...b];
  if (x.length !== y.length) return [-1];
  return x.flatMap((c, i) => (c === y[i] ? [] : [i]));
}

function assertShare(label: string, count: number, total: number, p: number) {
  const se = Math.sqrt((p * (1 - p)) / total);
  const z = (count / total - p) / se;
  assert.ok(
    Math.abs(z) < Z,
    `${label}: ${count}/${total} = ${(count / total).toFixed(4)} vs ${p.toFixed(4)} (z = ${z.toFixed(2)})`,
  );
}

describe('synthetic county: feeds, registry errors and truth links', () => {
  let dir: string;
  let truth: Map<string, Truth>;
  let links: CsvTable;
  /** Feed → record → role → { person, errors }. */
  let linkIndex: Map<string, Map<string, Map<string, { person: string; errors: string[] }>>>;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'renkou-synth-feeds-'));
    await writeCountyCsv(
      { county: '620881', persons: PERSONS, from: 2016, to: 2025, seed: 'feeds-test' },
      dir,
    );
    const persons = readCsvFile(join(dir, 'truth/persons.csv'));
    const c = (name: string) => persons.column(name);
    truth = new Map(
      persons.rows.map((r) => [
        r[c('person_id')]!,
        {
          name: r[c('name')]!,
          idNumber: r[c('id_number')]!,
          birth: r[c('birth_date')]!,
          sex: r[c('sex')]!,
          mother: r[c('mother_id')]!,
        },
      ]),
    );
    links = readCsvFile(join(dir, 'truth/feed_links.csv'));
    linkIndex = new Map();
    for (const [feed, record, role, person, errors] of links.rows) {
      let byRecord = linkIndex.get(feed!);
      if (!byRecord) {
        byRecord = new Map();
        linkIndex.set(feed!, byRecord);
      }
      let byRole = byRecord.get(record!);
      if (!byRole) {
        byRole = new Map();
        byRecord.set(record!, byRole);
      }
      assert.ok(!byRole.has(role!), `${feed} ${record} has two ${role} links`);
      byRole.set(role!, { person: person!, errors: errors ? errors.split(';') : [] });
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const feedRoles: Record<string, string[]> = {
    birth_certificates: ['child', 'mother'],
    marriage_registrations: ['husband', 'wife'],
    hukou_registrations: ['person'],
    death_certificates: ['deceased'],
  };

  it('links every feed record, and only those, to true persons in its roles', () => {
    for (const [feed, roles] of Object.entries(feedRoles)) {
      const table = readCsvFile(join(dir, `feeds/${feed}.csv`));
      const byRecord = linkIndex.get(feed)!;
      assert.ok(table.rows.length > 100, `${feed} has records`);
      assert.equal(byRecord.size, table.rows.length, `${feed}: one set of links per record`);
      for (const row of table.rows) {
        const record = byRecord.get(row[0]!);
        assert.ok(record, `${feed} ${row[0]} has truth links`);
        for (const role of roles) assert.ok(record.has(role), `${feed} ${row[0]} links its ${role}`);
        for (const { person } of record.values())
          assert.ok(truth.has(person), `${feed} ${row[0]} links a true person`);
      }
    }
    // The father is linked exactly when the certificate names one.
    const certificates = readCsvFile(join(dir, 'feeds/birth_certificates.csv'));
    const fatherName = certificates.column('父亲姓名');
    for (const row of certificates.rows) {
      const record = linkIndex.get('birth_certificates')!.get(row[0]!)!;
      assert.equal(record.has('father'), row[fatherName] !== '', `${row[0]} father link`);
      if (record.has('father'))
        assert.equal(truth.get(record.get('child')!.person)!.mother, record.get('mother')!.person);
    }
  });

  it('links every registry person record, duplicates included, to exactly one true person', () => {
    const registry = readCsvFile(join(dir, 'registry/persons.csv'));
    const registryLinks = readCsvFile(join(dir, 'truth/registry_links.csv'));
    const byKey = new Map(registryLinks.rows.map((r) => [r[0]!, r]));
    assert.equal(registryLinks.rows.length, registry.rows.length);
    assert.equal(byKey.size, registry.rows.length, 'one link per registry record');
    const name = registry.column('name');
    const birth = registry.column('birth_date');
    const id = registry.column('id_number');
    const status = registry.column('status');
    const originals = new Set<string>();
    let live = 0;
    const duplicates: string[] = [];
    for (const row of registry.rows) {
      const [, person, duplicate, errors = ''] = byKey.get(row[0]!)!;
      const t = truth.get(person!)!;
      assert.ok(t, `registry ${row[0]} links a true person`);
      if (duplicate === '1') {
        duplicates.push(person!);
        assert.notEqual(row[id], t.idNumber, 'a duplicate does not carry the live ID number');
        continue;
      }
      originals.add(person!);
      if (row[status] === 'active') live++;
      assert.equal(
        row[name] === t.name,
        !errors.includes('name:'),
        `registry ${row[0]} name vs its errors "${errors}"`,
      );
      assert.equal(
        row[birth] === t.birth,
        !errors.includes('birth_date:'),
        `registry ${row[0]} birth date vs "${errors}"`,
      );
    }
    assert.ok(duplicates.length > 20, `some persons are registered twice (${duplicates.length})`);
    for (const person of duplicates)
      assert.ok(originals.has(person), 'a duplicate duplicates a registered person');
    // Only live records get entered twice.
    assertShare('duplicates', duplicates.length, live, DEFAULT_RATES.registry.duplicate);
  });

  /** Checks one person's name, ID and birth date in a record against the truth and the errors it admits. */
  function checkPerson(
    label: string,
    t: Truth,
    errors: string[],
    name: string | null,
    id: string | null,
    birth?: string,
  ) {
    const has = (e: string) => errors.includes(e);
    if (name !== null && !has('name:unnamed')) {
      if (!has('name:homophone') && !has('name:typo')) assert.equal(name, t.name, `${label} name`);
      if (has('name:homophone') && !has('name:typo')) {
        const diff = differences(name, t.name);
        assert.equal(
          diff.length,
          1,
          `${label}: a homophone swap changes one character (${t.name} → ${name})`,
        );
        const [a, b] = [[...name][diff[0]!]!, [...t.name][diff[0]!]!];
        assert.equal(
          pinyin(a, { toneType: 'none' }),
          pinyin(b, { toneType: 'none' }),
          `${label}: ${b} → ${a} sounds the same`,
        );
      }
    }
    if (id !== null) {
      if (has('id_number:missing')) assert.equal(id, '', `${label} ID missing`);
      else if (has('id_number:transpose')) {
        const diff = differences(id, t.idNumber);
        assert.deepEqual(diff.length, 2, `${label}: a transposition moves two digits`);
        assert.equal(diff[1]! - diff[0]!, 1, `${label}: adjacent digits`);
        assert.notEqual(
          id[17],
          computeCheckChar(id.slice(0, 17)),
          `${label}: the check character catches it`,
        );
      } else if (has('id_number:digit')) {
        assert.equal(differences(id, t.idNumber).length, 1, `${label}: one digit wrong`);
        assert.notEqual(
          id[17],
          computeCheckChar(id.slice(0, 17)),
          `${label}: the check character catches it`,
        );
      } else assert.equal(id, t.idNumber, `${label} ID`);
    }
    if (birth !== undefined) {
      if (has('birth_date:day_month_swap')) {
        assert.equal(
          birth,
          `${t.birth.slice(0, 4)}-${t.birth.slice(8, 10)}-${t.birth.slice(5, 7)}`,
          `${label} swapped date`,
        );
      } else assert.equal(birth, t.birth, `${label} birth date`);
    }
  }

  it('puts into every feed record exactly the errors its truth links admit', () => {
    const tables: Record<string, Array<[role: string, name: string, id: string, birth?: string]>> = {
      birth_certificates: [
        ['child', '新生儿姓名', '', '出生日期'],
        ['mother', '母亲姓名', '母亲身份证件号码'],
        ['father', '父亲姓名', '父亲身份证件号码'],
      ],
      marriage_registrations: [
        ['husband', '男方姓名', '男方身份证件号码', '男方出生日期'],
        ['wife', '女方姓名', '女方身份证件号码', '女方出生日期'],
      ],
      hukou_registrations: [['person', '姓名', '公民身份号码', '出生日期']],
      death_certificates: [['deceased', '死者姓名', '身份证件号码', '出生日期']],
    };
    for (const [feed, roles] of Object.entries(tables)) {
      const table = readCsvFile(join(dir, `feeds/${feed}.csv`));
      for (const row of table.rows) {
        const record = linkIndex.get(feed)!.get(row[0]!)!;
        for (const [role, name, id, birth] of roles) {
          const link = record.get(role);
          if (!link) continue;
          checkPerson(
            `${feed} ${row[0]} ${role}`,
            truth.get(link.person)!,
            link.errors,
            row[table.column(name)]!,
            id ? row[table.column(id)]! : null,
            birth ? row[table.column(birth)] : undefined,
          );
        }
      }
    }
  });

  it('gives hospital records homophone swaps, transposed ID digits and day–month swaps at the configured rates', () => {
    const model = feeds.birthCertificates;
    const records = [...linkIndex.get('birth_certificates')!.values()];
    const mothers = records.map((r) => r.get('mother')!);
    // A homophone swap needs a character that has one; the rate applies to those names.
    const swappable = mothers.filter((m) =>
      [...truth.get(m.person)!.name].some((c) => findHomophoneGroup(c)),
    );
    const swapped = mothers.filter((m) => m.errors.includes('name:homophone'));
    assert.ok(swapped.length > 0, 'some mothers’ names are written with a homophone');
    assertShare('mother name homophones', swapped.length, swappable.length, model.homophone);
    const idErrors = mothers.filter((m) => !m.errors.includes('id_number:missing'));
    const transposed = idErrors.filter((m) => m.errors.includes('id_number:transpose')).length;
    assertShare(
      'mother ID transpositions',
      transposed,
      idErrors.length,
      model.idTranspose * (1 - model.missingIdNumber),
    );
    const children = records.map((r) => r.get('child')!);
    const swappableDates = children.filter((c) => {
      const b = truth.get(c.person)!.birth;
      return Number(b.slice(8, 10)) <= 12 && b.slice(8, 10) !== b.slice(5, 7);
    });
    const dateSwaps = children.filter((c) => c.errors.includes('birth_date:day_month_swap')).length;
    assertShare('day–month swaps', dateSwaps, swappableDates.length, model.dayMonthSwap);
    const unnamed = children.filter((c) => c.errors.includes('name:unnamed')).length;
    assertShare('children not yet named', unnamed, children.length, model.childUnnamed);
  });

  it('loses hospital and death records at the configured rates, and late records after the extract date', () => {
    const events = readCsvFile(join(dir, 'truth/events.csv'));
    const spells = readCsvFile(join(dir, 'truth/residence_spells.csv'));
    // Births to mothers living elsewhere (outflow) happen in other counties' hospitals.
    const outflowOn = new Map<string, Array<[string, string]>>();
    for (const [person, , , type, from, to] of spells.rows) {
      if (type !== 'outflow') continue;
      if (!outflowOn.has(person!)) outflowOn.set(person!, []);
      outflowOn.get(person!)!.push([from!, to || '9999-12-31']);
    }
    const away = (person: string, date: string) =>
      (outflowOn.get(person) ?? []).some(([from, to]) => from <= date && date < to);
    const kind = events.column('kind');
    const person = events.column('person_id');
    const other = events.column('other_person_id');
    const date = events.column('event_date');
    const certified = new Set(
      [...linkIndex.get('birth_certificates')!.values()].map((r) => r.get('child')!.person),
    );
    const old = events.rows.filter(
      (r) => r[kind] === 'birth' && days(r[date]!, AS_OF) >= 730 && !away(r[other]!, r[date]!),
    );
    const model = feeds.birthCertificates;
    const withCertificate = old.filter((r) => certified.has(r[person]!)).length;
    assertShare(
      'births with a certificate',
      withCertificate,
      old.length,
      (1 - model.homeBirth) * reportedWithin(model.delay, 730),
    );
    const recent = events.rows.filter((r) => r[kind] === 'birth' && days(r[date]!, AS_OF) < 2);
    assert.ok(
      recent.every((r) => !certified.has(r[person]!) || r[date]! <= AS_OF),
      'nothing issued after the extract date is in the feed',
    );

    const deaths = readCsvFile(join(dir, 'feeds/death_certificates.csv'));
    const filed = deaths.column('填报日期');
    assert.ok(
      deaths.rows.every((r) => r[filed]! <= AS_OF),
      'no certificate filed after the extract date',
    );
    const withDeathCertificate = new Set(
      [...linkIndex.get('death_certificates')!.values()].map((r) => r.get('deceased')!.person),
    );
    const oldDeaths = events.rows.filter(
      (r) => r[kind] === 'death' && days(r[date]!, AS_OF) >= 730 && !away(r[person]!, r[date]!),
    );
    const d = feeds.deathCertificates;
    assertShare(
      'deaths with a certificate',
      oldDeaths.filter((r) => withDeathCertificate.has(r[person]!)).length,
      oldDeaths.length,
      (1 - d.uncertified) * reportedWithin(d.delay, 730),
    );
  });

  it('misses some births in the registry and gets others late', () => {
    const events = readCsvFile(join(dir, 'truth/events.csv'));
    const registryEvents = readCsvFile(join(dir, 'registry/events.csv'));
    const births = events.rows.filter((r) => r[events.column('kind')] === 'birth');
    const unregistered = births.filter((r) => r[events.column('registry_event_key')] === '').length;
    assert.ok(
      unregistered / births.length > 0.02 && unregistered / births.length < 0.2,
      `${unregistered} of ${births.length} births unregistered`,
    );
    const kind = registryEvents.column('kind');
    const registered = registryEvents.rows.filter((r) => r[kind] === 'birth');
    const late = registered.filter(
      (r) => days(r[registryEvents.column('event_date')]!, r[registryEvents.column('report_date')]!) > 30,
    );
    assert.ok(
      late.length > 0 && late.length < registered.length / 2,
      `${late.length} late birth registrations`,
    );
    assert.ok(
      registered.every((r) => r[registryEvents.column('report_date')]! <= AS_OF),
      'nothing reported after the extract date',
    );
  });
});
