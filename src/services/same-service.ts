import type { Insertable } from 'kysely';
import type { ServiceRecordTable } from '../db/tables/benefits.ts';

/** What a record stored under an import key says: what a row with that key is held to. */
export interface StoredServiceRecord {
  id: number;
  kind: string;
  person_id: number;
  related_person_id: number | null;
  service_date: string;
  provider: string;
  outcome_code: string;
  quantity: number | null;
}

/**
 * A provider's name as written for recognising it: NFKC (full-width brackets and spaces as
 * half-width), runs of blanks as one space, trimmed. Migration 0023 spells the same in SQL.
 */
export function normaliseProvider(provider: string): string {
  return provider.normalize('NFKC').replace(/\s+/g, ' ').trim();
}

/**
 * How an import row stands to a record stored under its import key: the same service — the kind,
 * the person and the service date agree — and, if so, the import's fields whose details differ
 * (the related person, the provider as normaliseProvider writes it, the outcome, the quantity).
 * Everything a derived key is made of (deriveImportKey), nothing else: consent is on every stored
 * row, and the village is the registry's, not the file's.
 */
export function compareWithStored(
  row: Insertable<ServiceRecordTable>,
  stored: StoredServiceRecord,
): { sameService: boolean; differ: string[] } {
  const sameService =
    row.kind === stored.kind &&
    row.person_id === stored.person_id &&
    row.service_date === stored.service_date;
  const differ: string[] = [];
  if ((row.related_person_id ?? null) !== stored.related_person_id) differ.push('relatedIdNumber');
  if (normaliseProvider(row.provider) !== normaliseProvider(stored.provider)) differ.push('provider');
  if (row.outcome_code !== stored.outcome_code) differ.push('outcomeCode');
  if ((row.quantity ?? null) !== stored.quantity) differ.push('quantity');
  return { sameService, differ };
}

/** Whether an import row is the record stored under its key again: the same service, no detail differing. */
export function isSameRecord(row: Insertable<ServiceRecordTable>, stored: StoredServiceRecord): boolean {
  const { sameService, differ } = compareWithStored(row, stored);
  return sameService && differ.length === 0;
}
