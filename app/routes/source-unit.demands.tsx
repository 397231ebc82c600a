import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { Form } from '#app/components/form.tsx'
import { z } from 'zod'
import {
  addCalendarMonths,
  DELIVERY_MODES,
  grantAuthorization,
  listDatasets,
  listDemandItems,
  MAX_TERM_MONTHS,
  refuseDemandItem,
  shanghaiDate,
  shanghaiMidnight,
} from '#app/domain.server.ts'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import {
  DemandItemSummary,
  Field,
  FormError,
  useOptionLabel,
  type CatalogActionData,
} from '#app/components/catalog/catalog-ui.tsx'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { requireUser } from '#app/session.server.ts'
import { formFieldErrors } from '#app/lib/form-errors.ts'
import { readForm } from '#app/lib/read-form.server.ts'
import { userActor } from '#platform/identity/permissions.ts'

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
    today: shanghaiDate(Date.now()),
  }
}

const grantSchema = z.object({
  intent: z.literal('grant'),
  itemId: z.string().min(1),
  deliveryMode: z.enum(DELIVERY_MODES, { errorMap: () => ({ message: 'required' }) }),
  startDate: z
    .string()
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'invalid_date'),
  // More than 36 is let through to the domain, which refuses it with term_too_long (Art. 17).
  termMonths: z.coerce.number({ message: 'term_range' }).int('term_range').min(1, 'term_range').max(1200, 'term_range'),
  datasetCode: z.string().trim().max(40).optional(),
})

const refuseSchema = z.object({
  intent: z.literal('refuse'),
  itemId: z.string().min(1),
  citation: z.string().max(500, 'too_long').default(''),
  explanation: z.string().max(2000, 'too_long').default(''),
})

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context, ['source_unit'])
  const form = Object.fromEntries(await readForm(request, context))
  const target = `${String(form.intent ?? '')}:${String(form.itemId ?? '')}`
  const parsed = z.discriminatedUnion('intent', [grantSchema, refuseSchema]).safeParse(form)
  if (!parsed.success) {
    const fields = formFieldErrors(parsed.error)
    return Response.json({ target, fields, formError: null } satisfies CatalogActionData, { status: 400 })
  }
  const { db, requestId } = context.platform
  const actor = userActor(user)
  const v = parsed.data
  let result
  if (v.intent === 'grant') {
    const now = Date.now()
    const midnight = shanghaiMidnight(v.startDate)
    if (midnight === null)
      return Response.json({ target, fields: { startDate: 'invalid_date' }, formError: null } satisfies CatalogActionData, {
        status: 400,
      })
    if (v.startDate < shanghaiDate(now))
      return Response.json({ target, fields: { startDate: 'start_in_past' }, formError: null } satisfies CatalogActionData, {
        status: 400,
      })
    // Starting today means starting now, so the data may enter the platform at once.
    const startsAt = v.startDate === shanghaiDate(now) ? now : midnight
    result = await grantAuthorization(db, {
      actor,
      requestId,
      itemId: v.itemId,
      deliveryMode: v.deliveryMode,
      startsAt,
      endsAt: addCalendarMonths(startsAt, v.termMonths),
      datasetCode: v.datasetCode || null,
      now,
    })
  } else {
    result = await refuseDemandItem(db, {
      actor,
      requestId,
      itemId: v.itemId,
      citation: v.citation,
      explanation: v.explanation,
    })
  }
  if (!result.ok) {
    if (result.error.code === 'demand_item_not_found') throw new Response('Not found', { status: 404 })
    // The domain speaks of the term's end; the form asks for its length.
    const fields = Object.fromEntries(
      Object.entries(result.error.fields ?? {}).map(([k, c]) => [k === 'endsAt' ? 'termMonths' : k, c]),
    )
    // A refusal without its legal basis says so above the form, and marks each missing part next to its field.
    const formError = result.error.code === 'legal_basis_required' || Object.keys(fields).length === 0 ? result.error.code : null
    return Response.json({ target, fields, formError } satisfies CatalogActionData, { status: 400 })
  }
  return redirect(`/source-unit/demands?done=${v.intent}`)
}

export default function SourceUnitDemands() {
  const data = useLoaderData<typeof loader>()
  const action = useActionData<CatalogActionData>()
  const [params] = useSearchParams()
  const t = useT()
  const lang = useLang()
  const label = useOptionLabel()
  const busy = useNavigation().state !== 'idle'
  const done = params.get('done')
  const failureFor = (intent: string, id: string) => (action?.target === `${intent}:${id}` ? action : null)
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
          const grantFailure = failureFor('grant', item.id)
          const refuseFailure = failureFor('refuse', item.id)
          return (
            <div className="panel" key={item.id} data-testid="demand-item" data-item-id={item.id}>
              <DemandItemSummary item={item} />
              <div className="catalog-decision">
                <Form method="post" className="stack" noValidate data-testid="grant-form">
                  <h3>{t('catalog.unitDemands.grant')}</h3>
                  <FormError code={grantFailure?.formError} />
                  <input type="hidden" name="intent" value="grant" />
                  <input type="hidden" name="itemId" value={item.id} />
                  {!item.datasetCode && (
                    <Field label={t('catalog.item.dataset')} error={grantFailure?.fields.datasetCode}>
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
                  <Field label={t('catalog.unitDemands.deliveryMode')} error={grantFailure?.fields.deliveryMode}>
                    <select name="deliveryMode" defaultValue={item.retrievalMethod}>
                      {data.deliveryModes.map((m) => (
                        <option key={m} value={m}>
                          {label('delivery', m)}
                        </option>
                      ))}
                    </select>
                  </Field>
                  <Field label={t('catalog.unitDemands.startDate')} error={grantFailure?.fields.startDate}>
                    <input name="startDate" type="date" defaultValue={data.today} min={data.today} />
                  </Field>
                  <Field
                    label={t('catalog.unitDemands.termMonths')}
                    error={grantFailure?.fields.termMonths}
                    hint={t('catalog.item.termHint', { n: data.maxTerm })}
                  >
                    <input
                      name="termMonths"
                      type="number"
                      min={1}
                      defaultValue={Math.min(item.requestedTermMonths, data.maxTerm)}
                      aria-invalid={grantFailure?.fields.termMonths ? true : undefined}
                    />
                  </Field>
                  <button type="submit" className="primary" disabled={busy} data-testid="grant">
                    {t('catalog.unitDemands.grantSubmit')}
                  </button>
                </Form>
                <Form method="post" className="stack" noValidate data-testid="refuse-form">
                  <h3>{t('catalog.unitDemands.refuse')}</h3>
                  <FormError code={refuseFailure?.formError} />
                  <input type="hidden" name="intent" value="refuse" />
                  <input type="hidden" name="itemId" value={item.id} />
                  <Field
                    label={t('catalog.unitDemands.citation')}
                    error={refuseFailure?.fields.citation}
                    hint={t('catalog.unitDemands.citationHint')}
                  >
                    <input
                      name="citation"
                      maxLength={500}
                      aria-invalid={refuseFailure?.fields.citation ? true : undefined}
                      data-testid="citation"
                    />
                  </Field>
                  <Field label={t('catalog.unitDemands.explanation')} error={refuseFailure?.fields.explanation}>
                    <textarea
                      name="explanation"
                      rows={3}
                      maxLength={2000}
                      aria-invalid={refuseFailure?.fields.explanation ? true : undefined}
                      data-testid="explanation"
                    />
                  </Field>
                  <button type="submit" disabled={busy} data-testid="refuse">
                    {t('catalog.unitDemands.refuseSubmit')}
                  </button>
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
