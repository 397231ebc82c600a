import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { addIncidentEntry, closeIncident, getIncident } from '#app/domain.server.ts'
import { IncidentDetail } from '#app/components/supervision/incident-views.tsx'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { failedForm, invalidForm } from '#app/forms/action-reply.server.ts'
import { readForm } from '#app/lib/read-form.server.ts'
import { requireActor, requireUser } from '#app/session.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

// One incident: its timeline, an entry added, the closure (Art. 13; ADR 0029). The bureau's copy.
const BASE = '/bureau/incidents'

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  await requireUser(request, context, ['bureau'])
  const incident = await getIncident(context.platform.db, { incident: params.code ?? '' })
  if (!incident) throw new Response('Not found', { status: 404 })
  return { incident }
}

const schema = z.discriminatedUnion('intent', [
  z.object({
    intent: z.literal('entry'),
    kind: z.string().max(20, 'invalid').optional(),
    text: z.string().max(4000, 'length').optional(),
  }),
  z.object({ intent: z.literal('close'), summary: z.string().max(4000, 'length').optional() }),
])

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { actor } = await requireActor(request, context, ['bureau'])
  const fields = Object.fromEntries(await readForm(request, context))
  const target = fields.intent === 'close' ? 'close' : 'entry'
  const parsed = schema.safeParse(fields)
  if (!parsed.success) return invalidForm(parsed.error, { target })
  const { db, requestId } = context.platform
  const incident = params.code ?? ''
  const input = parsed.data
  const result =
    input.intent === 'entry'
      ? await addIncidentEntry(db, { incident, kind: input.kind ?? '', text: input.text ?? '', actor, requestId })
      : await closeIncident(db, { incident, summary: input.summary ?? '', actor, requestId })
  if (!result.ok) return failedForm(result.error, { target })
  return redirect(`${BASE}/${encodeURIComponent(incident)}?done=${input.intent}`)
}

export default function BureauIncident() {
  const { incident } = useLoaderData<typeof loader>()
  return <IncidentDetail incident={incident} base={BASE} />
}
