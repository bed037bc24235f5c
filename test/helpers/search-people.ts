import { OTHER_VILLAGE, VILLAGE } from './registry.ts';

/** The search tests' people: name, sex, birth date, village — namesakes, homophones, near names. */
export const SEARCH_PEOPLE: readonly [string, 'male' | 'female', string, string][] = [
  ['王晓明', 'male', '1990-01-01', VILLAGE],
  ['王小明', 'male', '1991-02-02', VILLAGE],
  ['王晓鸣', 'male', '1985-03-03', OTHER_VILLAGE],
  ['汪小明', 'male', '1992-04-04', OTHER_VILLAGE],
  ['王晓朋', 'male', '1993-05-05', VILLAGE],
  ['吴雪梅', 'female', '1980-06-06', VILLAGE],
  ['王秀英', 'female', '1970-07-07', VILLAGE],
  ['欧阳娜娜', 'female', '2000-08-08', OTHER_VILLAGE],
  ['李丽', 'female', '1995-09-09', VILLAGE],
  ['李莉', 'female', '1996-10-10', VILLAGE],
];
