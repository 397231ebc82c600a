import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { useActionData, useLoaderData, useNavigation, useRevalidator } from '@remix-run/react'
import { Form } from '#app/components/form.tsx'
import { useEffect } from 'react'
import { z } from 'zod'
import {
  getBillingCloseProgress,
  isPeriodText,
  listBillingCloses,
  listInvoices,
  nextClosablePeriod,
  periodOf,
  previewBillingPeriod,
  startBillingClose,
} from '#app/domain.server.ts'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { InvoiceTable } from '#app/components/billing-invoice.tsx'
import { failedForm, invalidForm, type FormReply } from '#app/forms/action-reply.server.ts'
import { ConfirmButton, Field, FormError } from '#app/forms/field.tsx'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatCount, formatFen, formatTime } from '#app/lib/format.ts'
import { requireActor, requireUser } from '#app/session.server.ts'
import { readForm } from '#app/lib/read-form.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, context, ['operator'])
  const { db } = context.platform
  const url = new URL(request.url)
  const closing = url.searchParams.get('closing')
  const now = Date.now()
  const current = periodOf(now).period
  const progress = closing && isPeriodText(closing) ? getBillingCloseProgress(closing) : null
  // While a close runs the page polls this loader: leave the (heavier) open-period estimate out until it is done.
  const [next, closes, invoices, estimate] = await Promise.all([
    nextClosablePeriod(db, { now }),
    listBillingCloses(db),
    listInvoices(db, { limit: 300 }),
    progress?.state === 'running' ? null : previewBillingPeriod(db, { period: current }),
  ])
  const open = estimate?.ok ? estimate.value : null
  return {
    next,
    closes,
    invoices,
    progress,
    estimate: open
      ? {
          period: current,
          events: open.eventsRated,
          subtotalFen: open.invoices.reduce((s, i) => s + i.subtotalFen, 0),
          totalFen: open.invoices.reduce((s, i) => s + i.totalFen, 0),
          waivedFen: open.invoices.reduce((s, i) => s + i.waivedFen, 0),
          unpricedEvents: open.unpricedEvents,
        }
      : null,
  }
}

const closeSchema = z.object({
  period: z
    .string()
    .trim()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'invalid_period'),
})

export async function action({ request, context }: ActionFunctionArgs) {
  const { actor } = await requireActor(request, context, ['operator'])
  const parsed = closeSchema.safeParse(Object.fromEntries(await readForm(request, context)))
  if (!parsed.success) return invalidForm(parsed.error)
  const result = await startBillingClose(context.platform.db, {
    period: parsed.data.period,
    actor,
    requestId: context.platform.requestId,
  })
  if (!result.ok) {
    // Periods close in order: the one to close first is no field's error but part of the message.
    const { expected, ...fields } = result.error.fields ?? {}
    return failedForm({ ...result.error, fields }, { vars: expected ? { expected } : undefined })
  }
  return redirect(`/operator/invoices?closing=${parsed.data.period}`)
}

