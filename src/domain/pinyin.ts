import { pinyin } from 'pinyin-pro';

/**
 * Name keys for search and record linkage: toneless pinyin syllables (ü written v, as input
 * methods and the registry's columns do), joined forms and initials. Names are read the way
 * people read names: the surname in its surname reading (单 shàn, 曾 zēng, 解 xiè, 万俟 mòqí),
 * compound surnames kept whole. Import runs this over a million names, so readings are memoised
 * per surname, per character and per given name.
 */

/**
 * Compound surnames (复姓) that a name starting with them is split on. A two-character name is
 * never split this way: 欧阳 alone is 欧 + 阳, a name needs a given name.
 */
const COMPOUND_SURNAMES = new Set(
  (
    '欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 令狐 万俟 夏侯 长孙 宇文 司徒 司空 轩辕 端木 独孤 ' +
    '南宫 西门 澹台 公冶 宗政 濮阳 淳于 单于 太叔 申屠 闻人 赫连 钟离 呼延 拓跋 百里 东郭 第五 ' +
    '梁丘 左丘 公羊 谷梁 乐正 仲孙 叔孙 亓官 司寇 巫马 公西 漆雕 壤驷 公良 夹谷 宰父 段干 东门 ' +
    '羊舌 微生 归海 鲜于 闾丘 子车 颛孙 哥舒 完颜 呼延 纳兰 即墨 北宫 相里 斛律'
  ).split(' '),
);

/** Surname readings pinyin-pro's surname mode gets wrong. */
const SURNAME_READINGS: Readonly<Record<string, readonly string[]>> = {
  单于: ['chan', 'yu'],
};

/** Valid toneless syllables (ü as v), without the interjections m, n, ng, hng. */
const SYLLABLES = new Set(
  (
    'a ai an ang ao ba bai ban bang bao bei ben beng bi bian biao bie bin bing bo bu ca cai can cang ' +
    'cao ce cen ceng cha chai chan chang chao che chen cheng chi chong chou chu chua chuai chuan ' +
    'chuang chui chun chuo ci cong cou cu cuan cui cun cuo da dai dan dang dao de dei den deng di dia ' +
    'dian diao die ding diu dong dou du duan dui dun duo e ei en eng er fa fan fang fei fen feng fo ' +
    'fou fu ga gai gan gang gao ge gei gen geng gong gou gu gua guai guan guang gui gun guo ha hai ' +
    'han hang hao he hei hen heng hong hou hu hua huai huan huang hui hun huo ji jia jian jiang jiao ' +
    'jie jin jing jiong jiu ju juan jue jun ka kai kan kang kao ke kei ken keng kong kou ku kua kuai ' +
    'kuan kuang kui kun kuo la lai lan lang lao le lei leng li lia lian liang liao lie lin ling liu lo ' +
    'long lou lu luan lun luo lv lve ma mai man mang mao me mei men meng mi mian miao mie min ming ' +
    'miu mo mou mu na nai nan nang nao ne nei nen neng ni nian niang niao nie nin ning niu nong nou ' +
    'nu nuan nuo nv nve o ou pa pai pan pang pao pei pen peng pi pian piao pie pin ping po pou pu qi ' +
    'qia qian qiang qiao qie qin qing qiong qiu qu quan que qun ran rang rao re ren reng ri rong rou ' +
    'ru rua ruan rui run ruo sa sai san sang sao se sen seng sha shai shan shang shao she shei shen ' +
    'sheng shi shou shu shua shuai shuan shuang shui shun shuo si song sou su suan sui sun suo ta tai ' +
    'tan tang tao te tei teng ti tian tiao tie ting tong tou tu tuan tui tun tuo wa wai wan wang wei ' +
    'wen weng wo wu xi xia xian xiang xiao xie xin xing xiong xiu xu xuan xue xun ya yan yang yao ye ' +
    'yi yin ying yo yong you yu yuan yue yun za zai zan zang zao ze zei zen zeng zha zhai zhan zhang ' +
    'zhao zhe zhei zhen zheng zhi zhong zhou zhu zhua zhuai zhuan zhuang zhui zhun zhuo zi zong zou ' +
    'zu zuan zui zun zuo'
  ).split(' '),
);

/** Spellings people type for ü after l and n: passports write lyu, keyboards lu:, many just lue. */
const SYLLABLE_ALIASES: Readonly<Record<string, string>> = { lyu: 'lv', nyu: 'nv', lue: 'lve', nue: 'nve' };

const LONGEST_SYLLABLE = 6;

/** True for a character of the Han script. */
function isHan(char: string): boolean {
  return /\p{Script=Han}/u.test(char);
}

