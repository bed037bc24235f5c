/**
 * Every rate the synthetic county uses, in one place. Each can be overridden through
 * `generateCounty({ rates: { … } })` (a deep partial: objects merge, arrays and numbers replace).
 *
 * Sources for the defaults (rounded; the generator needs the shape of China, not its decimals):
 * - age–sex structure: 2020 census (第七次全国人口普查) table of persons by 5-year age group and sex,
 *   in thousands; it gives 0–14 17.95 %, 60+ 18.70 %, 65+ 13.50 % and a sex ratio of about 105;
 * - fertility: total fertility by year following published estimates for China (about 1.7 in the
 *   2016 two-child bump, 1.3 at the 2020 census, about 1.0 from 2022, the 2024 dragon-year rise and
 *   the 2025 fall to NBS's 7.92 million births); the 2016–2025 mean is about 1.26;
 *   age pattern and birth-order shares as in recent NBS sample surveys; sex ratio at birth 110;
 * - mortality: a Siler model per sex fitted to life expectancy 75.3 (men) and 80.9 (women), about 78
 *   for both sexes as in 2020, infant mortality about 5.5 ‰, with a 1.5 % yearly decline;
 * - marriage, divorce and migration: scaled so crude marriage and divorce rates and the net
 *   out-migration of an inland county look like the 2016–2025 NBS and civil-affairs figures.
 */

/** A discrete distribution written as [label, weight] pairs. */
export type Weighted<T extends string> = ReadonlyArray<readonly [T, number]>;

/** The Siler mortality model: m(x) = a1·e^(−b1·x) + a2 + a3·e^(b3·x), a hazard per person-year. */
export interface SilerModel {
  a1: number;
  b1: number;
  a2: number;
  a3: number;
  b3: number;
}

/** How long after an event a report arrives, and how many never do. */
export interface DelayModel {
  /** Share never reported (or never issued) at all. */
  never: number;
  /** Share reported within 30 days; the rest come late. */
  onTime: number;
  /** Mean delay of the on-time reports, days (exponential, cut at 30). */
  onTimeMeanDays: number;
  /** Median delay of the late reports beyond day 30 (log-normal: a long tail of months and years). */
  lateMedianDays: number;
  lateSigma: number;
}

/** What a department feed gets wrong. Each share applies per record (per person field for names and IDs). */
export interface FeedErrorModel {
  delay: DelayModel;
  /** A character of a name replaced by a homophone (同音字: 晓→小, 丽→莉). */
  homophone: number;
  /** A character of a name replaced by an unrelated one, or dropped. */
  typo: number;
  /** Two adjacent digits of an ID number swapped (the check character then fails, usually). */
  idTranspose: number;
  /** One digit of an ID number wrong. */
  idDigit: number;
  /** Day and month of a date swapped (where both are ≤ 12). */
  dayMonthSwap: number;
  /** An ID number left empty. */
  missingIdNumber: number;
}

