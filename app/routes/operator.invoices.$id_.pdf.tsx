import type { LoaderFunctionArgs } from '@remix-run/node'
import { getInvoice, renderInvoicePdf } from '#app/domain.server.ts'
import { requireUser } from '#app/session.server.ts'

// Resource route: an invoice as PDF (drafts included) for the operator.
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  await requireUser(request, context, ['operator'])
  const invoice = await getInvoice(context.platform.db, { invoiceId: params.id ?? '' })
  if (!invoice) throw new Response('Not found', { status: 404 })
  const name = `${invoice.number ?? `draft-${invoice.partner.code}-${invoice.period}`}.pdf`
  return new Response(new Uint8Array(await renderInvoicePdf(invoice)), {
    headers: {
      'content-type': 'application/pdf',
      'content-disposition': `attachment; filename="${name}"`,
      'cache-control': 'private, no-store',
    },
  })
}
