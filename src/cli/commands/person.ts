import type { Command } from 'commander';
import { AppError } from '../../domain/errors.ts';
import { text } from '../../domain/i18n.ts';
import type { CommandContext } from '../../registry/context.ts';
import {
  changeResidence,
  correctPerson,
  getPersonDetail,
  getPersonHistory,
  populationOn,
  registerBirth,
  registerDeath,
  registerDivorce,
  registerMarriage,
  registerMoveIn,
  registerMoveOut,
  searchPersons,
  totalOf,
  voidPerson,
} from '../../registry/index.ts';
import { idParam, registryBodies } from '../../server/routes/persons.ts';
import {
  type CliRuntime,
  dateOption,
  inputFileOption,
  parseJsonObject,
  readInputFile,
  wholeNumber,
  wholeNumberOption,
} from '../runtime.ts';

/**
 * A person's own record is named in the HTTP route's path (/api/persons/:id/void); on the command
 * line it is `personId` in the JSON, checked as the path's id is.
 */
function withPersonId<T extends { properties: object; required: readonly string[] }>(body: T) {
  return {
    ...body,
    properties: { personId: idParam.properties.id, ...body.properties },
    required: ['personId', ...body.required],
  };
}

/** The registry commands a person can run, keyed by CLI name, with the HTTP route's body schema. */
const COMMANDS: Record<
  string,
  {
    zh: string;
    en: string;
    schema: object;
    run: (ctx: CommandContext, input: never) => Promise<unknown>;
  }
> = {
  birth: { zh: '出生登记', en: 'register a birth', schema: registryBodies.birth, run: registerBirth },
  death: { zh: '死亡登记', en: 'register a death', schema: registryBodies.death, run: registerDeath },
  marriage: {
    zh: '结婚登记',
    en: 'register a marriage',
    schema: registryBodies.marriage,
    run: registerMarriage,
  },
  divorce: { zh: '离婚登记', en: 'register a divorce', schema: registryBodies.divorce, run: registerDivorce },
  'move-in': {
    zh: '迁入登记',
    en: 'register a move into the county',
    schema: registryBodies.moveIn,
    run: registerMoveIn,
  },
  'move-out': {
    zh: '迁出登记',
    en: 'register a move out',
    schema: registryBodies.moveOut,
    run: registerMoveOut,
  },
  'move-within': {
    zh: '县内迁移或人口类型变更',
    en: 'move within the county',
    schema: registryBodies.moveWithin,
    run: changeResidence,
  },
  correct: {
    zh: '更正字段（须填原因）',
    en: 'correct fields, with a reason',
    schema: withPersonId(registryBodies.correction),
    run: correctPerson,
  },
  void: {
    zh: '作废错误记录（须填原因）',
    en: 'void a mistaken record, with a reason',
    schema: withPersonId(registryBodies.voidPerson),
    run: voidPerson,
  },
};

/** The JSON of --data or --file: an object, checked against the HTTP route's body schema. */
function readInput(options: { data?: string; file?: string }, schema: object): unknown {
  const raw = options.file ? readInputFile(options.file, '--file') : options.data;
  if (!raw) {
    throw new AppError(
      'invalid_input',
      text('请用 --data 或 --file 提供 JSON 输入', 'Give the JSON input with --data or --file'),
      {
        field: 'data',
      },
    );
  }
  return parseJsonObject(raw, options.file ? '--file' : '--data', schema);
}

