import { AliasTable, type Rng } from './rng.ts';

/**
 * Chinese personal names for the synthetic county: surnames with their national shares, given
 * names by sex and birth decade, and the character confusions department records make
 * (同音字 homophones, 形近字 look-alikes).
 */

/**
 * The 100 most common surnames and their share of the population (%), from the published national
 * surname studies (袁义达 et al.; the Ministry of Public Security's yearly ranking gives the same
 * order at the top: 王 李 张 刘 陈 together about 30 %).
 */
export const TOP_SURNAMES: ReadonlyArray<readonly [string, number]> = [
  ['王', 7.25],
  ['李', 7.19],
  ['张', 6.83],
  ['刘', 5.38],
  ['陈', 4.53],
  ['杨', 3.08],
  ['赵', 2.29],
  ['黄', 2.23],
  ['周', 1.98],
  ['吴', 1.91],
  ['徐', 1.48],
  ['孙', 1.47],
  ['胡', 1.3],
  ['朱', 1.26],
  ['高', 1.21],
  ['林', 1.18],
  ['何', 1.17],
  ['郭', 1.15],
  ['马', 1.05],
  ['罗', 0.86],
  ['梁', 0.84],
  ['宋', 0.81],
  ['郑', 0.78],
  ['谢', 0.72],
  ['韩', 0.68],
  ['唐', 0.66],
  ['冯', 0.63],
  ['于', 0.61],
  ['董', 0.58],
  ['肖', 0.57],
  ['程', 0.56],
  ['曹', 0.55],
  ['袁', 0.54],
  ['邓', 0.54],
  ['许', 0.53],
  ['傅', 0.51],
  ['沈', 0.5],
  ['曾', 0.49],
  ['彭', 0.48],
  ['吕', 0.47],
  ['苏', 0.46],
  ['卢', 0.45],
  ['蒋', 0.45],
  ['蔡', 0.44],
  ['贾', 0.43],
  ['丁', 0.42],
  ['魏', 0.41],
  ['薛', 0.4],
  ['叶', 0.39],
  ['闫', 0.38],
  ['余', 0.37],
  ['潘', 0.36],
  ['杜', 0.35],
  ['戴', 0.34],
  ['夏', 0.33],
  ['钟', 0.33],
  ['汪', 0.32],
  ['田', 0.31],
  ['任', 0.3],
  ['姜', 0.3],
  ['范', 0.29],
  ['方', 0.28],
  ['石', 0.28],
  ['姚', 0.27],
  ['谭', 0.27],
  ['廖', 0.26],
  ['邹', 0.26],
  ['熊', 0.25],
  ['金', 0.25],
  ['陆', 0.24],
  ['郝', 0.24],
  ['孔', 0.23],
  ['白', 0.23],
  ['崔', 0.22],
  ['康', 0.22],
  ['毛', 0.21],
  ['邱', 0.21],
  ['秦', 0.2],
  ['江', 0.2],
  ['史', 0.19],
  ['顾', 0.19],
  ['侯', 0.18],
  ['邵', 0.18],
  ['孟', 0.17],
  ['龙', 0.17],
  ['万', 0.16],
  ['段', 0.16],
  ['雷', 0.15],
  ['钱', 0.15],
  ['汤', 0.14],
  ['尹', 0.14],
  ['黎', 0.13],
  ['易', 0.13],
  ['常', 0.12],
  ['武', 0.12],
  ['乔', 0.12],
  ['贺', 0.11],
  ['赖', 0.11],
  ['龚', 0.1],
  ['文', 0.1],
];

/** Less common surnames sharing the rest of the population (about 15 %). */
const OTHER_SURNAMES =
  '庞樊兰殷施陶洪翟安颜倪严牛温芦季俞章鲁葛伍韦申尤毕聂丛焦向柳邢路岳齐梅莫庄辛管祝左涂谷祁时舒耿牟卜詹关苗凌费纪靳盛童欧甄项曲成游阳裴席卫查屈鲍覃霍翁隋甘景薄包司柏宁柯阮桂闵解强丰';

