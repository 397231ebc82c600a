import iconv from 'iconv-lite'

// The text encoding of an uploaded dataset file, decided while it streams in
// (docs/decisions/0016-dataset-intake-off-the-event-loop.md). Government exports
// in China are often GBK/GB18030 rather than UTF-8: such a file is decoded, never
// loaded garbled, and a file in no encoding we can tell is refused by name.

export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be' | 'gb18030'

export class EncodingError extends Error {
  constructor(
    message: string,
    /** Byte offset in the file where the problem was found. */
    readonly byteOffset: number,
  ) {
    super(message)
  }
}

/** Bytes after the first non-ASCII byte that decide between UTF-8 and GB18030. */
export const SNIFF_BYTES = 64 * 1024
/**
 * Share of GB18030 double-byte characters that must lie in GB2312's range
 * (both bytes 0xA1–0xFE) before a file that is not UTF-8 is taken for GB18030.
 * Real Chinese text keeps to GB2312 but for rare characters in names; Big5
 * (about 60 %) and Latin-1 read as GBK (almost 0 %) fall well below.
 */
const GB2312_SHARE = 0.8
/** Below this many double-byte characters the share says nothing: a valid decoding is accepted. */
const GB2312_MIN_SAMPLE = 8

const hex = (b: number) => `0x${b.toString(16).padStart(2, '0').toUpperCase()}`

/**
 * Index of the first byte that makes `bytes` invalid UTF-8 (overlongs,
 * surrogates and code points above U+10FFFF are invalid), or -1. With `isFinal`
 * false a sequence cut off at the end is not an error (more bytes follow).
 */
export function findInvalidUtf8(bytes: Uint8Array, isFinal: boolean): number {
  const n = bytes.length
  let i = 0
  while (i < n) {
    const b = bytes[i]!
    if (b < 0x80) {
      i++
      continue
    }
    let need: number
    let min = 0x80
    let max = 0xbf
    if (b >= 0xc2 && b <= 0xdf) need = 1
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2
      if (b === 0xe0) min = 0xa0
      if (b === 0xed) max = 0x9f
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3
      if (b === 0xf0) min = 0x90
      if (b === 0xf4) max = 0x8f
    } else return i
    for (let k = 1; k <= need; k++) {
      if (i + k >= n) return isFinal ? i : -1
      const c = bytes[i + k]!
      if (k === 1 ? c < min || c > max : c < 0x80 || c > 0xbf) return i
    }
    i += need + 1
  }
  return -1
}

/**
 * How a window of non-UTF-8 bytes reads as GB18030: the first invalid byte (or
 * -1) and how many of its double-byte characters lie in GB2312's range.
 */
export function inspectGb18030(bytes: Uint8Array, isFinal: boolean): { invalidAt: number; gb2312: number; other: number } {
  let gb2312 = 0
  let other = 0
  let i = 0
  const n = bytes.length
  while (i < n) {
    const b = bytes[i]!
    if (b < 0x80) {
      i++
      continue
    }
    if (b === 0x80 || b === 0xff) return { invalidAt: i, gb2312, other }
    if (i + 1 >= n) return { invalidAt: isFinal ? i : -1, gb2312, other }
    const c = bytes[i + 1]!
    if (c >= 0x30 && c <= 0x39) {
      // Four bytes: lead, 0x30–0x39, 0x81–0xFE, 0x30–0x39.
      if (i + 3 >= n) return { invalidAt: isFinal ? i : -1, gb2312, other }
      const d = bytes[i + 2]!
      const e = bytes[i + 3]!
      if (d < 0x81 || d > 0xfe || e < 0x30 || e > 0x39) return { invalidAt: i, gb2312, other }
      other++
      i += 4
      continue
    }
    if (c < 0x40 || c === 0x7f || c === 0xff) return { invalidAt: i, gb2312, other }
    if (b >= 0xa1 && b <= 0xf7 && c >= 0xa1) gb2312++
    else other++
    i += 2
  }
  return { invalidAt: -1, gb2312, other }
}

type Decode = (bytes: Uint8Array, isFinal: boolean) => string

