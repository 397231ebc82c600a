import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { Form } from '#app/components/form.tsx'
import { z } from 'zod'
import {
  DELIVERY_MODES,
  formatDay,
  grantAuthorization,
  listDatasets,
  listDemandItems,
  MAX_TERM_MONTHS,
  refuseDemandItem,
} from '#app/domain.server.ts'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { DemandItemSummary, useOptionLabel } from '#app/components/catalog/catalog-ui.tsx'
import { ConfirmButton, Field, FormError, replyFor } from '#app/forms/field.tsx'
import { failedForm, invalidForm, type FormReply } from '#app/forms/action-reply.server.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { requireActor, requireUser } from '#app/session.server.ts'
import { readForm } from '#app/lib/read-form.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context, ['source_unit'])
  const { db } = context.platform
  const sourceUnitId = user.sourceUnitId ?? '-'
  // Least privilege: only this unit's items and datasets.
  const [queue, decided, datasets] = await Promise.all([
    listDemandItems(db, { states: ['approved'], sourceUnitId }),
    listDemandItems(db, { states: ['granted', 'refused'], sourceUnitId }),
    listDatasets(db, { sourceUnitId }),
  ])
  return {
    unitName: user.sourceUnitName,
    queue,
    decided,
    datasets: datasets.map((d) => ({ code: d.code, nameZh: d.nameZh, nameEn: d.nameEn, level: d.level })),
    deliveryModes: [...DELIVERY_MODES],
    maxTerm: MAX_TERM_MONTHS,
    today: formatDay(Date.now()),
  }
}

// The form is read here; the term's rules (a real day, not past, 1 to 36 months) are grantAuthorization's.
const grantSchema = z.object({
  intent: z.literal('grant'),
  itemId: z.string().min(1),
  deliveryMode: z.enum(DELIVERY_MODES, { errorMap: () => ({ message: 'required' }) }),
  startsOn: z.string().max(40, 'invalid_date'),
  termMonths: z.coerce.number({ message: 'term_range' }),
  datasetCode: z.string().trim().max(40).optional(),
})

const refuseSchema = z.object({
  intent: z.literal('refuse'),
  itemId: z.string().min(1),
  citation: z.string().max(500, 'too_long').default(''),
  explanation: z.string().max(2000, 'too_long').default(''),
})

export async function action({ request, context }: ActionFunctionArgs) {
  const { actor } = await requireActor(request, context, ['source_unit'])
  const form = Object.fromEntries(await readForm(request, context))
  const target = `${String(form.intent ?? '')}:${String(form.itemId ?? '')}`
  const parsed = z.discriminatedUnion('intent', [grantSchema, refuseSchema]).safeParse(form)
  if (!parsed.success) return invalidForm(parsed.error, { target })
  const { db, requestId } = context.platform
  const v = parsed.data
  if (v.intent === 'grant') {
    const result = await grantAuthorization(db, {
      actor,
      requestId,
      itemId: v.itemId,
      deliveryMode: v.deliveryMode,
      startsOn: v.startsOn,
      termMonths: v.termMonths,
      datasetCode: v.datasetCode || null,
    })
    if (!result.ok) return failedForm(result.error, { target })
  } else {
    const result = await refuseDemandItem(db, {
      actor,
      requestId,
      itemId: v.itemId,
      citation: v.citation,
      explanation: v.explanation,
    })
    // A refusal without its legal basis says so above the form, and marks each missing part next to its field.
    if (!result.ok) return failedForm(result.error, { target, codeAlso: result.error.code === 'legal_basis_required' })
  }
  return redirect(`/source-unit/demands?done=${v.intent}`)
}

