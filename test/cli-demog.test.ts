import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runRenkou } from './helpers/cli.ts';

// The calculators need no storage: point them at a database that cannot exist to prove it.
const NO_DATABASE = { DATABASE_URL: 'postgres://renkou:none@127.0.0.1:1/none' };

// Preston, Heuveline & Guillot (2001), Demography, Box 3.1: Austria 1992 males, with the book's nax
// for ages 5–84 (a0 and 4a1 left to the Coale–Demeny rule, which gives the book's values).
const AUSTRIA = `age,deaths,population,ax
0,419,47925,
1-4,70,189127,
5-9,36,234793,2.5
10-14,46,238790,3.143
15-19,249,254996,2.724
20-24,420,326831,2.520
25-29,403,355086,2.481
30-34,441,324222,2.601
35-39,508,269963,2.701
40-44,769,261971,2.663
45-49,1154,238011,2.698
50-54,1866,261612,2.676
55-59,2043,181385,2.645
60-64,3496,187962,2.624
65-69,4366,153832,2.619
70-74,4337,105169,2.593
75-79,5279,73694,2.518
80-84,6460,57512,2.423
85+,6146,32248,
`;

const BY_SEX = `年龄,性别,死亡人数,人口
0,男,12,2100
1-4,男,2,8400
5-59,男,60,90000
60+,男,420,15000
0,女,9,1950
1-4,女,1,8100
5-59,女,30,88000
60+,女,380,17500
`;

const FERTILITY = `年龄组,出生数,妇女人数
15-19,25,8900
20-24,480,8100
25-29,1010,9300
30-34,690,11200
35-39,260,10500
40-44,48,9800
45-49,3,12100
`;

const AGES = ['0', '1-4', '5-9', '10-14', '15-19', '20-24', '25-29', '30-34', '35-39', '40-44', '45-49'];
const PROJECTION = {
  baseYear: 2025,
  population: {
    ages: ['0-4', '5-9', '10-14', '15-19', '20-24', '25-29', '30-34', '35-39', '40-44', '45-49', '50+'],
    male: [7200, 9800, 10400, 9900, 8700, 9600, 11800, 10900, 10200, 12600, 60000],
    female: [6600, 8900, 9400, 9100, 8200, 9300, 11400, 10600, 9900, 12200, 65000],
  },
  mortality: {
    male: {
      ages: [...AGES, '50+'],
      mx: [0.0055, 0.0003, 0.0002, 0.0002, 0.0005, 0.0008, 0.0009, 0.0012, 0.0017, 0.0027, 0.0042, 0.035],
    },
    female: {
      ages: [...AGES, '50+'],
      mx: [0.0048, 0.0002, 0.0001, 0.0001, 0.0002, 0.0003, 0.0004, 0.0005, 0.0008, 0.0013, 0.0021, 0.028],
    },
  },
  fertility: {
    ages: ['15-19', '20-24', '25-29', '30-34', '35-39', '40-44', '45-49'],
    asfr: [0.004, 0.045, 0.085, 0.06, 0.025, 0.006, 0.001],
  },
  sexRatioAtBirth: 110,
  netMigration: {
    male: [20, 10, 0, -60, -180, -120, -40, -10, 0, 0, 30],
    female: [20, 10, 0, -70, -200, -110, -30, -10, 0, 0, 30],
  },
  assumptions: {
    tfr: [
      { year: 2025, value: 1.1 },
      { year: 2035, value: 1.3 },
    ],
    e0: { female: [{ year: 2050, value: 86 }] },
  },
};

