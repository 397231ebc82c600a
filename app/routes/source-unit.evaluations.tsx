import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { OwnEvaluationsPage } from '#app/components/own-evaluations.tsx'
import { loadOwnEvaluations, runSelfAssessAction } from '#app/lib/evaluation-route.server.ts'
import { readForm } from '#app/lib/read-form.server.ts'
import { requireActor } from '#app/session.server.ts'

// Its own evaluations (Art. 18; ADR 0034): the self-assessment and evidence until the deadline, then results and history.
// The form's intents: z.literal('selfAssess').
export { GeneralErrorBoundary as ErrorBoundary }

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { actor } = await requireActor(request, context, ['source_unit'])
  return loadOwnEvaluations(context, actor)
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { actor } = await requireActor(request, context, ['source_unit'])
  return runSelfAssessAction(context, actor, await readForm(request, context), '/source-unit/evaluations')
}

export default function Page() {
  return <OwnEvaluationsPage mode="self" base="/source-unit/evaluations" />
}
