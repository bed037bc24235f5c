import type { HukouType, MaritalStatus, ResidenceType, Sex } from '../../db/schema.ts';

/**
 * The code lists of the import template: what is stored, the zh-CN label the template and the
 * export write, and what else people type for the same thing (GB/T 2261 codes, old and new
 * wordings, English keys).
 */
export interface ValueChoice<T extends string = string> {
  code: T;
  zh: string;
  en: string;
  aliases: readonly string[];
}

export const SEX_VALUES: readonly ValueChoice<Sex>[] = [
  { code: 'male', zh: '男', en: 'male', aliases: ['男性', 'm', '1'] },
  { code: 'female', zh: '女', en: 'female', aliases: ['女性', 'f', '2'] },
];

export const HUKOU_VALUES: readonly ValueChoice<HukouType>[] = [
  { code: 'rural', zh: '农业', en: 'rural', aliases: ['农业户口', '农村', '农村户口', '农', 'agricultural'] },
  {
    code: 'urban',
    zh: '非农业',
    en: 'urban',
    aliases: ['非农业户口', '非农', '城镇', '城镇户口', '城市', 'non-agricultural'],
  },
];

export const MARITAL_VALUES: readonly ValueChoice<MaritalStatus>[] = [
  { code: 'single', zh: '未婚', en: 'single', aliases: ['10', 'never married', 'unmarried'] },
  {
    code: 'married',
    zh: '已婚',
    en: 'married',
    aliases: ['有配偶', '初婚', '再婚', '复婚', '20', '21', '22', '23'],
  },
  { code: 'widowed', zh: '丧偶', en: 'widowed', aliases: ['30'] },
  { code: 'divorced', zh: '离婚', en: 'divorced', aliases: ['离异', '40'] },
];

export const RESIDENCE_VALUES: readonly ValueChoice<ResidenceType>[] = [
  { code: 'registered', zh: '户籍', en: 'registered', aliases: ['户籍人口', '户籍人员', '本地户籍'] },
  { code: 'outflow', zh: '流出', en: 'outflow', aliases: ['流出人口', '外出', '人户分离（流出）'] },
  { code: 'inflow', zh: '流入', en: 'inflow', aliases: ['流入人口', '流动人口', '外来'] },
  { code: 'resident', zh: '常住', en: 'resident', aliases: ['常住人口', '暂住', '户口待落'] },
];

/** Relation to the household head, after the household-register wording (GB/T 4761 groups). */
export const RELATION_VALUES: readonly ValueChoice[] = [
  { code: 'head', zh: '户主', en: 'head', aliases: ['本人'] },
  { code: 'spouse', zh: '配偶', en: 'spouse', aliases: ['妻', '妻子', '夫', '丈夫', '夫妻'] },
  {
    code: 'child',
    zh: '子女',
    en: 'child',
    aliases: [
      '子',
      '女',
      '儿子',
      '女儿',
      '长子',
      '次子',
      '三子',
      '长女',
      '次女',
      '三女',
      '养子',
      '养女',
      '继子',
      '继女',
    ],
  },
  { code: 'child_in_law', zh: '儿媳/女婿', en: 'child_in_law', aliases: ['儿媳', '女婿', '媳', '儿媳妇'] },
  {
    code: 'grandchild',
    zh: '孙子女',
    en: 'grandchild',
    aliases: ['孙子', '孙女', '外孙', '外孙子', '外孙女', '孙'],
  },
  {
    code: 'parent',
    zh: '父母',
    en: 'parent',
    aliases: ['父亲', '母亲', '父', '母'],
  },
  {
    code: 'parent_in_law',
    zh: '公婆/岳父母',
    en: 'parent_in_law',
    aliases: ['公公', '婆婆', '岳父', '岳母', '公婆', '岳父母'],
  },
  {
    code: 'grandparent',
    zh: '祖父母',
    en: 'grandparent',
    aliases: ['祖父', '祖母', '外祖父', '外祖母', '爷爷', '奶奶'],
  },
  {
    code: 'sibling',
    zh: '兄弟姐妹',
    en: 'sibling',
    aliases: ['兄', '弟', '姐', '妹', '哥哥', '弟弟', '姐姐', '妹妹', '兄弟', '姐妹'],
  },
  { code: 'other', zh: '其他', en: 'other', aliases: ['其他亲属', '非亲属', '其它'] },
];

