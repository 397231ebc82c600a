import { CsvFileError, CsvRecordsParser } from './parse-csv-records.ts'
import { EncodingError, FileTextDecoder, type TextEncodingName } from './decode-file-text.ts'
import { JsonFileError, JsonRecordsParser } from './parse-json-records.ts'
import type { ReadProblem, RowProblem } from './validate-rows.ts'

export type FileFormat = 'csv' | 'json'

export type ParsedFile =
  | {
      ok: true
      format: FileFormat
      rows: unknown[]
      /** Present when rows had problems while being read (a key repeated in a JSON object, a short CSV line). */
      readProblems?: RowProblem[]
    }
  | { ok: false; format: FileFormat; message: string }

/** CSV by the `.csv` extension, JSON by `.json`; otherwise null (decided by the content). */
export function detectFormatByName(fileName: string): FileFormat | null {
  const lower = fileName.toLowerCase()
  if (lower.endsWith('.csv')) return 'csv'
  if (lower.endsWith('.json')) return 'json'
  return null
}

/** JSON if the first non-blank character opens an array or object, CSV otherwise; null while the text is blank. */
export function detectFormatByText(text: string): FileFormat | null {
  const first = text.replace(/^\uFEFF/, '').trimStart()[0]
  if (first === undefined) return null
  return first === '[' || first === '{' ? 'json' : 'csv'
}

/** CSV by the `.csv` extension, JSON by `.json`; otherwise by the first non-blank character. */
export function detectFormat(fileName: string, text: string): FileFormat {
  return detectFormatByName(fileName) ?? detectFormatByText(text) ?? 'csv'
}

/**
 * A whole CSV (header line of field names) or JSON array of records, as rows
 * keyed by field name, read with the same parsers as a streamed file (bytes are
 * decoded as a file upload is: UTF-8, UTF-16 with a BOM, or GB18030). A file
 * that cannot be read as a whole is one problem. For big files the intake
 * streams instead (scan-dataset-file.ts).
 */
export function parseDatasetFile(fileName: string, content: string | Uint8Array): ParsedFile & { encoding?: TextEncodingName } {
  let text: string
  let encoding: TextEncodingName | undefined
  if (typeof content === 'string') text = content.replace(/^\uFEFF/, '')
  else {
    const decoder = new FileTextDecoder()
    try {
      text = decoder.write(content) + decoder.end()
    } catch (error) {
      if (!(error instanceof EncodingError)) throw error
      return { ok: false, format: detectFormatByName(fileName) ?? 'csv', message: error.message }
    }
    encoding = decoder.recordedEncoding
  }
  const format = detectFormat(fileName, text)
  const rows: unknown[] = []
  const readProblems: RowProblem[] = []
  const collect = (element: { row: number; value: unknown; problems: readonly ReadProblem[] }) => {
    rows.push(element.value)
    for (const p of element.problems) readProblems.push({ row: element.row, ...p })
  }
  try {
    if (format === 'json') {
      const parser = new JsonRecordsParser()
      parser.write(text, collect)
      parser.end(collect)
    } else {
      const parser = new CsvRecordsParser()
      parser.write(text, collect)
      parser.end(collect)
    }
  } catch (error) {
    if (error instanceof JsonFileError || error instanceof CsvFileError) return { ok: false, format, message: error.message }
    throw error
  }
  return {
    ok: true,
    format,
    rows,
    ...(readProblems.length > 0 ? { readProblems } : {}),
    ...(encoding ? { encoding } : {}),
  }
}
