import { data as answer, type LoaderFunctionArgs } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { LogSearch, type LogSearchData } from '#app/components/log-search.tsx'
import { useT } from '#app/i18n/use-t.ts'
import { loadLogSearch } from '#app/lib/log-search.server.ts'
import { requireActor } from '#app/session.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

// The bureau's audit trail: the audit log read as people read it (names, reasons), searched and paged with the same
// module as the auditor's log search (ADR 0026).
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { actor } = await requireActor(request, context, ['bureau'])
  const { data, status } = await loadLogSearch(request, context, actor, { kind: 'audit' })
  return answer(data, { status })
}

export default function AuditTrail() {
  const data = useLoaderData<LogSearchData>()
  const t = useT()
  return (
    <>
      <h1>{t('logs.trail.title')}</h1>
      <p className="lead">{t('logs.trail.intro')}</p>
      <LogSearch data={data} action="/bureau/audit" fixedKind="audit" />
    </>
  )
}
