import { Parser, type Options } from 'csv-parse'

// An incremental CSV reader for dataset files: a header line of field names,
// then one record per line, handed out as soon as each is complete. csv-parse
// does the CSV grammar (quotes, embedded newlines); its incremental core is
// driven directly, without stream machinery, so that the same code serves a
// chunked upload and a whole string.

export interface CsvProblem {
  field: string
  problem: 'duplicate_key' | 'field_count'
  value?: string
}

export interface CsvElement {
  /** 1-based data row (the header line is not counted). */
  row: number
  /** The record keyed by header name (no prototype: any header is a plain key). */
  value: Record<string, string>
  problems: CsvProblem[]
}

/** The file cannot be read as CSV at all. `problems` name the header's faults (row 0). */
export class CsvFileError extends Error {
  constructor(
    message: string,
    readonly row: number | null,
    readonly problems: { row: number; field: string; problem: 'duplicate_key' }[] = [],
  ) {
    super(message)
  }
}

export const MAX_CSV_RECORD_CHARS = 4 * 1024 * 1024

/** csv-parse's incremental core (`Parser#api`): feed bytes, get records through `push`. */
interface CsvCore {
  parse(
    chunk: Buffer | undefined,
    isEnd: boolean,
    push: (record: string[]) => void,
    close: () => void,
  ): (Error & { code?: string; lines?: number }) | undefined
}

export class CsvRecordsParser {
  readonly #core: CsvCore
  #header: string[] | null = null
  #row = 0

  constructor(opts: { maxRecordChars?: number } = {}) {
    const options: Options = {
      // The decoder has removed any byte-order mark and made the text UTF-8.
      bom: false,
      relax_column_count: true,
      skip_empty_lines: true,
      max_record_size: opts.maxRecordChars ?? MAX_CSV_RECORD_CHARS,
    }
    const core = (new Parser(options) as unknown as { api?: CsvCore }).api
    if (!core || typeof core.parse !== 'function') throw new Error('csv-parse: incremental parser API not found')
    this.#core = core
  }

  get rows(): number {
    return this.#row
  }

  write(text: string, onElement: (element: CsvElement) => void): void {
    this.#feed(Buffer.from(text, 'utf8'), false, onElement)
  }

  end(onElement: (element: CsvElement) => void): void {
    this.#feed(undefined, true, onElement)
    if (this.#header === null) throw new CsvFileError('not valid CSV: the file has no header line', null)
  }

  #feed(chunk: Buffer | undefined, isEnd: boolean, onElement: (element: CsvElement) => void) {
    let failure: CsvFileError | null = null
    const error = this.#core.parse(
      chunk,
      isEnd,
      (cells) => {
        if (failure) return
        try {
          this.#record(cells, onElement)
        } catch (e) {
          if (!(e instanceof CsvFileError)) throw e
          failure = e
        }
      },
      () => undefined,
    )
    if (failure) throw failure
    if (error) throw new CsvFileError(`not valid CSV: ${error.message}`, this.#header ? this.#row + 1 : null)
  }

  #record(cells: string[], onElement: (element: CsvElement) => void) {
    if (this.#header === null) {
      const seen = new Set<string>()
      const duplicates: { row: number; field: string; problem: 'duplicate_key' }[] = []
      for (const name of cells) {
        if (seen.has(name)) duplicates.push({ row: 0, field: name, problem: 'duplicate_key' })
        seen.add(name)
      }
      if (duplicates.length > 0) {
        throw new CsvFileError(
          `the header line names ${duplicates.map((d) => JSON.stringify(d.field)).join(', ')} more than once`,
          0,
          duplicates,
        )
      }
      this.#header = cells
      return
    }
    this.#row++
    const header = this.#header
    const value = Object.create(null) as Record<string, string>
    const problems: CsvProblem[] = []
    if (cells.length !== header.length) {
      problems.push({ field: '', problem: 'field_count', value: `${cells.length} of ${header.length}` })
    }
    const n = Math.min(cells.length, header.length)
    for (let i = 0; i < n; i++) value[header[i]!] = cells[i]!
    onElement({ row: this.#row, value, problems })
  }
}
