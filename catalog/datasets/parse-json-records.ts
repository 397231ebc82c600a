// An incremental parser for a JSON file holding an array of records
// (docs/decisions/0016-dataset-intake-off-the-event-loop.md). Text arrives in
// chunks; each element of the top-level array is handed out as soon as it is
// complete, so a file is never held whole. Unlike JSON.parse it reports a key
// repeated in an object (JSON.parse silently keeps the last), bounds nesting
// depth and record size, builds objects without a prototype (a `__proto__` key
// is a plain, unknown field), and keeps an integer too large for a double as its
// exact digits instead of rounding it.

export interface ParseProblem {
  field: string
  problem: 'duplicate_key'
  value?: string
}

export interface ParsedElement {
  /** 1-based position in the array. */
  row: number
  value: unknown
  /** Problems found while parsing this element (a repeated key). */
  problems: ParseProblem[]
}

/** The file cannot be read as a JSON array at all; `row` is the element being read, if any. */
export class JsonFileError extends Error {
  constructor(
    message: string,
    readonly row: number | null,
    readonly problem: 'too_deep' | 'too_large' | null = null,
  ) {
    super(message)
  }
}

export const MAX_JSON_DEPTH = 32
export const MAX_RECORD_CHARS = 4 * 1024 * 1024

type Frame =
  | { kind: 'array'; value: unknown[]; state: 'first' | 'value' | 'next' }
  | { kind: 'object'; value: Record<string, unknown>; key: string; state: 'first' | 'key' | 'colon' | 'value' | 'next' }

const NUMBER_RE = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/
const NEEDS_JSON_PARSE = /[\\\u0000-\u001f]/

