import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { ModelReviewPage } from '#app/components/sandbox-model-review.tsx'
import { listModelReviews, reviewModelRelease } from '#app/domain.server.ts'
import { failedForm, invalidForm } from '#app/forms/action-reply.server.ts'
import { readForm } from '#app/lib/read-form.server.ts'
import { requireActor } from '#app/session.server.ts'

// The operator's queue of sandbox model releases (issue 13, ADR 0044): approve, or reject with a reason.
export { GeneralErrorBoundary as ErrorBoundary }

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { actor } = await requireActor(request, context, ['operator'])
  return { items: await listModelReviews(context.platform.db, { actor }) }
}

const decisionSchema = z.discriminatedUnion('decision', [
  z.object({ modelId: z.string().min(1).max(64), decision: z.literal('approve') }),
  z.object({ modelId: z.string().min(1).max(64), decision: z.literal('reject'), reason: z.string().trim().min(1).max(500) }),
])

export async function action({ request, context }: ActionFunctionArgs) {
  const { actor } = await requireActor(request, context, ['operator'])
  const form = Object.fromEntries(await readForm(request, context))
  const target = typeof form.modelId === 'string' ? `${String(form.decision)}:${form.modelId}` : null
  const parsed = decisionSchema.safeParse(form)
  if (!parsed.success) return invalidForm(parsed.error, { target })
  const reviewed = await reviewModelRelease(context.platform.db, {
    actor,
    modelId: parsed.data.modelId,
    decision: parsed.data.decision,
    ...(parsed.data.decision === 'reject' ? { reason: parsed.data.reason } : {}),
    now: Date.now(),
  })
  if (!reviewed.ok) return failedForm(reviewed.error, { target })
  return { target, fields: {}, formError: null, done: reviewed.value.state }
}

export default function OperatorSandboxModels() {
  const { items } = useLoaderData<typeof loader>()
  return <ModelReviewPage items={items} who="operator" />
}
