import type { LoaderFunctionArgs } from '@remix-run/node'
import { getInvoice, renderInvoiceCsv } from '#app/domain.server.ts'
import { requireUser } from '#app/session.server.ts'

// Resource route: an invoice as CSV (drafts included) for the operator.
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  await requireUser(request, context, ['operator'])
  const invoice = await getInvoice(context.platform.db, { invoiceId: params.id ?? '' })
  if (!invoice) throw new Response('Not found', { status: 404 })
  const name = `${invoice.number ?? `draft-${invoice.partner.code}-${invoice.period}`}.csv`
  return new Response(renderInvoiceCsv(invoice), {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${name}"`,
      'cache-control': 'private, no-store',
    },
  })
}
