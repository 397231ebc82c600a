import type { AppLoadContext } from '@remix-run/node'
import { z } from 'zod'
import type { Actor } from '#platform/audit/record-audit.ts'
import { listModelReviews, reviewModelRelease } from '#app/domain.server.ts'
import { failedForm, invalidForm } from '#app/forms/action-reply.server.ts'
import { readForm } from '#app/lib/read-form.server.ts'

// The operator's and the bureau's queues of sandbox model releases (issue 13, ADR 0044): one loader and one action
// for a reviewer the route has already admitted; the domain decides which step each role may take.

export async function loadModelReviews(context: AppLoadContext, actor: Actor) {
  return { items: await listModelReviews(context.platform.db, { actor }) }
}

const decisionSchema = z.discriminatedUnion('decision', [
  z.object({ modelId: z.string().min(1).max(64), decision: z.literal('approve') }),
  z.object({ modelId: z.string().min(1).max(64), decision: z.literal('reject'), reason: z.string().trim().min(1).max(500) }),
])

/** Approve, or reject with a reason; the reply names the form it answers (`decision:modelId`). */
export async function reviewModelFromForm(request: Request, context: AppLoadContext, actor: Actor) {
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
