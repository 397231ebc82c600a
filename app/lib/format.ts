import { formatDateTime } from '#platform/calendar/shanghai-calendar.ts'
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

/**
 * Times are shown in the city's time zone whatever the server's, as `2026-11-28 16:05:09` in both languages (ISO order,
 * never day-first; ADR 0046). `_lang` stays for the callers: the form is the same in Chinese and English.
 */
export function formatTime(ms: number | null | undefined, _lang?: Lang): string {
  if (!ms) return '—'
  return formatDateTime(ms)
}
