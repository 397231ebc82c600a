import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { ModelReviewPage } from '#app/components/sandbox-model-review.tsx'
import { loadModelReviews, reviewModelFromForm } from '#app/lib/model-review-route.server.ts'

// The operator's queue of sandbox model releases (issue 13, ADR 0044): approve, or reject with a reason.
export { GeneralErrorBoundary as ErrorBoundary }

export const loader = (args: LoaderFunctionArgs) => loadModelReviews(args, 'operator')
export const action = (args: ActionFunctionArgs) => reviewModelFromForm(args, 'operator')

export default function OperatorSandboxModels() {
  const { items } = useLoaderData<typeof loader>()
  return <ModelReviewPage items={items} who="operator" />
}
