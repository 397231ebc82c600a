import type { ChargeUnit } from '#db/schema/billing.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { translate, type Lang } from '#app/i18n/messages.ts'
import {
  fenToYuanInput,
  formatMoney,
  formatUnitPrice as formatUnitPriceLabelled,
  formatUnitYuan,
  parseYuanAmount,
  parseYuanUnitPrice,
  UNIT_PRICE_DECIMALS,
} from '#platform/money/money.ts'

/**
 * The one place the UI formats money (issue 16, ADR 0048): amounts `¥1,234.56`, unit prices `¥0.025/次`. Built on
 * platform/money/money.ts (decimal.js + Intl), which PDFs and CSVs for people use too. Never write `分` or `/ 100`.
 */
export { fenToYuanInput, formatMoney, formatUnitYuan, parseYuanAmount, parseYuanUnitPrice, UNIT_PRICE_DECIMALS }

/** Fen per unit → "¥0.025/次" / "¥0.025/call", the unit named from the billing messages. */
export function formatUnitPrice(fenPerUnit: number | string, unit: ChargeUnit, lang: Lang): string {
  return formatUnitPriceLabelled(fenPerUnit, translate(lang, `billing.unit.${unit}`), lang)
}

/** The formatters bound to the reader's language. */
export function useMoney() {
  const lang = useLang()
  const t = useT()
  return {
    /** Integer fen (or precise fen text) → "¥1,234.56". */
    money: (fen: number | string) => formatMoney(fen, lang),
    /** Fen per unit → "¥0.025/次". */
    unitPrice: (fenPerUnit: number | string, unit: ChargeUnit) =>
      formatUnitPriceLabelled(fenPerUnit, t(`billing.unit.${unit}`), lang),
    /** Fen per unit → "¥0.025" (no unit). */
    unitYuan: (fenPerUnit: number | string) => formatUnitYuan(fenPerUnit, lang),
  }
}
