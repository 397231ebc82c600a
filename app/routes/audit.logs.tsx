import { data as answer, type LoaderFunctionArgs } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { LogSearch, type LogSearchData } from '#app/components/log-search.tsx'
import { useT } from '#app/i18n/use-t.ts'
import { loadLogSearch } from '#app/lib/log-search.server.ts'
import { requireActor } from '#app/session.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

// The third-party auditor and the bureau: one search over every log (Art. 24; ADR 0026). Each view is an audited read.
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { actor } = await requireActor(request, context, ['auditor', 'bureau'])
  const { data, status } = await loadLogSearch(request, context, actor)
  return answer(data, { status })
}

export default function LogSearchPage() {
  const data = useLoaderData<LogSearchData>()
  const t = useT()
  return (
    <>
      <h1>{t('logs.title')}</h1>
      <p className="lead">{t('logs.intro')}</p>
      <LogSearch data={data} action="/audit/logs" />
    </>
  )
}
