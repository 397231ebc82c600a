import type { Lang } from '#app/i18n/messages.ts'

/** Integer fen → "¥1,234.56". Integer arithmetic only: no float rounding of money. */
export function formatFen(fen: number): string {
  const sign = fen < 0 ? '-' : ''
  const abs = Math.abs(Math.trunc(fen))
  const yuan = Math.floor(abs / 100).toLocaleString('en-US')
  return `${sign}¥${yuan}.${String(abs % 100).padStart(2, '0')}`
}

export function formatCount(n: number, lang: Lang): string {
  return n.toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-US')
}

/** Times are shown in the city's time zone whatever the server's. */
export function formatTime(ms: number | null | undefined, lang: Lang): string {
  if (!ms) return '—'
  return new Date(ms).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', { timeZone: 'Asia/Shanghai', hour12: false })
}
