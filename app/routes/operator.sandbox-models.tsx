import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { ModelReviewPage } from '#app/components/sandbox-model-review.tsx'
import { loadModelReviews, reviewModelFromForm } from '#app/lib/model-review-route.server.ts'
import { requireActor } from '#app/session.server.ts'

// The operator's queue of sandbox model releases (issue 13, ADR 0044): approve, or reject with a reason.
export { GeneralErrorBoundary as ErrorBoundary }

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { actor } = await requireActor(request, context, ['operator'])
  return loadModelReviews(context, actor)
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { actor } = await requireActor(request, context, ['operator'])
  return reviewModelFromForm(request, context, actor)
}

export default function OperatorSandboxModels() {
  const { items } = useLoaderData<typeof loader>()
  return <ModelReviewPage items={items} who="operator" />
}
