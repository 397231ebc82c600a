import { formatMoney } from '#platform/money/money.ts'

/** Integer fen → "¥1,234.56" for PDFs and emails (platform/money/money.ts, the same formatter as the UI's). */
export function formatFenText(fen: number): string {
  return formatMoney(fen)
}

/** Integer fen → "1234.56" (no symbol, no grouping: for spreadsheets). */
export function fenToYuanPlain(fen: number): string {
  const sign = fen < 0 ? '-' : ''
  const abs = Math.abs(Math.trunc(fen))
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`
}
