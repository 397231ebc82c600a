import type { DisclosureView } from '#disclosure/editions/get-disclosure.ts'
import { useEnumLabel } from '#app/i18n/enum-labels.ts'
import type { ChargeUnit } from '#db/schema/index.ts'
import { Link } from '@remix-run/react'
import { usePriceText } from '#app/components/billing-invoice.tsx'
import { RevenueCapTable } from '#app/components/revenue-cap-table.tsx'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatCount } from '#app/lib/format.ts'
import { formatDay } from '#platform/calendar/shanghai-calendar.ts'

/** A Shanghai calendar date of an instant, YYYY-MM-DD (the one calendar, ADR 0022). */
export const shanghaiDay = formatDay

/** Plain narrative text as paragraphs (React escapes it: markup stays text). */
function Narrative({ text, testId }: { text: string; testId: string }) {
  if (!text) return null
  return (
    <div className="narrative" data-testid={testId}>
      {text.split(/\n{2,}/).map((p, i) => (
        <p key={i} style={{ whiteSpace: 'pre-wrap' }}>
          {p}
        </p>
      ))}
    </div>
  )
}

/** One year's disclosure: the frozen figures, each section followed by the operator's narrative. */
export function DisclosureBody({ disclosure }: { disclosure: DisclosureView }) {
  const t = useT()
  const label = useEnumLabel()
  const lang = useLang()
  const { perUnit } = usePriceText()
  const f = disclosure.current.figures
  const n = disclosure.current.narrative
  const name = (x: { nameZh: string; nameEn: string }) => (lang === 'zh' ? x.nameZh : x.nameEn)
  return (
    <div data-testid="disclosure-body">
      {n.overview && (
        <section>
          <h2>{t('disclosure.section.overview')}</h2>
          <Narrative text={n.overview} testId="narrative-overview" />
        </section>
      )}
      <section>
        <h2>{t('disclosure.section.implementers')}</h2>
        <p data-testid="disclosure-operator">{t('disclosure.operatorName', { name: name(f.operator) })}</p>
        <Narrative text={n.implementers} testId="narrative-implementers" />
      </section>
      <section>
        <h2>{t('disclosure.section.resources')}</h2>
        <p data-testid="disclosure-resources-summary">
          {t('disclosure.resourcesSummary', { units: f.resources.sourceUnits.length, datasets: f.resources.datasets.length })}
        </p>
        <table data-testid="disclosure-datasets">
          <thead>
            <tr>
              <th>{t('disclosure.col.dataset')}</th>
              <th>{t('disclosure.col.sourceUnit')}</th>
              <th>{t('col.level')}</th>
              <th>{t('disclosure.col.terms')}</th>
            </tr>
          </thead>
          <tbody>
            {f.resources.datasets.map((d) => (
              <tr key={d.code}>
                <td>
                  {name(d)} <code>{d.code}</code>
                </td>
                <td>{d.sourceUnitCode}</td>
                <td>{label('datasets.level', d.level)}</td>
                <td>
                  {d.authorizations.map((a) => (
                    <div key={a.code}>
                      <code>{a.code}</code> {shanghaiDay(a.startsAt)} — {shanghaiDay(a.endsAt)}
                    </div>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <Narrative text={n.resources} testId="narrative-resources" />
      </section>
      <section>
        <h2>{t('disclosure.section.products')}</h2>
        <table data-testid="disclosure-products">
          <thead>
            <tr>
              <th>{t('col.product')}</th>
              <th>{t('col.form')}</th>
              <th className="num">{t('disclosure.col.industrialCalls')}</th>
              <th className="num">{t('disclosure.col.publicCalls')}</th>
            </tr>
          </thead>
          <tbody>
            {f.products.map((p) => (
              <tr key={p.code} data-testid={`disclosure-product-${p.code}`}>
                <td>
                  {name(p)} <code>{p.code}</code>
                </td>
                <td>{t(`form.${p.form as 'service'}`)}</td>
                <td className="num">{formatCount(p.industrialCalls, lang)}</td>
                <td className="num">{formatCount(p.publicInterestCalls, lang)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <Narrative text={n.products} testId="narrative-products" />
      </section>
      <section>
        <h2>{t('disclosure.section.fees')}</h2>
        <table data-testid="disclosure-fees">
          <thead>
            <tr>
              <th>{t('col.product')}</th>
              <th>{t('disclosure.col.version')}</th>
              <th>{t('disclosure.col.price')}</th>
            </tr>
          </thead>
          <tbody>
            {f.fees.atYearEnd.map((p) => (
              <tr key={p.productCode}>
                <td>
                  {name(p)} <code>{p.productCode}</code>
                </td>
                <td>{p.version ? `v${p.version}${p.isTrial ? ` · ${t('billing.trial')}` : ''}` : '—'}</td>
                <td>
                  {p.charges.map((c) => (
                    <div key={c.chargeUnit}>
                      {t(`billing.charge.${c.chargeUnit as ChargeUnit}`)}
                      {t('common.colon')}
                      {c.maxUnitPrice ? perUnit(c.maxUnitPrice, c.chargeUnit as ChargeUnit) : '—'}
                      {c.ceiling && (
                        <span className="muted">
                          {' '}
                          {t('common.parenthesized', {
                            text: `${t('billing.col.ceiling')} ${perUnit(c.ceiling, c.chargeUnit as ChargeUnit)}`,
                          })}
                        </span>
                      )}
                    </div>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <h3>{t('disclosure.priceChanges')}</h3>
        {f.fees.priceChanges.length === 0 ? (
          <p className="muted">{t('disclosure.none')}</p>
        ) : (
          <ul data-testid="disclosure-price-changes">
            {f.fees.priceChanges.map((c) => (
              <li key={`${c.productCode}-${c.version}`}>
                <code>{c.productCode}</code> v{c.version} {c.isTrial ? `(${t('billing.trial')}) ` : ''}
                {t('disclosure.inForceFrom', { date: shanghaiDay(c.inForceFrom) })}
              </li>
            ))}
          </ul>
        )}
        <h3>{t('disclosure.ceilingChanges')}</h3>
        {f.fees.ceilingChanges.length === 0 ? (
          <p className="muted">{t('disclosure.none')}</p>
        ) : (
          <ul data-testid="disclosure-ceiling-changes">
            {f.fees.ceilingChanges.map((c, i) => (
              <li key={i}>
                <code>{c.productCode}</code> {t(`billing.charge.${c.chargeUnit as ChargeUnit}`)}{' '}
                {perUnit(c.maxUnitPrice, c.chargeUnit as ChargeUnit)} ·{' '}
                {t('disclosure.inForceFrom', { date: shanghaiDay(c.effectiveFrom) })}
                {c.basis && ` · ${c.basis}`}
                {c.reevaluateBy && ` · ${t('billing.ceiling.reevaluateBy')} ${shanghaiDay(c.reevaluateBy)}`}
              </li>
            ))}
          </ul>
        )}
        <Narrative text={n.fees} testId="narrative-fees" />
      </section>
      <section>
        <h2>{t('disclosure.section.cap')}</h2>
        <p className="muted">{t('billing.cap.counting')}</p>
        {f.cap ? <RevenueCapTable years={[f.cap]} /> : <p className="muted">{t('disclosure.none')}</p>}
        <Narrative text={n.cap} testId="narrative-cap" />
      </section>
    </div>
  )
}

/** The operator's dashboard reminder: from 1 March until last year's edition is published (ADR 0036). */
export function DisclosureReminderBanner({
  reminder,
}: {
  reminder: { year: number; deadline: number; overdue: boolean } | null
}) {
  const t = useT()
  if (!reminder) return null
  const deadline = formatDay(reminder.deadline - 1)
  return (
    <p className={`notice ${reminder.overdue ? 'error' : 'warn'}`} role="status" data-testid="disclosure-reminder">
      {t(reminder.overdue ? 'disclosure.reminderOverdue' : 'disclosure.reminder', { year: reminder.year, deadline })}{' '}
      <Link to={`/operator/disclosure?year=${reminder.year}`}>{t('disclosure.reminderAction')}</Link>
    </p>
  )
}
