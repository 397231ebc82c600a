import type { LoaderFunctionArgs } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { estimatePartnerCharges, listInvoices } from '#app/domain.server.ts'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { InvoiceLinesTable, InvoiceTable, InvoiceTotals } from '#app/components/billing-invoice.tsx'
import { useT } from '#app/i18n/use-t.ts'
import { requireUser } from '#app/session.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context, ['partner_admin'])
  if (!user.partnerId) throw new Response('Forbidden', { status: 403 })
  const { db } = context.platform
  const [estimate, invoices] = await Promise.all([
    estimatePartnerCharges(db, { partnerId: user.partnerId }),
    // Drafts stay with the operator until finalized.
    listInvoices(db, { partnerId: user.partnerId, states: ['finalized', 'voided'] }),
  ])
  return { estimate, invoices }
}

export default function PartnerInvoices() {
  const { estimate, invoices } = useLoaderData<typeof loader>()
  const t = useT()
  return (
    <>
      <h1>{t('billing.partner.title')}</h1>
      <p className="lead">{t('billing.partner.intro')}</p>
      <h2>{t('billing.partner.current', { period: estimate.period })}</h2>
      <p className="notice">{t('billing.partner.estimateNote')}</p>
      {estimate.invoice ? (
        <div data-testid="partner-estimate">
          <InvoiceTotals invoice={estimate.invoice} />
          <InvoiceLinesTable invoice={estimate.invoice} />
        </div>
      ) : (
        <p className="muted" data-testid="partner-estimate-none">
          {t('billing.partner.noUsage')}
        </p>
      )}
      <h2>{t('billing.partner.invoices')}</h2>
      <InvoiceTable invoices={invoices} base="/partner/invoices" showPartner={false} />
    </>
  )
}
