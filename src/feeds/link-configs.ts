import type { FeedSource } from '../db/schema.ts';

/**
 * How each feed is linked with the registry: the linkage engine's configuration (docs/linkage.md)
 * per source, over the columns both sides are given (see feed-datasets.ts): name, sex, birth_date,
 * id_number, village, and for births the mother's ID number and name.
 *
 * Births: the child rarely has a name yet and never an ID number on the certificate, so the child
 * is found through the mother — her ID number, the birth date, the sex and the village. Two
 * different valid ID numbers are two people (siblings and twins agree on everything else), which
 * EM cannot learn from families alone: each config fixes that level's m.
 */

const PERSON_COMPARISONS = [
  { name: 'id_number', type: 'id-number', column: 'id_number', m: { else: 0.001 } },
  { name: 'name', type: 'han-name', column: 'name', tf: true },
  {
    name: 'birth_date',
    type: 'date',
    column: 'birth_date',
    levels: ['exact', 'day-month-swapped', 'within-days:10', 'same-year'],
  },
  { name: 'sex', type: 'exact', column: 'sex' },
  { name: 'village', type: 'place', column: 'village' },
];

const PERSON_BLOCKING = [
  { name: 'id', on: ['id_number:id'] },
  { name: 'birth date + sex', on: ['birth_date:date', 'sex'] },
  { name: 'surname pinyin + birth year', on: ['name:surname-pinyin', 'birth_date:year'] },
  { name: 'given-name pinyin + birth month', on: ['name:given-pinyin', 'birth_date:year-month'] },
  { name: 'name pinyin + township', on: ['name:pinyin', 'village:prefix:9'] },
];

/** Random pairs for u: 300,000 estimate every level's u well and cost a third of the default's time. */
const TRAINING = { randomPairs: 300_000, seed: 42 };

export const FEED_LINK_CONFIGS: Record<FeedSource, Record<string, unknown>> = {
  birth_certificate: {
    id: 'id',
    comparisons: [
      { name: 'mother_id_number', type: 'id-number', column: 'mother_id_number', m: { else: 0.001 } },
      { name: 'mother_name', type: 'han-name', column: 'mother_name', tf: true },
      { name: 'name', type: 'han-name', column: 'name', tf: true },
      {
        name: 'birth_date',
        type: 'date',
        column: 'birth_date',
        levels: ['exact', 'day-month-swapped', 'within-days:10', 'same-year'],
      },
      { name: 'sex', type: 'exact', column: 'sex' },
      { name: 'village', type: 'place', column: 'village' },
    ],
    blocking: [
      { name: 'mother id', on: ['mother_id_number:id'] },
      { name: 'birth date + sex', on: ['birth_date:date', 'sex'] },
      { name: 'mother name pinyin + birth year', on: ['mother_name:pinyin', 'birth_date:year'] },
      { name: 'village + birth month', on: ['village', 'birth_date:year-month'] },
    ],
    thresholds: { autoLink: 0.95, review: 0.2 },
    training: TRAINING,
    oneToOne: true,
  },
  marriage_registration: {
    id: 'id',
    comparisons: PERSON_COMPARISONS,
    blocking: PERSON_BLOCKING,
    thresholds: { autoLink: 0.95, review: 0.2 },
    training: TRAINING,
    // A woman may marry, divorce and marry again: one registry person, several records.
    oneToOne: false,
  },
  hukou_registration: {
    id: 'id',
    comparisons: PERSON_COMPARISONS,
    blocking: PERSON_BLOCKING,
    thresholds: { autoLink: 0.95, review: 0.2 },
    training: TRAINING,
    // Birth registration, moves, deregistration: one person, several records.
    oneToOne: false,
  },
  death_certificate: {
    id: 'id',
    comparisons: PERSON_COMPARISONS,
    blocking: PERSON_BLOCKING,
    thresholds: { autoLink: 0.95, review: 0.2 },
    training: TRAINING,
    oneToOne: true,
  },
};

/** The columns each side of a link run carries. */
export const LINK_COLUMNS = [
  'name',
  'sex',
  'birth_date',
  'id_number',
  'village',
  'mother_id_number',
  'mother_name',
] as const;
export type LinkColumn = (typeof LINK_COLUMNS)[number];
