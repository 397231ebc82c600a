import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { Form } from '#app/components/form.tsx'
import { z } from 'zod'
import {
  listCompensationFormulas,
  listCompensationStatements,
  setCompensationFormula,
  shanghaiDay,
  shanghaiDayStart,
} from '#app/domain.server.ts'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { messages, type MessageKey } from '#app/i18n/messages.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatCount, formatFen, formatTime } from '#app/lib/format.ts'
import { requireUser } from '#app/session.server.ts'
import { readForm } from '#app/lib/read-form.server.ts'
import { userActor } from '#platform/identity/permissions.ts'

export { GeneralErrorBoundary as ErrorBoundary }

const FREQUENCIES = ['realtime', 'hourly', 'daily', 'weekly', 'monthly', 'quarterly', 'yearly', 'static'] as const

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, context, ['bureau'])
  const { db } = context.platform
  const [formulas, statements] = await Promise.all([listCompensationFormulas(db), listCompensationStatements(db, { limit: 300 })])
  return { formulas, statements, today: shanghaiDay(Date.now()) }
}

const formSchema = z.object({
  sharePerCall: z.string().trim().min(1, 'required'),
  qualityWeight: z.string().trim().min(1, 'required'),
  effectiveFrom: z
    .string()
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'invalid'),
  note: z.string().trim().max(500).default(''),
  ...Object.fromEntries(FREQUENCIES.map((f) => [`w_${f}`, z.string().trim().default('0')])),
})

interface ActionData {
  fields: Record<string, string>
  formError: string | null
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context, ['bureau'])
  const parsed = formSchema.safeParse(Object.fromEntries(await readForm(request, context)))
  if (!parsed.success) {
    const fields = Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0]), i.message]))
    return Response.json({ fields, formError: null } satisfies ActionData, { status: 400 })
  }
  const data = parsed.data as Record<string, string>
  const effectiveFrom = shanghaiDayStart(data.effectiveFrom!)
  if (effectiveFrom === null)
    return Response.json({ fields: { effectiveFrom: 'invalid' }, formError: null } satisfies ActionData, { status: 400 })
  const result = await setCompensationFormula(context.platform.db, {
    input: {
      sharePerCall: data.sharePerCall!,
      qualityWeight: data.qualityWeight!,
      effectiveFrom,
      note: data.note ?? '',
      frequencyWeights: Object.fromEntries(FREQUENCIES.map((f) => [f, data[`w_${f}`] || '0'])),
    },
    actor: userActor(user),
    requestId: context.platform.requestId,
  })
  if (!result.ok) {
    const fields = Object.fromEntries(
      Object.entries(result.error.fields ?? {}).map(([k, v]) => [
        k.startsWith('frequencyWeights.') ? `w_${k.split('.')[1]}` : k,
        v,
      ]),
    )
    return Response.json({ fields, formError: Object.keys(fields).length ? null : result.error.code } satisfies ActionData, {
      status: 400,
    })
  }
  return redirect('/bureau/compensation?saved=1')
}