/** Share of the population carrying a surname outside the top 100, %. */
const OTHER_SHARE = 15;

/** Birth decades used for given names: before 1960, 1960s … 2020s. */
const DECADES = [1950, 1960, 1970, 1980, 1990, 2000, 2010, 2020] as const;

function decadeIndex(birthYear: number): number {
  if (birthYear < 1960) return 0;
  return Math.min(DECADES.length - 1, Math.floor((birthYear - 1950) / 10));
}

/** Share of one-character given names by decade (high in the 1970s–80s, rare now). */
const SINGLE_SHARE = [0.12, 0.25, 0.35, 0.35, 0.25, 0.12, 0.07, 0.05];

/** Popular given names by decade, male then female. */
const MALE_NAMES: ReadonlyArray<readonly string[]> = [
  '建国 建华 国强 国庆 志强 德明 福生 长青 玉山 保国 振华 文华 永强 有才 树林 金山 长生 志明 德胜 宝山 富贵 春生 解放 建军 国华 家庆 根生 茂林',
  '建军 卫东 卫国 红军 建平 志刚 海军 立新 向东 建华 国平 永红 爱国 建新 跃进 志勇 卫平 建设 军 平 刚 明 华',
  '伟 勇 军 斌 强 涛 波 辉 刚 健 建伟 海涛 志军 小军 建林 春雷 晓东 立军 宏伟 俊峰 永刚 红兵',
  '磊 鹏 超 亮 飞 杰 浩 鑫 宁 明 俊 志强 晓明 海波 文杰 鹏飞 晓峰 晓龙 伟伟 建峰 晓军 金龙',
  '浩 杰 宇 磊 鹏 帅 超 博 强 浩然 子豪 宇航 俊杰 家豪 文博 天宇 嘉伟 志伟 晨阳 一鸣 鑫磊 佳豪',
  '浩然 子轩 宇轩 俊杰 浩宇 子豪 梓豪 博文 皓轩 宇航 嘉豪 家乐 天佑 明轩 锦程 思远 一帆 俊熙 晨曦 浩',
  '梓轩 浩宇 宇轩 子墨 梓睿 一诺 奕辰 宇泽 浩轩 沐宸 铭泽 俊熙 梓豪 子睿 皓轩 宇辰 锦程 睿泽 承泽 轩',
  '沐宸 浩宇 沐辰 茗泽 奕辰 宇泽 浩然 奕泽 宇轩 沐阳 一诺 梓睿 子墨 铭宇 煜城 承宇 景行 知行 云深 辰',
].map((line) => line.split(' '));

const FEMALE_NAMES: ReadonlyArray<readonly string[]> = [
  '秀英 桂英 秀兰 玉兰 桂兰 秀珍 凤英 玉珍 玉英 兰英 淑珍 淑英 桂珍 翠兰 金凤 桂芳 秀芳 素珍 凤兰 秀云 英 兰',
  '红 丽 英 华 萍 红霞 丽华 建华 卫红 玉梅 秀梅 桂华 爱华 红梅 春梅 小红 桂芝 美华 海燕 凤霞',
  '丽 静 敏 燕 艳 娟 霞 红 芳 丽娟 海燕 晓燕 红梅 丽华 春燕 艳红 丽萍 晓红 玉梅 丽丽',
  '婷 丹 静 燕 娜 倩 敏 丽 艳 婷婷 晓丽 丹丹 晶晶 佳佳 雪梅 莉莉 小燕 丽娜 晓敏 亚楠',
  '婷 雪 倩 琳 悦 颖 佳 欣 婷婷 佳怡 梦瑶 雨婷 欣怡 思雨 晓雪 佳琪 雪婷 梦琪 文静 心怡',
  '欣怡 雨涵 梓涵 诗涵 佳怡 紫涵 雨欣 可馨 梦琪 思涵 欣妍 语嫣 雨桐 子涵 佳琪 晨曦 心怡 若曦 静怡 思琪 悦',
  '梓涵 一诺 依诺 欣怡 梓萱 子涵 语桐 诗涵 可馨 雨桐 思彤 若汐 艺涵 欣妍 梓琪 语汐 芷若 佳琪 紫萱 梦瑶 萱',
  '若汐 一诺 语桐 欣怡 梓涵 可馨 依诺 沐晴 语汐 安然 知夏 栀夏 一一 诗涵 星妍 梓萱 悦宁 清欢 初夏 芊语 汐',
].map((line) => line.split(' '));

