import type { Kysely } from 'kysely';
import type { Schema } from '../../src/db/schema.ts';
import { changeResidence, registerBirth, registerDeath, registerMoveOut } from '../../src/registry/index.ts';
import { addAdult, contextFor, loadHuating, OTHER_VILLAGE, VILLAGE } from './registry.ts';

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
 */
export async function buildProjectionRegistry(db: Kysely<Schema>) {
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
  await registerBirth(ctx, {
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
  await registerBirth(ctx, {
    child: { name: '张一', sex: 'female', birthDate: '2025-08-01' },
    motherId: zhangLi.id,
    reportDate: '2025-08-05',
  });
}
