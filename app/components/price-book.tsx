import type { ChargeUnit } from '#db/schema/billing.ts'
import type { PriceBookView } from '#billing/price-books/list-price-books.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { usePriceText } from '#app/components/billing-invoice.tsx'

// Price-book pieces the operator's and the bureau's pricing pages both show (65号: ceilings, proposals, decisions).

/** Every charge unit a price or a ceiling may name, in the order the forms offer them. */
export const CHARGE_UNIT_CHOICES = [
  'call',
  'record',
  'masked_field',
  'mb_exported',
  'compute_second',
  'model_release',
  'service_month',
  'service_year',
] as const satisfies readonly ChargeUnit[]

/** The options of a product select: `code · name`. */
export function ProductOptions({ products }: { products: { id: string; code: string; nameZh: string; nameEn: string }[] }) {
  const lang = useLang()
  return products.map((p) => (
    <option key={p.id} value={p.id}>
      {p.code} · {lang === 'zh' ? p.nameZh : p.nameEn}
    </option>
  ))
}

/** The options of a charge-unit select. */
export function ChargeUnitOptions() {
  const t = useT()
  return CHARGE_UNIT_CHOICES.map((u) => (
    <option key={u} value={u}>
      {t(`billing.charge.${u}`)}
    </option>
  ))
}

/** A price book's version, with its trial badge. */
export function BookVersion({ book }: { book: Pick<PriceBookView, 'version' | 'isTrial'> }) {
  const t = useT()
  return (
    <>
      v{book.version}
      {book.isTrial && <span className="badge"> {t('billing.trial')}</span>}
    </>
  )
}

/** A price book's state as a badge: approved reads good, returned bad, pending neutral. */
export function BookStateBadge({ state, testId }: { state: PriceBookView['state']; testId?: string }) {
  const t = useT()
  const tone = state === 'approved' ? 'ok' : state === 'returned' ? 'bad' : ''
  return (
    <span className={`badge ${tone}`} data-testid={testId}>
      {t(`billing.bookState.${state}`)}
    </span>
  )
}

/** A price book's charges, one line each: the charge unit and its price in words. */
export function ChargeLines({ charges }: { charges: Pick<PriceBookView['charges'][number], 'chargeUnit' | 'charge'>[] }) {
  const t = useT()
  const { describe } = usePriceText()
  return charges.map((c) => (
    <div key={c.chargeUnit}>
      {t(`billing.charge.${c.chargeUnit}`)}
      {t('common.colon')}
      {describe(c.chargeUnit, c.charge)}
    </div>
  ))
}
