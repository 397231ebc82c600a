import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { listPublishedDisclosures } from '#app/domain.server.ts'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { shanghaiDay } from '#app/components/disclosure-view.tsx'
import { useT } from '#app/i18n/use-t.ts'

export { GeneralErrorBoundary as ErrorBoundary }

export const meta: MetaFunction = () => [{ title: '年度信息披露 · 沈阳市公共数据授权运营平台' }]

// Public, no sign-in: the archive of published annual disclosures (65号; ADR 0036).
export async function loader({ context }: LoaderFunctionArgs) {
  return { editions: await listPublishedDisclosures(context.platform.db) }
}

export default function DisclosureArchive() {
  const { editions } = useLoaderData<typeof loader>()
  const t = useT()
  return (
    <>
      <h1>{t('disclosure.archive.title')}</h1>
      <p className="lead">{t('disclosure.archive.intro')}</p>
      {editions.length === 0 ? (
        <p className="muted">{t('disclosure.archive.none')}</p>
      ) : (
        <ul data-testid="disclosure-archive">
          {editions.map((e) => (
            <li key={e.year}>
              <Link to={`/disclosure/${e.year}`} data-testid={`disclosure-year-${e.year}`}>
                {t('disclosure.title', { year: e.year })}
              </Link>{' '}
              <span className="muted">{shanghaiDay(e.publishedAt)}</span>
              {e.late && <span className="badge warn"> {t('disclosure.late')}</span>} ·{' '}
              <a href={`/disclosure/${e.year}/pdf`}>{t('disclosure.pdf')}</a>
            </li>
          ))}
        </ul>
      )}
    </>
  )
}
