import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { Form } from '#app/components/form.tsx'
import { z } from 'zod'
import { computeCompensationStatements, listCompensationStatements, periodOf } from '#app/domain.server.ts'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { messages, type MessageKey } from '#app/i18n/messages.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatCount, formatFen } from '#app/lib/format.ts'
import { requireUser } from '#app/session.server.ts'
import { readForm } from '#app/lib/read-form.server.ts'
import { userActor } from '#platform/identity/permissions.ts'

export { GeneralErrorBoundary as ErrorBoundary }

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, context, ['operator'])
  const statements = await listCompensationStatements(context.platform.db, { limit: 300 })
  const current = periodOf(Date.now())
  const last = periodOf(current.start - 1).period
  return { statements, last }
}

const schema = z.object({
  period: z
    .string()
    .trim()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'invalid_period'),
})

interface ActionData {
  fields: Record<string, string>
  formError: string | null
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context, ['operator'])
  const parsed = schema.safeParse(Object.fromEntries(await readForm(request, context)))
  if (!parsed.success)
    return Response.json({ fields: { period: 'invalid_period' }, formError: null } satisfies ActionData, { status: 400 })
  const result = await computeCompensationStatements(context.platform.db, {
    period: parsed.data.period,
    now: Date.now(),
    actor: userActor(user),
    requestId: context.platform.requestId,
  })
  if (!result.ok)
    return Response.json(
      { fields: { period: result.error.fields?.period ?? result.error.code }, formError: null } satisfies ActionData,
      {
        status: 400,
      },
    )
  return redirect(`/operator/compensation?computed=${parsed.data.period}`)
}

export default function OperatorCompensation() {
  const { statements, last } = useLoaderData<typeof loader>()
  const data = useActionData<ActionData>()
  const t = useT()
  const lang = useLang()
  const busy = useNavigation().state !== 'idle'
  const [params] = useSearchParams()
  const computed = params.get('computed')
  const err = (code: string) => {
    const key = `billing.error.${code}`
    return key in messages.zh ? t(key as MessageKey) : t('billing.error.generic', { code })
  }
  return (
    <>
      <h1>{t('billing.comp.title')}</h1>
      <p className="lead">{t('billing.comp.intro')}</p>
      {computed && (
        <p className="notice" role="status">
          {t('billing.comp.computed', { period: computed })}
        </p>
      )}
      <section className="panel">
        <h2>{t('billing.comp.compute')}</h2>
        <Form method="post" className="stack" noValidate data-testid="compute-form">
          <label>
            {t('billing.col.period')}
            <input name="period" type="month" defaultValue={last} aria-invalid={data?.fields.period ? true : undefined} />
            {data?.fields.period && (
              <span className="field-error" data-testid="period-error">
                {err(data.fields.period)}
              </span>
            )}
          </label>
          <button type="submit" className="primary" disabled={busy}>
            {t('billing.comp.computeSubmit')}
          </button>
        </Form>
      </section>
      <h2>{t('billing.comp.statements')}</h2>
      <table data-testid="comp-statements">
        <thead>
          <tr>
            <th>{t('billing.col.period')}</th>
            <th>{t('billing.comp.unit')}</th>
            <th className="num">{t('billing.comp.calls')}</th>
            <th className="num">{t('billing.comp.amount')}</th>
            <th>{t('billing.comp.datasets')}</th>
          </tr>
        </thead>
        <tbody>
          {statements.length === 0 && (
            <tr>
              <td colSpan={5} className="muted">
                {t('billing.comp.noStatements')}
              </td>
            </tr>
          )}
          {statements.map((s) => (
            <tr key={s.id}>
              <td>{s.period}</td>
              <td>{lang === 'zh' ? s.sourceUnitNameZh : s.sourceUnitNameEn}</td>
              <td className="num">{formatCount(s.calls, lang)}</td>
              <td className="num">{formatFen(s.amountFen)}</td>
              <td className="muted">{s.lines.map((l) => `${l.dataset} ${l.calls}`).join('，')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  )
}