function utf8Decoder(startOffset: number): Decode {
  const decoder = new TextDecoder('utf-8', { fatal: true })
  let offset = startOffset
  // The previous chunk's last bytes: a bad sequence may have started there.
  let previous: Uint8Array = new Uint8Array(0)
  return (bytes, isFinal) => {
    try {
      const text = decoder.decode(bytes, { stream: !isFinal })
      previous = bytes.length >= 3 ? bytes.subarray(bytes.length - 3) : joinBytes(previous, bytes).slice(-3)
      offset += bytes.length
      return text
    } catch {
      const joined = joinBytes(previous, bytes)
      const at = Math.max(0, findInvalidUtf8(joined, isFinal))
      const position = offset - previous.length + at
      throw new EncodingError(
        `the file is not valid UTF-8 (byte ${hex(joined[at] ?? 0)} at offset ${position}); ` +
          'save it as UTF-8 or GB18030 throughout',
        position,
      )
    }
  }
}

function joinBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length)
  out.set(a)
  out.set(b, a.length)
  return out
}

function gb18030Decoder(startOffset: number): Decode {
  const decoder = iconv.getDecoder('gb18030')
  let offset = startOffset
  return (bytes, isFinal) => {
    // iconv-lite replaces what it cannot decode with U+FFFD: take that as proof of a bad byte.
    const text =
      decoder.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)) + (isFinal ? (decoder.end() ?? '') : '')
    if (text.includes('\uFFFD')) {
      const at = inspectGb18030(bytes, isFinal).invalidAt
      const position = offset + Math.max(0, at)
      throw new EncodingError(
        `the file was read as GB18030 but holds an invalid byte sequence near offset ${position}; ` +
          'save it as UTF-8 or GB18030 throughout',
        position,
      )
    }
    offset += bytes.length
    return text
  }
}

function utf16Decoder(encoding: 'utf-16le' | 'utf-16be', startOffset: number): Decode {
  const decoder = new TextDecoder(encoding, { fatal: true })
  let offset = startOffset
  return (bytes, isFinal) => {
    try {
      const text = decoder.decode(bytes, { stream: !isFinal })
      offset += bytes.length
      return text
    } catch {
      throw new EncodingError(`the file is not valid ${encoding.toUpperCase()} (near offset ${offset})`, offset)
    }
  }
}

/**
 * Streams a file's bytes to text. The encoding: a byte-order mark names UTF-8 or
 * UTF-16 (LE/BE); without one, ASCII passes through undecided until the first
 * non-ASCII byte, and the next {@link SNIFF_BYTES} decide: valid UTF-8 → UTF-8;
 * otherwise valid GB18030 that reads like Chinese text (mostly GB2312
 * characters) → GB18030; otherwise the file is refused. Bytes later in the file
 * that break the chosen encoding refuse it too (a file mixing encodings would
 * load garbled). NUL bytes refuse a UTF-8/GB18030 file: it is binary, or UTF-16
 * without a byte-order mark. Errors are {@link EncodingError}s.
 */
export class FileTextDecoder {
  #encoding: TextEncodingName | null = null
  #decode: Decode | null = null
  /** Bytes received so far. */
  #offset = 0
  /** Bytes held back while the encoding is undecided (the BOM check, then the sniff window). */
  #held: Uint8Array[] = []
  #heldBytes = 0
  #sawBomCheck = false
  #isEnded = false

  /** The decided encoding; null until the first non-ASCII byte (an ASCII file reads the same in every candidate). */
  get encoding(): TextEncodingName | null {
    return this.#encoding
  }

  /** The encoding to record: an all-ASCII file is valid UTF-8. */
  get recordedEncoding(): TextEncodingName {
    return this.#encoding ?? 'utf-8'
  }

