import { SERVICE_CSV_HEADER, type ServiceImportReport } from '../../src/services/index.ts';

/** 东华镇, whose villages are VILLAGE and OTHER_VILLAGE (helpers/registry.ts). */
export const TOWNSHIP = '620881100';
export const OTHER_TOWNSHIP = '620881101';
export const OTHER_TOWNSHIP_VILLAGE = '620881101201';

/** One row of a provider's file, by column of SERVICE_CSV_HEADER. */
export type ServiceRow = Partial<Record<(typeof SERVICE_CSV_HEADER)[number], string>>;

/** A provider's CSV file of these rows (values with commas, quotes or line breaks quoted). */
export function csvOfServices(rows: ServiceRow[]): string {
  const cell = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
  const lines = rows.map((row) =>
    SERVICE_CSV_HEADER.map((column) => cell(row[column as keyof ServiceRow] ?? '')).join(','),
  );
  return `${[SERVICE_CSV_HEADER.join(','), ...lines].join('\r\n')}\r\n`;
}

/** The report as [rowNo, status, "field:code …"], the way a person reads it. */
export function outcomes(report: ServiceImportReport): [number, string, string][] {
  return report.rows.map((r) => [
    r.rowNo,
    r.status,
    r.issues
      .map((i) => `${i.field}:${i.code}`)
      .sort()
      .join(' '),
  ]);
}