export interface SynthRates {
  population: {
    /** Persons by 5-year age group 0–4 … 95–99, 100+ (21 groups), thousands, 2020 census. */
    male: readonly number[];
    female: readonly number[];
    /** The oldest age drawn in the open group 100+. */
    maxAge: number;
  };
  fertility: {
    /** Total fertility rate by calendar year; years outside take the nearest year's value. */
    tfrByYear: Readonly<Record<string, number>>;
    /** Share of the TFR in each 5-year group 15–19 … 45–49 (sums to 1). */
    ageShape: readonly number[];
    /** Per age group, the shares of first, second and third-or-later births. */
    orderShares: ReadonlyArray<readonly [number, number, number]>;
    /** Male births per 100 female births. */
    sexRatioAtBirth: number;
    /** Birth rate of a woman who is not married relative to a married woman of the same age and parity. */
    unmarriedWeight: number;
    /** No birth within this many days of the previous one. */
    minIntervalDays: number;
  };
  mortality: {
    male: SilerModel;
    female: SilerModel;
    /** The year the Siler parameters describe. */
    referenceYear: number;
    /** Yearly proportional decline of every death rate away from the reference year. */
    annualDecline: number;
  };
  marriage: {
    /** First-marriage hazard of never-married women by 5-year group from 15 (15–19 … 50+). */
    femaleFirst: readonly number[];
    /** Hazard of a never-married man marrying a bride from outside the county, by group from 15. */
    maleOutsideBride: readonly number[];
    /** Remarriage hazard of divorced or widowed women by group from 15. */
    femaleRemarriage: readonly number[];
    /** Multiplier by year (China's marriages fell from 11.4 million in 2016 to 6.1 million in 2024). */
    byYear: Readonly<Record<string, number>>;
    /** Husband's age minus wife's: mean and standard deviation, years. */
    ageGapMean: number;
    ageGapSd: number;
    /** Of a woman's marriages, the share to a man of this county (when one of the right age is free). */
    localShare: number;
    /** Of marriages to an outside man, the share where he moves in (the rest: she moves out). */
    outsideMovesIn: number;
    /** Share of couples that set up a new household (the rest join the husband's). */
    newHousehold: { urban: number; rural: number };
    /** Share of spouses from outside who move their hukou here (the rest live here as inflow migrants). */
    husbandHukouMovesIn: number;
    brideHukouMovesIn: number;
  };
  divorce: {
    /** Yearly hazard per married couple. */
    perCouple: number;
    /** Multiplier by year (the 2021 cooling-off period cut divorces by about a third). */
    byYear: Readonly<Record<string, number>>;
  };
  migration: {
    /** Yearly hazard that a household moves its hukou out of the county. */
    householdOut: number;
    /** Yearly hazard that a young adult (18–29) moves their hukou out (study, work, army). */
    youngAdultOut: number;
    /** Yearly hazard that an inflow migrant leaves the county. */
    inflowLeaves: number;
    /** Yearly arrivals from other counties per resident, in persons. */
    arrivals: number;
    /** How arrivals settle: hukou moved in, living here with hukou elsewhere, or hukou in transit. */
    arrivalTypes: Weighted<'registered' | 'inflow' | 'resident'>;
    /** Arriving household sizes 1, 2, 3, 4. */
    arrivalSizes: readonly number[];
    /** Of arrivals from other counties: share from the same prefecture, the same province, elsewhere. */
    origin: { samePrefecture: number; sameProvince: number };
    /** Yearly hazard that a household moves to another village of the county. */
    householdBetweenVillages: number;
    /** Yearly hazard that a registered 18–45-year-old leaves to work elsewhere (becomes outflow). */
    toOutflow: number;
    /** Yearly hazard that an outflow person comes back. */
    outflowReturns: number;
    /** Yearly hazard that a resident whose hukou move is under way gets it settled. */
    hukouSettles: number;
    /** Share of urban hukou among people arriving from other counties. */
    arrivalsUrban: number;
  };
  initial: {
    /** Marital status shares [single, married, divorced, widowed] by 5-year group from 15 (15–19 … 85+). */
    femaleMarital: ReadonlyArray<readonly [number, number, number, number]>;
    maleMarital: ReadonlyArray<readonly [number, number, number, number]>;
    /** Share of households that are inflow migrants, by village kind. */
    inflowHouseholds: { community: number; village: number };
    /** Of inflow households, the share whose hukou move is under way (residence type "resident"). */
    residentShareOfInflow: number;
    /** Share of registered 18–45-year-olds working elsewhere (outflow), by village kind. */
    outflow: { community: number; village: number };
    /** Share of married couples living with the husband's parents, by hukou type. */
    stemFamily: { urban: number; rural: number };
    /** Share of widowed people 70+ living with a married child. */
    elderlyWithChild: number;
    /** Share of urban hukou, by village kind. */
    urbanHukou: { community: number; village: number };
    /** Share of registered married women born in another county (brides from elsewhere). */
    bridesFromElsewhere: number;
  };
  /** Ethnic groups and their shares (inherited from the mother; spouses may differ). */
  ethnicity: Weighted<string>;
  villages: {
    /** Village sizes: log-normal weights with this sigma, times `communityWeight` for communities. */
    weightSigma: number;
    communityWeight: number;
  };
  /** How late, and how often never, each kind of event reaches the registry. */
  reporting: {
    birth: DelayModel;
    /** Births to outflow mothers are missed far more often: they happen elsewhere. */
    birthOutflowNever: number;
    birthInflowNever: number;
    death: DelayModel;
    marriage: DelayModel;
    divorce: DelayModel;
    move_in: DelayModel;
    move_out: DelayModel;
    residence_change: DelayModel;
    /** Share of events entered from a department exchange rather than by the village worker. */
    viaExchange: number;
  };
  /** The registry's own errors, per person record. */
  registry: {
    wrongBirthDay: number;
    homophoneName: number;
    wrongVillage: number;
    duplicate: number;
    /** Phone recorded, for persons 16+. */
    phoneKnown: number;
    missingEthnicity: number;
    /** ID number not yet recorded for a child under 1 at the extract date. */
    missingIdInfant: number;
    missingIdInflow: number;
    /** Children under 5 at the start whose birth the registry never got (earlier years' 漏报). */
    initialChildMissing: number;
    /** Inflow migrants at the start the registry does not know (流动人口 not registered). */
    initialInflowUnknown: number;
  };
  feeds: {
    birthCertificates: FeedErrorModel & {
      /** Child not yet named when the certificate is issued. */
      childUnnamed: number;
      /** Father's details left empty (always when the parents are not married). */
      fatherMissing: number;
      /** Births at home or elsewhere: no certificate from this county's hospitals. */
      homeBirth: number;
    };
    marriageRegistrations: FeedErrorModel & {
      /** Share of divorces by court judgment: they never reach the civil-affairs feed. */
      courtDivorce: number;
      /** Marriages of a local woman to an outside man registered in his county instead. */
      registeredElsewhere: number;
    };
    hukouRegistrations: FeedErrorModel;
    deathCertificates: FeedErrorModel & {
      /** Deaths at home without a medical certificate. */
      uncertified: number;
    };
  };
}

