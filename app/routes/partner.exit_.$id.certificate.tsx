import type { LoaderFunctionArgs } from '@remix-run/node'
import { listPartnerExits, mayApplyAgain, renderExitCertificatePdf } from '#app/domain.server.ts'
import { requireUser } from '#app/session.server.ts'

// Resource route: the partner's own exit notice (before the exit date) or certificate (after it) as PDF; another's: 404.
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, context, ['partner_admin'])
  const actor = { id: user.id, label: user.username, role: user.role, partnerId: user.partnerId }
  const exit = (await listPartnerExits(context.platform.db, { actor })).find((e) => e.id === params.id)
  if (!exit || exit.state === 'withdrawn') throw new Response('Not found', { status: 404 })
  const again = await mayApplyAgain(context.platform.db, { partnerId: exit.partner.id })
  const pdf = await renderExitCertificatePdf(exit, { reapplyFrom: again.from && again.from > exit.exitAt ? again.from : null })
  return new Response(new Uint8Array(pdf), {
    headers: {
      'Content-Type': 'application/pdf',
      'Content-Disposition': `attachment; filename="${exit.certificateNumber ? `exit-certificate-${exit.certificateNumber}` : `exit-notice-${exit.partner.code}`}.pdf"`,
      'Cache-Control': 'private, no-store',
    },
  })
}
