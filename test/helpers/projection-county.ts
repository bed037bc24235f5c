import type { Kysely } from 'kysely';
import type { Schema } from '../../src/db/schema.ts';
import {
  changeResidence,
  registerBirth,
  registerDeath,
  registerMoveIn,
  registerMoveOut,
} from '../../src/registry/index.ts';
import { addAdult, contextFor, loadHuating, makeIdNumber, OTHER_VILLAGE, VILLAGE } from './registry.ts';

/**
 * Starts a newborn's first residence on `date` instead of the birth date: 户口登记 weeks or months
 * after the birth, as a registry loaded from the public-security records has it (registerBirth
 * itself starts the residence on the birth date). The birth event keeps the birth date.
 */
export async function registerHukouLate(db: Kysely<Schema>, personId: number, date: string) {
  await db
    .updateTable('residence_spell')
    .set({ valid_from: date })
    .where('county_code', '=', '620881')
    .where('person_id', '=', personId)
    .execute();
}

/**
 * A registry small enough to project by hand (华亭市 620881; villages A = 东华社区 and B = 北河村 of
 * 东华镇). Everyone arrives 2020-01-01 (registered) unless said otherwise.
 *
 *   A: 李秀英 ♀ 1995-03-08, 王建国 ♂ 1993-05-05, 王老汉 ♂ 1935-01-01, 王奶奶 ♀ 1936-02-01,
 *      刘芳 ♀ 1998-01-01
 *   B: 张丽 ♀ 1990-02-01, 张大山 ♂ 1960-01-01
 *
 *   2023-04-01 李秀英 (28) has a boy in A          2023-10-01 刘芳 (25) leaves A as an outflow migrant
 *   2024-05-01 赵强 ♂ 2000-07-01 arrives in A (23)  2024-06-10 王老汉 (89) dies
 *   2024-09-01 张大山 (64) moves from B to A        2025-02-01 王建国 (31) leaves the county
 *   2025-03-01 王奶奶 (89) dies                     2025-08-01 张丽 (35) has a girl in B
 *
 * With `newborns: 'late'` the two children's hukou is registered after their birth, as most are:
 * the boy's residence starts 2024-01-15 (at 9 months, after the end of his birth year), the
 * girl's 2025-10-20 (80 days old). Their birth events keep the birth dates.
 */
export async function buildProjectionRegistry(
  db: Kysely<Schema>,
  options: { newborns?: 'on_birth_date' | 'late' } = {},
) {
  await loadHuating(db);
  const ctx = contextFor(db);
  const arrive = { moveDate: '2020-01-01' };
  const liXiuying = await addAdult(ctx, {
    name: '李秀英',
    sex: 'female',
    birthDate: '1995-03-08',
    ...arrive,
  });
  const wangJianguo = await addAdult(ctx, {
    name: '王建国',
    sex: 'male',
    birthDate: '1993-05-05',
    ...arrive,
  });
  const wangLaohan = await addAdult(ctx, { name: '王老汉', sex: 'male', birthDate: '1935-01-01', ...arrive });
  const wangNainai = await addAdult(ctx, {
    name: '王奶奶',
    sex: 'female',
    birthDate: '1936-02-01',
    ...arrive,
  });
  const liuFang = await addAdult(ctx, { name: '刘芳', sex: 'female', birthDate: '1998-01-01', ...arrive });
  const zhangLi = await addAdult(ctx, {
    name: '张丽',
    sex: 'female',
    birthDate: '1990-02-01',
    orgCode: OTHER_VILLAGE,
    ...arrive,
  });
  const zhangDashan = await addAdult(ctx, {
    name: '张大山',
    sex: 'male',
    birthDate: '1960-01-01',
    orgCode: OTHER_VILLAGE,
    ...arrive,
  });
  const boy = await registerBirth(ctx, {
    child: { name: '王一', sex: 'male', birthDate: '2023-04-01' },
    motherId: liXiuying.id,
    reportDate: '2023-04-05',
  });
  await registerMoveOut(ctx, { personId: liuFang.id, moveDate: '2023-10-01', kind: 'outflow' });
  await addAdult(ctx, { name: '赵强', sex: 'male', birthDate: '2000-07-01', moveDate: '2024-05-01' });
  await registerDeath(ctx, { personId: wangLaohan.id, deathDate: '2024-06-10' });
  await changeResidence(ctx, { personId: zhangDashan.id, date: '2024-09-01', orgCode: VILLAGE });
  await registerMoveOut(ctx, { personId: wangJianguo.id, moveDate: '2025-02-01', kind: 'out_of_county' });
  await registerDeath(ctx, { personId: wangNainai.id, deathDate: '2025-03-01' });
  const girl = await registerBirth(ctx, {
    child: { name: '张一', sex: 'female', birthDate: '2025-08-01' },
    motherId: zhangLi.id,
    reportDate: '2025-08-05',
  });
  if (options.newborns === 'late') {
    await registerHukouLate(db, boy.person.id, '2024-01-15');
    await registerHukouLate(db, girl.person.id, '2025-10-20');
  }
}

