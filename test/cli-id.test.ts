import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeCheckChar } from '../src/domain/resident-id.ts';
import { runRenkou } from './helpers/cli.ts';

const GB_EXAMPLE = '11010519491231002X';
const foreigner = (first17: string) => first17 + computeCheckChar(first17);

// The command needs no storage: point it at a database that cannot exist to prove it never opens one.
const NO_DATABASE = { DATABASE_URL: 'postgres://renkou:none@127.0.0.1:1/none' };

describe('renkou id check', () => {
  it('prints the decoded parts in Chinese and exits 0 when every number is valid', async () => {
    const result = await runRenkou(['id', 'check', GB_EXAMPLE, '110105491231002'], NO_DATABASE);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /11010519491231002X {2}有效 · 居民身份证/);
    assert.match(result.stdout, /地区: 110105 北京市朝阳区/);
    assert.match(result.stdout, /出生日期: 1949-12-31/);
    assert.match(result.stdout, /性别: 女/);
    assert.match(result.stdout, /原 15 位号码: 110105491231002/);
    assert.equal(result.stderr, '');
  });

  it('prints the reason for an invalid number and exits 1', async () => {
    const result = await runRenkou(['id', 'check', '11010519491231002Y'], NO_DATABASE);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /11010519491231002Y {2}无效/);
    assert.match(result.stdout, /身份号码只能由数字和末位的 X 组成/);
    assert.match(result.stderr, /错误: 1 个号码中有 1 个无效/);
  });

  it('exits 1 when any one of several numbers is invalid', async () => {
    const result = await runRenkou(['id', 'check', GB_EXAMPLE, '110105194912310021'], NO_DATABASE);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /11010519491231002X {2}有效/);
    assert.match(result.stdout, /110105194912310021 {2}无效\n {2}- 校验码不符/);
  });

  it('speaks English with --lang en', async () => {
    const ok = await runRenkou(['id', 'check', foreigner('91184019850720123'), '--lang', 'en'], NO_DATABASE);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /valid · foreigner permanent-residence ID card/);
    assert.match(ok.stdout, /area: 110000 北京市/);
    assert.match(ok.stdout, /nationality code: 840/);
    assert.match(ok.stdout, /birth date: 1985-07-20/);
    assert.match(ok.stdout, /sex: male/);

    const bad = await runRenkou(['--lang', 'en', 'id', 'check', '123', '62272519800101123X'], NO_DATABASE);
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /123 {2}invalid\n {2}- An ID number has 18 characters/);
    assert.match(bad.stderr, /Error: 2 of 2 numbers are invalid/);
  });

  it('reports a retired area code as valid but not current', async () => {
    const result = await runRenkou(['id', 'check', '622725198001011238'], NO_DATABASE);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /地区: 622725 甘肃省（非现行代码）/);
    assert.match(result.stdout, /注意: 地址码 622725 不是现行区划代码/);
  });

  it('prints JSON with --json, codes and both languages included', async () => {
    const result = await runRenkou(
      ['id', 'check', '--json', '--today', '1980-01-01', GB_EXAMPLE, '810000199001011249'],
      NO_DATABASE,
    );
    assert.equal(result.code, 1);
    const printed = JSON.parse(result.stdout) as Record<string, unknown>[];
    assert.equal(printed.length, 2);
    assert.deepEqual(
      { ...printed[0], notes: undefined },
      {
        input: GB_EXAMPLE,
        valid: true,
        number: GB_EXAMPLE,
        kind: 'resident',
        legacy15: false,
        areaCode: '110105',
        areaName: '北京市朝阳区',
        isCurrentArea: true,
        birthDate: '1949-12-31',
        sex: 'female',
        sequence: 2,
        checkChar: 'X',
        notes: undefined,
      },
    );
    assert.deepEqual(printed[1], {
      input: '810000199001011249',
      valid: false,
      issues: [
        {
          code: 'resident_id_birth_in_future',
          field: 'idNumber',
          message: {
            'zh-CN': '身份号码中的出生日期 1990-01-01 晚于今天（1980-01-01）',
            en: 'The birth date in the ID number, 1990-01-01, is after today (1980-01-01)',
          },
        },
      ],
    });
  });

  it('refuses a malformed --today and a missing number', async () => {
    const badDate = await runRenkou(['id', 'check', '--today', '2000/01/01', GB_EXAMPLE], NO_DATABASE);
    assert.equal(badDate.code, 1);
    assert.match(badDate.stderr, /--today 应为 YYYY-MM-DD/);
    const none = await runRenkou(['id', 'check'], NO_DATABASE);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /缺少参数 'numbers'/);
  });
});
