import type { LoaderFunctionArgs } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { performance } from 'node:perf_hooks'
import { getRevenueCap, getRevenueDashboard } from '#app/domain.server.ts'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { RevenueCapTable } from '#app/components/revenue-cap-table.tsx'
import type { MessageKey } from '#app/i18n/messages.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatCount, formatFen } from '#app/lib/format.ts'
import { requireUser } from '#app/session.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

const MONTHS = 12

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, context, ['operator'])
  const started = performance.now()
  const now = Date.now()
  const [dashboard, cap] = await Promise.all([
    getRevenueDashboard(context.platform.db, { now, months: MONTHS }),
    getRevenueCap(context.platform.db, { now }),
  ])
  return { dashboard, cap, serverMs: Math.round(performance.now() - started) }
}

type Dashboard = Awaited<ReturnType<typeof loader>>['dashboard']
type Row = Dashboard['byProduct'][number]

const COLORS = { charged: '#1f6feb', waived: '#9aa5b1', paid: '#2da44e' }

/** Stacked bars (charged + waived) per month, inline SVG: no chart package. */
function MonthChart({ months, title }: { months: Dashboard['months']; title: string }) {
  const width = 720
  const height = 200
  const pad = { left: 8, right: 8, top: 10, bottom: 28 }
  const max = Math.max(1, ...months.map((m) => m.chargedFen + m.waivedFen))
  const slot = (width - pad.left - pad.right) / Math.max(1, months.length)
  const barW = Math.max(6, slot * 0.6)
  const scale = (fen: number) => ((height - pad.top - pad.bottom) * fen) / max
  return (
    <svg
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={title}
      data-testid="revenue-month-chart"
      style={{ width: '100%', maxWidth: width }}
    >
      <title>{title}</title>
      <line x1={pad.left} x2={width - pad.right} y1={height - pad.bottom} y2={height - pad.bottom} stroke="#ccc" />
      {months.map((m, i) => {
        const x = pad.left + i * slot + (slot - barW) / 2
        const hc = scale(m.chargedFen)
        const hw = scale(m.waivedFen)
        const hp = scale(m.paidFen)
        const base = height - pad.bottom
        return (
          <g key={m.period} data-period={m.period}>
            <rect x={x} y={base - hc} width={barW} height={hc} fill={COLORS.charged} opacity={m.source === 'open' ? 0.55 : 1}>
              <title>{`${m.period} ${formatFen(m.chargedFen)}`}</title>
            </rect>
            <rect x={x} y={base - hc - hw} width={barW} height={hw} fill={COLORS.waived}>
              <title>{`${m.period} ${formatFen(m.waivedFen)}`}</title>
            </rect>
            {hp > 0 && <rect x={x + barW / 4} y={base - hp} width={barW / 2} height={hp} fill={COLORS.paid} />}
            <text x={x + barW / 2} y={height - 10} textAnchor="middle" fontSize="10" fill="#666">
              {m.period.slice(2)}
            </text>
          </g>
        )
      })}
    </svg>
  )
}

/** Horizontal bars (charged + waived) for the top rows of a breakdown. */
function BarChart({ rows, title, label }: { rows: Row[]; title: string; label: (r: Row) => string }) {
  const top = rows.slice(0, 8)
  const width = 720
  const rowH = 22
  const labelW = 220
  const height = Math.max(1, top.length) * rowH + 8
  const max = Math.max(1, ...top.map((r) => r.chargedFen + r.waivedFen))
  const scale = (fen: number) => ((width - labelW - 110) * fen) / max
  return (
    <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={title} style={{ width: '100%', maxWidth: width }}>
      <title>{title}</title>
      {top.map((r, i) => {
        const y = 4 + i * rowH
        const wc = scale(r.chargedFen)
        const ww = scale(r.waivedFen)
        return (
          <g key={r.key}>
            <text x={labelW - 6} y={y + 14} textAnchor="end" fontSize="11" fill="#333">
              {label(r).length > 22 ? `${label(r).slice(0, 21)}…` : label(r)}
            </text>
            <rect x={labelW} y={y + 3} width={wc} height={rowH - 8} fill={COLORS.charged} />
            <rect x={labelW + wc} y={y + 3} width={ww} height={rowH - 8} fill={COLORS.waived} />
            <text x={labelW + wc + ww + 4} y={y + 14} fontSize="10" fill="#666">
              {formatFen(r.chargedFen)}
            </text>
          </g>
        )
      })}
    </svg>
  )
}

