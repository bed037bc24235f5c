import type { EventKind, FeedSource } from '../db/schema.ts';
import { isCalendarDate } from '../domain/dates.ts';
import { type FieldIssue, fieldIssue } from '../domain/errors.ts';
import type { PlaceResolver } from './place-resolver.ts';
import { eventKindOf, type FeedMapping, SOURCES } from './sources.ts';

/**
 * What one raw row reports, read through the batch's mapping: the event's kind, date and unit,
 * and what could not be read. A row that cannot be read is still kept; its issues say why.
 */

export interface ResolvedRecord {
  eventKind: EventKind | null;
  eventDate: string | null;
  orgCode: string | null;
  issues: FieldIssue[];
}

/** The values missing-data conventions put in a cell that has none. */
const NULLS = new Set(['', '-', '—', '无', '不详', '未知', 'NULL', 'null', 'NA', 'N/A']);

/** A mapped field's value from a raw row; null when empty or a "none" placeholder. */
export function fieldValue(raw: Record<string, unknown>, mapping: FeedMapping, field: string): string | null {
  const column = mapping[field];
  if (column === undefined) return null;
  const value = raw[column];
  if (value === null || value === undefined) return null;
  const textValue = String(value).trim();
  return NULLS.has(textValue) ? null : textValue;
}

/**
 * A date as departments write it — 2024-03-05, 20240305, 2024/3/5, 2024年3月5日, or with a time
 * after it — as YYYY-MM-DD; null when it is no calendar date.
 */
export function parseFeedDate(value: string): string | null {
  const v = value.trim().replace(/[T\s].*$/, '');
  let m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(v);
  if (!m) m = /^(\d{4})(\d{2})(\d{2})$/.exec(v);
  if (!m) return null;
  const date = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
  return isCalendarDate(date) ? date : null;
}

/** Which field holds the event's date, and which texts place the record, by source. */
const DATE_FIELD: Record<FeedSource, string> = {
  birth_certificate: 'birth_date',
  marriage_registration: 'event_date',
  hukou_registration: 'event_date',
  death_certificate: 'event_date',
};
const PLACE_FIELDS: Record<FeedSource, readonly string[]> = {
  birth_certificate: ['address'],
  // The registry office is the county's: a marriage is placed by the spouses once linked.
  marriage_registration: [],
  hukou_registration: ['address', 'issuing_unit'],
  death_certificate: ['address', 'issuing_unit'],
};

/** Reads one raw row through the mapping. */
export function resolveRecord(
  source: FeedSource,
  mapping: FeedMapping,
  raw: Record<string, unknown>,
  places: PlaceResolver,
): ResolvedRecord {
  const issues: FieldIssue[] = [];
  const definition = SOURCES[source];
  const label = (field: string) => definition.fields[field] ?? { zh: field, en: field };

  const business = fieldValue(raw, mapping, 'business');
  const eventKind = eventKindOf(source, business);
  if (eventKind === null) {
    issues.push(
      fieldIssue(
        'feed_business_unknown',
        'business',
        business === null ? '没有业务类型' : `无法识别的业务类型：${business}`,
        business === null ? 'no kind of registration' : `kind of registration not recognised: ${business}`,
      ),
    );
  }

  // A hukou birth registration reports the birth: its date is the date of birth.
  const dateField =
    source === 'hukou_registration' && eventKind === 'birth' ? 'birth_date' : DATE_FIELD[source];
  const dateText = fieldValue(raw, mapping, dateField);
  let eventDate: string | null = null;
  if (dateText === null) {
    issues.push(
      fieldIssue('feed_date_missing', dateField, `没有${label(dateField).zh}`, `no ${label(dateField).en}`),
    );
  } else {
    eventDate = parseFeedDate(dateText);
    if (eventDate === null) {
      issues.push(
        fieldIssue(
          'feed_date_invalid',
          dateField,
          `${label(dateField).zh}不是有效日期：${dateText}`,
          `${label(dateField).en} is not a valid date: ${dateText}`,
        ),
      );
    }
  }

  // Other dates the linkage reads: say so when they cannot be read (the value is then missing).
  for (const field of ['birth_date', 'husband_birth_date', 'wife_birth_date']) {
    if (field === dateField || !(field in definition.fields)) continue;
    const value = fieldValue(raw, mapping, field);
    if (value !== null && parseFeedDate(value) === null) {
      issues.push(
        fieldIssue(
          'feed_date_invalid',
          field,
          `${label(field).zh}不是有效日期：${value}`,
          `${label(field).en} is not a valid date: ${value}`,
        ),
      );
    }
  }

  let orgCode: string | null = null;
  const placeFields = PLACE_FIELDS[source];
  for (const field of placeFields) {
    orgCode = places.place(fieldValue(raw, mapping, field));
    if (orgCode !== null) break;
  }
  if (orgCode === null && placeFields.length > 0) {
    const shown = placeFields.map((field) => fieldValue(raw, mapping, field)).find((v) => v !== null);
    issues.push(
      fieldIssue(
        'feed_place_unknown',
        placeFields[0]!,
        shown ? `地址无法对应到本县的村或乡镇：${shown}` : '没有地址',
        shown ? `the address matches no village or township of the county: ${shown}` : 'no address',
      ),
    );
  }
  return { eventKind, eventDate, orgCode, issues };
}