const GROUP_15_49 = 7;

export const DEFAULT_RATES: SynthRates = {
  population: {
    male: [
      41063, 48024, 45604, 39041, 39968, 47501, 63848, 50904, 48005, 58235, 61295, 50960, 36711, 36284, 24194,
      14706, 9074, 4533, 1428, 315, 30,
    ],
    female: [
      36818, 42220, 39652, 33642, 34974, 44347, 60292, 48106, 45291, 55988, 59868, 50440, 36673, 37721, 25400,
      16307, 11310, 6475, 2547, 655, 89,
    ],
    maxAge: 104,
  },
  fertility: {
    tfrByYear: {
      '2016': 1.7,
      '2017': 1.6,
      '2018': 1.5,
      '2019': 1.45,
      '2020': 1.3,
      '2021': 1.15,
      '2022': 1.05,
      '2023': 1.0,
      '2024': 1.05,
      '2025': 0.9,
    },
    ageShape: [0.01, 0.16, 0.38, 0.29, 0.12, 0.035, 0.005],
    orderShares: [
      [0.85, 0.13, 0.02],
      [0.65, 0.3, 0.05],
      [0.55, 0.37, 0.08],
      [0.3, 0.5, 0.2],
      [0.2, 0.5, 0.3],
      [0.18, 0.42, 0.4],
      [0.2, 0.35, 0.45],
    ],
    sexRatioAtBirth: 110,
    unmarriedWeight: 0.03,
    minIntervalDays: 300,
  },
  mortality: {
    male: { a1: 0.0055, b1: 2.5, a2: 0.0004, a3: 4.0e-5, b3: 0.094 },
    female: { a1: 0.005, b1: 2.5, a2: 0.0002, a3: 1.62e-5, b3: 0.1 },
    referenceYear: 2020,
    annualDecline: 0.015,
  },
  marriage: {
    femaleFirst: [0.005, 0.12, 0.25, 0.15, 0.06, 0.025, 0.01, 0],
    maleOutsideBride: [0, 0.004, 0.012, 0.01, 0.006, 0.003, 0.001, 0],
    femaleRemarriage: [0, 0.08, 0.08, 0.06, 0.04, 0.025, 0.015, 0.005],
    byYear: {
      '2016': 1.2,
      '2017': 1.12,
      '2018': 1.05,
      '2019': 1.0,
      '2020': 0.88,
      '2021': 0.82,
      '2022': 0.74,
      '2023': 0.8,
      '2024': 0.65,
      '2025': 0.68,
    },
    ageGapMean: 2.3,
    ageGapSd: 2.8,
    localShare: 0.6,
    outsideMovesIn: 0.3,
    newHousehold: { urban: 0.7, rural: 0.35 },
    husbandHukouMovesIn: 0.4,
    brideHukouMovesIn: 0.7,
  },
  divorce: {
    perCouple: 0.011,
    byYear: { '2016': 1.0, '2019': 1.05, '2020': 0.95, '2021': 0.65, '2022': 0.6, '2025': 0.65 },
  },
  migration: {
    householdOut: 0.004,
    youngAdultOut: 0.012,
    inflowLeaves: 0.08,
    arrivals: 0.006,
    arrivalTypes: [
      ['registered', 0.4],
      ['inflow', 0.55],
      ['resident', 0.05],
    ],
    arrivalSizes: [0.45, 0.2, 0.2, 0.15],
    origin: { samePrefecture: 0.5, sameProvince: 0.3 },
    householdBetweenVillages: 0.008,
    toOutflow: 0.025,
    outflowReturns: 0.08,
    hukouSettles: 0.5,
    arrivalsUrban: 0.3,
  },
  initial: {
    femaleMarital: [
      [0.99, 0.01, 0, 0],
      [0.72, 0.27, 0.01, 0],
      [0.3, 0.68, 0.02, 0],
      [0.09, 0.87, 0.035, 0.005],
      [0.04, 0.91, 0.04, 0.01],
      [0.02, 0.92, 0.045, 0.015],
      [0.01, 0.92, 0.045, 0.025],
      [0.01, 0.9, 0.04, 0.05],
      [0.01, 0.87, 0.03, 0.09],
      [0.01, 0.83, 0.02, 0.14],
      [0.01, 0.76, 0.02, 0.21],
      [0.01, 0.66, 0.01, 0.32],
      [0.01, 0.52, 0.01, 0.46],
      [0.01, 0.36, 0.01, 0.62],
      [0.01, 0.18, 0.01, 0.8],
    ],
    maleMarital: [
      [1, 0, 0, 0],
      [0.86, 0.135, 0.005, 0],
      [0.47, 0.51, 0.02, 0],
      [0.17, 0.79, 0.035, 0.005],
      [0.08, 0.87, 0.045, 0.005],
      [0.05, 0.89, 0.05, 0.01],
      [0.04, 0.9, 0.045, 0.015],
      [0.035, 0.9, 0.04, 0.025],
      [0.03, 0.9, 0.03, 0.04],
      [0.03, 0.88, 0.02, 0.07],
      [0.03, 0.85, 0.015, 0.105],
      [0.025, 0.8, 0.01, 0.165],
      [0.02, 0.74, 0.01, 0.23],
      [0.02, 0.64, 0.01, 0.33],
      [0.02, 0.45, 0.01, 0.52],
    ],
    inflowHouseholds: { community: 0.12, village: 0.02 },
    residentShareOfInflow: 0.1,
    outflow: { community: 0.08, village: 0.2 },
    stemFamily: { urban: 0.15, rural: 0.35 },
    elderlyWithChild: 0.5,
    urbanHukou: { community: 0.85, village: 0.06 },
    bridesFromElsewhere: 0.12,
  },
  ethnicity: [
    ['汉族', 0.935],
    ['回族', 0.025],
    ['满族', 0.008],
    ['蒙古族', 0.005],
    ['藏族', 0.005],
    ['壮族', 0.004],
    ['土家族', 0.004],
    ['苗族', 0.004],
    ['彝族', 0.003],
    ['东乡族', 0.003],
    ['土族', 0.002],
    ['朝鲜族', 0.002],
  ],
  villages: { weightSigma: 0.6, communityWeight: 2.5 },
  reporting: {
    birth: { never: 0.03, onTime: 0.8, onTimeMeanDays: 10, lateMedianDays: 60, lateSigma: 1.1 },
    birthOutflowNever: 0.15,
    birthInflowNever: 0.1,
    death: { never: 0.04, onTime: 0.75, onTimeMeanDays: 12, lateMedianDays: 70, lateSigma: 1.2 },
    marriage: { never: 0.05, onTime: 0.7, onTimeMeanDays: 12, lateMedianDays: 60, lateSigma: 1.0 },
    divorce: { never: 0.2, onTime: 0.5, onTimeMeanDays: 15, lateMedianDays: 90, lateSigma: 1.0 },
    move_in: { never: 0.08, onTime: 0.7, onTimeMeanDays: 12, lateMedianDays: 60, lateSigma: 1.0 },
    move_out: { never: 0.1, onTime: 0.65, onTimeMeanDays: 14, lateMedianDays: 80, lateSigma: 1.1 },
    residence_change: { never: 0.3, onTime: 0.55, onTimeMeanDays: 14, lateMedianDays: 90, lateSigma: 1.1 },
    viaExchange: 0.12,
  },
  registry: {
    wrongBirthDay: 0.01,
    homophoneName: 0.008,
    wrongVillage: 0.008,
    duplicate: 0.006,
    phoneKnown: 0.8,
    missingEthnicity: 0.04,
    missingIdInfant: 0.3,
    missingIdInflow: 0.05,
    initialChildMissing: 0.02,
    initialInflowUnknown: 0.15,
  },
  feeds: {
    birthCertificates: {
      delay: { never: 0.015, onTime: 0.97, onTimeMeanDays: 3, lateMedianDays: 60, lateSigma: 1.0 },
      homophone: 0.03,
      typo: 0.01,
      idTranspose: 0.012,
      idDigit: 0.008,
      dayMonthSwap: 0.005,
      missingIdNumber: 0.01,
      childUnnamed: 0.35,
      fatherMissing: 0.08,
      homeBirth: 0.005,
    },
    marriageRegistrations: {
      delay: { never: 0.01, onTime: 0.995, onTimeMeanDays: 0.5, lateMedianDays: 30, lateSigma: 0.5 },
      homophone: 0.01,
      typo: 0.004,
      idTranspose: 0.004,
      idDigit: 0.003,
      dayMonthSwap: 0.002,
      missingIdNumber: 0.002,
      courtDivorce: 0.3,
      registeredElsewhere: 0.5,
    },
    hukouRegistrations: {
      delay: { never: 0.01, onTime: 0.55, onTimeMeanDays: 12, lateMedianDays: 90, lateSigma: 1.3 },
      homophone: 0.005,
      typo: 0.003,
      idTranspose: 0.002,
      idDigit: 0.002,
      dayMonthSwap: 0.002,
      missingIdNumber: 0,
    },
    deathCertificates: {
      delay: { never: 0.01, onTime: 0.8, onTimeMeanDays: 5, lateMedianDays: 45, lateSigma: 1.0 },
      homophone: 0.02,
      typo: 0.01,
      idTranspose: 0.01,
      idDigit: 0.008,
      dayMonthSwap: 0.005,
      missingIdNumber: 0.05,
      uncertified: 0.04,
    },
  },
};

