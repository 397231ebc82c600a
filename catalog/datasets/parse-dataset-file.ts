import { parse as parseCsv } from 'csv-parse/sync'

export type FileFormat = 'csv' | 'json'

export type ParsedFile = { ok: true; format: FileFormat; rows: unknown[] } | { ok: false; format: FileFormat; message: string }

/** CSV by the `.csv` extension, JSON by `.json`; otherwise by the first non-blank character. */
export function detectFormat(fileName: string, text: string): FileFormat {
  const lower = fileName.toLowerCase()
  if (lower.endsWith('.csv')) return 'csv'
  if (lower.endsWith('.json')) return 'json'
  const first = text.replace(/^\uFEFF/, '').trimStart()[0]
  return first === '[' || first === '{' ? 'json' : 'csv'
}

/**
 * A CSV (UTF-8, header line of field names) or a JSON array of objects, as rows
 * keyed by field name. A file that cannot be read as a whole is one problem.
 */
export function parseDatasetFile(fileName: string, content: string | Uint8Array): ParsedFile {
  const text = typeof content === 'string' ? content : new TextDecoder('utf-8').decode(content)
  const format = detectFormat(fileName, text)
  if (format === 'json') {
    let value: unknown
    try {
      value = JSON.parse(text.replace(/^\uFEFF/, ''))
    } catch (error) {
      return { ok: false, format, message: `not valid JSON: ${(error as Error).message}` }
    }
    if (!Array.isArray(value)) return { ok: false, format, message: 'a JSON file must hold an array of records' }
    return { ok: true, format, rows: value }
  }
  try {
    const rows = parseCsv(text, { columns: true, bom: true, skip_empty_lines: true }) as Record<string, string>[]
    return { ok: true, format, rows }
  } catch (error) {
    return { ok: false, format, message: `not valid CSV: ${(error as Error).message}` }
  }
}
