import type { LoaderFunctionArgs } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { countPendingWork, getDisclosureReminder, getRevenueCap, listDatasets, summarizeUsage } from '#app/domain.server.ts'
import { RevenueCapBanner } from '#app/components/revenue-cap-table.tsx'
import { DisclosureReminderBanner } from '#app/components/disclosure-view.tsx'
import { useT } from '#app/i18n/use-t.ts'
import { requireActor } from '#app/session.server.ts'
import { PendingWorkPanel } from '#app/components/pending-work.tsx'
import { DatasetTable } from '#app/components/dataset-table.tsx'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { UsageTotalStat } from '#app/components/usage-view.tsx'

export { GeneralErrorBoundary as ErrorBoundary }

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { actor } = await requireActor(request, context, ['operator'])
  const { db } = context.platform
  const now = Date.now()
  const [usage, datasets, pending, cap, disclosure] = await Promise.all([
    summarizeUsage(db, { days: 30, recentLimit: 0 }),
    listDatasets(db),
    countPendingWork(db, { actor }),
    getRevenueCap(db, { now }),
    getDisclosureReminder(db, { now }),
  ])
  return { totalCalls: usage.totalCalls, datasets, pending, cap: cap[0] ?? null, disclosure }
}

export default function OperatorHome() {
  const data = useLoaderData<typeof loader>()
  const t = useT()
  return (
    <>
      <h1 data-testid="home-title">{t('operator.title')}</h1>
      <p className="lead">{t('operator.intro')}</p>
      <RevenueCapBanner year={data.cap} />
      <DisclosureReminderBanner reminder={data.disclosure} />
      <PendingWorkPanel queues={data.pending} />
      <UsageTotalStat totalCalls={data.totalCalls} href="/operator/usage" testId="operator-total-calls" />
      <h2>{t('datasets.title')}</h2>
      <DatasetTable datasets={data.datasets} />
    </>
  )
}
