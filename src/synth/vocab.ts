import {
  EXIT_REASONS,
  HUKOU_TYPES,
  MARITAL_STATUSES,
  ORIGINS,
  REG_STATUSES,
  RESIDENCE_TYPES,
} from './population.ts';
import { Vocab } from './row-out.ts';

/**
 * The fixed words of the output files, by index: written from pre-encoded bytes on the CSV path.
 * Indexes follow the codes of population.ts (residence type 1 = registered …).
 */

export const RESIDENCE = new Vocab(RESIDENCE_TYPES);
export const MARITAL = new Vocab(MARITAL_STATUSES);
export const HUKOU = new Vocab(HUKOU_TYPES);
export const ORIGIN = new Vocab(ORIGINS);
export const EXIT = new Vocab(EXIT_REASONS);
export const REGISTRY_STATUS = new Vocab(REG_STATUSES);
/** By sex code: 1 male, 2 female. */
export const SEX = new Vocab(['', 'male', 'female']);
export const SEX_ZH = new Vocab(['', '男', '女']);

/** Event kinds, as the registry's vital_event.kind names them. */
export const EVENT = {
  birth: 0,
  death: 1,
  marriage: 2,
  divorce: 3,
  move_in: 4,
  move_out: 5,
  residence_change: 6,
} as const;
export const EVENT_KINDS = new Vocab(Object.keys(EVENT));

/** Where the registry learned of a person or an event. */
export const SOURCE = { villageReport: 0, dataExchange: 1, initialLoad: 2 } as const;
export const SOURCES = new Vocab(['village_report', 'data_exchange', 'initial_load']);

export const RELATION = {
  head: 0,
  spouse: 1,
  child: 2,
  parent: 3,
  parentInLaw: 4,
  childInLaw: 5,
  grandchild: 6,
  sibling: 7,
  other: 8,
} as const;
export const RELATIONS = new Vocab([
  'head',
  'spouse',
  'child',
  'parent',
  'parent_in_law',
  'child_in_law',
  'grandchild',
  'sibling',
  'other',
]);

export const HOUSEHOLD_STATUS = new Vocab(['active', 'dissolved']);

export const FEED = {
  birthCertificates: 0,
  marriageRegistrations: 1,
  hukouRegistrations: 2,
  deathCertificates: 3,
} as const;
export const FEEDS = new Vocab([
  'birth_certificates',
  'marriage_registrations',
  'hukou_registrations',
  'death_certificates',
]);
export const ROLE = { child: 0, mother: 1, father: 2, husband: 3, wife: 4, person: 5, deceased: 6 } as const;
export const ROLES = new Vocab(Object.keys(ROLE));

export const HUKOU_BUSINESS = { birth: 0, moveIn: 1, moveOut: 2, death: 3, withinCounty: 4 } as const;
export const HUKOU_BUSINESSES = new Vocab(['出生登记', '迁入登记', '迁出登记', '死亡注销', '县内迁移']);
export const MARRIAGE_BUSINESSES = new Vocab(['结婚登记', '离婚登记']);
export const DEATH_PLACES = new Vocab(['医疗卫生机构', '家中', '其他场所']);