  write(bytes: Uint8Array): string {
    if (this.#isEnded) throw new Error('FileTextDecoder: write after end')
    return this.#push(bytes, false)
  }

  end(): string {
    if (this.#isEnded) return ''
    const text = this.#push(new Uint8Array(0), true)
    this.#isEnded = true
    return text
  }

  #push(bytes: Uint8Array, isFinal: boolean): string {
    const start = this.#offset
    this.#offset += bytes.length
    if (this.#decode) {
      if (this.#encoding === 'utf-8' || this.#encoding === 'gb18030') this.#refuseNul(bytes, start)
      return this.#decode(bytes, isFinal)
    }
    if (bytes.length > 0) {
      // Held bytes get their own copy: the caller may reuse its buffer.
      this.#held.push(bytes.slice())
      this.#heldBytes += bytes.length
    }
    if (!this.#sawBomCheck) {
      if (this.#heldBytes < 4 && !isFinal) return ''
      this.#sawBomCheck = true
      const head = this.#takeHeld()
      const bom = this.#bomOf(head)
      if (bom) {
        this.#choose(bom.encoding, this.#offset - head.length)
        return this.#decode!(head, isFinal)
      }
      this.#held = head.length > 0 ? [head] : []
      this.#heldBytes = head.length
    }
    return this.#sniff(isFinal)
  }

  /** Without a BOM: ASCII goes out as it is; from the first non-ASCII byte, bytes wait for the decision. */
  #sniff(isFinal: boolean): string {
    const held = this.#takeHeld()
    const heldStart = this.#offset - held.length
    this.#refuseNul(held, heldStart)
    let firstHigh = 0
    while (firstHigh < held.length && held[firstHigh]! < 0x80) firstHigh++
    const ascii = firstHigh > 0 ? Buffer.from(held.buffer, held.byteOffset, firstHigh).toString('latin1') : ''
    const rest = held.subarray(firstHigh)
    if (rest.length === 0) return ascii
    if (rest.length < SNIFF_BYTES && !isFinal) {
      this.#held = [rest]
      this.#heldBytes = rest.length
      return ascii
    }
    const restStart = heldStart + firstHigh
    const window = rest.subarray(0, SNIFF_BYTES)
    const isWholeRest = window.length === rest.length
    const invalidUtf8 = findInvalidUtf8(window, isFinal && isWholeRest)
    if (invalidUtf8 < 0) {
      this.#choose('utf-8', restStart)
      return ascii + this.#decode!(rest, isFinal)
    }
    const gb = inspectGb18030(window, isFinal && isWholeRest)
    const sample = gb.gb2312 + gb.other
    if (gb.invalidAt < 0 && (sample < GB2312_MIN_SAMPLE || gb.gb2312 / sample >= GB2312_SHARE)) {
      this.#choose('gb18030', restStart)
      return ascii + this.#decode!(rest, isFinal)
    }
    const position = restStart + invalidUtf8
    throw new EncodingError(
      gb.invalidAt < 0
        ? `the file is neither UTF-8 (byte ${hex(rest[invalidUtf8]!)} at offset ${position}) nor GB18030 text ` +
            '(it does not read as Chinese: Big5, Latin-1 or another encoding?); save it as UTF-8 or GB18030'
        : `the file is neither UTF-8 nor GB18030 (byte ${hex(rest[invalidUtf8]!)} at offset ${position}); ` +
            'save it as UTF-8 or GB18030',
      position,
    )
  }

  #bomOf(head: Uint8Array): { encoding: TextEncodingName } | null {
    const [a, b, c, d] = head
    if (a === 0xef && b === 0xbb && c === 0xbf) return { encoding: 'utf-8' }
    if ((a === 0xff && b === 0xfe && c === 0 && d === 0) || (a === 0 && b === 0 && c === 0xfe && d === 0xff)) {
      throw new EncodingError('the file is UTF-32, which is not supported; save it as UTF-8 or GB18030', 0)
    }
    if (a === 0xff && b === 0xfe) return { encoding: 'utf-16le' }
    if (a === 0xfe && b === 0xff) return { encoding: 'utf-16be' }
    return null
  }

  #choose(encoding: TextEncodingName, startOffset: number) {
    this.#encoding = encoding
    this.#decode =
      encoding === 'utf-8'
        ? utf8Decoder(startOffset)
        : encoding === 'gb18030'
          ? gb18030Decoder(startOffset)
          : utf16Decoder(encoding, startOffset)
  }

  #refuseNul(bytes: Uint8Array, start: number) {
    const at = bytes.indexOf(0)
    if (at >= 0) {
      throw new EncodingError(
        `the file holds a NUL byte at offset ${start + at}: it is binary, or UTF-16 without a byte-order mark; ` +
          'save it as UTF-8 or GB18030',
        start + at,
      )
    }
  }

  #takeHeld(): Uint8Array {
    const parts = this.#held
    this.#held = []
    this.#heldBytes = 0
    if (parts.length === 1) return parts[0]!
    return parts.reduce(joinBytes, new Uint8Array(0))
  }
}