/** Characters that build the many given names outside the popular lists. */
const MALE_FIRST = '建国志文俊浩宇子明海晓永家天鹏嘉伟德立振博思世光正';
const MALE_SECOND = '军华明强伟杰涛宇轩峰辉龙飞平林东波斌博泽成亮刚祥瑞';
const FEMALE_FIRST = '秀玉丽晓雅欣雨思佳梦诗梓婉美春海红静紫可慧玲素晶';
const FEMALE_SECOND = '英兰芳华梅霞燕娟婷琳涵怡萱瑶琪雪欣颖丹妍莉敏静洁';

/**
 * Homophone groups (同音字): characters with the same toneless pinyin that clerks swap when a name
 * is given orally. Every group is checked against pinyin-pro in the tests.
 */
export const HOMOPHONE_GROUPS: readonly string[] = (
  '晓小筱萧肖 丽莉俐立利 玲灵伶岭凌 琳林霖淋麟 静婧靖晶菁京 红宏鸿虹洪 华桦骅 明铭鸣名 伟玮炜薇维卫 ' +
  '军君俊骏峻均 勇永咏泳 杰洁婕捷 涛韬桃陶 磊蕾 鹏朋彭蓬 娟鹃涓 艳燕雁妍彦颜 敏珉闽民旻 芳方舫 霞侠夏 ' +
  '梅玫媚美眉 英瑛莹颖影盈 兰岚澜蓝 慧惠蕙辉晖 秀绣 婷亭庭廷 宇雨羽语玉钰煜瑜予 轩萱宣璇暄 涵晗含寒翰韩 ' +
  '欣馨心新鑫昕 怡宜仪艺一依逸奕亦 浩皓昊灏豪 子紫梓姿 睿瑞锐蕊 泽择 晨辰宸琛臣陈 嘉佳家 凯恺楷 建健剑坚 ' +
  '志智芝之致 刚钢纲 平萍苹屏 清青晴卿 桂贵 珍真贞振 凤峰锋丰枫 云芸韵昀 雪学 文雯闻 彬斌滨 超朝潮 强蔷 ' +
  '淑舒书 兵冰 博波 天田甜 宁凝 飞菲非 龙隆 东冬栋 国果郭 诗师施 思斯丝 梦萌孟 琪琦淇奇齐 瑶遥尧姚 娜纳 ' +
  '倩茜芊 悦月跃越 楠南男 阳洋杨扬 诚成程承城 亮良梁 福富付傅 山珊杉 璐露路鹿 章张彰 王汪 刘柳留 周州舟 ' +
  '吴武伍 徐许旭 朱珠竹诸 何贺和荷 罗骆洛 郑正政 唐汤棠 袁元苑媛圆 苏素'
).split(' ');

/** Look-alike characters (形近字) that a hurried hand or OCR confuses. */
const LOOKALIKE_PAIRS = '王玉 日曰 未末 己已 土士 人入 大太 天夫 宇字 婷停 晴睛 涵函 娟涓 汪江 陈阵 候侯';

const homophoneOf = new Map<string, string>();
for (const group of HOMOPHONE_GROUPS) for (const char of group) homophoneOf.set(char, group);
const lookalikeOf = new Map<string, string>();
for (const pair of LOOKALIKE_PAIRS.split(' ')) {
  lookalikeOf.set(pair[0]!, pair[1]!);
  lookalikeOf.set(pair[1]!, pair[0]!);
}

