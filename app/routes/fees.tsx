import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { listPricesInForce } from '#app/domain.server.ts'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { usePriceText } from '#app/components/billing-invoice.tsx'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatTime } from '#app/lib/format.ts'
import { formatDay } from '#platform/calendar/shanghai-calendar.ts'

export { GeneralErrorBoundary as ErrorBoundary }

export const meta: MetaFunction = () => [{ title: '收费公示 · 沈阳市公共数据授权运营平台' }]

// 收费公示: public, no sign-in. Every published product's ceiling and actual price in force (65号).
export async function loader({ context }: LoaderFunctionArgs) {
  const now = Date.now()
  return { now, products: await listPricesInForce(context.platform.db, { at: now, publishedOnly: true }) }
}

export default function Fees() {
  const { products, now } = useLoaderData<typeof loader>()
  const t = useT()
  const lang = useLang()
  const { describe, perUnit } = usePriceText()
  return (
    <>
      <h1>{t('billing.fees.title')}</h1>
      <p className="lead">{t('billing.fees.intro', { at: formatTime(now, lang) })}</p>
      <table data-testid="fees-table">
        <thead>
          <tr>
            <th>{t('col.product')}</th>
            <th>{t('billing.col.charge')}</th>
            <th>{t('billing.fees.ceiling')}</th>
            <th>{t('billing.fees.price')}</th>
            <th>{t('billing.fees.since')}</th>
          </tr>
        </thead>
        <tbody>
          {products.length === 0 && (
            <tr>
              <td colSpan={5} className="muted">
                {t('billing.fees.none')}
              </td>
            </tr>
          )}
          {products.map((p) =>
            (p.charges.length ? p.charges : [null]).map((c, i) => (
              <tr
                key={`${p.productCode}-${c?.chargeUnit ?? 'none'}`}
                data-testid={`fee-${p.productCode}-${c?.chargeUnit ?? 'none'}`}
              >
                {i === 0 && (
                  <td rowSpan={Math.max(1, p.charges.length)}>
                    {lang === 'zh' ? p.nameZh : p.nameEn} <code>{p.productCode}</code>
                    {p.priceBook?.isTrial && <span className="badge"> {t('billing.trial')}</span>}
                  </td>
                )}
                <td>{c ? t(`billing.charge.${c.chargeUnit}`) : '—'}</td>
                <td data-testid="fee-ceiling">
                  {c?.ceiling ? perUnit(c.ceiling.maxUnitPrice, c.chargeUnit) : t('billing.fees.noCeiling')}
                </td>
                <td data-testid="fee-price">{c?.price ? describe(c.chargeUnit, c.price) : t('billing.fees.noPrice')}</td>
                {i === 0 && (
                  <td rowSpan={Math.max(1, p.charges.length)}>
                    {p.priceBook ? `v${p.priceBook.version} · ${formatTime(p.priceBook.inForceFrom, lang)}` : '—'}
                    {(p.upcoming.length > 0 || p.upcomingCeilings.length > 0) && (
                      <div data-testid="fee-coming">
                        <strong>{t('billing.fees.coming')}</strong>
                        {p.upcomingCeilings.map((c) => (
                          <div key={`ceiling-${c.chargeUnit}-${c.effectiveFrom}-${c.maxUnitPrice}`}>
                            {t('billing.fees.comingCeiling', {
                              from: formatDay(c.effectiveFrom),
                              charge: t(`billing.charge.${c.chargeUnit}`),
                              ceiling: perUnit(c.maxUnitPrice, c.chargeUnit),
                            })}
                          </div>
                        ))}
                        {p.upcoming.map((u) => (
                          <div key={u.version}>
                            {t('billing.fees.comingPrice', {
                              from: formatDay(u.inForceFrom),
                              version: u.version,
                              price: u.charges.map((c) => describe(c.chargeUnit, c.price)).join(t('common.listSeparator')),
                            })}
                          </div>
                        ))}
                      </div>
                    )}
                  </td>
                )}
              </tr>
            )),
          )}
        </tbody>
      </table>
      <p className="muted">{t('billing.fees.footnote')}</p>
      <p>
        <Link to="/disclosure" data-testid="disclosure-link">
          {t('disclosure.archive.link')}
        </Link>
      </p>
    </>
  )
}
