import type { LoaderFunctionArgs } from '@remix-run/node'
import { findSignedAgreement, renderAcceptancePdf } from '#app/domain.server.ts'
import { requireActor } from '#app/session.server.ts'

// Resource route: one of the partner's own signed agreements as PDF (another partner's is not found).
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { actor } = await requireActor(request, context, ['partner_admin'])
  const signed = await findSignedAgreement(context.platform.db, { acceptanceId: params.id ?? '', actor })
  if (!signed.ok) throw new Response('Not found', { status: 404 })
  const pdf = await renderAcceptancePdf(signed.value)
  return new Response(new Uint8Array(pdf), {
    headers: {
      'Content-Type': 'application/pdf',
      'Content-Disposition': `attachment; filename="agreement-${signed.value.partnerCode}-${signed.value.kind}-v${signed.value.version}.pdf"`,
      'Cache-Control': 'private, no-store',
    },
  })
}
