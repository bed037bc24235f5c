/** One row of a spreadsheet or CSV file, as text. */
export interface TableRow {
  /** The row number a spreadsheet shows: the header is row 1. */
  rowNo: number;
  cells: string[];
  /**
   * Columns whose cell was a number in an .xlsx file. An 18-digit ID number stored as a number
   * has already lost its last digits to floating point, which the validator says plainly.
   */
  numeric?: number[];
}
