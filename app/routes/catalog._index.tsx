import type { LoaderFunctionArgs } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { Form } from '#app/components/form.tsx'
import { listCatalogFacets, listPublishedProducts } from '#app/domain.server.ts'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { useOptionLabel } from '#app/components/catalog/catalog-ui.tsx'
import { useLang, useT } from '#app/i18n/use-t.ts'
import type { MessageKey } from '#app/i18n/messages.ts'

export { GeneralErrorBoundary as ErrorBoundary }

export async function loader({ request, context }: LoaderFunctionArgs) {
  const url = new URL(request.url)
  const text = (name: string) => url.searchParams.get(name)?.trim().slice(0, 100) || null
  const filters = { q: text('q'), form: text('form'), domain: text('domain'), sourceUnit: text('sourceUnit') }
  const { db } = context.platform
  const [products, facets] = await Promise.all([listPublishedProducts(db, filters), listCatalogFacets(db)])
  return { products, facets, filters }
}

export default function Catalog() {
  const { products, facets, filters } = useLoaderData<typeof loader>()
  const t = useT()
  const lang = useLang()
  const label = useOptionLabel()
  const filtered = Boolean(filters.q || filters.form || filters.domain || filters.sourceUnit)
  return (
    <>
      <h1>{t('catalog.title')}</h1>
      <p className="lead">{t('catalog.intro')}</p>
      <p className="become-partner" data-testid="become-partner">
        {t('apply.ctaLead')}{' '}
        <Link to="/apply" className="button primary" data-testid="become-partner-link">
          {t('apply.cta')}
        </Link>
      </p>
      <Form method="get" className="catalog-filters" role="search" data-testid="catalog-filters">
        <label>
          {t('catalog.filter.q')}
          <input type="search" name="q" defaultValue={filters.q ?? ''} placeholder={t('catalog.filter.qPlaceholder')} />
        </label>
        <label>
          {t('col.form')}
          <select name="form" defaultValue={filters.form ?? ''}>
            <option value="">{t('catalog.filter.all')}</option>
            {facets.forms.map((f) => (
              <option key={f} value={f}>
                {t(`form.${f}` as MessageKey)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('col.domain')}
          <select name="domain" defaultValue={filters.domain ?? ''}>
            <option value="">{t('catalog.filter.all')}</option>
            {facets.domains.map((d) => (
              <option key={d} value={d}>
                {label('domain', d)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('role.source_unit')}
          <select name="sourceUnit" defaultValue={filters.sourceUnit ?? ''}>
            <option value="">{t('catalog.filter.all')}</option>
            {facets.sourceUnits.map((u) => (
              <option key={u.code} value={u.code}>
                {lang === 'zh' ? u.nameZh : u.nameEn}
              </option>
            ))}
          </select>
        </label>
        <div className="catalog-filter-actions">
          <button type="submit" className="primary">
            {t('catalog.filter.apply')}
          </button>
          {filtered && <Link to="/catalog">{t('catalog.filter.clear')}</Link>}
        </div>
      </Form>
      <p className="muted" data-testid="catalog-count">
        {t('catalog.count', { n: products.length })}
      </p>
      {products.length === 0 && <p className="notice">{t('catalog.none')}</p>}
      {products.map((p) => (
        <div className="panel" key={p.code} data-testid={`product-${p.code}`}>
          <h2 style={{ marginTop: 0 }}>
            <Link to={`/catalog/${p.code}`}>{lang === 'zh' ? p.nameZh : p.nameEn}</Link>{' '}
            <span className="badge">{t(`form.${p.form}` as MessageKey)}</span> <span className="badge">{p.level}</span>{' '}
            <span className="badge">{label('domain', p.domain)}</span>
            {!p.available && (
              <>
                {' '}
                <span className="badge bad" data-testid="unavailable">
                  {t('catalog.product.notServed')}
                </span>
              </>
            )}
          </h2>
          <p>{lang === 'zh' ? p.descriptionZh : p.descriptionEn}</p>
          <p className="muted">
            {lang === 'zh' ? p.sourceUnitsZh : p.sourceUnitsEn} · <code>{p.registrationCode}</code>
            {p.apiPath && (
              <>
                {' '}
                · <code>{p.apiPath}</code>
              </>
            )}
          </p>
        </div>
      ))}
    </>
  )
}
