import type { LoaderFunctionArgs } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { EXPIRING_KEY_DAYS, getDeveloperHome, listSubscriptions } from '#app/domain.server.ts'
import { CopyButton } from '#app/components/copy-button.tsx'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { CallStats, QuotaMeters } from '#app/components/quota-meter.tsx'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatTime } from '#app/lib/format.ts'
import { curlLine, quickStartRequest } from '#app/lib/quick-start.ts'
import { requireActor } from '#app/session.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

// One quick-start product per form, in this order.
const FORM_ORDER = ['verification', 'service', 'model', 'component', 'tool', 'report']

// The developer's home (issue 16, ADR 0045): the partner's keys with state and end (the soon-ending ones marked), calls
// today and this month against each quota, and the quick-start with a copy button per example.
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user, actor } = await requireActor(request, context, ['partner_developer'])
  const { db } = context.platform
  const [home, subscriptions] = await Promise.all([
    getDeveloperHome(db, { actor }),
    listSubscriptions(db, { partnerId: user.partnerId!, state: 'active' }),
  ])
  if (!home.ok) throw new Response(home.error.message, { status: home.error.kind === 'forbidden' ? 403 : 404 })
  const { keys, calls, quotas } = home.value
  const usable = keys.filter((k) => k.state === 'active' || k.state === 'grace')
  // The developer's own newest usable key; else the partner's newest.
  const own = usable.find((k) => k.createdBy === user.username) ?? usable[0] ?? null
  return {
    keys,
    calls,
    quotas,
    expiringDays: EXPIRING_KEY_DAYS,
    usableKeys: usable.length,
    keyPrefix: own?.displayPrefix ?? null,
    origin: new URL(request.url).origin,
    products: FORM_ORDER.flatMap((form) => {
      const first = subscriptions
        .filter((s) => s.productForm === form && s.productApiPath)
        .sort((a, b) => a.productCode.localeCompare(b.productCode))[0]
      return first ? [first] : []
    }).map((s) => ({
      code: s.productCode,
      nameZh: s.productNameZh,
      nameEn: s.productNameEn,
      apiPath: s.productApiPath,
      exampleRequest: s.productExampleRequest,
    })),
  }
}

export default function DeveloperHome() {
  const data = useLoaderData<typeof loader>()
  const t = useT()
  const lang = useLang()
  const prefix = data.keyPrefix ?? 'sdp_xxxxxxxx'
  return (
    <>
      <h1 data-testid="home-title">{t('developer.title')}</h1>
      <p className="lead">{t('developer.intro')}</p>
      <p>
        <Link to="/developer/keys">{t('gateway.dev.manageKeys')}</Link> · {t('gateway.dev.keysSummary', { n: data.usableKeys })} ·{' '}
        <Link to="/developer/docs">{t('gateway.dev.docs')}</Link> · <Link to="/developer/usage">{t('nav.usage')}</Link>
      </p>

      <div className="stats home-stats">
        <CallStats calls={data.calls} usageTo="/developer/usage" />
      </div>

      <section className="panel home-panel" aria-labelledby="home-keys">
        <h2 id="home-keys">{t('home.devKeysTitle')}</h2>
        {data.keys.length === 0 ? (
          <p className="muted">{t('keys.none')}</p>
        ) : (
          <div className="table-scroll">
            <table data-testid="home-keys">
              <thead>
                <tr>
                  <th>{t('col.name')}</th>
                  <th>{t('col.prefix')}</th>
                  <th>{t('home.col.state')}</th>
                  <th>{t('home.col.expiresAt')}</th>
                  <th>{t('col.lastUsed')}</th>
                </tr>
              </thead>
              <tbody>
                {data.keys.map((k) => (
                  <tr key={k.id} className={k.expiring ? 'expiring' : undefined} data-expiring={k.expiring || undefined}>
                    <td>{k.name}</td>
                    <td>
                      <code>{k.displayPrefix}…</code>
                    </td>
                    <td>
                      {t(`gateway.keyState.${k.state}` as const)}{' '}
                      {k.expiring && <span className="badge warn">{t('home.expiresSoon')}</span>}
                    </td>
                    <td>{k.expiresAt ? formatTime(k.expiresAt, lang) : t('home.never')}</td>
                    <td>{formatTime(k.lastUsedAt, lang)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section className="panel home-panel" aria-labelledby="home-quota">
        <h2 id="home-quota">{t('home.quotaTitle')}</h2>
        <QuotaMeters quotas={data.quotas} />
      </section>

      <h2>{t('keys.quickStart')}</h2>
      {data.keyPrefix ? (
        <p className="muted">{t('gateway.dev.quickStartIntro', { prefix: `${data.keyPrefix}…` })}</p>
      ) : (
        <p className="notice">{t('gateway.dev.quickStartNoKey')}</p>
      )}
      {data.products.length === 0 && <p className="muted">{t('gateway.dev.noSubscriptions')}</p>}
      {data.products
        .filter((p) => p.apiPath)
        .map((p) => {
          const name = lang === 'zh' ? p.nameZh : p.nameEn
          const snippet = curlLine(data.origin, prefix, quickStartRequest(p.apiPath!, p.exampleRequest))
          return (
            <section key={p.code} className="quick-start" data-testid={`quick-start-${p.code}`}>
              <div className="quick-start-head">
                <h3>
                  {name} <code>{p.code}</code>
                </h3>
                <CopyButton text={snippet} what={t('copy.snippet', { name })} testId={`copy-${p.code}`} />
              </div>
              <pre>{snippet}</pre>
            </section>
          )
        })}
      <p>
        <a href="/api/v1/openapi.json">{t('gateway.docs.spec')}</a>
      </p>
    </>
  )
}