describe('renkou demog', () => {
  let dir: string;
  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'renkou-demog-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('lifetable prints Preston’s Austria 1992 male table with zh-CN headers and e0 72.89', async () => {
    const input = file('austria.csv', AUSTRIA);
    const result = await runRenkou(['demog', 'lifetable', '--input', input, '--sex', 'male'], NO_DATABASE);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '');
    assert.match(result.stdout, /寿命表（男性）/);
    assert.match(result.stdout, /年龄 +死亡数 +人口 +死亡率nmx +nax +死亡概率nqx +尚存lx/);
    assert.match(result.stdout, /\n0 +419 +47,925 +0\.008743 +0\.068 +0\.008672 +100,000 +867 +99,192 /);
    assert.match(result.stdout, /\n85\+ +6,146 +32,248 .* 21,134 +21,134 +110,889 +110,889 +5\.25/);
    assert.match(result.stdout, /出生时预期寿命 e0 = 72\.89 岁（95% 置信区间 72\.7\d–73\.0\d）/);
  });

  it('lifetable prints JSON and English CSV on request', async () => {
    const input = file('austria.csv', AUSTRIA);
    const json = await runRenkou(
      ['demog', 'lifetable', '--input', input, '--sex', 'male', '--format', 'json'],
      NO_DATABASE,
    );
    assert.equal(json.code, 0, json.stderr);
    const { tables } = JSON.parse(json.stdout);
    assert.equal(tables.length, 1);
    assert.equal(tables[0].sex, 'male');
    assert.ok(Math.abs(tables[0].e0 - 72.889) < 0.001);
    assert.equal(tables[0].rows.length, 19);

    const csv = await runRenkou(
      ['demog', 'lifetable', '--input', input, '--format', 'csv', '--lang', 'en'],
      NO_DATABASE,
    );
    assert.equal(csv.code, 0, csv.stderr);
    const lines = csv.stdout.trim().split('\n');
    assert.equal(lines[0], 'sex,age,deaths,population,nmx,nax,nqx,lx,ndx,nLx,Tx,ex,se(ex)');
    assert.equal(lines.length, 20);
    assert.match(lines[1]!, /^total,0,419,47925,/);
  });

  it('lifetable makes one table per sex from a sex column, or only the sex asked for', async () => {
    const input = file('by-sex.csv', BY_SEX);
    const both = await runRenkou(['demog', 'lifetable', '--input', input, '--lang', 'en'], NO_DATABASE);
    assert.equal(both.code, 0, both.stderr);
    assert.match(both.stdout, /Life table \(males\)[\s\S]*Life table \(females\)/);
    assert.equal(both.stdout.match(/Life expectancy at birth e0 = /g)?.length, 2);
    const female = await runRenkou(['demog', 'lifetable', '--input', input, '--sex', 'female'], NO_DATABASE);
    assert.equal(female.code, 0, female.stderr);
    assert.doesNotMatch(female.stdout, /寿命表（男性）/);
    assert.match(female.stdout, /寿命表（女性）/);
  });

  it('lifetable explains a bad file: missing column, a non-number at line N, overlapping ages', async () => {
    const missing = await runRenkou(
      ['demog', 'lifetable', '--input', file('missing.csv', 'age,deaths\n0,1\n')],
      NO_DATABASE,
    );
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /错误: 缺少“人口”列/);

    const notANumber = await runRenkou(
      [
        'demog',
        'lifetable',
        '--input',
        file('nan.csv', 'age,deaths,population\n0,1,100\n1-4,x,400\n5+,3,500\n'),
        '--lang',
        'en',
      ],
      NO_DATABASE,
    );
    assert.equal(notANumber.code, 1);
    assert.match(notANumber.stderr, /Error: Line 3: deaths must be a number, not "x"/);

    const overlap = await runRenkou(
      [
        'demog',
        'lifetable',
        '--input',
        file('overlap.csv', 'age,deaths,population\n0,1,100\n1-4,1,400\n1-9,1,500\n10+,9,900\n'),
      ],
      NO_DATABASE,
    );
    assert.equal(overlap.code, 1);
    assert.match(overlap.stderr, /错误: 第 4 行：年龄组 1-9 与 1-4 重叠/);

    const several = await runRenkou(
      [
        'demog',
        'lifetable',
        '--input',
        file('several.csv', 'age,deaths,population\n0,a,100\n1+,b,400\n'),
        '--lang',
        'en',
      ],
      NO_DATABASE,
    );
    assert.equal(several.code, 1);
    assert.match(
      several.stderr,
      /Error: The input has 2 errors\n {2}- line 2\.deaths: Line 2: deaths must be a number/,
    );

    const absent = await runRenkou(['demog', 'lifetable', '--input', join(dir, 'nope.csv')], NO_DATABASE);
    assert.equal(absent.code, 1);
    assert.match(absent.stderr, /错误: --input：无法读取文件 .*nope\.csv（ENOENT）/);
  });

  it('tfr prints ASFR with intervals, TFR, GFR and mean age at childbearing', async () => {
    const input = file('fertility.csv', FERTILITY);
    const text = await runRenkou(['demog', 'tfr', '--input', input], NO_DATABASE);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /年龄组 +出生数 +妇女人数 +生育率‰ +95% 置信区间/);
    assert.match(text.stdout, /\n25-29 +1,010 +9,300 +108\.60 +\d+\.\d\d–\d+\.\d\d/);
    assert.match(text.stdout, /总和生育率 TFR = 1\.311（95% 置信区间 1\.2\d\d–1\.3\d\d）/);
    assert.match(text.stdout, /一般生育率 GFR = 35\.99‰/);
    assert.match(text.stdout, /平均生育年龄 = 28\.68 岁/);
    assert.match(text.stdout, /注意: 以下年龄组出生数少于 20，生育率不稳定：45-49/);

    const json = await runRenkou(['demog', 'tfr', '--input', input, '--format', 'json'], NO_DATABASE);
    assert.equal(json.code, 0, json.stderr);
    const result = JSON.parse(json.stdout);
    assert.ok(Math.abs(result.tfr.value - 1.3109) < 1e-4);
    assert.equal(result.groups.length, 7);
  });

  it('project prints the medium variant by default, all variants and ages on request', async () => {
    const input = file('projection.json', JSON.stringify(PROJECTION));
    const medium = await runRenkou(['demog', 'project', '--input', input], NO_DATABASE);
    assert.equal(medium.code, 0, medium.stderr);
    assert.match(medium.stdout, /人口预测（中方案，5 年一步，出生性别比 110）/);
    assert.match(medium.stdout, /\n2025 +321,700 /);
    assert.match(medium.stdout, /\n2050 +\d/);
    // An observed ratio is printed to one decimal, not as the float it is.
    const observed = file(
      'projection-srb.json',
      JSON.stringify({ ...PROJECTION, sexRatioAtBirth: 107.71567436208991 }),
    );
    const srb = await runRenkou(['demog', 'project', '--input', observed], NO_DATABASE);
    assert.match(srb.stdout, /出生性别比 107\.7）/);

    const all = await runRenkou(
      ['demog', 'project', '--input', input, '--years', '10', '--variant', 'all', '--by-age', '--lang', 'en'],
      NO_DATABASE,
    );
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stdout, /low variant[\s\S]*medium variant[\s\S]*high variant/);
    assert.match(all.stdout, /Males by age\nage +2025 +2030 +2035/);
    assert.doesNotMatch(all.stdout, /2040/);

    const json = await runRenkou(
      ['demog', 'project', '--input', input, '--years', '5', '--format', 'json'],
      NO_DATABASE,
    );
    assert.equal(json.code, 0, json.stderr);
    const result = JSON.parse(json.stdout);
    assert.equal(result.variant, 'medium');
    assert.deepEqual(
      result.years.map((y: { year: number }) => y.year),
      [2025, 2030],
    );
    assert.equal(result.ages.at(-1), '50+');
  });

  it('project explains bad input', async () => {
    const notJson = await runRenkou(['demog', 'project', '--input', file('bad.json', '{ nope')], NO_DATABASE);
    assert.equal(notJson.code, 1);
    assert.match(notJson.stderr, /错误: .*bad\.json 不是有效的 JSON/);

    const wrong = await runRenkou(
      [
        'demog',
        'project',
        '--input',
        file(
          'wrong.json',
          JSON.stringify({ ...PROJECTION, population: { ...PROJECTION.population, female: [1, 2] } }),
        ),
        '--lang',
        'en',
      ],
      NO_DATABASE,
    );
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /population\.female has 2 values for 11 age groups/);

    const years = await runRenkou(
      ['demog', 'project', '--input', file('ok.json', JSON.stringify(PROJECTION)), '--years', '7'],
      NO_DATABASE,
    );
    assert.equal(years.code, 1);
    assert.match(years.stderr, /预测年数应为 5 的倍数/);
  });
});
