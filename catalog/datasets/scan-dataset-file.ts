import { createHash, type Hash } from 'node:crypto'
import { CsvFileError, CsvRecordsParser, type CsvElement } from './parse-csv-records.ts'
import { EncodingError, FileTextDecoder, type TextEncodingName } from './decode-file-text.ts'
import { JsonFileError, JsonRecordsParser, type ParsedElement } from './parse-json-records.ts'
import { detectFormatByName, detectFormatByText, type FileFormat } from './parse-dataset-file.ts'
import { RowValidator, type FieldSpec, type RowProblem } from './validate-rows.ts'
import { dataKeyOf, sealRowFields, type SealedField, type SealingKey } from './seal-store-row.ts'

// One pass over a dataset file's bytes: decode (decode-file-text.ts), parse
// (CSV or JSON, incrementally), validate each row against the fields, and turn
// each good row into the values its store takes. Pure computation, no I/O: the
// intake worker runs it off the main thread (intake-worker.ts); a small file is
// scanned in place (scan-file-in-worker.ts).

/**
 * How a good row is handed to the store: the generic store's JSON text, or a typed table's column values. `sealed`:
 * the personal fields stored sealed (for a typed table, `names` ends with their blind-index columns).
 */
export type StoreShape = { kind: 'json'; sealed?: SealedField[] } | { kind: 'columns'; names: string[]; sealed?: SealedField[] }

/** One good row, ready to bind: `[json]` or the column values in `StoreShape.names` order. */
export type StoreRow = (string | number | null)[]

export interface ScanOptions {
  fileName: string
  fields: FieldSpec[]
  shape: StoreShape
  /** The key the shape's sealed fields are sealed under (the current data key); required when there are any. */
  sealingKey?: SealingKey
  maxProblems?: number
}

/** Why a file could not be read at all (as opposed to rows that are wrong). */
export interface ScanFailure {
  reason: 'encoding' | 'format'
  message: string
  /** Rows concerned, when the failure is tied to some (a header repeating a name, a record nested too deep). */
  problems: RowProblem[]
}

export interface ScanSummary {
  format: FileFormat | null
  encoding: TextEncodingName
  bytes: number
  /** SHA-256 of the whole file; null when reading stopped before its end. */
  checksum: string | null
  rowsTotal: number
  badRows: number
  problems: RowProblem[]
  problemCount: number
  failure: ScanFailure | null
}

type Parser = { kind: 'csv'; parser: CsvRecordsParser } | { kind: 'json'; parser: JsonRecordsParser }

export class DatasetFileScanner {
  readonly #opts: ScanOptions
  readonly #decoder = new FileTextDecoder()
  readonly #validator: RowValidator
  readonly #hash: Hash = createHash('sha256')
  #bytes = 0
  #format: FileFormat | null
  #parser: Parser | null = null
  /** Decoded text held until its first non-blank character tells JSON from CSV. */
  #pendingText = ''
  #failure: ScanFailure | null = null
  #out: StoreRow[] = []
  #isEnded = false
  readonly #onElement: (element: ParsedElement | CsvElement) => void

  constructor(opts: ScanOptions) {
    this.#opts = opts
    this.#validator = new RowValidator(opts.fields, { maxProblems: opts.maxProblems })
    this.#format = detectFormatByName(opts.fileName)
    const toStore = storeRowOf(opts.shape, opts.sealingKey)
    this.#onElement = (element) => {
      const row = this.#validator.check(element.value, element.problems)
      // Once a row is bad nothing will be loaded: stop producing rows, keep counting problems.
      if (row && this.#validator.badRows === 0) this.#out.push(toStore(row))
    }
  }

  get isFailed(): boolean {
    return this.#failure !== null
  }

  /** Rows read so far (good and bad). */
  get rowsRead(): number {
    return this.#validator.rows
  }