/** A deep partial of the rates, for overrides. */
export type RatesOverride = {
  [K in keyof SynthRates]?: SynthRates[K] extends readonly unknown[]
    ? SynthRates[K]
    : {
        [L in keyof SynthRates[K]]?: SynthRates[K][L] extends readonly unknown[]
          ? SynthRates[K][L]
          : Partial<SynthRates[K][L]>;
      };
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function mergeDeep(base: unknown, override: unknown): unknown {
  if (override === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(override)) return override;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) out[key] = mergeDeep(base[key], value);
  return out;
}

/** The default rates with the overrides applied (objects merge, arrays and numbers replace). */
export function resolveRates(override: RatesOverride = {}): SynthRates {
  return mergeDeep(DEFAULT_RATES, override) as SynthRates;
}

/** The value for a year from a by-year table: that year, else the nearest year given. */
export function valueForYear(table: Readonly<Record<string, number>>, year: number, fallback = 1): number {
  const exact = table[String(year)];
  if (exact !== undefined) return exact;
  let best: number | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const [key, value] of Object.entries(table)) {
    const distance = Math.abs(Number(key) - year);
    // Ties go to the earlier year so the lookup does not depend on key order.
    if (distance < bestDistance || (distance === bestDistance && Number(key) < year)) {
      best = value;
      bestDistance = distance;
    }
  }
  return best ?? fallback;
}

