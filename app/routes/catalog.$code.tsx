import type { LoaderFunctionArgs } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { findPublishedProduct, listPricesInForce } from '#app/domain.server.ts'
import { usePriceText } from '#app/components/billing-invoice.tsx'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { useFormatDay, useOptionLabel } from '#app/components/catalog/catalog-ui.tsx'
import { useLang, useT } from '#app/i18n/use-t.ts'
import type { MessageKey } from '#app/i18n/messages.ts'

export { GeneralErrorBoundary as ErrorBoundary }

export async function loader({ params, context }: LoaderFunctionArgs) {
  const product = await findPublishedProduct(context.platform.db, { code: params.code ?? '' })
  if (!product) throw new Response('Not found', { status: 404 })
  // The price in force (issue 16: a product page showed none): the same figures as the public fee disclosure (/fees).
  const prices = (await listPricesInForce(context.platform.db, { publishedOnly: true })).find(
    (x) => x.productCode === product.code,
  )
  return { product, charges: prices?.charges.filter((c) => c.price !== null) ?? [] }
}

/** Example JSON, indented for reading; shown as is when it is not JSON. */
function pretty(text: string | null): string | null {
  if (!text) return null
  try {
    return JSON.stringify(JSON.parse(text), null, 2)
  } catch {
    return text
  }
}

export default function CatalogProduct() {
  const { product: p, charges } = useLoaderData<typeof loader>()
  const { describe } = usePriceText()
  const t = useT()
  const lang = useLang()
  const label = useOptionLabel()
  const day = useFormatDay()
  const units = [...new Map(p.datasets.map((d) => [d.sourceUnitCode, lang === 'zh' ? d.sourceUnitZh : d.sourceUnitEn])).values()]
  const request = pretty(p.exampleRequest)
  const response = pretty(p.exampleResponse)
  return (
    <>
      <p>
        <Link to="/catalog">← {t('catalog.title')}</Link>
      </p>
      <h1 data-testid="product-title">{lang === 'zh' ? p.nameZh : p.nameEn}</h1>
      <p>
        <span className="badge">{t(`form.${p.form}` as MessageKey)}</span>{' '}
        <span className="badge" data-testid="product-level">
          {p.level}
        </span>{' '}
        <span className="badge">{label('domain', p.domain)}</span> · {t('catalog.product.registrationCode')}{' '}
        <code data-testid="product-registration">{p.registrationCode}</code> · {t('catalog.product.publishedAt')}{' '}
        {day(p.publishedAt)}
      </p>
      {!p.available && (
        <p className="notice" role="status" data-testid="product-unavailable">
          {t('catalog.product.unavailable')}
        </p>
      )}
      <div className="panel">
        <p style={{ whiteSpace: 'pre-line' }}>{lang === 'zh' ? p.descriptionZh : p.descriptionEn}</p>
        <p className="muted">{t(`catalog.levelRule.${p.level}` as MessageKey)}</p>
      </div>
      <section className="panel" data-testid="product-price" aria-labelledby="product-price-title">
        <h2 id="product-price-title">{t('catalog.product.price')}</h2>
        {charges.length === 0 ? (
          <p className="muted">{t('catalog.product.noPrice')}</p>
        ) : (
          <ul>
            {charges.map((c) => (
              <li key={c.chargeUnit} data-testid={`price-${c.chargeUnit}`}>
                {t(`billing.charge.${c.chargeUnit}` as MessageKey)}
                {t('common.colon')}
                {describe(c.chargeUnit, c.price!)}
              </li>
            ))}
          </ul>
        )}
        <p className="muted">
          {t('catalog.product.publicInterestFree')} <Link to="/fees">{t('catalog.product.allFees')}</Link>
        </p>
      </section>
      <h2>{t('catalog.product.sources')}</h2>
      <p data-testid="product-source-units">{units.join(t('common.enumeration'))}</p>
      <table>
        <thead>
          <tr>
            <th>{t('col.code')}</th>
            <th>{t('col.name')}</th>
            <th>{t('col.level')}</th>
            <th>{t('role.source_unit')}</th>
          </tr>
        </thead>
        <tbody>
          {p.datasets.map((d) => (
            <tr key={d.code}>
              <td>
                <code>{d.code}</code>
              </td>
              <td>{lang === 'zh' ? d.nameZh : d.nameEn}</td>
              <td>{label('level', d.level)}</td>
              <td>{lang === 'zh' ? d.sourceUnitZh : d.sourceUnitEn}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>{t('catalog.product.api')}</h2>
      {p.apiPath ? (
        <p>
          <code data-testid="product-api-path">{p.apiPath}</code>
        </p>
      ) : (
        <p className="muted">{t('catalog.product.noApi')}</p>
      )}
      {request && (
        <>
          <h3>{t('catalog.product.exampleRequest')}</h3>
          <pre data-testid="example-request">{request}</pre>
        </>
      )}
      {response && (
        <>
          <h3>{t('catalog.product.exampleResponse')}</h3>
          <pre data-testid="example-response">{response}</pre>
        </>
      )}
      <p>
        <Link to="/developer/docs" data-testid="docs-link">
          {t('catalog.product.docs')}
        </Link>{' '}
        ·{' '}
        <a href="/api/v1/openapi.json" data-testid="openapi-link">
          {t('catalog.product.openapi')}
        </a>
      </p>
      <p className="become-partner" data-testid="become-partner">
        {t('apply.ctaLead')}{' '}
        <Link to="/apply" className="button primary" data-testid="become-partner-link">
          {t('apply.cta')}
        </Link>
      </p>
    </>
  )
}