export default function SourceUnitDemands() {
  const data = useLoaderData<typeof loader>()
  const action = useActionData<FormReply>()
  const [params] = useSearchParams()
  const t = useT()
  const lang = useLang()
  const label = useOptionLabel()
  const busy = useNavigation().state !== 'idle'
  const done = params.get('done')
  return (
    <>
      <h1>{t('catalog.unitDemands.title')}</h1>
      <p className="lead">
        {data.unitName} · {t('catalog.unitDemands.intro')}
      </p>
      {(done === 'grant' || done === 'refuse') && !action && (
        <p className="notice" role="status" data-testid="done">
          {t(done === 'grant' ? 'catalog.unitDemands.doneGrant' : 'catalog.unitDemands.doneRefuse')}
        </p>
      )}
      <h2>{t('catalog.queue.awaitingYou', { n: data.queue.length })}</h2>
      <div data-testid="unit-queue">
        {data.queue.length === 0 && <p className="muted">{t('catalog.queue.empty')}</p>}
        {data.queue.map((item) => {
          const grantFailure = replyFor(action, `grant:${item.id}`)
          const refuseFailure = replyFor(action, `refuse:${item.id}`)
          return (
            <div className="panel" key={item.id} data-testid="demand-item" data-item-id={item.id}>
              <DemandItemSummary item={item} />
              <div className="catalog-decision">
                <Form method="post" className="stack" noValidate data-testid="grant-form">
                  <h3>{t('catalog.unitDemands.grant')}</h3>
                  <FormError code={grantFailure?.formError} area="catalog" />
                  <input type="hidden" name="intent" value="grant" />
                  <input type="hidden" name="itemId" value={item.id} />
                  {!item.datasetCode && (
                    <Field label={t('catalog.item.dataset')} error={grantFailure?.fields.datasetCode} area="catalog">
                      <select name="datasetCode" defaultValue="">
                        <option value="">{t('catalog.choose')}</option>
                        {data.datasets.map((d) => (
                          <option key={d.code} value={d.code}>
                            {d.code} {lang === 'zh' ? d.nameZh : d.nameEn}
                          </option>
                        ))}
                      </select>
                    </Field>
                  )}
                  <Field label={t('catalog.unitDemands.deliveryMode')} error={grantFailure?.fields.deliveryMode} area="catalog">
                    <select name="deliveryMode" defaultValue={item.retrievalMethod}>
                      {data.deliveryModes.map((m) => (
                        <option key={m} value={m}>
                          {label('delivery', m)}
                        </option>
                      ))}
                    </select>
                  </Field>
                  <Field label={t('catalog.unitDemands.startDate')} error={grantFailure?.fields.startsOn} area="catalog">
                    <input name="startsOn" type="date" defaultValue={data.today} min={data.today} />
                  </Field>
                  <Field
                    label={t('catalog.unitDemands.termMonths')}
                    error={grantFailure?.fields.termMonths}
                    area="catalog"
                    hint={t('catalog.item.termHint', { n: data.maxTerm })}
                  >
                    <input
                      name="termMonths"
                      type="number"
                      min={1}
                      defaultValue={Math.min(item.requestedTermMonths, data.maxTerm)}
                    />
                  </Field>
                  <ConfirmButton
                    question={t('catalog.unitDemands.grantConfirm')}
                    className="primary"
                    disabled={busy}
                    data-testid="grant"
                  >
                    {t('catalog.unitDemands.grantSubmit')}
                  </ConfirmButton>
                </Form>
                <Form method="post" className="stack" noValidate data-testid="refuse-form">
                  <h3>{t('catalog.unitDemands.refuse')}</h3>
                  <FormError code={refuseFailure?.formError} area="catalog" />
                  <input type="hidden" name="intent" value="refuse" />
                  <input type="hidden" name="itemId" value={item.id} />
                  <Field
                    label={t('catalog.unitDemands.citation')}
                    error={refuseFailure?.fields.citation}
                    area="catalog"
                    hint={t('catalog.unitDemands.citationHint')}
                  >
                    <input name="citation" maxLength={500} data-testid="citation" />
                  </Field>
                  <Field label={t('catalog.unitDemands.explanation')} error={refuseFailure?.fields.explanation} area="catalog">
                    <textarea name="explanation" rows={3} maxLength={2000} data-testid="explanation" />
                  </Field>
                  <ConfirmButton question={t('catalog.unitDemands.refuseConfirm')} disabled={busy} data-testid="refuse">
                    {t('catalog.unitDemands.refuseSubmit')}
                  </ConfirmButton>
                </Form>
              </div>
            </div>
          )
        })}
      </div>
      <h2>{t('catalog.unitDemands.decided')}</h2>
      <div data-testid="unit-decided">
        {data.decided.length === 0 && <p className="muted">{t('catalog.queue.empty')}</p>}
        {data.decided.map((item) => (
          <div className="panel" key={item.id} data-testid="decided-item">
            <DemandItemSummary item={item} />
          </div>
        ))}
      </div>
    </>
  )
}