/** True when every character is in the CJK Unified Ideographs block: the common case, no normalising needed. */
function isPlainHan(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (code < 0x4e00 || code > 0x9fff) return false;
  }
  return name.length > 0;
}

/**
 * A name as it should be stored and compared: full-width forms folded, the middle-dot variants of
 * minority and foreign names made one '·', spaces around Han characters dropped.
 */
export function normaliseName(name: string): string {
  if (isPlainHan(name)) return name;
  return name
    .normalize('NFKC')
    .replace(/\s*[·•・‧∙．.]\s*/g, '·')
    .replace(/\s+/g, ' ')
    .replace(/ ?(\p{Script=Han}) ?/gu, '$1')
    .trim();
}

/** Splits a Han name into surname and given name; compound surnames stay whole. */
export function splitSurname(name: string): { surname: string; givenName: string } {
  const han = normaliseName(name);
  // Minority and foreign names (阿依古丽·买买提, 约翰·史密斯) have no surname in front.
  if (han === '' || han.includes('·') || !isHan(han[0]!)) return { surname: '', givenName: han };
  const chars = Array.from(han);
  const length = chars.length >= 3 && COMPOUND_SURNAMES.has(chars[0]! + chars[1]!) ? 2 : 1;
  return { surname: chars.slice(0, length).join(''), givenName: chars.slice(length).join('') };
}

const OPTIONS = { toneType: 'none', type: 'array', v: true } as const;

/** Reading of one character in a given name, and whether it has other readings. */
interface CharReading {
  syllable: string;
  polyphonic: boolean;
}

const charReadings = new Map<string, CharReading>();
const surnameReadings = new Map<string, readonly string[]>();
const givenNameReadings = new Map<string, readonly string[]>();
/** Bounds the given-name memo; a county's distinct given names fit many times over. */
const GIVEN_NAME_MEMO_LIMIT = 500_000;

function readChar(char: string): CharReading {
  let reading = charReadings.get(char);
  if (!reading) {
    const readings = new Set(pinyin(char, { ...OPTIONS, multiple: true }));
    reading = { syllable: pinyin(char, OPTIONS)[0] ?? char, polyphonic: readings.size > 1 };
    charReadings.set(char, reading);
  }
  return reading;
}

function readSurname(surname: string): readonly string[] {
  let reading = surnameReadings.get(surname);
  if (!reading) {
    reading = SURNAME_READINGS[surname] ?? pinyin(surname, { ...OPTIONS, mode: 'surname' });
    surnameReadings.set(surname, reading);
  }
  return reading;
}

/**
 * Given names are read character by character from the memo; only a name with a polyphonic
 * character goes to pinyin-pro as a whole, whose word list reads 长江 cháng jiāng, 朝阳 zhāo yáng.
 */
function readGivenName(given: string): readonly string[] {
  const out: string[] = [];
  for (const char of given) {
    const reading = readChar(char);
    if (reading.polyphonic) return readGivenNameInContext(given);
    out.push(reading.syllable);
  }
  return out;
}

function readGivenNameInContext(given: string): readonly string[] {
  let reading = givenNameReadings.get(given);
  if (!reading) {
    reading = pinyin(given, OPTIONS);
    if (givenNameReadings.size >= GIVEN_NAME_MEMO_LIMIT) givenNameReadings.clear();
    givenNameReadings.set(given, reading);
  }
  return reading;
}

/** Reads a run of text that is not a plain Han name: Han characters one by one, Latin words whole. */
function readMixed(text: string): string[] {
  const out: string[] = [];
  for (const token of text.toLowerCase().match(/\p{Script=Han}|[a-z]+/gu) ?? []) {
    out.push(isHan(token) ? readChar(token).syllable : token);
  }
  return out;
}

/** The keys a name is searched and linked by. */
export interface NameKeys {
  /** The name, normalised (normaliseName). */
  han: string;
  surname: string;
  givenName: string;
  /** Toneless syllables, ü as v: ['wang', 'xiao', 'ming']. Latin words of foreign names stay whole. */
  syllables: string[];
  /** Syllables joined by spaces: 'wang xiao ming'. */
  pinyin: string;
  /** Syllables joined: 'wangxiaoming'. */
  pinyinJoined: string;
  /** First letter of each syllable: 'wxm'. */
  initials: string;
}

/** The pinyin keys of a name. */
export function nameKeys(name: string): NameKeys {
  const han = normaliseName(name);
  const { surname, givenName } = splitSurname(han);
  let syllables: string[];
  if (surname !== '' && isPlainHan(han)) {
    syllables = [...readSurname(surname), ...readGivenName(givenName)];
  } else if (surname !== '') {
    syllables = [...readSurname(surname), ...readMixed(givenName)];
  } else {
    syllables = readMixed(han);
  }
  let initials = '';
  for (const syllable of syllables) initials += String.fromCodePoint(syllable.codePointAt(0)!);
  return {
    han,
    surname,
    givenName,
    syllables,
    pinyin: syllables.join(' '),
    pinyinJoined: syllables.join(''),
    initials,
  };
}

