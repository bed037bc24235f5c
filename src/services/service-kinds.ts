import type { ServiceKind } from '../db/tables/benefits.ts';
import { type Lang, type Text, text } from '../domain/i18n.ts';

/**
 * The voluntary health services renkou records (DESIGN.md, Scope): what a person received, with
 * their consent. Contraceptive supplies are a count dispensed on request; there is no field for a
 * method, a "measure", a target or a pregnancy/IUD status.
 */
export interface ServiceKindInfo {
  kind: ServiceKind;
  name: Text;
  /** Outcome codes the provider may record, with their labels. */
  outcomes: Record<string, Text>;
  /** Only women receive it (prenatal and postpartum care, the two cancer screenings). */
  womenOnly?: boolean;
  /** The related person: the spouse (couple checks) or the newborn (postpartum visit). */
  related?: 'spouse' | 'newborn';
  /** The related person must be given. */
  relatedRequired?: boolean;
  /** The record carries a quantity (contraceptive supplies dispensed). */
  quantity?: boolean;
}

const CHECK_OUTCOMES = {
  normal: text('未见异常', 'Nothing abnormal found'),
  advice: text('给予健康指导', 'Health advice given'),
  referred: text('已转诊', 'Referred'),
};
const SCREENING_OUTCOMES = {
  normal: text('未见异常', 'Nothing abnormal found'),
  retest: text('需复查', 'Retest needed'),
  abnormal_referred: text('异常，已转诊', 'Abnormal, referred'),
};

export const SERVICE_KINDS: readonly ServiceKindInfo[] = [
  {
    kind: 'prepregnancy_check',
    name: text('孕前优生健康检查', 'Pre-pregnancy health check'),
    outcomes: CHECK_OUTCOMES,
    related: 'spouse',
  },
  {
    kind: 'premarital_check',
    name: text('婚前医学检查', 'Premarital medical check'),
    outcomes: CHECK_OUTCOMES,
    related: 'spouse',
  },
  {
    kind: 'prenatal_visit',
    name: text('孕产期保健（产前检查）', 'Prenatal care visit'),
    outcomes: CHECK_OUTCOMES,
    womenOnly: true,
  },
  {
    kind: 'postpartum_visit',
    name: text('产后访视', 'Postpartum visit'),
    outcomes: CHECK_OUTCOMES,
    womenOnly: true,
    related: 'newborn',
    relatedRequired: true,
  },
  {
    kind: 'newborn_screening',
    name: text('新生儿疾病筛查（出生缺陷干预）', 'Newborn and birth-defect screening'),
    outcomes: SCREENING_OUTCOMES,
  },
  {
    kind: 'cervical_screening',
    name: text('宫颈癌筛查', 'Cervical cancer screening'),
    outcomes: SCREENING_OUTCOMES,
    womenOnly: true,
  },
  {
    kind: 'breast_screening',
    name: text('乳腺癌筛查', 'Breast cancer screening'),
    outcomes: SCREENING_OUTCOMES,
    womenOnly: true,
  },
  {
    kind: 'contraceptive_supplies',
    name: text(
      '免费避孕药具发放（自愿领取，仅计数量）',
      'Free contraceptive supplies dispensed (on request, count only)',
    ),
    outcomes: { dispensed: text('已发放', 'Dispensed') },
    quantity: true,
  },
  {
    kind: 'counselling',
    name: text('咨询指导', 'Counselling'),
    outcomes: { given: text('已咨询', 'Counselling given') },
  },
];

const BY_KIND = new Map(SERVICE_KINDS.map((info) => [info.kind, info]));

/** The kind's description, or undefined for an unknown kind. */
export function findServiceKind(kind: string): ServiceKindInfo | undefined {
  return BY_KIND.get(kind as ServiceKind);
}

/** A service kind as GET /api/services/kinds sends it to a form: its names in the asked language. */
export interface ServiceKindChoice {
  kind: ServiceKind;
  name: string;
  /** Outcome code → its label. */
  outcomes: Record<string, string>;
  womenOnly: boolean;
  related: 'spouse' | 'newborn' | null;
  relatedRequired: boolean;
  quantity: boolean;
}

/** Every service kind for a form, in one language. */
export function serviceKindChoices(lang: Lang): ServiceKindChoice[] {
  return SERVICE_KINDS.map((info) => ({
    kind: info.kind,
    name: info.name[lang],
    outcomes: Object.fromEntries(Object.entries(info.outcomes).map(([code, label]) => [code, label[lang]])),
    womenOnly: info.womenOnly ?? false,
    related: info.related ?? null,
    relatedRequired: info.relatedRequired ?? false,
    quantity: info.quantity ?? false,
  }));
}
