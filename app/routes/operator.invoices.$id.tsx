import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { Link, useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { Form } from '#app/components/form.tsx'
import { z } from 'zod'
import { finalizeInvoice, getInvoice, issueCreditNote, markInvoicePaid } from '#app/domain.server.ts'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { InvoiceLinesTable, InvoiceStateBadge, InvoiceTotals } from '#app/components/billing-invoice.tsx'
import { messages, type MessageKey } from '#app/i18n/messages.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatTime } from '#app/lib/format.ts'
import { requireUser } from '#app/session.server.ts'
import { formFieldErrors } from '#app/lib/form-errors.ts'
import { readForm } from '#app/lib/read-form.server.ts'
import { userActor } from '#platform/identity/permissions.ts'

export { GeneralErrorBoundary as ErrorBoundary }

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  await requireUser(request, context, ['operator'])
  const invoice = await getInvoice(context.platform.db, { invoiceId: params.id ?? '' })
  if (!invoice) throw new Response('Not found', { status: 404 })
  return { invoice }
}

const schema = z.discriminatedUnion('intent', [
  z.object({ intent: z.literal('finalize') }),
  z.object({ intent: z.literal('paid') }),
  z.object({ intent: z.literal('credit'), reason: z.string().trim().min(2, 'required').max(500, 'too_long') }),
])

interface ActionData {
  fields: Record<string, string>
  formError: string | null
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const user = await requireUser(request, context, ['operator'])
  const parsed = schema.safeParse(Object.fromEntries(await readForm(request, context)))
  if (!parsed.success) {
    const fields = formFieldErrors(parsed.error)
    return Response.json({ fields, formError: null } satisfies ActionData, { status: 400 })
  }
  const actor = userActor(user)
  const invoiceId = params.id ?? ''
  const { db, requestId } = context.platform
  const result =
    parsed.data.intent === 'finalize'
      ? await finalizeInvoice(db, { invoiceId, actor, requestId })
      : parsed.data.intent === 'paid'
        ? await markInvoicePaid(db, { invoiceId, paidAt: Date.now(), actor, requestId })
        : await issueCreditNote(context.platform.db, {
            invoiceId,
            reason: parsed.data.reason,
            actor,
            requestId: context.platform.requestId,
          })
  if (!result.ok) {
    if (result.error.code === 'invoice_not_found') throw new Response('Not found', { status: 404 })
    return Response.json(
      { fields: result.error.fields ?? {}, formError: result.error.fields ? null : result.error.code } satisfies ActionData,
      { status: 400 },
    )
  }
  return redirect(`/operator/invoices/${encodeURIComponent(invoiceId)}?done=${parsed.data.intent}`)
}

export default function OperatorInvoice() {
  const { invoice } = useLoaderData<typeof loader>()
  const data = useActionData<ActionData>()
  const [params] = useSearchParams()
  const t = useT()
  const lang = useLang()
  const busy = useNavigation().state !== 'idle'
  const errorText = (code: string) => {
    const key = `billing.error.${code}`
    return key in messages.zh ? t(key as MessageKey) : t('billing.error.generic', { code })
  }
  const done = params.get('done')
  return (
    <>
      <p>
        <Link to="/operator/invoices">← {t('billing.invoices.title')}</Link>
      </p>
      <h1 data-testid="invoice-title">
        {invoice.number ?? t('billing.state.draft')} · {invoice.partner.name} · {invoice.period}{' '}
        <InvoiceStateBadge state={invoice.state} />
      </h1>
      {(done === 'finalize' || done === 'credit') && !data && (
        <p className="notice" role="status" data-testid="invoice-done">
          {t(done === 'finalize' ? 'billing.invoice.finalized' : 'billing.invoice.credited')}
        </p>
      )}
      {data?.formError && (
        <p className="form-error" role="alert">
          {errorText(data.formError)}
        </p>
      )}
      <p className="muted">
        {invoice.partner.code} · {invoice.partner.uscc ?? '—'} · {t('billing.invoice.created')}{' '}
        {formatTime(invoice.createdAt, lang)}
        {invoice.finalizedAt && ` · ${t('billing.invoice.issued')} ${formatTime(invoice.finalizedAt, lang)}`}
        {invoice.creditNote &&
          ` · ${t('billing.invoice.creditNote', { number: invoice.creditNote.number, reason: invoice.creditNote.reason })}`}
      </p>
      <InvoiceTotals invoice={invoice} />
      <h2>{t('billing.invoice.lines')}</h2>
      <InvoiceLinesTable invoice={invoice} />
      <p>
        <a href={`/operator/invoices/${invoice.id}/pdf`} download data-testid="download-pdf">
          {t('billing.invoice.downloadPdf')}
        </a>{' '}
        ·{' '}
        <a href={`/operator/invoices/${invoice.id}/csv`} download data-testid="download-csv">
          {t('billing.invoice.downloadCsv')}
        </a>
      </p>
      {invoice.state === 'draft' && (
        <Form method="post" className="stack">
          <input type="hidden" name="intent" value="finalize" />
          <p className="muted">{t('billing.invoice.finalizeHint')}</p>
          <button type="submit" className="primary" disabled={busy} data-testid="finalize">
            {t('billing.invoice.finalize')}
          </button>
        </Form>
      )}
      {invoice.state === 'finalized' && !invoice.paidAt && (
        <Form method="post" className="stack">
          <input type="hidden" name="intent" value="paid" />
          <button type="submit" disabled={busy} data-testid="mark-paid">
            {t('billing.invoice.markPaid')}
          </button>
        </Form>
      )}
      {invoice.paidAt && (
        <p className="badge ok" data-testid="paid-at">
          {t('billing.invoice.paidAt')} {formatTime(invoice.paidAt, lang)}
        </p>
      )}
      {invoice.state === 'finalized' && (
        <Form method="post" className="stack" noValidate>
          <input type="hidden" name="intent" value="credit" />
          <label>
            {t('billing.invoice.creditReason')}
            <textarea name="reason" rows={2} maxLength={500} aria-invalid={data?.fields.reason ? true : undefined} />
            {data?.fields.reason && (
              <span className="field-error" data-testid="reason-error">
                {errorText(data.fields.reason)}
              </span>
            )}
          </label>
          <button type="submit" disabled={busy} data-testid="credit">
            {t('billing.invoice.credit')}
          </button>
        </Form>
      )}
    </>
  )
}
