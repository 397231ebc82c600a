import type { LoaderFunctionArgs } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { listCases } from '#app/domain.server.ts'
import { CaseTable } from '#app/components/case-view.tsx'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { useT } from '#app/i18n/use-t.ts'
import { requireActor } from '#app/session.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

// The cases opened against this party (ADR 0028): it answers each with evidence on the case's page.
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { actor } = await requireActor(request, context, ['operator'])
  return { cases: await listCases(context.platform.db, { actor }) }
}

export default function OperatorCases() {
  const { cases } = useLoaderData<typeof loader>()
  const t = useT()
  return (
    <>
      <h1>{t('cases.title')}</h1>
      <p className="lead">{t('cases.partyIntro')}</p>
      <CaseTable cases={cases} linkOf={(code) => `/operator/cases/${encodeURIComponent(code)}`} />
    </>
  )
}
