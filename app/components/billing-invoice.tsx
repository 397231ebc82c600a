import type { ChargeUnit } from '#db/schema/billing.ts'
import type { Charge } from '#billing/charge-models/index.ts'
import type { InvoiceView } from '#billing/invoices/invoice-view.ts'
import type { InvoiceSummary } from '#billing/invoices/list-invoices.ts'
import { Link } from '@remix-run/react'
import type { ReactNode } from 'react'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatCount, formatFen, formatTime } from '#app/lib/format.ts'
import { formatUnitPrice, formatUnitYuan } from '#app/lib/money.ts'

// Billing UI pieces shared by the operator, partner and public pages.

/** "0.06" → "6" (a fraction as a percentage, by moving the decimal point). */
export function ratePercent(rate: string): string {
  const [int = '0', frac = ''] = rate.split('.')
  const digits = int + frac.padEnd(2, '0')
  const point = int.length + 2
  const text = `${digits.slice(0, point).replace(/^0+(?=\d)/, '')}.${digits.slice(point)}`.replace(/\.?0*$/, '')
  return text === '' ? '0' : text
}

/** A decimal text with thousands separators on its integer part. */
function grouped(text: string): string {
  const [int = '0', frac] = text.split('.')
  return int.replace(/\B(?=(\d{3})+(?!\d))/g, ',') + (frac ? `.${frac}` : '')
}

export function usePriceText() {
  const t = useT()
  const lang = useLang()
  const unit = (u: ChargeUnit) => t(`billing.unit.${u}`)
  /** The unit after a count, plural in English: "1–10,000 calls" (ADR 0046). */
  const units = (u: ChargeUnit, n: number) => t(`enum.unitCount.${u}`, { n })
  /** A price in fen per unit shown in yuan per unit: "2.5" → "¥0.025/次" (app/lib/money.ts, ADR 0048). */
  const perUnit = (fen: string, u: ChargeUnit) => t('billing.price.perUnit', { unit: unit(u), yuan: formatUnitYuan(fen, lang) })
  const describe = (u: ChargeUnit, charge: Charge): string => {
    switch (charge.model) {
      case 'standard':
        return perUnit(charge.properties.unitPrice, u)
      case 'graduated': {
        let from = 1
        return charge.properties.tiers
          .map((tier) => {
            const text =
              tier.upTo === null
                ? t('billing.price.tierLast', {
                    from: grouped(String(from)),
                    unit: units(u, 2),
                    price: perUnit(tier.unitPrice, u),
                  })
                : t('billing.price.tier', {
                    from: grouped(String(from)),
                    to: grouped(String(tier.upTo)),
                    unit: units(u, tier.upTo),
                    price: perUnit(tier.unitPrice, u),
                  })
            from = (tier.upTo ?? 0) + 1
            return text
          })
          .join(t('common.listSeparator'))
      }
      case 'package':
        return (
          t('billing.price.package', {
            size: grouped(String(charge.properties.packageSize)),
            unit: units(u, charge.properties.packageSize),
            yuan: formatUnitYuan(charge.properties.packagePrice, lang),
          }) +
          (charge.properties.freeUnits
            ? t('billing.price.free', {
                free: grouped(String(charge.properties.freeUnits)),
                unit: units(u, charge.properties.freeUnits),
              })
            : '')
        )
      case 'fixed_fee':
        return t('billing.price.fixed', {
          yuan: formatUnitYuan(charge.properties.amount, lang),
          unit: unit(u),
        })
    }
  }
  return { unit, perUnit, describe }
}

