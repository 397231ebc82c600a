import type { LoaderFunctionArgs } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { findQueueDeadlines, listAuthorizations, listDatasets, listDemandItems } from '#app/domain.server.ts'
import { QueueDeadlinesPanel } from '#app/components/case-view.tsx'
import { DatasetTable } from '#app/components/dataset-table.tsx'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { useFormatDay } from '#app/components/catalog/catalog-ui.tsx'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatCount } from '#app/lib/format.ts'
import { requireActor } from '#app/session.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

const EXPIRING_DAYS = 90

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user, actor } = await requireActor(request, context, ['source_unit'])
  const { db } = context.platform
  const sourceUnitId = user.sourceUnitId ?? '-'
  const [datasets, awaiting, authorizations, queue] = await Promise.all([
    listDatasets(db, { sourceUnitId }),
    listDemandItems(db, { states: ['approved'], sourceUnitId }),
    listAuthorizations(db, { sourceUnitId, state: 'active' }),
    findQueueDeadlines(db, { actor }),
  ])
  const now = Date.now()
  return {
    unitName: user.sourceUnitName,
    queue,
    datasets,
    awaiting: awaiting.length,
    active: authorizations.length,
    expiring: authorizations
      .filter((a) => a.endsAt - now <= EXPIRING_DAYS * 86_400_000)
      .map((a) => ({ code: a.code, datasetCode: a.datasetCode, endsAt: a.endsAt })),
  }
}

export default function SourceUnitHome() {
  const data = useLoaderData<typeof loader>()
  const t = useT()
  const lang = useLang()
  const day = useFormatDay()
  return (
    <>
      <h1 data-testid="home-title">{t('sourceUnit.title')}</h1>
      <p className="lead">
        {data.unitName} · {t('sourceUnit.intro')}
      </p>
      <QueueDeadlinesPanel queue={data.queue} kind="sourceUnit" />
      <div className="stats">
        <div className="stat">
          <div className="value" data-testid="awaiting-count">
            {formatCount(data.awaiting, lang)}
          </div>
          <div className="label">
            <Link to="/source-unit/demands">{t('catalog.unitHome.awaiting')}</Link>
          </div>
        </div>
        <div className="stat">
          <div className="value">{formatCount(data.active, lang)}</div>
          <div className="label">
            <Link to="/source-unit/authorizations">{t('catalog.unitHome.active')}</Link>
          </div>
        </div>
      </div>
      {data.expiring.length > 0 && (
        <div className="notice" style={{ marginTop: '1rem' }} data-testid="expiring">
          {t('catalog.unitHome.expiring', { n: EXPIRING_DAYS })}
          <ul>
            {data.expiring.map((a) => (
              <li key={a.code}>
                <code>{a.code}</code> <code>{a.datasetCode}</code> · {day(a.endsAt)}
              </li>
            ))}
          </ul>
        </div>
      )}
      <h2>{t('datasets.title')}</h2>
      <DatasetTable datasets={data.datasets} />
    </>
  )
}
