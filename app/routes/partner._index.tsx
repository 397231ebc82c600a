import type { LoaderFunctionArgs } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { EXPIRING_KEY_DAYS, formatDay, getPartnerHome } from '#app/domain.server.ts'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { CallStats, QuotaMeters } from '#app/components/quota-meter.tsx'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatCount, formatTime } from '#app/lib/format.ts'
import { useMoney } from '#app/lib/money.ts'
import { requireActor } from '#app/session.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

// The partner administrator's home (issue 16, ADR 0045): usage against quota, this month's charges so far, invoices
// due, keys about to expire, what waits for the partner, and the way to each next step.
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user, actor } = await requireActor(request, context, ['partner_admin'])
  const home = await getPartnerHome(context.platform.db, { actor })
  if (!home.ok) throw new Response(home.error.message, { status: home.error.kind === 'forbidden' ? 403 : 404 })
  const h = home.value
  return {
    ...h,
    partnerName: h.partnerName || user.partnerName,
    expiringDays: EXPIRING_KEY_DAYS,
    invoicesDue: h.invoicesDue.map((i) => ({ ...i, dueDay: formatDay(i.dueAt) })),
    pending: {
      ...h.pending,
      agreements: h.pending.agreements.map((a) => ({ ...a, acceptByDay: a.acceptBy ? formatDay(a.acceptBy) : null })),
      exit: h.pending.exit ? { ...h.pending.exit, exitDay: formatDay(h.pending.exit.exitAt) } : null,
    },
  }
}

export default function PartnerHome() {
  const data = useLoaderData<typeof loader>()
  const t = useT()
  const lang = useLang()
  const { money } = useMoney()
  const { pending } = data
  const pendingCount = pending.agreements.length + pending.subscriptions.length + (pending.exit ? 1 : 0)
  return (
    <>
      <h1 data-testid="home-title">{t('partner.title')}</h1>
      <p className="lead">
        {data.partnerName} · {t('partner.intro')}
      </p>

      <div className="stats home-stats">
        <div className="stat">
          <div className="value" data-testid="home-charges">
            {money(data.charges?.totalFen ?? 0)}
          </div>
          <div className="label">
            {t('home.charges')} · {data.period}
          </div>
          <div className="label">
            {data.charges
              ? t('home.chargesDetail', {
                  subtotal: money(data.charges.subtotalFen),
                  vat: money(data.charges.vatFen),
                  events: formatCount(data.charges.events, lang),
                })
              : t('home.chargesNone')}
          </div>
          {data.charges && data.charges.waivedFen > 0 && (
            <div className="label">{t('home.chargesWaived', { amount: money(data.charges.waivedFen) })}</div>
          )}
        </div>
        <CallStats calls={data.calls} usageTo="/partner/usage" />
      </div>

      <section className="panel home-panel" aria-labelledby="home-pending" data-testid="home-pending" data-count={pendingCount}>
        <h2 id="home-pending">{t('home.pendingTitle')}</h2>
        {pendingCount === 0 ? (
          <p className="muted">{t('home.pendingNone')}</p>
        ) : (
          <ul>
            {pending.exit && (
              <li className="notice" data-testid="home-pending-exit">
                <Link to="/partner/exit">{t('home.pending.exit', { date: pending.exit.exitDay })}</Link>
              </li>
            )}
            {pending.agreements.map((a) => (
              <li key={a.kind} data-testid="home-pending-agreement">
                <Link to="/partner/agreements">
                  {t('home.pending.agreement', { title: lang === 'zh' ? a.titleZh : a.titleEn })}
                </Link>
                {a.blocking
                  ? t('home.pending.agreementBlocking')
                  : a.acceptByDay
                    ? t('home.pending.agreementBy', { date: a.acceptByDay })
                    : ''}
              </li>
            ))}
            {pending.subscriptions.map((s) => (
              <li key={s.id} data-testid="home-pending-subscription">
                <Link to="/partner/subscriptions">
                  {t('home.pending.subscription', { product: lang === 'zh' ? s.productNameZh : s.productNameEn })}
                </Link>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section className="panel home-panel" aria-labelledby="home-quota">
        <h2 id="home-quota">{t('home.quotaTitle')}</h2>
        <QuotaMeters quotas={data.quotas} />
      </section>

      <section className="panel home-panel" aria-labelledby="home-invoices">
        <h2 id="home-invoices">{t('home.invoicesTitle')}</h2>
        {data.invoicesDue.length === 0 ? (
          <p className="muted">{t('home.invoicesNone')}</p>
        ) : (
          <div className="table-scroll">
            <table data-testid="home-invoices-due">
              <thead>
                <tr>
                  <th>{t('home.col.number')}</th>
                  <th>{t('home.col.period')}</th>
                  <th className="num">{t('home.col.amount')}</th>
                  <th>{t('home.col.dueAt')}</th>
                  <th>{t('home.col.download')}</th>
                </tr>
              </thead>
              <tbody>
                {data.invoicesDue.map((i) => (
                  <tr key={i.id}>
                    <td>
                      <Link to={`/partner/invoices/${i.id}`}>{i.number ?? i.period}</Link>
                    </td>
                    <td>{i.period}</td>
                    <td className="num">{money(i.totalFen)}</td>
                    <td>
                      {i.dueDay} {i.overdue && <span className="badge bad">{t('home.overdue')}</span>}
                    </td>
                    <td>
                      <a href={`/partner/invoices/${i.id}/pdf`}>PDF</a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section className="panel home-panel" aria-labelledby="home-keys">
        <h2 id="home-keys">{t('home.keysTitle', { days: data.expiringDays })}</h2>
        {data.expiringKeys.length === 0 ? (
          <p className="muted">{t('home.keysNone', { days: data.expiringDays })}</p>
        ) : (
          <div className="table-scroll">
            <table data-testid="home-expiring-keys">
              <thead>
                <tr>
                  <th>{t('col.name')}</th>
                  <th>{t('col.prefix')}</th>
                  <th>{t('home.col.expiresAt')}</th>
                </tr>
              </thead>
              <tbody>
                {data.expiringKeys.map((k) => (
                  <tr key={k.id}>
                    <td>{k.name}</td>
                    <td>
                      <code>{k.displayPrefix}…</code>
                    </td>
                    <td>{formatTime(k.expiresAt, lang)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <nav aria-labelledby="home-next" className="panel home-panel">
        <h2 id="home-next">{t('home.next')}</h2>
        <ul className="worklist">
          <li>
            <Link to="/partner/subscriptions">{t('home.next.subscribe')}</Link>
          </li>
          <li>
            <Link to="/partner/invoices">{t('home.next.invoices')}</Link>
          </li>
          <li>
            <Link to="/partner/usage">{t('home.next.usage')}</Link>
          </li>
          <li>
            <Link to="/developer/keys">{t('home.next.keys')}</Link>
          </li>
          <li>
            <Link to="/partner/agreements">{t('home.next.agreements')}</Link>
          </li>
          <li>
            <Link to="/partner/team">{t('home.next.team')}</Link>
          </li>
        </ul>
      </nav>
    </>
  )
}
