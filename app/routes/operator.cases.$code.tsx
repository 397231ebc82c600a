import type { LoaderFunctionArgs } from '@remix-run/node'
import { useLoaderData, useRevalidator } from '@remix-run/react'
import { findCase } from '#app/domain.server.ts'
import { CaseFacts, EvidenceUpload } from '#app/components/case-view.tsx'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { requireActor } from '#app/session.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

// One case opened against this party: its facts, timeline and evidence, and the upload while it is open (ADR 0028).
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { actor } = await requireActor(request, context, ['operator'])
  const detail = await findCase(context.platform.db, { actor, code: params.code ?? '' })
  if (!detail) throw new Response('Not found', { status: 404 })
  return { detail }
}

export default function OperatorCase() {
  const { detail } = useLoaderData<typeof loader>()
  const revalidator = useRevalidator()
  const code = detail.case.code
  const canAnswer = detail.isParty && (detail.case.state === 'open' || detail.case.state === 'evidence_submitted')
  return (
    <>
      <CaseFacts detail={detail} evidenceHref={(id) => `/operator/cases/${encodeURIComponent(code)}/evidence/${id}`} />
      {canAnswer && <EvidenceUpload code={code} onDone={() => revalidator.revalidate()} />}
    </>
  )
}
