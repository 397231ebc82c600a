/**
 * One CSV writer for every download (invoices, reports, exports): RFC 4180 quoting, CRLF, a UTF-8 BOM so spreadsheet
 * programs read the Chinese right, and OWASP's defence against formula injection ("CSV injection"): a text cell that a
 * spreadsheet would run as a formula — it starts with `=`, `+`, `-`, `@`, a tab or a CR, also after leading spaces or as
 * the full-width forms Chinese input methods type (＝＋－＠) — is prefixed with a single quote and quoted, so it is
 * shown as text. A partner's or source unit's name, a product title or a report label can then never become
 * `=HYPERLINK(…)` in the bureau's spreadsheet.
 *
 * One exception, decided in docs/decisions/0015-ui-hostile-input-headers-and-csv.md: a cell that is exactly a decimal number
 * (`-12.50`, `-1250`) stays as it is. A spreadsheet reads it as a number, not a formula, so the quote would protect
 * nothing and would turn credit amounts into text that no longer sums.
 */

export type CsvValue = string | number | boolean | null | undefined

const FORMULA_START = /^[ \u3000]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]|^[\t\r]/
const DECIMAL_NUMBER = /^-?\d+(\.\d+)?$/
const NEEDS_QUOTES = /[",\r\n]/

/** One cell: neutralised if a spreadsheet would evaluate it, quoted if it holds a quote, comma or line break. */
export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return ''
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : String(value)
  if (FORMULA_START.test(text) && !DECIMAL_NUMBER.test(text)) return `"'${text.replace(/"/g, '""')}"`
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/** One line of cells, without its line end. */
export function csvRow(values: readonly CsvValue[]): string {
  return values.map(csvCell).join(',')
}

const BOM = '\uFEFF'

/** A whole file: BOM, one CRLF-terminated line per row. */
export function renderCsv(rows: readonly (readonly CsvValue[])[]): string {
  return BOM + rows.map((row) => csvRow(row) + '\r\n').join('')
}
