import type { LoaderFunctionArgs } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { listPublishedProducts } from '#app/domain.server.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import type { MessageKey } from '#app/i18n/messages.ts'

export async function loader({ context }: LoaderFunctionArgs) {
  return { products: await listPublishedProducts(context.platform.db) }
}

export default function Catalog() {
  const { products } = useLoaderData<typeof loader>()
  const t = useT()
  const lang = useLang()
  return (
    <>
      <h1>{t('catalog.title')}</h1>
      <p className="lead">{t('catalog.intro')}</p>
      {products.map((p) => (
        <div className="panel" key={p.code} data-testid={`product-${p.code}`}>
          <h2 style={{ marginTop: 0 }}>
            {lang === 'zh' ? p.nameZh : p.nameEn} <span className="badge">{t(`form.${p.form}` as MessageKey)}</span>{' '}
            <span className="badge">{p.level}</span>
          </h2>
          <p>{lang === 'zh' ? p.descriptionZh : p.descriptionEn}</p>
          <p className="muted">
            {lang === 'zh' ? p.sourceUnitsZh : p.sourceUnitsEn} · <code>{p.registrationCode}</code> · <code>{p.apiPath}</code>
          </p>
        </div>
      ))}
    </>
  )
}
