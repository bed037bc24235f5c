/**
 * Records to link, held by column: a million records as a handful of arrays rather than a million
 * objects. A record is an id plus named string values, any of them missing.
 */

/** One record: its id and its values by column name; null for a missing value. */
export interface LinkRecord {
  id: string;
  values: Readonly<Record<string, string | null>>;
}

/** Records by column. Every column array has one entry per id. */
export interface Dataset {
  ids: string[];
  columns: Map<string, (string | null)[]>;
}

/** Builds a dataset from records; columns are the union of the records' value names. */
export function datasetFromRecords(records: readonly LinkRecord[]): Dataset {
  const columns = new Map<string, (string | null)[]>();
  const ids: string[] = [];
  for (const [index, record] of records.entries()) {
    ids.push(record.id);
    for (const [name, value] of Object.entries(record.values)) {
      let column = columns.get(name);
      if (!column) {
        column = new Array<string | null>(records.length).fill(null);
        columns.set(name, column);
      }
      column[index] = value;
    }
  }
  return { ids, columns };
}

/** The number of records. */
export function datasetSize(dataset: Dataset): number {
  return dataset.ids.length;
}

/** One record back as an object, for explanations and review screens. */
export function getRecord(dataset: Dataset, index: number): LinkRecord {
  const values: Record<string, string | null> = {};
  for (const [name, column] of dataset.columns) values[name] = column[index] ?? null;
  return { id: dataset.ids[index]!, values };
}
