import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { z } from 'zod'
import { Form } from '#app/components/form.tsx'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { getMarketConcentration, renderConcentrationChart, setConcentrationThreshold } from '#app/domain.server.ts'
import { Field, FormError, replyFor } from '#app/forms/field.tsx'
import { failedForm, invalidForm, type FormReply } from '#app/forms/action-reply.server.ts'
import { translate } from '#app/i18n/messages.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatCount, formatFen } from '#app/lib/format.ts'
import { readForm } from '#app/lib/read-form.server.ts'
import { getLang, requireActor, requireUser } from '#app/session.server.ts'

// The bureau's concentration watch (Art. 12(5); ADR 0033): shares of calls and revenue, HHI per month, the threshold.

export { GeneralErrorBoundary as ErrorBoundary }

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, context, ['bureau'])
  const url = new URL(request.url)
  const month = url.searchParams.get('month')
  const concentration = await getMarketConcentration(context.platform.db, {
    month: month && /^\d{4}-\d{2}$/.test(month) ? month : null,
    months: 6,
  })
  // HHI over time, drawn on the server (SVG): the trend is what the bureau looks for.
  const lang = await getLang(request)
  const chartSvg = renderConcentrationChart(concentration, {
    title: translate(lang, 'concentration.chartTitle'),
    calls: translate(lang, 'concentration.callsHhi'),
    revenue: translate(lang, 'concentration.revenueHhi'),
    threshold: translate(lang, 'concentration.threshold'),
  })
  return { ...concentration, chartSvg }
}

const schema = z.object({
  threshold: z.coerce.number({ message: 'invalid' }).int('invalid').min(1, 'invalid').max(10_000, 'invalid'),
})

export async function action({ request, context }: ActionFunctionArgs) {
  const { actor } = await requireActor(request, context, ['bureau'])
  const form = Object.fromEntries(await readForm(request, context))
  const parsed = schema.safeParse(form)
  if (!parsed.success) return invalidForm(parsed.error, { target: 'threshold' })
  const result = await setConcentrationThreshold(context.platform.db, { actor, threshold: parsed.data.threshold })
  if (!result.ok) return failedForm(result.error, { target: 'threshold' })
  return redirect('/bureau/concentration?saved=1')
}

const hhi = (value: number | null) => (value === null ? '—' : value.toLocaleString('en-US', { maximumFractionDigits: 2 }))

export default function BureauConcentration() {
  const { threshold, markets, chartSvg } = useLoaderData<typeof loader>()
  const data = useActionData<FormReply>()
  const reply = replyFor(data, 'threshold')
  const [params] = useSearchParams()
  const t = useT()
  const lang = useLang()
  const busy = useNavigation().state !== 'idle'
  const newestFirst = [...markets].reverse()
  return (
    <>
      <h1>{t('concentration.title')}</h1>
      <p className="lead">{t('concentration.intro')}</p>
      {params.get('saved') && !data && (
        <p className="notice" role="status" data-testid="concentration-saved">
          {t('concentration.saved')}
        </p>
      )}
      <Form method="post" noValidate data-testid="threshold-form">
        <Field
          label={t('concentration.threshold')}
          hint={t('concentration.thresholdHint')}
          error={reply?.fields.threshold}
          area="concentration"
        >
          <input name="threshold" type="number" min={1} max={10000} step={1} defaultValue={threshold} required />
        </Field>
        <FormError code={reply?.formError} area="concentration" />
        <button type="submit" className="primary" disabled={busy}>
          {t('concentration.setThreshold')}
        </button>
      </Form>
      <figure className="chart" data-testid="concentration-chart" aria-label={t('concentration.chartTitle')}>
        {/* ECharts' SSR SVG of our own figures: it escapes every text it writes. */}
        <div dangerouslySetInnerHTML={{ __html: chartSvg }} />
      </figure>
      <table data-testid="concentration">
        <thead>
          <tr>
            <th>{t('concentration.month')}</th>
            <th>{t('concentration.market')}</th>
            <th>{t('concentration.calls')}</th>
            <th>{t('concentration.callsHhi')}</th>
            <th>{t('concentration.revenue')}</th>
            <th>{t('concentration.revenueHhi')}</th>
            <th>{t('concentration.flag')}</th>
            <th>{t('concentration.shares')}</th>
          </tr>
        </thead>
        <tbody>
          {newestFirst.map((m) => (
            <tr key={`${m.month}-${m.product?.id ?? 'all'}`} data-testid={`market-${m.month}-${m.product?.code ?? 'all'}`}>
              <td>{m.month}</td>
              <td>{m.product ? m.product.name : <strong>{t('concentration.overall')}</strong>}</td>
              <td>{formatCount(m.calls, lang)}</td>
              <td data-testid="calls-hhi">{hhi(m.callsHhi)}</td>
              <td>{formatFen(m.revenueFen)}</td>
              <td data-testid="revenue-hhi">{hhi(m.revenueHhi)}</td>
              <td>{m.isFlagged ? <strong className="error">{t('concentration.flagged')}</strong> : ''}</td>
              <td>
                {m.shares.length === 0
                  ? t('concentration.none')
                  : m.shares
                      .slice(0, 5)
                      .map((s) => `${s.partner.code} ${s.callSharePercent}% / ${s.revenueSharePercent}%`)
                      .join(t('common.listSeparator'))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  )
}
