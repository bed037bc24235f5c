import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from 'react';
import { setApiLang } from './api.ts';

/** zh-CN by default; English on request. The server follows the same choice (Accept-Language). */
export type Lang = 'zh-CN' | 'en';

/** Words the app uses in many places; one-off sentences use tr(zh, en) where they appear. */
const MESSAGES = {
  appName: ['人口与家庭服务信息平台', 'Population & family services'],
  dashboard: ['工作台', 'Dashboard'],
  registry: ['人口登记', 'Registry'],
  linkage: ['信息比对', 'Linkage'],
  targets: ['目标与质量', 'Targets & quality'],
  reports: ['统计报表', 'Reports'],
  benefits: ['家庭服务', 'Family services'],
  search: ['查询', 'Search'],
  imports: ['批量导入', 'Import'],
  registerBirth: ['出生登记', 'Register a birth'],
  registerDeath: ['死亡登记', 'Register a death'],
  registerMarriage: ['结婚登记', 'Register a marriage'],
  registerMove: ['迁移登记', 'Register a move'],
  correct: ['更正', 'Correct'],
  unit: ['单位', 'Unit'],
  period: ['时期', 'Period'],
  signIn: ['登录', 'Sign in'],
  save: ['保存', 'Save'],
  cancel: ['取消', 'Cancel'],
  name: ['姓名', 'Name'],
  sex: ['性别', 'Sex'],
  birthDate: ['出生日期', 'Birth date'],
  idNumber: ['身份证号', 'ID number'],
  status: ['状态', 'Status'],
  place: ['所在地', 'Place'],
  residenceType: ['人口类型', 'Residence type'],
  reason: ['原因', 'Reason'],
  noData: ['无数据', 'No data'],
  loading: ['加载中…', 'Loading…'],
  records: ['记录', 'Records'],
  breakdown: ['分列', 'Breakdown'],
  male: ['男', 'Male'],
  female: ['女', 'Female'],
  registered: ['户籍', 'Registered'],
  outflow: ['流出', 'Outflow'],
  inflow: ['流入', 'Inflow'],
  resident: ['户口待定', 'Hukou pending'],
  active: ['在册', 'Active'],
  dead: ['死亡', 'Dead'],
  moved_out: ['已迁出', 'Moved out'],
  voided: ['已作废', 'Voided'],
  merged: ['已合并', 'Merged'],
  birth: ['出生', 'Birth'],
  death: ['死亡', 'Death'],
  marriage: ['结婚', 'Marriage'],
  divorce: ['离婚', 'Divorce'],
  move_in: ['迁入', 'Move in'],
  move_out: ['迁出', 'Move out'],
  move_within: ['县内迁移', 'Move within'],
  mother: ['母亲', 'Mother'],
  father: ['父亲', 'Father'],
  child: ['子女', 'Child'],
  head: ['户主', 'Head'],
  grandchild: ['孙子女', 'Grandchild'],
  parent: ['父母', 'Parent'],
  child_in_law: ['儿媳/女婿', 'Child-in-law'],
  parent_in_law: ['公婆/岳父母', 'Parent-in-law'],
  grandparent: ['祖父母', 'Grandparent'],
  sibling: ['兄弟姐妹', 'Sibling'],
  other: ['其他', 'Other'],
  spouse: ['配偶', 'Spouse'],
  former_spouse: ['前配偶', 'Former spouse'],
  rural: ['农业', 'Rural'],
  urban: ['非农业', 'Urban'],
  single: ['未婚', 'Single'],
  married: ['已婚', 'Married'],
  divorced: ['离婚', 'Divorced'],
  widowed: ['丧偶', 'Widowed'],
  out_of_county: ['迁出本县', 'Out of the county'],
  correction: ['更正', 'Correction'],
  import: ['导入', 'Import'],
  entry: ['录入', 'Entered'],
  import_link: ['导入时关联母亲', 'Mother linked on import'],
  residence_change: ['人口类型变更', 'Residence type change'],
  spouse_death: ['配偶死亡', 'Spouse died'],
  merge: ['合并重复', 'Duplicate merged'],
  merge_undo: ['撤销合并', 'Merge undone'],
  synth: ['合成示例', 'Synthetic demo'],
  create: ['建档', 'Created'],
  void: ['作废', 'Void'],
  year: ['年', 'Year'],
  half: ['半年', 'Half year'],
  quarter: ['季度', 'Quarter'],
  month: ['月', 'Month'],
} as const satisfies Record<string, readonly [string, string]>;

export type MessageKey = keyof typeof MESSAGES;

export interface I18n {
  lang: Lang;
  setLang(lang: Lang): void;
  /** A word from the table. */
  t(key: MessageKey): string;
  /** A word from the table if the key is one, else the key itself (for codes the server sends). */
  label(code: string | null | undefined): string;
  /** A one-off sentence in both languages. */
  tr(zh: string, en: string): string;
}

const I18nContext = createContext<I18n | undefined>(undefined);

const STORAGE_KEY = 'renkou.lang';

function initialLang(): Lang {
  const saved = localStorage.getItem(STORAGE_KEY);
  return saved === 'en' ? 'en' : 'zh-CN';
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(() => {
    const initial = initialLang();
    setApiLang(initial);
    // The page's language, for screen readers and for the fonts: under lang="zh-CN" an English
    // apostrophe or quote is drawn full-width (Child’ s name).
    document.documentElement.lang = initial;
    return initial;
  });
  const setLang = useCallback((next: Lang) => {
    localStorage.setItem(STORAGE_KEY, next);
    setApiLang(next);
    document.documentElement.lang = next;
    setLangState(next);
  }, []);
  const value = useMemo<I18n>(() => {
    const index = lang === 'en' ? 1 : 0;
    return {
      lang,
      setLang,
      t: (key) => MESSAGES[key][index],
      label: (code) => {
        if (code == null || code === '') return '—';
        const entry = (MESSAGES as Record<string, readonly [string, string]>)[code];
        return entry ? entry[index] : code;
      },
      tr: (zh, en) => (index === 1 ? en : zh),
    };
  }, [lang, setLang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}