/**
 * True when two names sound the same, tones aside (王晓明 and 王小明, 李丽 and 李莉).
 * Names in pinyin compare with Han names by their joined syllables.
 */
export function samePinyin(a: string, b: string): boolean {
  const left = nameKeys(a);
  const right = nameKeys(b);
  if (isPlainHan(left.han) && isPlainHan(right.han)) return left.pinyin === right.pinyin;
  return left.pinyinJoined === right.pinyinJoined;
}

/**
 * Splits joined toneless pinyin into syllables ('wangxiaoming' → wang xiao ming), or undefined when
 * it is not pinyin. Prefers the split with the fewest syllables (xian, not xi an); lyu and lue come
 * back as lv and lve.
 */
export function segmentPinyin(joined: string): string[] | undefined {
  const n = joined.length;
  if (n === 0) return undefined;
  // best[i]: fewest syllables covering joined.slice(i); filled from the end.
  const best: (string[] | undefined)[] = new Array(n + 1);
  best[n] = [];
  for (let i = n - 1; i >= 0; i--) {
    for (let length = Math.min(LONGEST_SYLLABLE, n - i); length >= 1; length--) {
      const rest = best[i + length];
      const typed = joined.slice(i, i + length);
      const syllable = SYLLABLE_ALIASES[typed] ?? typed;
      if (rest && SYLLABLES.has(syllable) && (!best[i] || rest.length + 1 < best[i]!.length)) {
        best[i] = [syllable, ...rest];
      }
    }
  }
  return best[0];
}

/** What a search box was given. */
export type NameQueryKind = 'han' | 'pinyin' | 'initials' | 'id' | 'empty';

export interface NameQuery {
  kind: NameQueryKind;
  /**
   * Compare with: `han` for 'han', `pinyinJoined` for 'pinyin', `initials` for 'initials';
   * for 'id', the number without spaces, upper-case X.
   */
  normalised: string;
  /** The syllables, when the pinyin splits into real ones. */
  syllables?: string[];
  /** Short letters-only input that is both pinyin and plausible initials ('an', 'li'): search both. */
  maybeInitials?: boolean;
}

/** Most names have 2–4 characters; longer letters-only input that is not pinyin is a typo, not initials. */
const MAX_INITIALS = 4;

/** Tones off (marks and digits), ü as v. */
function foldLatin(input: string): string {
  return input
    .normalize('NFD')
    .replace(/[uU]\u0308/g, 'v')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/u:/g, 'v')
    .replace(/([a-z])[1-5]/g, '$1');
}

/**
 * Reads what someone typed into a name search: Han characters (王晓明), pinyin with or without
 * spaces and tones (wang xiaoming, wangxiaoming, Wáng Xiǎomíng), initials (wxm) or an ID number.
 */
export function parseNameQuery(input: string): NameQuery {
  const trimmed = input.normalize('NFKC').trim();
  if (trimmed === '') return { kind: 'empty', normalised: '' };
  if (/^[\dXx\s-]+$/.test(trimmed) && /\d/.test(trimmed)) {
    return { kind: 'id', normalised: trimmed.replace(/[\s-]/g, '').toUpperCase() };
  }
  if (/\p{Script=Han}/u.test(trimmed) && !/[A-Za-z]/.test(trimmed)) {
    return { kind: 'han', normalised: normaliseName(trimmed).replace(/[^\p{Script=Han}·]/gu, '') };
  }
  // Latin letters, perhaps with a Han character or two (王xiaoming): all read as pinyin.
  const words = foldLatin(trimmed.replace(/\p{Script=Han}/gu, (han) => ` ${readChar(han).syllable} `))
    .split(/[^a-z]+/)
    .filter((word) => word !== '');
  const joined = words.join('');
  if (joined === '') return { kind: 'empty', normalised: '' };
  const letters =
    words.length === 1 ? joined.length <= MAX_INITIALS : words.every((word) => word.length === 1);
  const parts = words.map(segmentPinyin);
  if (parts.every((part) => part !== undefined)) {
    const syllables = parts.flat();
    const query: NameQuery = { kind: 'pinyin', normalised: syllables.join(''), syllables };
    if (letters) query.maybeInitials = true;
    return query;
  }
  if (letters) return { kind: 'initials', normalised: joined };
  return { kind: 'pinyin', normalised: joined };
}