function Breakdown({ id, rows, title, note }: { id: string; rows: Row[]; title: string; note?: string }) {
  const t = useT()
  const lang = useLang()
  const label = (r: Row) => (id === 'purpose' ? t(`purpose.${r.key}` as MessageKey) : lang === 'zh' ? r.labelZh : r.labelEn)
  return (
    <section className="panel" data-testid={`revenue-by-${id}`}>
      <h2>{title}</h2>
      {note && <p className="muted">{note}</p>}
      {rows.length > 0 && <BarChart rows={rows} title={t('billing.revenue.chart', { what: title })} label={label} />}
      <table>
        <thead>
          <tr>
            <th>{t('billing.revenue.name')}</th>
            <th className="num">{t('billing.revenue.events')}</th>
            <th className="num">{t('billing.revenue.charged')}</th>
            <th className="num">{t('billing.revenue.paid')}</th>
            <th className="num">{t('billing.revenue.waived')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && (
            <tr>
              <td colSpan={5} className="muted">
                {t('billing.revenue.none')}
              </td>
            </tr>
          )}
          {rows.map((r) => (
            <tr key={r.key} data-testid={`revenue-${id}-${r.key}`}>
              <td>{label(r)}</td>
              <td className="num">{formatCount(r.events, lang)}</td>
              <td className="num" data-testid="charged">
                {formatFen(r.chargedFen)}
              </td>
              <td className="num">{formatFen(r.paidFen)}</td>
              <td className="num" data-testid="waived">
                {formatFen(r.waivedFen)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  )
}

export default function OperatorRevenue() {
  const { dashboard: d, cap, serverMs } = useLoaderData<typeof loader>()
  const t = useT()
  const lang = useLang()
  return (
    <>
      <h1>{t('billing.revenue.title')}</h1>
      <p className="lead">{t('billing.revenue.intro', { n: MONTHS })}</p>
      <p className="muted" data-testid="billing-links">
        {t('billing.links.title')}
        {t('common.colon')}
        <Link to="/operator/invoices">{t('billing.links.invoices')}</Link> ·{' '}
        <Link to="/operator/pricing">{t('billing.links.pricing')}</Link> ·{' '}
        <Link to="/operator/compensation">{t('billing.links.compensation')}</Link> ·{' '}
        <Link to="/operator/lago">{t('billing.links.lago')}</Link>
      </p>
      <div className="stats" data-testid="revenue-totals">
        <div className="stat">
          <div className="value" data-testid="revenue-charged">
            {formatFen(d.totals.chargedFen)}
          </div>
          <div className="label">{t('billing.revenue.charged')}</div>
        </div>
        <div className="stat">
          <div className="value" data-testid="revenue-paid">
            {formatFen(d.totals.paidFen)}
          </div>
          <div className="label">{t('billing.revenue.paid')}</div>
        </div>
        <div className="stat">
          <div className="value" data-testid="revenue-waived">
            {formatFen(d.totals.waivedFen)}
          </div>
          <div className="label">{t('billing.revenue.waived')}</div>
        </div>
        <div className="stat">
          <div className="value">{formatCount(d.totals.events, lang)}</div>
          <div className="label">{t('billing.revenue.events')}</div>
        </div>
      </div>

      <section className="panel" data-testid="revenue-by-month">
        <h2>{t('billing.revenue.byMonth')}</h2>
        <MonthChart months={d.months} title={t('billing.revenue.chart', { what: t('billing.revenue.byMonth') })} />
        <p className="muted">
          <span style={{ color: COLORS.charged }}>■</span> {t('billing.revenue.charged')}{' '}
          <span style={{ color: COLORS.paid }}>■</span> {t('billing.revenue.paid')}{' '}
          <span style={{ color: COLORS.waived }}>■</span> {t('billing.revenue.waived')}
        </p>
        <table>
          <thead>
            <tr>
              <th>{t('billing.revenue.month')}</th>
              <th className="num">{t('billing.revenue.events')}</th>
              <th className="num">{t('billing.revenue.charged')}</th>
              <th className="num">{t('billing.revenue.paid')}</th>
              <th className="num">{t('billing.revenue.waived')}</th>
            </tr>
          </thead>
          <tbody>
            {[...d.months].reverse().map((m) => (
              <tr key={m.period} data-testid={`revenue-month-${m.period}`}>
                <td>
                  {m.period}{' '}
                  <span className="badge" data-testid="month-source" data-source={m.source}>
                    {t(`billing.revenue.${m.source}` as const)}
                  </span>
                </td>
                <td className="num">{formatCount(m.events, lang)}</td>
                <td className="num" data-testid="charged">
                  {formatFen(m.chargedFen)}
                </td>
                <td className="num">{formatFen(m.paidFen)}</td>
                <td className="num" data-testid="waived">
                  {formatFen(m.waivedFen)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section className="panel" data-testid="revenue-cap">
        <h2>{t('billing.cap.title')}</h2>
        <p className="muted">{t('billing.cap.intro')}</p>
        <RevenueCapTable years={cap} />
      </section>

      <Breakdown id="product" rows={d.byProduct} title={t('billing.revenue.byProduct')} />
      <Breakdown id="partner" rows={d.byPartner} title={t('billing.revenue.byPartner')} />
      <Breakdown
        id="source-unit"
        rows={d.bySourceUnit}
        title={t('billing.revenue.bySourceUnit')}
        note={t('billing.revenue.bySourceUnitNote')}
      />
      <Breakdown id="purpose" rows={d.byPurpose} title={t('billing.revenue.byPurpose')} />
      <p className="muted" data-testid="revenue-server-time">
        {t('billing.revenue.serverTime', { ms: serverMs })}
      </p>
    </>
  )
}
