import DecimalJs from 'decimal.js'

/**
 * Money as people read and type it (issue 16, ADR 0048). The domain keeps integer fen for amounts and decimal text of
 * fen for unit prices ("2.5" = ¥0.025 per call); people see and enter yuan:
 * - an amount is `¥1,234.56`: always two decimals, a fraction of a fen rounded half-up, a credit `-¥12.30`;
 * - a unit price is `¥0.025/次` (`¥0.025/call`): at least two decimals and as many more as the price has;
 * - an amount is typed in yuan with at most two decimals, a unit price with at most {@link UNIT_PRICE_DECIMALS}.
 * Arithmetic is decimal.js; grouping is Intl.NumberFormat on a BigInt, so no float ever holds money.
 */
const D = DecimalJs.clone({ precision: 60, rounding: DecimalJs.ROUND_HALF_UP, toExpNeg: -40, toExpPos: 60 })

export type MoneyLang = 'zh' | 'en'

/** Decimals of yuan a unit price may be entered with: ¥0.0001 = a hundredth of a fen. */
export const UNIT_PRICE_DECIMALS = 4
/** Decimals of yuan an amount (a fee, a cost, a package price) may be entered with: whole fen. */
export const AMOUNT_DECIMALS = 2

const GROUPING: Record<MoneyLang, Intl.NumberFormat> = {
  zh: new Intl.NumberFormat('zh-CN', { useGrouping: true }),
  en: new Intl.NumberFormat('en-US', { useGrouping: true }),
}

function toDecimal(fen: number | string | bigint): DecimalJs {
  const value = new D(typeof fen === 'bigint' ? fen.toString() : fen)
  if (!value.isFinite()) throw new Error(`not an amount: ${String(fen)}`)
  return value
}

/** A non-negative yuan decimal → "1,234.5678" with at least `minDecimals` decimals, sign in front. */
function yuanText(yuan: DecimalJs, minDecimals: number, lang: MoneyLang): string {
  const negative = yuan.isNegative() && !yuan.isZero()
  const abs = yuan.abs()
  const decimals = Math.max(minDecimals, abs.decimalPlaces())
  const [int = '0', frac = ''] = abs.toFixed(decimals).split('.')
  const grouped = GROUPING[lang].format(BigInt(int))
  return `${negative ? '-' : ''}¥${grouped}${frac ? `.${frac}` : ''}`
}

/** Fen (integer, or decimal text for a precise amount) → "¥1,234.56": two decimals, half-up, "-¥…" for a credit. */
export function formatMoney(fen: number | string | bigint, lang: MoneyLang = 'zh'): string {
  const yuan = toDecimal(fen).dividedBy(100).toDecimalPlaces(2, D.ROUND_HALF_UP)
  return yuanText(yuan, 2, lang)
}

/** Fen per unit (decimal text) → "¥0.025": at least two decimals, every significant decimal kept. */
export function formatUnitYuan(fenPerUnit: number | string, lang: MoneyLang = 'zh'): string {
  return yuanText(toDecimal(fenPerUnit).dividedBy(100), 2, lang)
}

/** Fen per unit and the unit's label → "¥0.025/次", "¥0.50/MB", "¥0.025/call". */
export function formatUnitPrice(fenPerUnit: number | string, unitLabel: string, lang: MoneyLang = 'zh'): string {
  return `${formatUnitYuan(fenPerUnit, lang)}/${unitLabel}`
}

/** Fen (integer or decimal text) → the yuan text a form field shows back: "0.025", "12.50", no symbol, no grouping. */
export function fenToYuanInput(fen: number | string, minDecimals = 2): string {
  const yuan = toDecimal(fen).dividedBy(100)
  return yuan.toFixed(Math.max(minDecimals, yuan.decimalPlaces()))
}

export type YuanParse<T> = { ok: true; fen: T } | { ok: false; code: 'decimal' | 'too_many_decimals' | 'too_large' }

const YUAN = /^(\d{1,11})(?:\.(\d+))?$/

function cleanYuan(text: string): string {
  return text
    .trim()
    .replace(/[,，\s]/g, '')
    .replace(/^[¥￥]/, '')
    .replace(/元$/, '')
}

function parseYuan(text: string, maxDecimals: number): YuanParse<DecimalJs> {
  const match = YUAN.exec(cleanYuan(text))
  if (!match) return { ok: false, code: match === null && /^\d{12,}(\.\d*)?$/.test(cleanYuan(text)) ? 'too_large' : 'decimal' }
  if ((match[2] ?? '').length > maxDecimals) return { ok: false, code: 'too_many_decimals' }
  return { ok: true, fen: new D(cleanYuan(text)).times(100) }
}

/** An amount typed in yuan ("1,234.5", "¥12") → integer fen; more than two decimals is `too_many_decimals`. */
export function parseYuanAmount(text: string): YuanParse<number> {
  const parsed = parseYuan(text, AMOUNT_DECIMALS)
  if (!parsed.ok) return parsed
  const fen = parsed.fen.toNumber()
  return Number.isSafeInteger(fen) ? { ok: true, fen } : { ok: false, code: 'too_large' }
}

/** A unit price typed in yuan ("0.025") → fen per unit as decimal text ("2.5"); at most four decimals of yuan. */
export function parseYuanUnitPrice(text: string, maxDecimals = UNIT_PRICE_DECIMALS): YuanParse<string> {
  const parsed = parseYuan(text, maxDecimals)
  if (!parsed.ok) return parsed
  return { ok: true, fen: parsed.fen.toFixed() }
}
