import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { addDays } from '../../domain/dates.ts';
import { composeResidentId } from '../../domain/resident-id.ts';
import { csvLine } from '../export/table-writer.ts';
import { PERSON_COLUMNS, type PersonField } from './person-columns.ts';

/**
 * A made-up person file in the import template's columns, for trying the import, its benchmark
 * and its crash tests: households of one to six (head, spouse, children with their mother's ID
 * number, sometimes a widowed parent), valid ID numbers, common names. Deterministic.
 */
export interface SampleFileOptions {
  persons: number;
  villages: string[];
  county: string;
  seed?: number;
}

async function writeLines(path: string, lines: AsyncIterable<string>): Promise<void> {
  const out = createWriteStream(path, { highWaterMark: 1 << 20 });
  for await (const line of lines) if (!out.write(line)) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
}

function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Writes the sample file to `target`. */
export async function writeSampleImportFile(target: string, options: SampleFileOptions): Promise<void> {
  const { persons, villages, county: COUNTY } = options;
  const SURNAMES =
    '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
  const GIVEN =
    '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力立志成海波宇浩鹏飞斌俊凯晨欣怡佳雨婷雪梅琳晶燕冬春秋兵国庆子涵梓轩一诺浩然思远宏亮';
  const rnd = random(options.seed ?? 1);
  const pick = (list: string | readonly string[]) => list[Math.floor(rnd() * list.length)]!;
  const used = new Map<string, number>();
  const idFor = (birth: string, male: boolean) => {
    const key = `${birth}${male}`;
    const n = (used.get(key) ?? 0) + 1;
    used.set(key, n);
    return composeResidentId(COUNTY, birth, male ? 2 * n - 1 : 2 * n);
  };
  const born = (from: number, to: number) => addDays(`${from}-01-01`, Math.floor(rnd() * (to - from) * 365));
  const name = () => pick(SURNAMES) + pick(GIVEN) + (rnd() < 0.7 ? pick(GIVEN) : '');
  async function* lines() {
    yield `\uFEFF${csvLine(PERSON_COLUMNS.map((c) => c.zh))}`;
    let written = 0;
    for (let household = 1; written < persons; household++) {
      const village = pick(villages);
      const householdNo = `${village}${String(household).padStart(6, '0')}`;
      const hukou = rnd() < 0.7 ? '农业' : '非农业';
      const type = rnd() < 0.85 ? '户籍' : pick(['流出', '流入', '常住']);
      const rows: string[] = [];
      const add = (p: {
        male: boolean;
        birth: string;
        marital: string;
        relation: string;
        mother?: string;
      }) => {
        const id = idFor(p.birth, p.male);
        const from = p.relation === '子女' ? p.birth : addDays(p.birth, 365 * 20);
        const phone = rnd() < 0.6 ? `13${String(Math.floor(rnd() * 1e9)).padStart(9, '0')}` : '';
        const cells: Record<PersonField, string> = {
          householdNo,
          villageCode: village,
          name: name(),
          sex: p.male ? '男' : '女',
          birthDate: p.birth,
          idNumber: id,
          ethnicity: rnd() < 0.92 ? '汉族' : pick(['回族', '满族', '藏族']),
          hukouType: hukou,
          maritalStatus: p.marital,
          phone,
          relationToHead: p.relation,
          residenceType: type,
          residenceFrom: from > '2025-06-30' ? '2025-06-30' : from,
          motherIdNumber: p.mother ?? '',
          sourceKey: '',
        };
        rows.push(csvLine(PERSON_COLUMNS.map((c) => cells[c.field])));
        return id;
      };
      const headBirth = born(1945, 1998);
      const headMale = rnd() < 0.85;
      const single = rnd() < 0.12;
      add({ male: headMale, birth: headBirth, marital: single ? '未婚' : '已婚', relation: '户主' });
      if (!single) {
        const wifeBirth = addDays(headBirth, Math.floor(rnd() * 1500) - 500);
        const spouse = add({ male: !headMale, birth: wifeBirth, marital: '已婚', relation: '配偶' });
        const [mother, motherBirth] = headMale ? [spouse, wifeBirth] : ['', headBirth];
        for (let c = 0; c < Math.floor(rnd() * 3.2); c++) {
          const birth = addDays(motherBirth, 365 * (22 + c * 3) + Math.floor(rnd() * 700));
          if (birth > '2025-06-30') break;
          add({ male: rnd() < 0.52, birth, marital: '未婚', relation: '子女', mother });
        }
      }
      if (rnd() < 0.1) {
        add({
          male: false,
          birth: addDays(headBirth, -365 * 25 - Math.floor(rnd() * 3000)),
          marital: '丧偶',
          relation: '父母',
        });
      }
      for (const row of rows.slice(0, persons - written)) yield row;
      written += Math.min(rows.length, persons - written);
    }
  }
  await writeLines(target, lines());
}
