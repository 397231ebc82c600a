import { redirect, type AppLoadContext } from '@remix-run/node'
import { z } from 'zod'
import { listOwnEvaluationSubjects, submitSelfAssessment } from '#app/domain.server.ts'
import { failedForm, invalidForm } from '#app/forms/action-reply.server.ts'
import type { Actor } from '#platform/audit/record-audit.ts'

// The parties' own evaluation pages (ADR 0034): the source unit's and the operator's (self-assessment, evidence, results)
// and the partner's (its published results). One loader and one action, guarded by each route.

export async function loadOwnEvaluations(context: AppLoadContext, actor: Actor) {
  return { subjects: await listOwnEvaluationSubjects(context.platform.db, { actor }) }
}

const selfAssessSchema = z.object({ intent: z.literal('selfAssess'), subjectId: z.string().trim().min(1).max(64) })

/** The self-assessment form: `text.<criterion>` fields, checked in full by the domain. */
export async function runSelfAssessAction(context: AppLoadContext, actor: Actor, form: FormData, back: string) {
  const parsed = selfAssessSchema.safeParse(Object.fromEntries(form))
  if (!parsed.success) return invalidForm(parsed.error, { target: null })
  const target = `selfAssess:${parsed.data.subjectId}`
  const texts: Record<string, string> = {}
  for (const [name, value] of form) {
    if (name.startsWith('text.') && typeof value === 'string' && name.length <= 50) texts[name.slice(5)] = value
  }
  const result = await submitSelfAssessment(context.platform.db, {
    actor,
    subjectId: parsed.data.subjectId,
    texts,
    requestId: context.platform.requestId,
  })
  if (!result.ok) return failedForm(result.error, { target })
  return redirect(`${back}?submitted=1`)
}
