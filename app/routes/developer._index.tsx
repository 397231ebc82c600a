import type { LoaderFunctionArgs } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { listApiKeys, listSubscriptions } from '#app/domain.server.ts'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatTime } from '#app/lib/format.ts'
import { curlLine, quickStartRequest } from '#app/lib/quick-start.ts'
import { requireUser } from '#app/session.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

// One quick-start product per form, in this order.
const FORM_ORDER = ['verification', 'service', 'model', 'component', 'tool', 'report']

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context, ['partner_developer'])
  const { db } = context.platform
  const [keys, subscriptions] = await Promise.all([
    listApiKeys(db, { partnerId: user.partnerId! }),
    listSubscriptions(db, { partnerId: user.partnerId!, state: 'active' }),
  ])
  const usable = keys.filter((k) => k.state === 'active' || k.state === 'grace')
  // The developer's own newest usable key; else the partner's newest.
  const own = usable.find((k) => k.createdBy === user.username) ?? usable[0] ?? null
  return {
    keys,
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
      <h2>{t('nav.keys')}</h2>
      {data.keys.length === 0 ? (
        <p className="muted">{t('keys.none')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>{t('col.name')}</th>
              <th>{t('col.prefix')}</th>
              <th>{t('gateway.keys.state')}</th>
              <th>{t('col.created')}</th>
              <th>{t('col.lastUsed')}</th>
            </tr>
          </thead>
          <tbody>
            {data.keys.map((k) => (
              <tr key={k.id}>
                <td>{k.name}</td>
                <td>
                  <code>{k.displayPrefix}…</code>
                </td>
                <td>{t(`gateway.keyState.${k.state}` as const)}</td>
                <td>{formatTime(k.createdAt, lang)}</td>
                <td>{formatTime(k.lastUsedAt, lang)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>{t('keys.quickStart')}</h2>
      {data.keyPrefix ? (
        <p className="muted">{t('gateway.dev.quickStartIntro', { prefix: `${data.keyPrefix}…` })}</p>
      ) : (
        <p className="notice">{t('gateway.dev.quickStartNoKey')}</p>
      )}
      {data.products.length === 0 && <p className="muted">{t('gateway.dev.noSubscriptions')}</p>}
      {data.products
        .filter((p) => p.apiPath)
        .map((p) => (
          <section key={p.code} className="quick-start" data-testid={`quick-start-${p.code}`}>
            <h3>
              {lang === 'zh' ? p.nameZh : p.nameEn} <code>{p.code}</code>
            </h3>
            <pre>{curlLine(data.origin, prefix, quickStartRequest(p.apiPath!, p.exampleRequest))}</pre>
          </section>
        ))}
      <p>
        <a href="/api/v1/openapi.json">{t('gateway.docs.spec')}</a>
      </p>
    </>
  )
}