export default function OperatorInvoices() {
  const { next, closes, invoices, progress, estimate } = useLoaderData<typeof loader>()
  const reply = useActionData<FormReply>() ?? null
  const t = useT()
  const lang = useLang()
  const busy = useNavigation().state !== 'idle'
  const revalidator = useRevalidator()
  const running = progress?.state === 'running'
  useEffect(() => {
    if (!running) return
    const timer = setInterval(() => {
      if (revalidator.state === 'idle') revalidator.revalidate()
    }, 500)
    return () => clearInterval(timer)
  }, [running, revalidator])
  const percent = progress
    ? progress.total > 0
      ? Math.floor((progress.done * 100) / progress.total)
      : progress.state === 'running'
        ? 0
        : 100
    : 0
  return (
    <>
      <h1>{t('billing.invoices.title')}</h1>
      <p className="lead">{t('billing.invoices.intro')}</p>

      {estimate && (
        <>
          <h2>{t('billing.invoices.openPeriod', { period: estimate.period })}</h2>
          <div className="stats" data-testid="open-estimate">
            <div className="stat">
              <div className="value" data-testid="estimate-total">
                {formatFen(estimate.totalFen)}
              </div>
              <div className="label">{t('billing.invoices.estimateTotal')}</div>
            </div>
            <div className="stat">
              <div className="value" data-testid="estimate-subtotal">
                {formatFen(estimate.subtotalFen)}
              </div>
              <div className="label">{t('billing.invoices.estimateSubtotal')}</div>
            </div>
            <div className="stat">
              <div className="value" data-testid="estimate-waived">
                {formatFen(estimate.waivedFen)}
              </div>
              <div className="label">{t('billing.invoice.waived')}</div>
            </div>
            <div className="stat">
              <div className="value">{formatCount(estimate.events, lang)}</div>
              <div className="label">
                {t('billing.invoice.events')}
                {estimate.unpricedEvents > 0 && ` · ${t('billing.invoices.unpricedCount', { n: estimate.unpricedEvents })}`}
              </div>
            </div>
          </div>
        </>
      )}

      <h2>{t('billing.invoices.close')}</h2>
      {progress && (
        <div className="panel" role="status" data-testid="close-progress" data-state={progress.state}>
          <p>
            {t(`billing.invoices.progress.${progress.state}`, { period: progress.period, n: progress.invoiceCount ?? 0 })}
            {progress.alreadyClosed && ` ${t('billing.invoices.alreadyClosed')}`}
          </p>
          <progress max={100} value={percent} className="billing-progress" />{' '}
          <span className="muted">
            {percent}% · {formatCount(progress.done, lang)} / {formatCount(progress.total, lang)}
          </span>
          <FormError code={progress.error?.code} area="billing" testId="close-error" />
        </div>
      )}
      <Form method="post" className="stack" noValidate data-testid="close-form">
        <FormError code={reply?.formError} area="billing" />
        <Field
          label={t('billing.col.period')}
          error={reply?.fields.period}
          area="billing"
          vars={reply?.vars}
          errorTestId="period-error"
          hint={next.ended ? null : t('billing.invoices.notEnded', { period: next.period })}
        >
          <input name="period" type="month" defaultValue={next.period} />
        </Field>
        <ConfirmButton
          question={t('billing.invoices.closeConfirm')}
          className="primary"
          disabled={busy || running}
          data-testid="close-submit"
        >
          {t('billing.invoices.closeSubmit')}
        </ConfirmButton>
      </Form>

      <h2>{t('billing.invoices.closed')}</h2>
      <table data-testid="closes-table">
        <thead>
          <tr>
            <th>{t('billing.col.period')}</th>
            <th>{t('col.time')}</th>
            <th className="num">{t('billing.invoice.events')}</th>
            <th className="num">{t('billing.invoices.late')}</th>
            <th className="num">{t('billing.invoices.unpriced')}</th>
            <th className="num">{t('billing.invoices.count')}</th>
          </tr>
        </thead>
        <tbody>
          {closes.length === 0 && (
            <tr>
              <td colSpan={6} className="muted">
                {t('billing.invoices.noneClosed')}
              </td>
            </tr>
          )}
          {closes.map((c) => (
            <tr key={c.period}>
              <td>{c.period}</td>
              <td>
                {formatTime(c.closedAt, lang)} · {c.closedBy}
              </td>
              <td className="num">{formatCount(c.eventsRated, lang)}</td>
              <td className="num">{formatCount(c.lateEvents, lang)}</td>
              <td className="num">{formatCount(c.unpricedEvents, lang)}</td>
              <td className="num">{c.invoiceCount}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>{t('billing.invoices.list')}</h2>
      <InvoiceTable invoices={invoices} base="/operator/invoices" showPartner />
    </>
  )
}