export default function BureauCompensation() {
  const { formulas, statements, today } = useLoaderData<typeof loader>()
  const data = useActionData<ActionData>()
  const t = useT()
  const lang = useLang()
  const busy = useNavigation().state !== 'idle'
  const [params] = useSearchParams()
  const current = formulas[0]
  const err = (code: string | undefined) => {
    if (!code) return null
    const key = `billing.error.${code}`
    return t(key in messages.zh ? (key as MessageKey) : 'billing.error.invalid')
  }
  const fieldError = (name: string) =>
    data?.fields[name] ? (
      <span className="field-error" data-testid={`error-${name}`}>
        {err(data.fields[name])}
      </span>
    ) : null
  return (
    <>
      <h1>{t('billing.comp.title')}</h1>
      <p className="lead">{t('billing.comp.intro')}</p>
      {params.get('saved') && (
        <p className="notice" role="status">
          {t('billing.comp.saved')}
        </p>
      )}
      <section className="panel">
        <h2>{t('billing.comp.formula')}</h2>
        <p className="muted">{t('billing.comp.formulaText')}</p>
        <Form method="post" className="stack" noValidate data-testid="formula-form">
          {data?.formError && <p className="form-error">{err(data.formError)}</p>}
          <label>
            {t('billing.comp.sharePerCall')}
            <input
              name="sharePerCall"
              inputMode="decimal"
              defaultValue={current?.sharePerCall ?? '1'}
              aria-invalid={data?.fields.sharePerCall ? true : undefined}
            />
            {fieldError('sharePerCall')}
          </label>
          <label>
            {t('billing.comp.qualityWeight')}
            <input
              name="qualityWeight"
              inputMode="decimal"
              defaultValue={current?.qualityWeight ?? '0.2'}
              aria-invalid={data?.fields.qualityWeight ? true : undefined}
            />
            {fieldError('qualityWeight')}
          </label>
          <fieldset>
            <legend>{t('billing.comp.frequencyWeights')}</legend>
            {FREQUENCIES.map((f) => (
              <label key={f}>
                {t(`billing.comp.freq.${f}` as MessageKey)}
                <input
                  name={`w_${f}`}
                  inputMode="decimal"
                  defaultValue={current?.frequencyWeights[f] ?? '0'}
                  aria-invalid={data?.fields[`w_${f}`] ? true : undefined}
                />
                {fieldError(`w_${f}`)}
              </label>
            ))}
          </fieldset>
          <label>
            {t('billing.comp.effectiveFrom')}
            <input
              name="effectiveFrom"
              type="date"
              defaultValue={today}
              aria-invalid={data?.fields.effectiveFrom ? true : undefined}
            />
            {fieldError('effectiveFrom')}
          </label>
          <label>
            {t('billing.comp.note')}
            <input name="note" maxLength={500} />
          </label>
          <button type="submit" className="primary" disabled={busy} data-testid="formula-save">
            {t('billing.comp.save')}
          </button>
        </Form>
      </section>

      <h2>{t('billing.comp.versions')}</h2>
      <table data-testid="formula-versions">
        <thead>
          <tr>
            <th>{t('billing.comp.effectiveFrom')}</th>
            <th className="num">{t('billing.comp.sharePerCall')}</th>
            <th className="num">{t('billing.comp.qualityWeight')}</th>
            <th>{t('billing.comp.frequencyWeights')}</th>
            <th>{t('billing.comp.note')}</th>
          </tr>
        </thead>
        <tbody>
          {formulas.length === 0 && (
            <tr>
              <td colSpan={5} className="muted">
                {t('billing.comp.noFormula')}
              </td>
            </tr>
          )}
          {formulas.map((f) => (
            <tr key={f.id}>
              <td>
                {formatTime(f.effectiveFrom, lang)}
                {f.setBy && <span className="muted"> · {f.setBy}</span>}
              </td>
              <td className="num">{f.sharePerCall}</td>
              <td className="num">{f.qualityWeight}</td>
              <td>
                {FREQUENCIES.filter((q) => f.frequencyWeights[q] && f.frequencyWeights[q] !== '0')
                  .map((q) => `${t(`billing.comp.freq.${q}` as MessageKey)} ${f.frequencyWeights[q]}`)
                  .join('，') || '—'}
              </td>
              <td>{f.note}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>{t('billing.comp.statements')}</h2>
      <table data-testid="comp-statements">
        <thead>
          <tr>
            <th>{t('billing.col.period')}</th>
            <th>{t('billing.comp.unit')}</th>
            <th className="num">{t('billing.comp.calls')}</th>
            <th className="num">{t('billing.comp.amount')}</th>
          </tr>
        </thead>
        <tbody>
          {statements.length === 0 && (
            <tr>
              <td colSpan={4} className="muted">
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
            </tr>
          ))}
        </tbody>
      </table>
    </>
  )
}