/**
 * Newborns and how they enter the population, to tell a newborn's registration from a move
 * (华亭市 620881; villages A = 东华社区 and B = 北河村, both of 东华镇 620881100). 陈红 ♀ 1994-05-01,
 * 李梅 ♀ 1992-03-01, 周敏 ♀ 1996-06-01 and 赵老汉 ♂ 1940-01-01 live in A from 2020-01-01.
 *
 *   小东 ♂ born 2022-12-10 to 周敏, hukou registered in A 2023-01-15 (a birth, in the window whose
 *        birth events do not hold it)
 *   小娟 ♀ born 2023-02-01 to 李梅, hukou registered in A 2024-04-01 at 14 months (a move in, aged 1)
 *   小明 ♂ born 2024-03-01 to 陈红, hukou registered in A 2024-05-20 (a birth), moves to B 2024-09-01
 *   小芳 ♀ born 2024-03-01 in another county, arrives in A 2024-06-01 (a move in, aged 0)
 *   赵老汉 dies 2024-07-01
 *   小丽 ♀ born 2025-02-01 to 李梅, registered in A on her birth date (a birth)
 */
export async function buildNewbornRegistry(db: Kysely<Schema>) {
  await loadHuating(db);
  const ctx = contextFor(db);
  const arrive = { moveDate: '2020-01-01' };
  const chenHong = await addAdult(ctx, { name: '陈红', sex: 'female', birthDate: '1994-05-01', ...arrive });
  const liMei = await addAdult(ctx, { name: '李梅', sex: 'female', birthDate: '1992-03-01', ...arrive });
  const zhouMin = await addAdult(ctx, { name: '周敏', sex: 'female', birthDate: '1996-06-01', ...arrive });
  const zhao = await addAdult(ctx, { name: '赵老汉', sex: 'male', birthDate: '1940-01-01', ...arrive });
  const xiaodong = await registerBirth(ctx, {
    child: { name: '小东', sex: 'male', birthDate: '2022-12-10' },
    motherId: zhouMin.id,
    reportDate: '2023-01-15',
  });
  await registerHukouLate(db, xiaodong.person.id, '2023-01-15');
  const xiaojuan = await registerBirth(ctx, {
    child: { name: '小娟', sex: 'female', birthDate: '2023-02-01' },
    motherId: liMei.id,
    reportDate: '2024-04-01',
  });
  await registerHukouLate(db, xiaojuan.person.id, '2024-04-01');
  const xiaoming = await registerBirth(ctx, {
    child: { name: '小明', sex: 'male', birthDate: '2024-03-01' },
    motherId: chenHong.id,
    reportDate: '2024-05-20',
  });
  await registerHukouLate(db, xiaoming.person.id, '2024-05-20');
  await registerMoveIn(ctx, {
    person: {
      name: '小芳',
      sex: 'female',
      birthDate: '2024-03-01',
      idNumber: makeIdNumber('2024-03-01', 'female'),
    },
    orgCode: VILLAGE,
    residenceType: 'registered',
    moveDate: '2024-06-01',
  });
  await registerDeath(ctx, { personId: zhao.id, deathDate: '2024-07-01' });
  await changeResidence(ctx, { personId: xiaoming.person.id, date: '2024-09-01', orgCode: OTHER_VILLAGE });
  await registerBirth(ctx, {
    child: { name: '小丽', sex: 'female', birthDate: '2025-02-01' },
    motherId: liMei.id,
    reportDate: '2025-02-03',
  });
}
