import { type Text, text } from '../domain/i18n.ts';

/**
 * Why a pair is on the work list, in words a clerk reads: its score against the thresholds and
 * which fields agree, disagree or are missing. Pure; stored with the task (details.reason).
 */

/** How sure the finder is: a suggested merge (at or above the threshold) or a possible duplicate. */
export type DuplicateTier = 'suggested' | 'possible';

/** The finder's comparisons (DEDUPE_CONFIG) as a person calls the fields. */
const FIELD_NAMES: Record<string, Text> = {
  id_number: text('身份证号', 'ID number'),
  name: text('姓名', 'name'),
  birth_date: text('出生日期', 'birth date'),
  sex: text('性别', 'sex'),
  village: text('现住地', 'residence'),
};

/** A score as a percentage, rounded down so a possible duplicate never reads as the threshold. */
function score(p: number): string {
  return `${(Math.floor(p * 1000) / 10).toFixed(1)}%`;
}

/** A threshold as a percentage: 0.95 → 95%. */
function threshold(p: number): string {
  return `${Math.round(p * 1000) / 10}%`;
}

/** One comparison of a pair as the task stores it: its level, the level's name, its weight (with term frequency). */
export interface PairComparison {
  name: string;
  level: string;
  label: Text;
  weight: number;
}

/** "姓名：同音（拼音相同），性别：完全相同" in one language. */
function listed(comparisons: PairComparison[], lang: 'zh-CN' | 'en'): string {
  return comparisons
    .map((c) => `${FIELD_NAMES[c.name]?.[lang] ?? c.name}${lang === 'en' ? ': ' : '：'}${c.label[lang]}`)
    .join(lang === 'en' ? ', ' : '，');
}

/** The reason a pair is listed: its tier and score against the thresholds, then the fields for and against. */
export function describePair(
  pair: { probability: number; comparisons: PairComparison[] },
  tier: DuplicateTier,
  thresholds: { suggestFrom: number; possibleFrom: number },
): Text {
  // For or against by the sign of the weight: "surname only" is against (twins share a surname).
  const agree = pair.comparisons.filter((c) => c.level !== 'null' && c.weight > 0);
  const disagree = pair.comparisons.filter((c) => c.level !== 'null' && c.weight <= 0);
  const missing = pair.comparisons.filter((c) => c.level === 'null');
  const groups = (lang: 'zh-CN' | 'en') => {
    const [agrees, disagrees, misses] =
      lang === 'en' ? ['agree', 'disagree', 'missing'] : ['相符', '不符', '缺少'];
    return [
      agree.length ? `${agrees} — ${listed(agree, lang)}` : '',
      disagree.length ? `${disagrees} — ${listed(disagree, lang)}` : '',
      missing.length
        ? `${misses} — ${missing.map((c) => FIELD_NAMES[c.name]?.[lang] ?? c.name).join(lang === 'en' ? ', ' : '，')}`
        : '',
    ]
      .filter(Boolean)
      .join(lang === 'en' ? '; ' : '；');
  };
  const p = score(pair.probability);
  const suggest = threshold(thresholds.suggestFrom);
  const possible = threshold(thresholds.possibleFrom);
  return tier === 'suggested'
    ? text(
        `匹配概率 ${p}，达到建议合并的 ${suggest}：疑似同一人。${groups('zh-CN')}`,
        `Match probability ${p}, at or above the ${suggest} that suggests a merge: probably one person. ${capital(groups('en'))}`,
      )
    : text(
        `匹配概率 ${p}，在 ${possible} 与 ${suggest} 之间：可能是同一人，请核实后合并或不予处理。${groups('zh-CN')}`,
        `Match probability ${p}, between ${possible} and ${suggest}: possibly one person — check, then merge or dismiss. ${capital(groups('en'))}`,
      );
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
