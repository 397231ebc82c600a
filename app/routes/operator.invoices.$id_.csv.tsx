import type { LoaderFunctionArgs } from '@remix-run/node'
import { getInvoice } from '#app/domain.server.ts'
import { invoiceDownload } from '#app/lib/invoice-download.server.ts'
import { requireUser } from '#app/session.server.ts'

// Resource route: an invoice as CSV (drafts included) for the operator.
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  await requireUser(request, context, ['operator'])
  const invoice = await getInvoice(context.platform.db, { invoiceId: params.id ?? '' })
  if (!invoice) throw new Response('Not found', { status: 404 })
  return invoiceDownload(invoice, 'csv')
}
