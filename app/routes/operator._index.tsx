import type { LoaderFunctionArgs } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { listDatasets, summarizeUsage } from '#app/domain.server.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatCount } from '#app/lib/format.ts'
import { requireUser } from '#app/session.server.ts'
import { DatasetTable } from '#app/components/dataset-table.tsx'

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, context, ['operator'])
  const { db } = context.platform
  const [usage, datasets] = await Promise.all([summarizeUsage(db, { days: 30, recentLimit: 0 }), listDatasets(db)])
  return { totalCalls: usage.totalCalls, byPartner: usage.byPartner, datasets }
}

export default function OperatorHome() {
  const data = useLoaderData<typeof loader>()
  const t = useT()
  const lang = useLang()
  return (
    <>
      <h1 data-testid="home-title">{t('operator.title')}</h1>
      <p className="lead">{t('operator.intro')}</p>
      <div className="stats">
        <div className="stat">
          <div className="value" data-testid="operator-total-calls">
            {formatCount(data.totalCalls, lang)}
          </div>
          <div className="label">
            {t('usage.total')} (30d) · <Link to="/operator/usage">{t('nav.usage')}</Link>
          </div>
        </div>
      </div>
      <h2>{t('datasets.title')}</h2>
      <DatasetTable datasets={data.datasets} />
    </>
  )
}