/** The 56 ethnic groups with their GB 3304 codes, plus the two catch-all codes. */
const ETHNIC_GROUPS: readonly [string, string, string][] = [
  ['01', '汉族', 'Han'],
  ['02', '蒙古族', 'Mongol'],
  ['03', '回族', 'Hui'],
  ['04', '藏族', 'Zang'],
  ['05', '维吾尔族', 'Uygur'],
  ['06', '苗族', 'Miao'],
  ['07', '彝族', 'Yi'],
  ['08', '壮族', 'Zhuang'],
  ['09', '布依族', 'Buyei'],
  ['10', '朝鲜族', 'Chosen'],
  ['11', '满族', 'Man'],
  ['12', '侗族', 'Dong'],
  ['13', '瑶族', 'Yao'],
  ['14', '白族', 'Bai'],
  ['15', '土家族', 'Tujia'],
  ['16', '哈尼族', 'Hani'],
  ['17', '哈萨克族', 'Kazak'],
  ['18', '傣族', 'Dai'],
  ['19', '黎族', 'Li'],
  ['20', '傈僳族', 'Lisu'],
  ['21', '佤族', 'Va'],
  ['22', '畲族', 'She'],
  ['23', '高山族', 'Gaoshan'],
  ['24', '拉祜族', 'Lahu'],
  ['25', '水族', 'Sui'],
  ['26', '东乡族', 'Dongxiang'],
  ['27', '纳西族', 'Naxi'],
  ['28', '景颇族', 'Jingpo'],
  ['29', '柯尔克孜族', 'Kirgiz'],
  ['30', '土族', 'Tu'],
  ['31', '达斡尔族', 'Daur'],
  ['32', '仫佬族', 'Mulao'],
  ['33', '羌族', 'Qiang'],
  ['34', '布朗族', 'Blang'],
  ['35', '撒拉族', 'Salar'],
  ['36', '毛南族', 'Maonan'],
  ['37', '仡佬族', 'Gelao'],
  ['38', '锡伯族', 'Xibe'],
  ['39', '阿昌族', 'Achang'],
  ['40', '普米族', 'Pumi'],
  ['41', '塔吉克族', 'Tajik'],
  ['42', '怒族', 'Nu'],
  ['43', '乌孜别克族', 'Uzbek'],
  ['44', '俄罗斯族', 'Russ'],
  ['45', '鄂温克族', 'Ewenki'],
  ['46', '德昂族', 'Deang'],
  ['47', '保安族', 'Bonan'],
  ['48', '裕固族', 'Yugur'],
  ['49', '京族', 'Gin'],
  ['50', '塔塔尔族', 'Tatar'],
  ['51', '独龙族', 'Derung'],
  ['52', '鄂伦春族', 'Oroqen'],
  ['53', '赫哲族', 'Hezhen'],
  ['54', '门巴族', 'Monba'],
  ['55', '珞巴族', 'Lhoba'],
  ['56', '基诺族', 'Jino'],
  ['97', '其他', 'Other'],
  ['98', '外国血统中国籍人士', 'Foreign-born Chinese citizen'],
];

/** Ethnicity is stored as its zh-CN name (汉族), as the registry commands store it. */
export const ETHNICITY_VALUES: readonly ValueChoice[] = ETHNIC_GROUPS.map(([code, zh, en]) => ({
  code: zh,
  zh,
  en,
  aliases: [code, zh.endsWith('族') ? zh.slice(0, -1) : `${zh}民族`],
}));

/** What people type made comparable: trimmed, full-width folded, lower-case. */
export function normaliseValue(value: string): string {
  return value.normalize('NFKC').trim().toLowerCase();
}

/** A lookup from anything accepted for a code list to the stored code. */
export function buildValueLookup<T extends string>(choices: readonly ValueChoice<T>[]): Map<string, T> {
  const lookup = new Map<string, T>();
  for (const choice of choices) {
    for (const value of [choice.code, choice.zh, choice.en, ...choice.aliases]) {
      lookup.set(value, choice.code);
      lookup.set(normaliseValue(value), choice.code);
    }
  }
  return lookup;
}

/** The zh-CN label the template and the export write for a stored code (the code itself if unknown). */
export function labelOf(choices: readonly ValueChoice[], code: string | null): string {
  if (code === null) return '';
  return choices.find((choice) => choice.code === code)?.zh ?? code;
}
