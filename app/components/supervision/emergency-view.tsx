import { useActionData, useNavigation, useSearchParams } from '@remix-run/react'
import { Form } from '#app/components/form.tsx'
import { Field, FormError, replyFor } from '#app/forms/field.tsx'
import type { FormReply } from '#app/forms/action-reply.server.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatTime } from '#app/lib/format.ts'

interface StopRow {
  id: string
  productCode: string | null
  reason: string
  stoppedAt: number
  stoppedByLabel: string
  drillId: string | null
  resumedAt: number | null
  resumedByLabel: string | null
}

interface PlanRow {
  code: string
  version: number
  title: string
  body: string
  savedByLabel: string
  savedAt: number
}

export interface EmergencyViewData {
  state: { active: StopRow[]; isPlatformWide: boolean; history: StopRow[] }
  products: { code: string; nameZh: string; nameEn: string }[]
  plans: { latest: PlanRow; history: PlanRow[] }[]
  drills: {
    id: string
    kind: 'exercise' | 'stop_drill'
    heldAt: number
    scope: string
    outcome: string
    planCode: string | null
    recordedByLabel: string
  }[]
  today: string
}

/** The emergency page of the operator and the bureau: the stop, its history, the plans and the drills. */
export function EmergencyView({ data, canEditPlans }: { data: EmergencyViewData; canEditPlans: boolean }) {
  const t = useT()
  const lang = useLang()
  const reply = useActionData<FormReply>()
  const [params] = useSearchParams()
  const busy = useNavigation().state !== 'idle'
  const done = params.get('done')
  const doneKey = {
    stop: 'emergency.stop.done',
    resume: 'emergency.resume.done',
    savePlan: 'emergency.plans.saved',
    recordDrill: 'emergency.drills.recorded',
    runDrill: 'emergency.drills.ran',
  } as const
  const stopReply = replyFor(reply, 'stop')
  const planReply = replyFor(reply, 'savePlan')
  const drillReply = replyFor(reply, 'recordDrill')
  const runReply = replyFor(reply, 'runDrill')
  const resumeReply = replyFor(reply, 'resume')
  return (
    <>
      <h1>{t('emergency.title')}</h1>
      <p className="lead">{t('emergency.intro')}</p>
      {done && done in doneKey && !reply && (
        <p className="notice" role="status" data-testid="emergency-done">
          {t(doneKey[done as keyof typeof doneKey])}
        </p>
      )}

      <h2>{t('emergency.active.title')}</h2>
      {data.state.active.length === 0 ? (
        <p className="muted" data-testid="no-stop">
          {t('emergency.active.none')}
        </p>
      ) : (
        <>
          <table data-testid="active-stops">
            <thead>
              <tr>
                <th>{t('emergency.active.product')}</th>
                <th>{t('emergency.stop.reason')}</th>
                <th>{t('emergency.active.since')}</th>
                <th>{t('emergency.active.by')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {data.state.active.map((s) => (
                <tr key={s.id} data-testid={`stop-${s.productCode ?? 'all'}`}>
                  <td>{s.productCode ? <code>{s.productCode}</code> : t('emergency.active.all')}</td>
                  <td>{s.reason}</td>
                  <td>{formatTime(s.stoppedAt, lang)}</td>
                  <td>{s.stoppedByLabel}</td>
                  <td>
                    {s.productCode && !data.state.isPlatformWide && (
                      <Form method="post" className="inline">
                        <input type="hidden" name="intent" value="resume" />
                        <input type="hidden" name="product" value={s.productCode} />
                        <button type="submit" disabled={busy} data-testid={`resume-${s.productCode}`}>
                          {t('emergency.resume.one')}
                        </button>
                      </Form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Form method="post" className="inline">
            <input type="hidden" name="intent" value="resume" />
            <input
              name="reason"
              aria-label={t('emergency.resume.reason')}
              placeholder={t('emergency.resume.reason')}
              maxLength={500}
            />
            <button type="submit" disabled={busy} data-testid="resume-all">
              {t('emergency.resume.all')}
            </button>
          </Form>
        </>
      )}
      <FormError code={resumeReply?.formError} area="emergency" />

      <h2>{t('emergency.stop.title')}</h2>
      <Form method="post" data-testid="stop-form">
        <input type="hidden" name="intent" value="stop" />
        <fieldset className="purpose">
          <legend>{t('emergency.stop.scope')}</legend>
          <label className="choice">
            <input type="radio" name="scope" value="products" defaultChecked /> {t('emergency.stop.scopeSome')}
          </label>
          <label className="choice">
            <input type="radio" name="scope" value="all" data-testid="scope-all" /> {t('emergency.stop.scopeAll')}
          </label>
        </fieldset>
        <fieldset className="purpose">
          <legend>{t('emergency.stop.products')}</legend>
          {data.products.map((p) => (
            <label key={p.code} className="choice">
              <input type="checkbox" name="products" value={p.code} data-testid={`stop-product-${p.code}`} />{' '}
              {lang === 'zh' ? p.nameZh : p.nameEn} <code>{p.code}</code>
            </label>
          ))}
        </fieldset>
        <Field label={t('emergency.stop.reason')} error={stopReply?.fields.reason} area="emergency">
          <input name="reason" maxLength={500} required data-testid="stop-reason" />
        </Field>
        <FormError code={stopReply?.formError ?? stopReply?.fields.product} area="emergency" />
        <button type="submit" className="danger" disabled={busy} data-testid="stop-submit">
          {t('emergency.stop.submit')}
        </button>
      </Form>

      <h2>{t('emergency.history.title')}</h2>
      <table data-testid="stop-history">
        <thead>
          <tr>
            <th>{t('emergency.active.product')}</th>
            <th>{t('emergency.stop.reason')}</th>
            <th>{t('emergency.active.since')}</th>
            <th>{t('emergency.history.resumedAt')}</th>
            <th>{t('emergency.active.by')}</th>
          </tr>
        </thead>
        <tbody>
          {data.state.history.map((s) => (
            <tr key={s.id}>
              <td>
                {s.productCode ? <code>{s.productCode}</code> : t('emergency.active.all')}
                {s.drillId && <span className="badge"> {t('emergency.history.drill')}</span>}
              </td>
              <td>{s.reason}</td>
              <td>{formatTime(s.stoppedAt, lang)}</td>
              <td>{formatTime(s.resumedAt, lang)}</td>
              <td>
                {s.stoppedByLabel}
                {s.resumedByLabel ? ` / ${s.resumedByLabel}` : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>{t('emergency.plans.title')}</h2>
      {data.plans.length === 0 && <p className="muted">{t('emergency.plans.none')}</p>}
      {data.plans.map((plan) => (
        <section key={plan.latest.code} data-testid={`plan-${plan.latest.code}`}>
          <h3>
            {plan.latest.title} <code>{plan.latest.code}</code> · {t('emergency.plans.version', { n: plan.latest.version })}
          </h3>
          <p className="muted">
            {t('emergency.plans.savedBy', { by: plan.latest.savedByLabel, at: formatTime(plan.latest.savedAt, lang) })}
          </p>
          <pre className="plan-body">{plan.latest.body}</pre>
          <details>
            <summary>{t('emergency.plans.history')}</summary>
            <ul>
              {plan.history.map((v) => (
                <li key={v.version}>
                  <details>
                    <summary>
                      {t('emergency.plans.version', { n: v.version })} · {v.title} ·{' '}
                      {t('emergency.plans.savedBy', { by: v.savedByLabel, at: formatTime(v.savedAt, lang) })}
                    </summary>
                    <pre className="plan-body">{v.body}</pre>
                  </details>
                </li>
              ))}
            </ul>
          </details>
        </section>
      ))}
      {canEditPlans && (
        <Form method="post" data-testid="plan-form">
          <input type="hidden" name="intent" value="savePlan" />
          <Field
            label={t('emergency.plans.code')}
            error={planReply?.fields.code}
            area="emergency"
            hint={t('emergency.plans.codeHint')}
          >
            <input name="code" maxLength={43} defaultValue={data.plans[0]?.latest.code ?? 'EP-GENERAL'} />
          </Field>
          <Field label={t('emergency.plans.titleField')} error={planReply?.fields.title} area="emergency">
            <input name="title" maxLength={200} defaultValue={data.plans[0]?.latest.title ?? ''} />
          </Field>
          <Field label={t('emergency.plans.body')} error={planReply?.fields.body} area="emergency">
            <textarea name="body" rows={8} defaultValue={data.plans[0]?.latest.body ?? ''} />
          </Field>
          <FormError code={planReply?.formError} area="emergency" />
          <button type="submit" disabled={busy}>
            {t('emergency.plans.save')}
          </button>
        </Form>
      )}

      <h2>{t('emergency.drills.title')}</h2>
      {data.drills.length === 0 ? (
        <p className="muted">{t('emergency.drills.none')}</p>
      ) : (
        <table data-testid="drills">
          <thead>
            <tr>
              <th>{t('emergency.drills.heldOn')}</th>
              <th>{t('emergency.drills.scope')}</th>
              <th>{t('emergency.drills.outcome')}</th>
              <th>{t('emergency.active.by')}</th>
            </tr>
          </thead>
          <tbody>
            {data.drills.map((d) => (
              <tr key={d.id}>
                <td>{formatTime(d.heldAt, lang)}</td>
                <td>
                  <span className="badge">{t(`emergency.drills.kind.${d.kind}`)}</span> {d.scope}
                  {d.planCode ? ` · ${d.planCode}` : ''}
                </td>
                <td>{d.outcome}</td>
                <td>{d.recordedByLabel}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Form method="post" data-testid="drill-form">
        <input type="hidden" name="intent" value="recordDrill" />
        <Field label={t('emergency.drills.heldOn')} error={drillReply?.fields.heldOn} area="emergency">
          <input type="date" name="heldOn" defaultValue={data.today} />
        </Field>
        <Field label={t('emergency.drills.scope')} error={drillReply?.fields.scope} area="emergency">
          <input name="scope" maxLength={500} />
        </Field>
        <Field label={t('emergency.drills.outcome')} error={drillReply?.fields.outcome} area="emergency">
          <textarea name="outcome" rows={3} />
        </Field>
        <Field label={t('emergency.drills.plan')} error={drillReply?.fields.planCode} area="emergency">
          <input name="planCode" maxLength={50} />
        </Field>
        <FormError code={drillReply?.formError} area="emergency" />
        <button type="submit" disabled={busy}>
          {t('emergency.drills.record')}
        </button>
      </Form>
      <Form method="post" data-testid="run-drill-form">
        <input type="hidden" name="intent" value="runDrill" />
        <p className="muted">{t('emergency.drills.runHint')}</p>
        <label>
          {t('emergency.active.product')}{' '}
          <select name="product">
            {data.products.map((p) => (
              <option key={p.code} value={p.code}>
                {p.code}
              </option>
            ))}
          </select>
        </label>
        <FormError code={runReply?.formError ?? runReply?.fields.product} area="emergency" />
        <button type="submit" disabled={busy}>
          {t('emergency.drills.run')}
        </button>
      </Form>
    </>
  )
}
