import type { LoaderFunctionArgs } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import {
  countCeilingsDueForReevaluation,
  countPendingWork,
  findQueueDeadlines,
  getRevenueCap,
  listDatasets,
  summarizeUsage,
  verifyAuditChain,
} from '#app/domain.server.ts'
import { RevenueCapBanner } from '#app/components/revenue-cap-table.tsx'
import { PendingWorkPanel } from '#app/components/pending-work.tsx'
import { QueueDeadlinesPanel } from '#app/components/case-view.tsx'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatCount } from '#app/lib/format.ts'
import { requireActor } from '#app/session.server.ts'

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user, actor } = await requireActor(request, context, ['bureau'])
  const { db } = context.platform
  const now = Date.now()
  const [usage, chain, datasets, queue, pending, cap, ceilingsDue] = await Promise.all([
    summarizeUsage(db, { days: 30, recentLimit: 0 }),
    verifyAuditChain(db),
    listDatasets(db),
    findQueueDeadlines(db, { actor }),
    countPendingWork(db, { actor }),
    getRevenueCap(db, { now }),
    countCeilingsDueForReevaluation(db, { now }),
  ])
  return {
    user: { displayName: user.displayName },
    totalCalls: usage.totalCalls,
    rejected: usage.rejected.length,
    chain,
    datasetCount: datasets.length,
    queue,
    pending,
    cap: cap[0] ?? null,
    ceilingsDue,
  }
}

export default function BureauHome() {
  const data = useLoaderData<typeof loader>()
  const t = useT()
  const lang = useLang()
  return (
    <>
      <h1 data-testid="home-title">{t('bureau.title')}</h1>
      <p className="lead">{t('bureau.intro')}</p>
      <RevenueCapBanner year={data.cap} />
      {data.ceilingsDue > 0 && (
        <p className="notice warn" role="status" data-testid="ceilings-due-banner">
          <Link to="/bureau/pricing">{t('billing.ceiling.banner', { n: data.ceilingsDue })}</Link>
        </p>
      )}
      <PendingWorkPanel queues={data.pending} />
      <div className="stats">
        <div className="stat">
          <div className="value">{formatCount(data.totalCalls, lang)}</div>
          <div className="label">{t('usage.total')} (30d)</div>
        </div>
        <div className="stat">
          <div className="value">{formatCount(data.datasetCount, lang)}</div>
          <div className="label">{t('datasets.title')}</div>
        </div>
      </div>
      <QueueDeadlinesPanel queue={data.queue} kind="bureau" />
      <div className="panel" style={{ marginTop: '1rem' }}>
        {data.chain.ok ? (
          <span className="badge ok">{t('audit.chainOk', { n: data.chain.entries })}</span>
        ) : (
          <span className="badge bad">{t('audit.chainBroken', { message: data.chain.message })}</span>
        )}{' '}
        <Link to="/bureau/audit">{t('nav.audit')}</Link>
      </div>
    </>
  )
}
