import type { LoaderFunctionArgs } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { getInvoice } from '#app/domain.server.ts'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { InvoiceLinesTable, InvoiceStateBadge, InvoiceTotals } from '#app/components/billing-invoice.tsx'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatTime } from '#app/lib/format.ts'
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
  const t = useT()
  const lang = useLang()
  return (
    <>
      <p>
        <Link to="/partner/invoices">← {t('billing.partner.title')}</Link>
      </p>
      <h1 data-testid="invoice-title">
        {invoice.number} · {invoice.period} <InvoiceStateBadge state={invoice.state} />
      </h1>
      <p className="muted">
        {t('billing.invoice.issued')} {formatTime(invoice.finalizedAt, lang)}
        {invoice.creditNote &&
          ` · ${t('billing.invoice.creditNote', { number: invoice.creditNote.number, reason: invoice.creditNote.reason })}`}
      </p>
      <InvoiceTotals invoice={invoice} />
      <h2>{t('billing.invoice.lines')}</h2>
      <InvoiceLinesTable invoice={invoice} />
      <p>
        <a href={`/partner/invoices/${invoice.id}/pdf`} download data-testid="download-pdf">
          {t('billing.invoice.downloadPdf')}
        </a>{' '}
        ·{' '}
        <a href={`/partner/invoices/${invoice.id}/csv`} download data-testid="download-csv">
          {t('billing.invoice.downloadCsv')}
        </a>
      </p>
    </>
  )
}
