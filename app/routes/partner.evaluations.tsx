import type { LoaderFunctionArgs } from '@remix-run/node'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { OwnEvaluationsPage } from '#app/components/own-evaluations.tsx'
import { loadOwnEvaluations } from '#app/lib/evaluation-route.server.ts'
import { requireActor } from '#app/session.server.ts'

// The partner's own assessment results under its agreement, once the bureau published them (ADR 0034).
export { GeneralErrorBoundary as ErrorBoundary }

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { actor } = await requireActor(request, context, ['partner_admin'])
  return loadOwnEvaluations(context, actor)
}

export default function Page() {
  return <OwnEvaluationsPage mode="partner" base="/partner/evaluations" />
}
