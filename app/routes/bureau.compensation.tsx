import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { Form } from '#app/components/form.tsx'
import { z } from 'zod'
import {
  formatDay,
  listCompensationFormulas,
  listCompensationStatements,
  parseDay,
  setCompensationFormula,
} from '#app/domain.server.ts'
import { CompensationStatementsTable } from '#app/components/compensation-statements.tsx'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { failedForm, invalidForm, type FormReply } from '#app/forms/action-reply.server.ts'
import { Field, FormError } from '#app/forms/field.tsx'
import type { MessageKey } from '#app/i18n/messages.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatTime } from '#app/lib/format.ts'
import { fenToYuanInput, formatUnitPrice, parseYuanUnitPrice } from '#app/lib/money.ts'
import { requireActor, requireUser } from '#app/session.server.ts'
import { readForm } from '#app/lib/read-form.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

const FREQUENCIES = ['realtime', 'hourly', 'daily', 'weekly', 'monthly', 'quarterly', 'yearly', 'static'] as const

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, context, ['bureau'])
  const { db } = context.platform
  const [formulas, statements] = await Promise.all([listCompensationFormulas(db), listCompensationStatements(db, { limit: 300 })])
  return { formulas, statements, today: formatDay(Date.now()) }
}

// The form's names are the operation's (`frequencyWeights.daily`), so its field errors land next to their inputs.
const formSchema = z.object({
  // Typed in yuan per call (ADR 0048), stored as fen per call.
  sharePerCall: z
    .string()
    .trim()
    .min(1, 'required')
    .transform((text, ctx) => {
      const parsed = parseYuanUnitPrice(text)
      if (!parsed.ok) ctx.addIssue({ code: z.ZodIssueCode.custom, message: parsed.code })
      return parsed.ok ? parsed.fen : z.NEVER
    }),
  qualityWeight: z.string().trim().min(1, 'required'),
  effectiveFrom: z
    .string()
    .trim()
    .transform((day, ctx) => {
      const start = parseDay(day)
      if (start === null) ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'invalid_date' })
      return start ?? z.NEVER
    }),
  note: z.string().trim().max(500, 'too_long').default(''),
  // A weight left empty is no weight.
  frequencyWeights: z.record(
    z.enum(FREQUENCIES),
    z
      .string()
      .trim()
      .optional()
      .transform((w) => w || '0'),
  ),
})

export async function action({ request, context }: ActionFunctionArgs) {
  const { actor } = await requireActor(request, context, ['bureau'])
  const form = await readForm(request, context)
  const parsed = formSchema.safeParse({
    ...Object.fromEntries(form),
    frequencyWeights: Object.fromEntries(FREQUENCIES.map((f) => [f, form.get(`frequencyWeights.${f}`) ?? undefined])),
  })
  if (!parsed.success) return invalidForm(parsed.error)
  const result = await setCompensationFormula(context.platform.db, {
    input: parsed.data,
    actor,
    requestId: context.platform.requestId,
  })
  if (!result.ok) return failedForm(result.error)
  return redirect('/bureau/compensation?saved=1')
}

export default function BureauCompensation() {
  const { formulas, statements, today } = useLoaderData<typeof loader>()
  const reply = useActionData<FormReply>() ?? null
  const t = useT()
  const lang = useLang()
  const busy = useNavigation().state !== 'idle'
  const [params] = useSearchParams()
  const current = formulas[0]
  const field = (name: string) => ({ error: reply?.fields[name], area: 'billing', errorTestId: `error-${name}` }) as const
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
          <FormError code={reply?.formError} area="billing" />
          <Field label={t('billing.comp.sharePerCall')} {...field('sharePerCall')}>
            <input name="sharePerCall" inputMode="decimal" defaultValue={fenToYuanInput(current?.sharePerCall ?? '1')} />
          </Field>
          <Field label={t('billing.comp.qualityWeight')} {...field('qualityWeight')}>
            <input name="qualityWeight" inputMode="decimal" defaultValue={current?.qualityWeight ?? '0.2'} />
          </Field>
          <fieldset>
            <legend>{t('billing.comp.frequencyWeights')}</legend>
            {FREQUENCIES.map((f) => (
              <Field key={f} label={t(`billing.comp.freq.${f}` as MessageKey)} {...field(`frequencyWeights.${f}`)}>
                <input name={`frequencyWeights.${f}`} inputMode="decimal" defaultValue={current?.frequencyWeights[f] ?? '0'} />
              </Field>
            ))}
          </fieldset>
          <Field label={t('billing.comp.effectiveFrom')} {...field('effectiveFrom')}>
            <input name="effectiveFrom" type="date" defaultValue={today} />
          </Field>
          <Field label={t('billing.comp.note')} {...field('note')}>
            <input name="note" maxLength={500} />
          </Field>
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
              <td className="num">{formatUnitPrice(f.sharePerCall, 'call', lang)}</td>
              <td className="num">{f.qualityWeight}</td>
              <td>
                {FREQUENCIES.filter((q) => f.frequencyWeights[q] && f.frequencyWeights[q] !== '0')
                  .map((q) => `${t(`billing.comp.freq.${q}` as MessageKey)} ${f.frequencyWeights[q]}`)
                  .join(t('common.comma')) || '—'}
              </td>
              <td>{f.note}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>{t('billing.comp.statements')}</h2>
      <CompensationStatementsTable statements={statements} />
    </>
  )
}