/** Age-specific fertility rates (births per woman-year) for the 7 groups 15–19 … 45–49 in a year. */
export function fertilityRates(rates: SynthRates, year: number): number[] {
  const tfr = valueForYear(rates.fertility.tfrByYear, year);
  const shape = rates.fertility.ageShape;
  let total = 0;
  for (let g = 0; g < GROUP_15_49; g++) total += shape[g] ?? 0;
  // TFR = 5 × Σ ASFR, so ASFR_g = TFR × share_g / 5.
  return Array.from({ length: GROUP_15_49 }, (_, g) => (tfr * (shape[g] ?? 0)) / total / 5);
}

/** The death rate (hazard per person-year) of a sex at an age in a year. */
export function deathRate(rates: SynthRates, sex: 'male' | 'female', age: number, year: number): number {
  const m = rates.mortality[sex];
  const base = m.a1 * Math.exp(-m.b1 * age) + m.a2 + m.a3 * Math.exp(m.b3 * age);
  return base * (1 - rates.mortality.annualDecline) ** (year - rates.mortality.referenceYear);
}

/**
 * Life expectancy at birth from single-year death rates 0…maxAge (last = open group), by the period
 * life-table method of DESIGN.md (Preston et al. ch. 3; Coale–Demeny a0).
 */
export function lifeExpectancy(mx: readonly number[], sex: 'male' | 'female'): number {
  let l = 1;
  let e = 0;
  const last = mx.length - 1;
  for (let x = 0; x < last; x++) {
    const m = mx[x]!;
    let a = 0.5;
    if (x === 0) {
      if (sex === 'male') a = m < 0.107 ? 0.045 + 2.684 * m : 0.33;
      else a = m < 0.107 ? 0.053 + 2.8 * m : 0.35;
    }
    const q = Math.min(1, m / (1 + (1 - a) * m));
    const d = l * q;
    e += l - (1 - a) * d;
    l -= d;
  }
  return e + l / mx[last]!;
}

/** The share of each 5-year group 0–4 … 100+ in the configured age–sex structure, per sex (sums to 1 over both). */
export function ageStructure(rates: SynthRates): { male: number[]; female: number[] } {
  const { male, female } = rates.population;
  let total = 0;
  for (let g = 0; g < male.length; g++) total += (male[g] ?? 0) + (female[g] ?? 0);
  return {
    male: male.map((n) => n / total),
    female: female.map((n) => n / total),
  };
}
