import type { LoaderFunctionArgs } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { getInvoice } from '#app/domain.server.ts'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { InvoiceDetail } from '#app/components/billing-invoice.tsx'
import { requireUser } from '#app/session.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, context, ['partner_admin'])
  // Another partner's invoice, or a draft, is simply not found.
  const invoice = await getInvoice(context.platform.db, { invoiceId: params.id ?? '', partnerId: user.partnerId ?? '-' })
  if (!invoice) throw new Response('Not found', { status: 404 })
  return { invoice }
}

export default function PartnerInvoice() {
  const { invoice } = useLoaderData<typeof loader>()
  return <InvoiceDetail invoice={invoice} audience="partner" />
}
