import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { listIncidents, openIncident, parseCodeList } from '#app/domain.server.ts'
import { IncidentList } from '#app/components/supervision/incident-views.tsx'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { failedForm, invalidForm } from '#app/forms/action-reply.server.ts'
import { readForm } from '#app/lib/read-form.server.ts'
import { requireActor, requireUser } from '#app/session.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

// The incident register (Art. 13; ADR 0029), the operator's copy; bureau.incidents.tsx is the bureau's.
const BASE = '/operator/incidents'

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, context, ['operator'])
  return { incidents: await listIncidents(context.platform.db) }
}

const codes = z.string().max(2000, 'length').optional()
const schema = z.object({
  intent: z.literal('open'),
  title: z.string().max(200, 'length').optional(),
  severity: z.string().max(20, 'invalid').optional(),
  affectedProducts: codes,
  affectedDatasets: codes,
  affectedPartners: codes,
  affectedPlatform: z.literal('on').optional(),
  description: z.string().max(4000, 'length').optional(),
})

export async function action({ request, context }: ActionFunctionArgs) {
  const { actor } = await requireActor(request, context, ['operator'])
  const parsed = schema.safeParse(Object.fromEntries(await readForm(request, context)))
  if (!parsed.success) return invalidForm(parsed.error, { target: 'open' })
  const f = parsed.data
  const result = await openIncident(context.platform.db, {
    input: {
      title: f.title ?? '',
      severity: f.severity ?? '',
      description: f.description ?? '',
      affected: {
        products: parseCodeList(f.affectedProducts),
        datasets: parseCodeList(f.affectedDatasets),
        partners: parseCodeList(f.affectedPartners),
        platform: f.affectedPlatform === 'on',
      },
    },
    actor,
    requestId: context.platform.requestId,
  })
  if (!result.ok) return failedForm(result.error, { target: 'open' })
  return redirect(`${BASE}/${result.value.code}`)
}

export default function OperatorIncidents() {
  const { incidents } = useLoaderData<typeof loader>()
  return <IncidentList incidents={incidents} base={BASE} />
}
