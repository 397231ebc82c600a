import type { LoaderFunctionArgs } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { countPendingWork, findQueueDeadlines, listDatasets, summarizeUsage, verifyAuditChain } from '#app/domain.server.ts'
import { PendingWorkPanel } from '#app/components/pending-work.tsx'
import { QueueDeadlinesPanel } from '#app/components/case-view.tsx'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatCount } from '#app/lib/format.ts'
import { requireActor } from '#app/session.server.ts'

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user, actor } = await requireActor(request, context, ['bureau'])
  const { db } = context.platform
  const [usage, chain, datasets, queue, pending] = await Promise.all([
    summarizeUsage(db, { days: 30, recentLimit: 0 }),
    verifyAuditChain(db),
    listDatasets(db),
    findQueueDeadlines(db, { actor }),
    countPendingWork(db, { actor }),
  ])
  return {
    user: { displayName: user.displayName },
    totalCalls: usage.totalCalls,
    rejected: usage.rejected.length,
    chain,
    datasetCount: datasets.length,
    queue,
    pending,
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
