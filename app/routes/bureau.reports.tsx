import type { LoaderFunctionArgs } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { ReportList } from '#app/components/operation-report-view.tsx'
import { listOperationReports } from '#app/domain.server.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { requireActor } from '#app/session.server.ts'

// The bureau's operation reports received (Art. 25; ADR 0035): every report submitted at least once.
export { GeneralErrorBoundary as ErrorBoundary }

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { actor } = await requireActor(request, context, ['bureau'])
  const reports = await listOperationReports(context.platform.db, { actor })
  if (!reports.ok) throw new Response('Forbidden', { status: 403 })
  return { reports: reports.value }
}

export default function BureauReports() {
  const { reports } = useLoaderData<typeof loader>()
  const t = useT()
  const lang = useLang()
  return (
    <>
      <h1>{t('oreport.bureau.title')}</h1>
      <p className="lead">{t('oreport.bureau.intro')}</p>
      <ReportList reports={reports} basePath="/bureau/reports" lang={lang} />
    </>
  )
}