  /** Feeds the next bytes; returns the good rows they completed (none once a row was bad or the file failed). */
  write(bytes: Uint8Array): StoreRow[] {
    if (this.#isEnded) throw new Error('DatasetFileScanner: write after end')
    this.#bytes += bytes.length
    this.#hash.update(bytes)
    if (this.#failure) return []
    this.#guard(() => this.#text(this.#decoder.write(bytes), false))
    return this.#take()
  }

  /** The file is complete: the last rows and the summary. */
  end(opts: { isComplete?: boolean } = {}): { rows: StoreRow[]; summary: ScanSummary } {
    if (this.#isEnded) throw new Error('DatasetFileScanner: end twice')
    this.#isEnded = true
    const isComplete = opts.isComplete ?? true
    if (!this.#failure && isComplete) this.#guard(() => this.#text(this.#decoder.end(), true))
    const rows = this.#take()
    const v = this.#validator
    return {
      rows,
      summary: {
        format: this.#format ?? (this.#parser ? this.#parser.kind : null),
        encoding: this.#decoder.recordedEncoding,
        bytes: this.#bytes,
        checksum: isComplete ? this.#hash.digest('hex') : null,
        rowsTotal: v.rows,
        badRows: v.badRows,
        problems: v.problems,
        problemCount: v.problemCount,
        failure: this.#failure,
      },
    }
  }

  #take(): StoreRow[] {
    const out = this.#out
    this.#out = []
    return out
  }

  #guard(step: () => void) {
    try {
      step()
    } catch (error) {
      this.#out = []
      if (error instanceof EncodingError) {
        this.#failure = { reason: 'encoding', message: error.message, problems: [] }
      } else if (error instanceof CsvFileError) {
        this.#failure = { reason: 'format', message: error.message, problems: error.problems }
      } else if (error instanceof JsonFileError) {
        const problems: RowProblem[] =
          error.problem && error.row !== null ? [{ row: error.row, field: '', problem: error.problem }] : []
        this.#failure = { reason: 'format', message: error.message, problems }
      } else throw error
    }
  }

  #text(text: string, isFinal: boolean) {
    if (!this.#parser) {
      this.#pendingText += text
      const format = this.#format ?? detectFormatByText(this.#pendingText)
      if (!format) {
        if (!isFinal) return
        throw new CsvFileError('the file holds no data', null)
      }
      this.#format = format
      this.#parser =
        format === 'csv' ? { kind: 'csv', parser: new CsvRecordsParser() } : { kind: 'json', parser: new JsonRecordsParser() }
      text = this.#pendingText
      this.#pendingText = ''
    }
    const p = this.#parser
    if (p.kind === 'csv') {
      if (text) p.parser.write(text, this.#onElement)
      if (isFinal) p.parser.end(this.#onElement)
    } else {
      if (text) p.parser.write(text, this.#onElement)
      if (isFinal) p.parser.end(this.#onElement)
    }
  }
}

function storeRowOf(shape: StoreShape, sealingKey: SealingKey | undefined): (row: Record<string, unknown>) => StoreRow {
  const sealed = shape.sealed ?? []
  if (sealed.length > 0 && !sealingKey) throw new Error('DatasetFileScanner: personal fields to seal, but no key')
  // Sealed here, in the intake worker: the main thread only stores rows.
  const key = sealed.length > 0 && sealingKey ? dataKeyOf(sealingKey) : null
  const seal = (row: Record<string, unknown>) => (key ? sealRowFields(key, row, sealed) : row)
  if (shape.kind === 'json') return (row) => [JSON.stringify(seal(row))]
  const names = shape.names
  return (row) => {
    const out = seal(row)
    return names.map((name) => toSqlValue(out[name]))
  }
}

/** Normalised values are strings, numbers, booleans or null; SQLite stores a boolean as 0/1. */
function toSqlValue(value: unknown): string | number | null {
  if (value === undefined || value === null) return null
  if (typeof value === 'boolean') return value ? 1 : 0
  if (typeof value === 'number' || typeof value === 'string') return value
  return JSON.stringify(value)
}
