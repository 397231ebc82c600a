import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { Form } from '#app/components/form.tsx'
import { z } from 'zod'
import { finalizeInvoice, getInvoice, issueCreditNote, markInvoicePaid } from '#app/domain.server.ts'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { InvoiceDetail } from '#app/components/billing-invoice.tsx'
import { failedForm, invalidForm, type FormReply } from '#app/forms/action-reply.server.ts'
import { Field, FormError } from '#app/forms/field.tsx'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatTime } from '#app/lib/format.ts'
import { requireActor, requireUser } from '#app/session.server.ts'
import { readForm } from '#app/lib/read-form.server.ts'

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

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { actor } = await requireActor(request, context, ['operator'])
  const parsed = schema.safeParse(Object.fromEntries(await readForm(request, context)))
  if (!parsed.success) return invalidForm(parsed.error)
  const invoiceId = params.id ?? ''
  const { db, requestId } = context.platform
  const result =
    parsed.data.intent === 'finalize'
      ? await finalizeInvoice(db, { invoiceId, actor, requestId })
      : parsed.data.intent === 'paid'
        ? await markInvoicePaid(db, { invoiceId, paidAt: Date.now(), actor, requestId })
        : await issueCreditNote(db, { invoiceId, reason: parsed.data.reason, actor, requestId })
  if (!result.ok) return failedForm(result.error)
  return redirect(`/operator/invoices/${encodeURIComponent(invoiceId)}?done=${parsed.data.intent}`)
}

export default function OperatorInvoice() {
  const { invoice } = useLoaderData<typeof loader>()
  const reply = useActionData<FormReply>() ?? null
  const [params] = useSearchParams()
  const t = useT()
  const lang = useLang()
  const busy = useNavigation().state !== 'idle'
  const done = params.get('done')
  return (
    <InvoiceDetail
      invoice={invoice}
      audience="operator"
      notice={
        <>
          {(done === 'finalize' || done === 'credit') && !reply && (
            <p className="notice" role="status" data-testid="invoice-done">
              {t(done === 'finalize' ? 'billing.invoice.finalized' : 'billing.invoice.credited')}
            </p>
          )}
          <FormError code={reply?.formError} area="billing" />
        </>
      }
    >
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
          <Field label={t('billing.invoice.creditReason')} error={reply?.fields.reason} area="billing" errorTestId="reason-error">
            <textarea name="reason" rows={2} maxLength={500} />
          </Field>
          <button type="submit" disabled={busy} data-testid="credit">
            {t('billing.invoice.credit')}
          </button>
        </Form>
      )}
    </InvoiceDetail>
  )
}
