import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { loadEmergencyPage, runEmergencyIntent } from '#app/lib/supervision/emergency-page.server.ts'
import { EmergencyView } from '#app/components/supervision/emergency-view.tsx'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { failedForm, invalidForm } from '#app/forms/action-reply.server.ts'
import { readForm } from '#app/lib/read-form.server.ts'
import { requireActor, requireStepUp, requireUser } from '#app/session.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

// The emergency stop, its history, the emergency plans and the drills (Art. 13; ADR 0029). The operator's copy of the
// page (the operator alone drafts the plans); bureau.emergency.tsx is the bureau's.
const PAGE = '/operator/emergency'

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, context, ['operator'])
  return loadEmergencyPage(context)
}

const text = (max: number) => z.string().max(max, 'length').optional()
const schema = z.discriminatedUnion('intent', [
  z.object({
    intent: z.literal('stop'),
    scope: z.enum(['all', 'products']),
    reason: z.string().trim().min(4, 'required').max(500, 'length'),
  }),
  z.object({ intent: z.literal('resume'), product: text(100), reason: text(500) }),
  z.object({ intent: z.literal('savePlan'), code: text(100), title: text(200), body: text(100_000) }),
  z.object({ intent: z.literal('recordDrill'), heldOn: text(20), scope: text(500), outcome: text(4000), planCode: text(50) }),
  z.object({ intent: z.literal('runDrill'), product: z.string().trim().min(1, 'required').max(100, 'length') }),
])

export async function action({ request, context }: ActionFunctionArgs) {
  const { user, actor } = await requireActor(request, context, ['operator'])
  const form = await readForm(request, context)
  const fields = Object.fromEntries(form)
  const target = typeof fields.intent === 'string' ? fields.intent : null
  const parsed = schema.safeParse(fields)
  if (!parsed.success) return invalidForm(parsed.error, { target })
  const input = parsed.data
  if (input.intent === 'stop' || input.intent === 'runDrill') requireStepUp(request, user)
  const result = await runEmergencyIntent(context, input, { actor, selectedProducts: form.getAll('products').map(String) })
  if (!result.ok) return failedForm(result.error, { target })
  return redirect(`${PAGE}?done=${input.intent}`)
}

export default function OperatorEmergency() {
  const data = useLoaderData<typeof loader>()
  return <EmergencyView data={data} canEditPlans />
}