const isWhitespace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09
const isDelimiter = (c: number) => isWhitespace(c) || c === 0x2c || c === 0x5d || c === 0x7d
const isNumberChar = (c: number) => (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45

/** Marks "need more text" inside the token loop. */
const MORE = Symbol('more')

export class JsonRecordsParser {
  #buf = ''
  /** Characters consumed before #buf[0], for messages. */
  #consumed = 0
  #stage: 'start' | 'array' | 'after' = 'start'
  /** The top-level array's state: its elements are handed out, not kept. */
  #topState: 'first' | 'value' | 'next' = 'first'
  #stack: Frame[] = []
  #row = 0
  #rowStart = 0
  #rowProblems: ParseProblem[] = []
  readonly #maxDepth: number
  readonly #maxRecordChars: number

  constructor(opts: { maxDepth?: number; maxRecordChars?: number } = {}) {
    this.#maxDepth = opts.maxDepth ?? MAX_JSON_DEPTH
    this.#maxRecordChars = opts.maxRecordChars ?? MAX_RECORD_CHARS
  }

  /** Elements handed out so far. */
  get rows(): number {
    return this.#row
  }

  write(text: string, onElement: (element: ParsedElement) => void): void {
    this.#buf = this.#buf.length === 0 ? text : this.#buf + text
    this.#run(false, onElement)
  }

  end(onElement: (element: ParsedElement) => void): void {
    this.#run(true, onElement)
    if (this.#stage === 'start') throw new JsonFileError('not valid JSON: the file is empty', null)
    if (this.#stage === 'array') {
      throw new JsonFileError('not valid JSON: the file ends before its array is closed (cut off?)', this.#inRow())
    }
  }

  #inRow(): number | null {
    return this.#stack.length > 0 || this.#topState === 'value' ? this.#row + 1 : null
  }

  #fail(message: string, at: number): never {
    throw new JsonFileError(`not valid JSON: ${message} at character ${this.#consumed + at}`, this.#inRow())
  }

  #run(isFinal: boolean, onElement: (element: ParsedElement) => void) {
    const buf = this.#buf
    let pos = 0
    try {
      for (;;) {
        while (pos < buf.length && isWhitespace(buf.charCodeAt(pos))) pos++
        if (pos >= buf.length) break
        const c = buf.charCodeAt(pos)
        if (this.#stage === 'start') {
          if (c !== 0x5b) {
            throw new JsonFileError(
              c === 0x7b
                ? 'a JSON file must hold an array of records, not a single object'
                : 'a JSON file must hold an array of records',
              null,
            )
          }
          this.#stage = 'array'
          pos++
          continue
        }
        if (this.#stage === 'after') this.#fail('unexpected data after the array', pos)
        const frame = this.#stack[this.#stack.length - 1]
        if (!frame) {
          // Inside the top-level array, between elements.
          if (this.#topState === 'next') {
            if (c === 0x2c) this.#topState = 'value'
            else if (c === 0x5d) this.#stage = 'after'
            else this.#fail("expected ',' or ']' after an element", pos)
            pos++
            continue
          }
          if (c === 0x5d) {
            if (this.#topState === 'value') this.#fail("unexpected ']' after ','", pos)
            this.#stage = 'after'
            pos++
            continue
          }
          this.#rowStart = this.#consumed + pos
          const next = this.#value(buf, pos, isFinal, onElement)
          if (next === MORE) break
          pos = next
          continue
        }
        if (frame.kind === 'array') {
          if (frame.state === 'next') {
            if (c === 0x2c) frame.state = 'value'
            else if (c === 0x5d) this.#close(onElement)
            else this.#fail("expected ',' or ']'", pos)
            pos++
            continue
          }
          if (c === 0x5d) {
            if (frame.state === 'value') this.#fail("unexpected ']' after ','", pos)
            this.#close(onElement)
            pos++
            continue
          }
          const next = this.#value(buf, pos, isFinal, onElement)
          if (next === MORE) break
          pos = next
          continue
        }
        // An object.
        switch (frame.state) {
          case 'first':
          case 'key': {
            if (c === 0x7d && frame.state === 'first') {
              this.#close(onElement)
              pos++
              continue
            }
            if (c !== 0x22) this.#fail('expected a property name in double quotes', pos)
            const token = this.#string(buf, pos, isFinal)
            if (token === MORE) break
            frame.key = token.value
            frame.state = 'colon'
            pos = token.end
            continue
          }
          case 'colon':
            if (c !== 0x3a) this.#fail("expected ':' after a property name", pos)
            frame.state = 'value'
            pos++
            continue
          case 'value': {
            const next = this.#value(buf, pos, isFinal, onElement)
            if (next === MORE) break
            pos = next
            continue
          }
          case 'next':
            if (c === 0x2c) frame.state = 'key'
            else if (c === 0x7d) this.#close(onElement)
            else this.#fail("expected ',' or '}'", pos)
            pos++
            continue
        }
        break
      }
    } finally {
      this.#buf = buf.slice(pos)
      this.#consumed += pos
    }
    if (this.#stack.length > 0 || this.#buf.length > 0) {
      const open = this.#consumed + this.#buf.length - this.#rowStart
      if (open > this.#maxRecordChars) {
        throw new JsonFileError(
          `record ${this.#row + 1} is larger than ${this.#maxRecordChars} characters`,
          this.#row + 1,
          'too_large',
        )
      }
    }
  }

  /** Reads one value starting at `pos`; returns the position after it, or MORE. */
  #value(buf: string, pos: number, isFinal: boolean, onElement: (element: ParsedElement) => void): number | typeof MORE {
    const c = buf.charCodeAt(pos)
    if (c === 0x22) {
      const token = this.#string(buf, pos, isFinal)
      if (token === MORE) return MORE
      this.#deliver(token.value, onElement)
      return token.end
    }
    if (c === 0x7b || c === 0x5b) {
      // The top-level array is depth 1, a record depth 2.
      if (this.#stack.length + 2 > this.#maxDepth) {
        throw new JsonFileError(`record ${this.#row + 1} nests deeper than ${this.#maxDepth} levels`, this.#row + 1, 'too_deep')
      }
      this.#stack.push(
        c === 0x7b
          ? { kind: 'object', value: Object.create(null) as Record<string, unknown>, key: '', state: 'first' }
          : { kind: 'array', value: [], state: 'first' },
      )
      return pos + 1
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      // The run of characters a number could hold; it may go on in the next chunk.
      let end = pos
      while (end < buf.length && isNumberChar(buf.charCodeAt(end))) end++
      if (end >= buf.length && !isFinal) return MORE
      const text = buf.slice(pos, end)
      if (!NUMBER_RE.test(text) || (end < buf.length && !isDelimiter(buf.charCodeAt(end)))) this.#fail('malformed number', pos)
      const n = Number(text)
      // An integer beyond 2^53 would be rounded: keep its digits (an ID number, a bank account).
      const isExactInteger = /^-?\d+$/.test(text) && !Number.isSafeInteger(n)
      this.#deliver(isExactInteger ? text : n, onElement)
      return end
    }
    for (const [word, value] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (c !== word.charCodeAt(0)) continue
      const have = buf.slice(pos, pos + word.length)
      if (have.length < word.length && !isFinal && word.startsWith(have)) return MORE
      if (have !== word) this.#fail('unexpected token', pos)
      const after = pos + word.length
      if (after >= buf.length && !isFinal) return MORE
      if (after < buf.length && !isDelimiter(buf.charCodeAt(after))) this.#fail('unexpected token', pos)
      this.#deliver(value, onElement)
      return after
    }
    return this.#fail(`unexpected character ${JSON.stringify(buf[pos])}`, pos)
  }

  #string(buf: string, pos: number, isFinal: boolean): { value: string; end: number } | typeof MORE {
    let from = pos + 1
    for (;;) {
      const q = buf.indexOf('"', from)
      if (q < 0) {
        if (isFinal) this.#fail('unterminated string', pos)
        return MORE
      }
      let backslashes = 0
      for (let k = q - 1; k > pos && buf.charCodeAt(k) === 0x5c; k--) backslashes++
      if (backslashes % 2 === 1) {
        from = q + 1
        continue
      }
      const inner = buf.slice(pos + 1, q)
      if (!NEEDS_JSON_PARSE.test(inner)) return { value: inner, end: q + 1 }
      try {
        return { value: JSON.parse(buf.slice(pos, q + 1)) as string, end: q + 1 }
      } catch {
        return this.#fail('bad escape or control character in a string', pos)
      }
    }
  }

  /** A value is complete: it goes into its container, or out as a record. */
  #deliver(value: unknown, onElement: (element: ParsedElement) => void) {
    const frame = this.#stack[this.#stack.length - 1]
    if (!frame) {
      this.#row++
      const problems = this.#rowProblems
      this.#rowProblems = []
      this.#topState = 'next'
      onElement({ row: this.#row, value, problems })
      return
    }
    if (frame.kind === 'array') {
      frame.value.push(value)
      frame.state = 'next'
      return
    }
    if (Object.hasOwn(frame.value, frame.key)) {
      // A record's own key, or for a nested object the record field it sits in.
      const field = this.#stack.length === 1 ? frame.key : (this.#fieldOfRecord() ?? frame.key)
      this.#rowProblems.push({ field, problem: 'duplicate_key', value: frame.key })
    }
    frame.value[frame.key] = value
    frame.state = 'next'
  }

  #fieldOfRecord(): string | null {
    const record = this.#stack[0]
    return record?.kind === 'object' ? record.key : null
  }

  #close(onElement: (element: ParsedElement) => void) {
    const frame = this.#stack.pop()!
    this.#deliver(frame.value, onElement)
  }
}