export function InvoiceLinesTable({ invoice }: { invoice: InvoiceView }) {
  const t = useT()
  const lang = useLang()
  const { unit } = usePriceText()
  return (
    <table data-testid="invoice-lines">
      <thead>
        <tr>
          <th>#</th>
          <th>{t('col.product')}</th>
          <th>{t('billing.col.charge')}</th>
          <th>{t('col.purpose')}</th>
          <th className="num">{t('billing.col.units')}</th>
          <th className="num">{t('billing.col.unitPrice')}</th>
          <th className="num">{t('col.amount')}</th>
          <th className="num">{t('billing.col.waived')}</th>
        </tr>
      </thead>
      <tbody>
        {invoice.lines.length === 0 && (
          <tr>
            <td colSpan={8} className="muted">
              {t('billing.invoice.noLines')}
            </td>
          </tr>
        )}
        {invoice.lines.map((l) => (
          <tr key={l.lineNo} data-testid="invoice-line" data-kind={l.kind} data-purpose={l.purpose}>
            <td>{l.lineNo}</td>
            <td>
              {lang === 'zh' ? l.productNameZh : l.productNameEn} <code>{l.product}</code>
            </td>
            <td>
              {t(`billing.charge.${l.charge}`)}
              {l.kind !== 'usage' && <span className="badge"> {t(`billing.kind.${l.kind}`, { period: l.usagePeriod })}</span>}
              {l.unpriced && <span className="badge bad"> {t('billing.invoice.unpriced')}</span>}
              {l.cappedAtCeiling && <span className="badge"> {t('billing.invoice.capped')}</span>}
              {l.priceBookVersion !== null && <span className="muted"> · v{l.priceBookVersion}</span>}
              {l.kind === 'usage' && (
                <div className="muted billing-window">
                  {formatTime(l.windowFrom, lang)} – {formatTime(l.windowTo, lang)}
                </div>
              )}
            </td>
            <td>{t(l.purpose === 'industrial' ? 'purpose.industrial' : 'purpose.public_interest')}</td>
            <td className="num">
              {grouped(l.units)} {unit(l.charge)}
            </td>
            <td className="num">{formatUnitPrice(l.unitPrice, l.charge, lang)}</td>
            <td className="num" data-testid="line-amount">
              {formatFen(l.amountFen)}
            </td>
            <td className="num" data-testid="line-waived">
              {l.waivedFen ? formatFen(l.waivedFen) : '—'}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

export function InvoiceTotals({ invoice }: { invoice: InvoiceView }) {
  const t = useT()
  const lang = useLang()
  return (
    <div className="stats billing-totals">
      <div className="stat">
        <div className="value" data-testid="invoice-subtotal">
          {formatFen(invoice.subtotalFen)}
        </div>
        <div className="label">{t('billing.invoice.subtotal')}</div>
      </div>
      <div className="stat">
        <div className="value" data-testid="invoice-vat">
          {formatFen(invoice.vatFen)}
        </div>
        <div className="label">{t('billing.invoice.vat', { rate: ratePercent(invoice.vatRate) })}</div>
      </div>
      <div className="stat">
        <div className="value" data-testid="invoice-total">
          {formatFen(invoice.totalFen)}
        </div>
        <div className="label">{t('billing.invoice.total')}</div>
      </div>
      <div className="stat">
        <div className="value" data-testid="invoice-waived">
          {formatFen(invoice.waivedFen)}
        </div>
        <div className="label">{t('billing.invoice.waived')}</div>
      </div>
      <div className="stat">
        <div className="value">{formatCount(invoice.events, lang)}</div>
        <div className="label">{t('billing.invoice.events')}</div>
      </div>
    </div>
  )
}

export function InvoiceStateBadge({ state }: { state: InvoiceView['state'] }) {
  const t = useT()
  const cls = state === 'finalized' ? 'badge ok' : state === 'voided' ? 'badge bad' : 'badge'
  return (
    <span className={cls} data-testid="invoice-state">
      {t(`billing.state.${state}`)}
    </span>
  )
}

/**
 * One invoice: what the operator (drafts included, with the partner named) and the partner (its own, issued ones) both
 * see. `notice`: what the page says above it (an action's outcome or refusal); `children`: the operator's actions.
 */
export function InvoiceDetail({
  invoice,
  audience,
  notice,
  children,
}: {
  invoice: InvoiceView
  audience: 'operator' | 'partner'
  notice?: ReactNode
  children?: ReactNode
}) {
  const t = useT()
  const lang = useLang()
  const base = `/${audience}/invoices`
  const href = `${base}/${invoice.id}`
  const isOperator = audience === 'operator'
  const facts = [
    ...(isOperator
      ? [
          invoice.partner.code,
          invoice.partner.uscc ?? '—',
          `${t('billing.invoice.created')} ${formatTime(invoice.createdAt, lang)}`,
        ]
      : []),
    invoice.finalizedAt || !isOperator ? `${t('billing.invoice.issued')} ${formatTime(invoice.finalizedAt, lang)}` : null,
    invoice.creditNote
      ? t('billing.invoice.creditNote', { number: invoice.creditNote.number, reason: invoice.creditNote.reason })
      : null,
  ]
  return (
    <>
      <p>
        <Link to={base}>← {t(isOperator ? 'billing.invoices.title' : 'billing.partner.title')}</Link>
      </p>
      <h1 data-testid="invoice-title">
        {[invoice.number ?? t('billing.state.draft'), ...(isOperator ? [invoice.partner.name] : []), invoice.period].join(' · ')}{' '}
        <InvoiceStateBadge state={invoice.state} />
      </h1>
      {notice}
      <p className="muted">{facts.filter((f) => f !== null).join(' · ')}</p>
      <InvoiceTotals invoice={invoice} />
      <h2>{t('billing.invoice.lines')}</h2>
      <InvoiceLinesTable invoice={invoice} />
      <p>
        <a href={`${href}/pdf`} download data-testid="download-pdf">
          {t('billing.invoice.downloadPdf')}
        </a>{' '}
        ·{' '}
        <a href={`${href}/csv`} download data-testid="download-csv">
          {t('billing.invoice.downloadCsv')}
        </a>
      </p>
      {children}
    </>
  )
}

/** Invoices with links to the detail page and the PDF and CSV downloads. */
export function InvoiceTable({
  invoices,
  base,
  showPartner,
}: {
  invoices: InvoiceSummary[]
  base: string
  showPartner: boolean
}) {
  const t = useT()
  return (
    <table data-testid="invoices-table">
      <thead>
        <tr>
          <th>{t('billing.col.number')}</th>
          <th>{t('billing.col.period')}</th>
          {showPartner && <th>{t('col.partner')}</th>}
          <th>{t('col.status')}</th>
          <th className="num">{t('billing.invoice.subtotal')}</th>
          <th className="num">{t('billing.col.vat')}</th>
          <th className="num">{t('billing.invoice.total')}</th>
          <th className="num">{t('billing.invoice.waived')}</th>
          <th>{t('billing.col.download')}</th>
        </tr>
      </thead>
      <tbody>
        {invoices.length === 0 && (
          <tr>
            <td colSpan={showPartner ? 9 : 8} className="muted">
              {t('billing.invoices.none')}
            </td>
          </tr>
        )}
        {invoices.map((i) => (
          <tr key={i.id} data-testid={`invoice-${i.partnerCode}-${i.period}`}>
            <td>
              <Link to={`${base}/${i.id}`}>{i.number ?? t('billing.state.draft')}</Link>
            </td>
            <td>{i.period}</td>
            {showPartner && <td>{i.partnerName}</td>}
            <td>
              <InvoiceStateBadge state={i.state} />
            </td>
            <td className="num">{formatFen(i.subtotalFen)}</td>
            <td className="num">{formatFen(i.vatFen)}</td>
            <td className="num" data-testid="row-total">
              {formatFen(i.totalFen)}
            </td>
            <td className="num">{formatFen(i.waivedFen)}</td>
            <td>
              <a href={`${base}/${i.id}/pdf`} download>
                PDF
              </a>{' '}
              ·{' '}
              <a href={`${base}/${i.id}/csv`} download>
                CSV
              </a>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
