import { formatMoney } from '#platform/money/money.ts'
import { formatDateTime } from '#platform/calendar/shanghai-calendar.ts'
import type { Lang } from '#app/i18n/messages.ts'

/** Integer fen → "¥1,234.56": the one money formatter (app/lib/money.ts, ADR 0048) under its older name. */
export function formatFen(fen: number): string {
  return formatMoney(fen)
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