/** The homophone group of a character, or undefined. */
export function findHomophoneGroup(char: string): string | undefined {
  return homophoneOf.get(char);
}

/** Draws names. Surnames are drawn once per household line; children take the father's. */
export class NameMaker {
  private readonly surnameTable: AliasTable;
  private readonly surnames: string[];

  constructor() {
    const top = new Set(TOP_SURNAMES.map(([s]) => s));
    const others = [...new Set(OTHER_SURNAMES)].filter((s) => !top.has(s));
    const names = [...top, ...others, '欧阳'];
    // Rarer surnames share the rest with gently falling weights (a long tail, not a flat one).
    const otherWeights = others.map((_, i) => 1 / (i + 8));
    const otherTotal = otherWeights.reduce((a, b) => a + b, 0) + 1 / 40;
    const weights = [
      ...TOP_SURNAMES.map(([, share]) => share),
      ...otherWeights.map((w) => (w / otherTotal) * OTHER_SHARE),
      (1 / 40 / otherTotal) * OTHER_SHARE,
    ];
    this.surnames = names;
    this.surnameTable = new AliasTable(weights);
  }

  /** The list of surnames, index → surname. */
  surnameAt(index: number): string {
    return this.surnames[index]!;
  }

  /** A surname index drawn with national frequencies. */
  drawSurname(rng: Rng): number {
    return this.surnameTable.sample(rng);
  }

  /** A given name for a person of this sex born in this year. */
  drawGivenName(rng: Rng, male: boolean, birthYear: number): string {
    const decade = decadeIndex(birthYear);
    const popular = (male ? MALE_NAMES : FEMALE_NAMES)[decade]!;
    const single = rng.chance(SINGLE_SHARE[decade]!);
    if (rng.chance(0.55)) {
      // A popular name of the decade, if one of the wanted length exists.
      for (let tries = 0; tries < 4; tries++) {
        const name = rng.pick(popular);
        if ((name.length === 1) === single) return name;
      }
    }
    const first = male ? MALE_FIRST : FEMALE_FIRST;
    const second = male ? MALE_SECOND : FEMALE_SECOND;
    if (single) return second[rng.int(second.length)]!;
    return first[rng.int(first.length)]! + second[rng.int(second.length)]!;
  }
}

/**
 * Replaces one character of a name by a homophone; the surname (first character) only one time in
 * six. Returns the name unchanged when no character has a homophone.
 */
export function swapHomophone(name: string, rng: Rng): string {
  const chars = [...name];
  const candidates: number[] = [];
  for (let i = 0; i < chars.length; i++) if (homophoneOf.has(chars[i]!)) candidates.push(i);
  if (candidates.length === 0) return name;
  const given = candidates.filter((i) => i > 0);
  const at = given.length > 0 && !rng.chance(1 / 6) ? rng.pick(given) : rng.pick(candidates);
  const group = homophoneOf.get(chars[at]!)!;
  const others = [...group].filter((c) => c !== chars[at]);
  chars[at] = rng.pick(others);
  return chars.join('');
}

/** A typing error: a look-alike character, another common character, or (three or more characters) one dropped. */
export function makeTypo(name: string, rng: Rng): string {
  const chars = [...name];
  if (chars.length === 0) return name;
  const at = chars.length > 1 ? 1 + rng.int(chars.length - 1) : 0;
  const lookalike = lookalikeOf.get(chars[at]!);
  if (lookalike) {
    chars[at] = lookalike;
    return chars.join('');
  }
  if (chars.length >= 3 && rng.chance(0.3)) {
    chars.splice(at, 1);
    return chars.join('');
  }
  const pool = MALE_SECOND + FEMALE_SECOND;
  let replacement = pool[rng.int(pool.length)]!;
  if (replacement === chars[at]) replacement = pool[(pool.indexOf(replacement) + 1) % pool.length]!;
  chars[at] = replacement;
  return chars.join('');
}
