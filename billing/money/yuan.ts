/**
 * "1,234.56" (yuan, as typed in a form) → 123456 fen, by string arithmetic: no float ever holds money.
 * Returns null for anything that is not a non-negative amount with at most 2 decimals.
 */
export function yuanToFen(text: string): number | null {
  const cleaned = text
    .trim()
    .replace(/[,，\s]/g, '')
    .replace(/^[¥￥]/, '')
  const match = /^(\d{1,13})(?:\.(\d{1,2}))?$/.exec(cleaned)
  if (!match) return null
  const fen = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'))
  return Number.isSafeInteger(fen) ? fen : null
}
