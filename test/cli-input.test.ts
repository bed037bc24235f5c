import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openDatabase } from '../src/db/database.ts';
import { runRenkou } from './helpers/cli.ts';
import { createScratchStorage, type ScratchStorage, storageName } from './helpers/database.ts';

/**
 * Ids, counts, years, files and JSON typed on the command line: a bad one is an error naming the
 * option or field, in the chosen language, exit 1 — not an "unexpected error" with a stack trace
 * from the database's cast (NaN, 1e20, 2147483648), JSON.parse or the file system. Found by a
 * sweep of every command's options with bad values.
 */
describe(`renkou ids, numbers, files and JSON input (${storageName})`, () => {
  let storage: ScratchStorage;
  let dir: string;
  before(async () => {
    storage = await createScratchStorage();
    dir = mkdtempSync(join(tmpdir(), 'renkou-cli-input-'));
    const init = await runRenkou(['init', '--county', '620881'], storage.env);
    assert.equal(init.code, 0, init.stderr);
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await storage.cleanup();
  });

  /** Runs renkou and expects exit 1 with this error line and no stack trace. */
  async function refused(args: string[], message: RegExp) {
    const result = await runRenkou(args, storage.env);
    assert.equal(result.code, 1, `${args.join(' ')}: ${result.stderr}`);
    assert.doesNotMatch(result.stderr, /意外错误|Unexpected error|\n\s+at /);
    assert.match(result.stderr, message);
  }

  it('an id or a count that is not a whole number in range is refused at its option', async () => {
    await refused(['person', 'show', 'abc'], /^错误: id 应为正整数：abc$/m);
    await refused(
      ['--lang', 'en', 'person', 'history', '1e20'],
      /^Error: id must be a positive whole number: 1e20$/m,
    );
    await refused(['person', 'search', '王', '--limit', '1.5'], /^错误: --limit 应为正整数：1\.5$/m);
    await refused(['access-log', 'search', '--limit', '-1'], /^错误: --limit 应为正整数：-1$/m);
    await refused(['tasks', 'list', '--offset', '-1'], /^错误: offset 应为不小于 0 的整数：-1$/m);
    await refused(
      ['feeds', 'decide', '99999999999999999999', 'accepted'],
      /^错误: pair 应为正整数：99999999999999999999$/m,
    );
    // A quarantine row is a 32-bit integer in the database.
    await refused(
      ['import', 'discard', '1', '2147483648', '--reason', 'x'],
      /^错误: row 应为 1 到 2147483647 之间的整数：2147483648$/m,
    );
    await refused(
      ['--lang', 'en', 'targets', 'show', '--unit', '620881', '--year', '2147483648'],
      /^Error: --year must be a whole number from 2000 to 2100: 2147483648$/m,
    );
    await refused(
      ['benefits', 'review', '--programme', 'childcare-subsidy', '--ids', '1,x'],
      /--ids 应为正整数：x/,
    );
  });

  it('a figure the rules bound and a choice the command does not have are refused at their field', async () => {
    await refused(
      ['completeness', 'set-official', '--unit', '620881', '--year', '2025', '--births', '2147483648'],
      /^错误: 出生数不能超过 1000000：2147483648$/m,
    );
    await refused(
      [
        'tokens',
        'create',
        '--name',
        '医院',
        '--scope',
        'feeds.ingest',
        '--unit',
        '620881',
        '--expires',
        '0000-01-01',
      ],
      /^错误: 到期时间应为日期时间（如 2026-12-31T23:59:59\+08:00）：0000-01-01$/m,
    );
    await refused(
      ['--lang', 'en', 'population', '--unit', '620881', '--date', '2025-06-30', '--basis', 'everyone'],
      /^Error: The basis must be one of resident \/ registered \/ inflow \/ outflow: everyone$/m,
    );
  });

  it('JSON input is refused at its field for a NUL, a number past 2^53, a person id that is text, or not being an object', async () => {
    await refused(
      ['register', 'death', '--data', '{"personId":1,"deathDate":"2025-05-01","cause":"病\\u0000"}'],
      /^错误: 字段 cause 含有空字符（U\+0000），请删去后重试$/m,
    );
    await refused(
      [
        '--lang',
        'en',
        'register',
        'correct',
        '--data',
        '{"personId":1e20,"expectedVersion":1,"changes":{},"reason":"x"}',
      ],
      /^Error: Field personId is out of range \(at most 9007199254740991 either way\)$/m,
    );
    await refused(
      ['register', 'void', '--data', '{"personId":"七","expectedVersion":1,"reason":"x"}'],
      /^错误: 字段 personId 应为整数$/m,
    );
    await refused(['register', 'move-in', '--data', 'null'], /^错误: --data 的 JSON 应为一个对象（\{…\}）$/m);
    await refused(
      [
        'targets',
        'set',
        '--unit',
        '620881',
        '--year',
        '2025',
        '--reason',
        'x',
        '--data',
        '{"items":[{"target":1e400}]}',
      ],
      /^错误: 字段 items\.0\.target 的数值超出范围/m,
    );
    const definition = join(dir, 'programme.json');
    writeFileSync(definition, '{"amountFen": ');
    await refused(
      [
        'benefits',
        'programme-set',
        '--programme',
        'childcare-subsidy',
        '--from',
        '2026-01-01',
        '--file',
        definition,
      ],
      /^错误: 输入不是有效的 JSON$/m,
    );
  });

  it('a file to read that is not there, or a file to write in a folder that is not there, is refused at its option', async () => {
    const missing = join(dir, 'missing.csv');
    await refused(['import', 'persons', missing], /^错误: <file>：找不到文件或无法读取：.*missing\.csv$/m);
    await refused(
      ['--lang', 'en', 'services', 'import', '--file', missing],
      /^Error: --file: no such file, or it cannot be read: .*missing\.csv$/m,
    );
    await refused(
      ['export', 'persons', '--unit', '620881', '--out', join(dir, 'no-such-folder', 'p.csv')],
      /^错误: --out：无法写入 .*p\.csv（文件夹不存在或没有写权限）$/m,
    );
    await refused(['backup', '--out', dir], /^错误: --out 应为文件，不是文件夹：/m);
  });
  /** Row counts and the newest row version of the tables the commands write: any write changes it. */
  async function fingerprint(): Promise<string> {
    const database = await openDatabase({
      databaseUrl: storage.env.DATABASE_URL || undefined,
      dataDir: storage.env.RENKOU_DATA_DIR,
    });
    try {
      const tables = ['person', 'person_version', 'vital_event', 'residence_spell', 'target_sheet'];
      const rows = await database.withSession((s) =>
        s.query<{ f: string }>(
          `SELECT ${tables
            .map(
              (t) => `'${t}:' || (SELECT count(*) || '/' || coalesce(max(xmin::text::bigint), 0) FROM ${t})`,
            )
            .join(` || ' ' || `)} AS f`,
        ),
      );
      return rows[0]!.f;
    } finally {
      await database.close();
    }
  }

  /** Runs renkou, expects exit 1 naming `field` with this message, in Chinese and in English. */
  async function refusedAtField(args: string[], field: string, zh: string, en: string) {
    const line = (text: string) => new RegExp(`^[^\\n]*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm');
    for (const [lang, message] of [
      ['zh-CN', zh],
      ['en', en],
    ] as const) {
      const result = await runRenkou(['--lang', lang, ...args], storage.env);
      assert.equal(result.code, 1, `${args.join(' ')}: ${result.stderr}`);
      assert.doesNotMatch(result.stderr, /意外错误|Unexpected error|\n\s+at /);
      assert.match(result.stderr, line(message), `${lang} ${args.join(' ')}`);
      assert.ok(message.includes(field), `the message names ${field}`);
    }
  }

  it('registry JSON is checked against the body schema of its HTTP route: the same field-level refusal, in both languages, and nothing written', async () => {
    const arrival = await runRenkou(
      [
        'register',
        'move-in',
        '--data',
        JSON.stringify({
          person: { name: '孙迁入', sex: 'male', birthDate: '1988-08-08', phone: 13900001111 },
          orgCode: '620881100001',
          residenceType: 'inflow',
          moveDate: '2025-04-01',
        }),
      ],
      storage.env,
    );
    assert.equal(arrival.code, 0, arrival.stderr);
    const person = JSON.parse(arrival.stdout).person as { id: number; version: number; phone: string };
    // A number for a text field is text, as the HTTP route's schema makes it (ajv coerces types).
    assert.equal(person.phone, '13900001111');
    const before = await fingerprint();

    const death = { personId: person.id, deathDate: '2025-05-01' };
    await refusedAtField(
      ['register', 'death', '--data', JSON.stringify({ ...death, cause: {} })],
      'cause',
      '错误: 字段 cause 应为文字或空值',
      'Error: Field cause must be text or null',
    );
    await refusedAtField(
      ['register', 'death', '--data', JSON.stringify({ ...death, reportDate: ['2025-05-02', 1] })],
      'reportDate',
      '字段 reportDate 应为文字或空值',
      'Field reportDate must be text or null',
    );
    await refusedAtField(
      [
        'register',
        'move-in',
        '--data',
        JSON.stringify({
          person: { name: '周迁入', sex: 'female', birthDate: '1990-01-01', phone: { mobile: '139' } },
          orgCode: '620881100001',
          residenceType: 'inflow',
          moveDate: '2025-04-01',
        }),
      ],
      'person.phone',
      '错误: 字段 person.phone 应为文字或空值',
      'Error: Field person.phone must be text or null',
    );
    await refusedAtField(
      [
        'register',
        'move-out',
        '--data',
        JSON.stringify({ personId: person.id, moveDate: '2025-06-01', kind: 'abroad' }),
      ],
      'kind',
      '错误: 字段 kind 应为以下之一：out_of_county、outflow',
      'Error: Field kind must be one of: out_of_county, outflow',
    );
    await refusedAtField(
      [
        'register',
        'marriage',
        '--data',
        JSON.stringify({ personId: person.id, marriageDate: '2025-06-01', partner: '赵' }),
      ],
      'partner',
      '错误: 字段 partner 应为对象或空值',
      'Error: Field partner must be an object or null',
    );
    await refusedAtField(
      [
        'register',
        'birth',
        '--data',
        JSON.stringify({ motherId: person.id, child: { name: '小孙', sex: 'male' } }),
      ],
      'child.birthDate',
      '错误: 缺少字段 child.birthDate',
      'Error: Field child.birthDate is required',
    );
    await refusedAtField(
      [
        'register',
        'correct',
        '--data',
        JSON.stringify({
          personId: person.id,
          expectedVersion: person.version,
          changes: { name: { new: '孙' } },
          reason: '更正',
        }),
      ],
      'changes.name',
      '错误: 字段 changes.name 应为文字或空值',
      'Error: Field changes.name must be text or null',
    );
    // The person the command is about, in the route's path there, is checked as the path's id is.
    await refusedAtField(
      [
        'register',
        'void',
        '--data',
        JSON.stringify({ personId: 0, expectedVersion: person.version, reason: '重复' }),
      ],
      'personId',
      '错误: 字段 personId 不能小于 1',
      'Error: Field personId must be at least 1',
    );
    await refusedAtField(
      ['register', 'void', '--data', JSON.stringify({ expectedVersion: person.version, reason: '重复' })],
      'personId',
      '错误: 缺少字段 personId',
      'Error: Field personId is required',
    );

    const sheet = ['targets', 'set', '--unit', '620881', '--year', '2025'];
    const item = { indicator: 'timeliness_rate', direction: 'at_least', target: 90, weight: 60 };
    await refusedAtField(
      [...sheet, '--reason', '年初', '--data', JSON.stringify({ items: [{ ...item, direction: 'up' }] })],
      'items.0.direction',
      '错误: 字段 items.0.direction 应为以下之一：at_least、at_most、within',
      'Error: Field items.0.direction must be one of: at_least, at_most, within',
    );
    await refusedAtField(
      [...sheet, '--reason', '年初', '--data', JSON.stringify({ items: [item], settings: 'strict' })],
      'settings',
      '错误: 字段 settings 应为对象',
      'Error: Field settings must be an object',
    );
    // A field typed as an option of its own is named as the option.
    await refusedAtField(
      [...sheet, '--reason', '因'.repeat(501), '--data', JSON.stringify({ items: [item] })],
      '--reason',
      '错误: 字段 --reason 最多 500 个字',
      'Error: Field --reason must have at most 500 characters',
    );
    await refusedAtField(
      [...sheet, '--reason', '年初', '--data', '[]'],
      '--data',
      '错误: --data 的 JSON 应为一个对象（{…}）',
      'Error: The JSON of --data must be an object ({…})',
    );
    assert.equal(await fingerprint(), before, 'a refused command wrote nothing');
  });

  it('targets split --overrides that is not an object is refused naming --overrides, not read as a unit "0"', async () => {
    const before = await fingerprint();
    const split = ['targets', 'split', '--unit', '620881', '--year', '2025', '--reason', '分解'];
    await refusedAtField(
      [...split, '--overrides', '"x"'],
      '--overrides',
      '错误: 字段 --overrides 应为对象',
      'Error: Field --overrides must be an object',
    );
    await refusedAtField(
      [...split, '--overrides', '[{"620881100":{}}]'],
      '--overrides',
      '错误: 字段 --overrides 应为对象',
      'Error: Field --overrides must be an object',
    );
    assert.equal(await fingerprint(), before, 'a refused command wrote nothing');
  });

  it('a value quoted in a message is shown as written, never as "[object Object]"', async () => {
    const definition = join(dir, 'rules.json');
    writeFileSync(
      definition,
      JSON.stringify({
        schedule: 'annual',
        amountFen: 100,
        subject: 'child',
        rules: [{ rule: { kind: 'age' } }, {}],
      }),
    );
    const args = [
      'benefits',
      'programme-set',
      '--programme',
      'childcare-subsidy',
      '--from',
      '2026-01-01',
      '--file',
      definition,
    ];
    for (const lang of ['zh-CN', 'en']) {
      const result = await runRenkou(['--lang', lang, ...args], storage.env);
      assert.equal(result.code, 1, result.stderr);
      assert.doesNotMatch(result.stderr, /\[object Object\]|undefined/);
      assert.match(
        result.stderr,
        lang === 'en'
          ? /definition\.rules\.0\.rule: Unknown rule: \{"kind":"age"\}/
          : /definition\.rules\.0\.rule: 未知规则：\{"kind":"age"\}/,
      );
      assert.match(
        result.stderr,
        lang === 'en'
          ? /rules\.1\.rule: The rule's name \(rule\) is missing/
          : /rules\.1\.rule: 缺少规则名 rule/,
      );
    }
  });
});