/** renkou person …: search, show, history; renkou register …: the vital-event commands; renkou population. */
export function registerPersonCommands(program: Command, rt: CliRuntime) {
  const person = program.command('person').description(rt.t('查找和查看人员', 'Find and look at persons'));
  person
    .command('search')
    .description(rt.t('按身份证号、姓名、拼音或首字母查找', 'Search by ID number, name, pinyin or initials'))
    .argument('<query>', rt.t('例如 王晓明、wang xiaoming、wxm', 'e.g. 王晓明, wang xiaoming, wxm'))
    .option('--unit <code>', rt.t('只查此单位（含下级）', 'only within this unit (and below)'))
    .option('--limit <n>', rt.t('最多条数', 'at most this many'), wholeNumberOption('--limit'), 20)
    .option('--json', rt.t('以 JSON 输出', 'print JSON'))
    .action(async (query: string, options: { unit?: string; limit: number; json?: boolean }) => {
      const result = await rt.withDatabase((db) =>
        searchPersons(db.db, { q: query, unit: options.unit, limit: options.limit }),
      );
      if (options.json) return rt.out(JSON.stringify(result, null, 2));
      for (const hit of result.items) {
        const sex = hit.sex === 'male' ? rt.t('男', 'M') : rt.t('女', 'F');
        rt.out(
          `${String(hit.id).padStart(8)}  ${hit.name}\t${sex}  ${hit.birthDate}  ${hit.idNumber ?? '-'}  ${hit.orgCode ?? '-'}  ${hit.match}`,
        );
      }
      rt.out(
        rt.t(
          `共 ${result.items.length} 条${result.hasMore ? '（还有更多）' : ''}`,
          `${result.items.length} found${result.hasMore ? ' (more)' : ''}`,
        ),
      );
    });
  person
    .command('show')
    .description(
      rt.t('人员详情：户、亲属、居住史、事件', 'A person with household, relatives, residence and events'),
    )
    .argument('<id>')
    .action(async (id: string) => {
      const personId = wholeNumber(id, 'id');
      const detail = await rt.withDatabase((db) => getPersonDetail(db.db, personId));
      rt.out(JSON.stringify(detail, null, 2));
    });
  person
    .command('history')
    .description(rt.t('修改历史：谁、何时、为何、改前改后', 'Change history: who, when, why, old and new'))
    .argument('<id>')
    .action(async (id: string) => {
      const personId = wholeNumber(id, 'id');
      const history = await rt.withDatabase((db) => getPersonHistory(db.db, personId));
      for (const v of history) {
        rt.out(
          `v${v.version}  ${v.changedAt}  ${v.changedBy}  ${v.kind}${v.reason ? `  (${v.reason})` : ''}`,
        );
        for (const [field, change] of Object.entries(v.changes)) {
          rt.out(`    ${field}: ${JSON.stringify(change.old)} → ${JSON.stringify(change.new)}`);
        }
      }
    });

  const register = program
    .command('register')
    .description(
      rt.t(
        '登记人口事件（JSON 输入，字段同 HTTP 接口）',
        'Register a vital event (JSON input, as in the HTTP API)',
      ),
    );
  for (const [name, command] of Object.entries(COMMANDS)) {
    register
      .command(name)
      .description(rt.t(command.zh, command.en))
      .option('--data <json>', rt.t('JSON 输入', 'JSON input'))
      .option('--file <path>', rt.t('JSON 文件', 'JSON file'), inputFileOption('--file'))
      .option('--user <id>', rt.t('记入历史的操作人', 'who the history records'), 'cli')
      .action(async (options: { data?: string; file?: string; user: string }) => {
        const input = readInput(options, command.schema);
        const result = await rt.withDatabase((db) =>
          command.run({ db: db.db, actor: { id: options.user } }, input as never),
        );
        rt.out(JSON.stringify(result, null, 2));
      });
  }

  program
    .command('population')
    .description(rt.t('某日某单位人口，按性别和年龄', 'Population of a unit on a date, by sex and age'))
    .requiredOption('--unit <code>', rt.t('单位代码', 'unit code'))
    .requiredOption('--date <date>', 'YYYY-MM-DD', dateOption('--date'))
    .option(
      '--basis <basis>',
      rt.t(
        'resident 常住 | registered 户籍 | inflow 流入 | outflow 流出',
        'resident | registered | inflow | outflow',
      ),
      'resident',
    )
    .option('--json', rt.t('以 JSON 输出', 'print JSON'))
    .action(async (options: { unit: string; date: string; basis: 'resident'; json?: boolean }) => {
      const rows = await rt.withDatabase((db) => populationOn(db.db, options));
      if (options.json) return rt.out(JSON.stringify({ total: totalOf(rows), rows }, null, 2));
      const male = rows.filter((r) => r.sex === 'male').reduce((s, r) => s + r.count, 0);
      rt.out(
        rt.t(
          `${options.unit} 在 ${options.date} 的人口：${totalOf(rows)}（男 ${male}，女 ${totalOf(rows) - male}）`,
          `Population of ${options.unit} on ${options.date}: ${totalOf(rows)} (male ${male}, female ${totalOf(rows) - male})`,
        ),
      );
    });
}
