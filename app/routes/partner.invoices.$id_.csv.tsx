import type { LoaderFunctionArgs } from '@remix-run/node'
import { getInvoice } from '#app/domain.server.ts'
import { invoiceDownload } from '#app/lib/invoice-download.server.ts'
import { requireUser } from '#app/session.server.ts'

// Resource route: the partner's own invoice as CSV (never a draft, never another partner's).
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, context, ['partner_admin'])
  const invoice = await getInvoice(context.platform.db, { invoiceId: params.id ?? '', partnerId: user.partnerId ?? '-' })
  if (!invoice) throw new Response('Not found', { status: 404 })
  return invoiceDownload(invoice, 'csv')
}
