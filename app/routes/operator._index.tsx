import type { LoaderFunctionArgs } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { listDatasets, summarizeUsage } from '#app/domain.server.ts'
import { useT } from '#app/i18n/use-t.ts'
import { requireUser } from '#app/session.server.ts'
import { DatasetTable } from '#app/components/dataset-table.tsx'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { UsageTotalStat } from '#app/components/usage-view.tsx'

export { GeneralErrorBoundary as ErrorBoundary }

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, context, ['operator'])
  const { db } = context.platform
  const [usage, datasets] = await Promise.all([summarizeUsage(db, { days: 30, recentLimit: 0 }), listDatasets(db)])
  return { totalCalls: usage.totalCalls, datasets }
}

export default function OperatorHome() {
  const data = useLoaderData<typeof loader>()
  const t = useT()
  return (
    <>
      <h1 data-testid="home-title">{t('operator.title')}</h1>
      <p className="lead">{t('operator.intro')}</p>
      <UsageTotalStat totalCalls={data.totalCalls} href="/operator/usage" testId="operator-total-calls" />
      <h2>{t('datasets.title')}</h2>
      <DatasetTable datasets={data.datasets} />
    </>
  )
}
