import { inflateSync } from 'node:zlib'

/**
 * The text of a PDF written by pdfkit: inflates its streams, reads the ToUnicode maps of its (subset) fonts and
 * decodes the hex strings shown by Tj/TJ. Enough to prove the Chinese text is really there and extractable.
 */
export function extractPdfText(pdf: Buffer): string {
  const raw = pdf.toString('latin1')
  const streams: string[] = []
  const re = /(?<!end)stream\r?\n/g
  let m: RegExpExecArray | null
  while ((m = re.exec(raw))) {
    const start = m.index + m[0].length
    const end = raw.indexOf('endstream', start)
    if (end < 0) break
    const bytes = pdf.subarray(start, end)
    try {
      streams.push(inflateSync(bytes).toString('latin1'))
    } catch {
      streams.push(bytes.toString('latin1'))
    }
    re.lastIndex = end
  }
  const cmap = new Map<string, string>()
  const hexToText = (hex: string) => String.fromCodePoint(...(hex.match(/.{4}/g) ?? []).map((h) => parseInt(h, 16)))
  for (const s of streams.filter((x) => x.includes('begincmap'))) {
    for (const block of s.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
      for (const [, src, dst] of block[1]!.matchAll(/<([0-9a-fA-F]{4})>\s*<([0-9a-fA-F]+)>/g))
        cmap.set(src!.toLowerCase(), hexToText(dst!))
    }
    for (const block of s.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
      for (const [, lo, hi, arr] of block[1]!.matchAll(/<([0-9a-fA-F]{4})>\s*<([0-9a-fA-F]{4})>\s*\[([^\]]*)\]/g)) {
        const targets = [...arr!.matchAll(/<([0-9a-fA-F\s]*)>/g)].map((t) => hexToText(t[1]!.replace(/\s+/g, '')))
        for (let c = parseInt(lo!, 16), i = 0; c <= parseInt(hi!, 16); c++, i++)
          cmap.set(c.toString(16).padStart(4, '0'), targets[i] ?? '')
      }
    }
  }
  const text: string[] = []
  for (const s of streams.filter((x) => /T[Jj]/.test(x))) {
    for (const [, show] of s.matchAll(/(\[[^\]]*\]|<[0-9a-fA-F]*>)\s*T[Jj]/g)) {
      for (const [, hex] of show!.matchAll(/<([0-9a-fA-F]*)>/g)) {
        text.push((hex!.match(/.{4}/g) ?? []).map((code) => cmap.get(code.toLowerCase()) ?? '').join(''))
      }
    }
    text.push('\n')
  }
  return text.join('')
}
