/** Integer fen → "¥1,234.56" (integer arithmetic; the domain twin of app/lib/format.ts for PDFs and CSVs). */
export function formatFenText(fen: number): string {
  const sign = fen < 0 ? '-' : ''
  const abs = Math.abs(Math.trunc(fen))
  return `${sign}¥${Math.floor(abs / 100).toLocaleString('en-US')}.${String(abs % 100).padStart(2, '0')}`
}

/** Integer fen → "1234.56" (no symbol, no grouping: for spreadsheets). */
export function fenToYuanPlain(fen: number): string {
  const sign = fen < 0 ? '-' : ''
  const abs = Math.abs(Math.trunc(fen))
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`
}
