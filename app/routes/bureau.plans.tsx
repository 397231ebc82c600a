import type { LoaderFunctionArgs } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { listPlanVersions } from '#app/domain.server.ts'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { PlansTable } from '#app/components/plans-table.tsx'
import { useT } from '#app/i18n/use-t.ts'
import { requireUser } from '#app/session.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

// The bureau sees every plan version the operator defined, read-only (ADR 0032); the changes are in /bureau/audit.
export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, context, ['bureau'])
  return { plans: await listPlanVersions(context.platform.db) }
}

export default function BureauPlans() {
  const { plans } = useLoaderData<typeof loader>()
  const t = useT()
  return (
    <>
      <h1>{t('plans.bureau.title')}</h1>
      <p className="lead">{t('plans.bureau.intro')}</p>
      <PlansTable plans={plans} />
    </>
  )
}
