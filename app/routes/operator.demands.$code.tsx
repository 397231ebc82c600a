import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { Form } from '#app/components/form.tsx'
import { z } from 'zod'
import {
  addDemandItem,
  DELIVERY_MODES,
  findDemandList,
  listDatasets,
  listDemandItems,
  listSourceUnits,
  MAX_TERM_MONTHS,
  removeDemandItem,
  resubmitDemandItem,
  submitDemandList,
  updateDemandItem,
} from '#app/domain.server.ts'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { DemandItemSummary, StateBadge, useFormatDay, useOptionLabel } from '#app/components/catalog/catalog-ui.tsx'
import { ConfirmButton, Field, FormError, replyFor } from '#app/forms/field.tsx'
import { failedForm, invalidForm, type FormReply } from '#app/forms/action-reply.server.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { requireActor, requireUser } from '#app/session.server.ts'
import { readForm } from '#app/lib/read-form.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  await requireUser(request, context, ['operator'])
  const { db } = context.platform
  const list = await findDemandList(db, { code: params.code ?? '' })
  if (!list) throw new Response('Not found', { status: 404 })
  const [items, datasets, sourceUnits] = await Promise.all([
    listDemandItems(db, { listCode: list.code }),
    listDatasets(db),
    listSourceUnits(db),
  ])
  return {
    list: { code: list.code, title: list.title, state: list.state, submittedAt: list.submittedAt },
    items,
    datasets: datasets.map((d) => ({ code: d.code, nameZh: d.nameZh, nameEn: d.nameEn, level: d.level })),
    sourceUnits: sourceUnits.map((u) => ({ code: u.code, nameZh: u.nameZh, nameEn: u.nameEn })),
    deliveryModes: [...DELIVERY_MODES],
    maxTerm: MAX_TERM_MONTHS,
  }
}

const itemSchema = z.object({
  datasetCode: z.string().trim().max(40),
  sourceUnitCode: z.string().trim().max(60),
  dataDescription: z.string().trim().min(1, 'required').max(1000, 'too_long'),
  retrievalMethod: z.enum(DELIVERY_MODES, { errorMap: () => ({ message: 'required' }) }),
  usageScenario: z.string().trim().min(1, 'required').max(1000, 'too_long'),
  requestedTermMonths: z.coerce
    .number({ message: 'term_range' })
    .int('term_range')
    .min(1, 'term_range')
    .max(MAX_TERM_MONTHS, 'term_range'),
})

/** The inputs of ItemFields: a failure naming any other (or none, as submitting an empty list) is the form's error. */
const ITEM_FIELDS = Object.keys(itemSchema.shape)

const actionSchema = z.discriminatedUnion('intent', [
  itemSchema.extend({ intent: z.literal('add_item') }),
  itemSchema.extend({ intent: z.literal('update_item'), itemId: z.string().min(1) }),
  z.object({ intent: z.literal('remove_item'), itemId: z.string().min(1) }),
  z.object({ intent: z.literal('resubmit_item'), itemId: z.string().min(1) }),
  z.object({ intent: z.literal('submit_list') }),
])

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { actor } = await requireActor(request, context, ['operator'])
  const form = Object.fromEntries(await readForm(request, context))
  const target = typeof form.itemId === 'string' ? form.itemId : String(form.intent ?? '')
  const parsed = actionSchema.safeParse(form)
  if (!parsed.success) return invalidForm(parsed.error, { target })
  const { db, requestId } = context.platform
  const listCode = params.code ?? ''
  const v = parsed.data
  const itemInput = (i: z.infer<typeof itemSchema>) => ({
    datasetCode: i.datasetCode || null,
    sourceUnitCode: i.datasetCode ? null : i.sourceUnitCode || null,
    dataDescription: i.dataDescription,
    retrievalMethod: i.retrievalMethod,
    usageScenario: i.usageScenario,
    requestedTermMonths: i.requestedTermMonths,
  })
  const result =
    v.intent === 'add_item'
      ? await addDemandItem(db, { actor, requestId, listCode, input: itemInput(v) })
      : v.intent === 'update_item'
        ? await updateDemandItem(db, { actor, requestId, itemId: v.itemId, input: itemInput(v) })
        : v.intent === 'remove_item'
          ? await removeDemandItem(db, { actor, requestId, itemId: v.itemId })
          : v.intent === 'resubmit_item'
            ? await resubmitDemandItem(db, { actor, requestId, itemId: v.itemId })
            : await submitDemandList(db, { actor, requestId, listCode })
  if (!result.ok) return failedForm(result.error, { target, shownFields: ITEM_FIELDS })
  return redirect(`/operator/demands/${encodeURIComponent(listCode)}?done=${v.intent}`)
}

type LoaderData = Awaited<ReturnType<typeof loader>>

interface ItemDefaults {
  datasetCode?: string | null
  sourceUnitCode?: string | null
  dataDescription?: string
  retrievalMethod?: string
  usageScenario?: string
  requestedTermMonths?: number
}

/** The fields of a demand item (Art. 14): the data, how it is retrieved, what for, for how long. */
function ItemFields({ data, defaults, failure }: { data: LoaderData; defaults: ItemDefaults; failure: FormReply | null }) {
  const t = useT()
  const lang = useLang()
  const label = useOptionLabel()
  const err = (name: string) => failure?.fields[name]
  return (
    <>
      <Field label={t('catalog.item.dataset')} error={err('datasetCode')} area="catalog" hint={t('catalog.item.datasetHint')}>
        <select name="datasetCode" defaultValue={defaults.datasetCode ?? ''} data-testid="item-dataset">
          <option value="">{t('catalog.item.noDatasetOption')}</option>
          {data.datasets.map((d) => (
            <option key={d.code} value={d.code}>
              {d.code} {lang === 'zh' ? d.nameZh : d.nameEn} ({label('level', d.level)})
            </option>
          ))}
        </select>
      </Field>
      <Field label={t('catalog.item.sourceUnit')} error={err('sourceUnitCode')} area="catalog">
        <select name="sourceUnitCode" defaultValue={defaults.sourceUnitCode ?? ''} data-testid="item-source-unit">
          <option value="">{t('catalog.choose')}</option>
          {data.sourceUnits.map((u) => (
            <option key={u.code} value={u.code}>
              {lang === 'zh' ? u.nameZh : u.nameEn}
            </option>
          ))}
        </select>
      </Field>
      <Field label={t('catalog.item.dataDescription')} error={err('dataDescription')} area="catalog">
        <textarea name="dataDescription" rows={2} defaultValue={defaults.dataDescription} />
      </Field>
      <Field label={t('catalog.item.retrievalMethod')} error={err('retrievalMethod')} area="catalog">
        <select name="retrievalMethod" defaultValue={defaults.retrievalMethod ?? 'file'}>
          {data.deliveryModes.map((m) => (
            <option key={m} value={m}>
              {label('delivery', m)}
            </option>
          ))}
        </select>
      </Field>
      <Field label={t('catalog.item.usageScenario')} error={err('usageScenario')} area="catalog">
        <textarea name="usageScenario" rows={2} defaultValue={defaults.usageScenario} />
      </Field>
      <Field
        label={t('catalog.item.requestedTerm')}
        error={err('requestedTermMonths')}
        area="catalog"
        hint={t('catalog.item.termHint', { n: data.maxTerm })}
      >
        <input
          name="requestedTermMonths"
          type="number"
          min={1}
          max={data.maxTerm}
          defaultValue={defaults.requestedTermMonths ?? 12}
        />
      </Field>
    </>
  )
}

export default function OperatorDemandList() {
  const data = useLoaderData<typeof loader>()
  const action = useActionData<FormReply>()
  const t = useT()
  const day = useFormatDay()
  const busy = useNavigation().state !== 'idle'
  const { list, items } = data
  const failureFor = (target: string) => replyFor(action, target)
  const isDraft = list.state === 'draft'
  return (
    <>
      <p>
        <Link to="/operator/demands">← {t('catalog.demands.title')}</Link>
      </p>
      <h1 data-testid="list-title">
        {list.title} <code data-testid="list-code">{list.code}</code>
      </h1>
      <p>
        <StateBadge state={`list_${list.state}`} testId="list-state" />{' '}
        {list.submittedAt ? `· ${t('catalog.demands.submittedAt')} ${day(list.submittedAt)}` : ''}
      </p>

      <h2>{t('catalog.demands.items')}</h2>
      {items.length === 0 && <p className="muted">{t('catalog.demands.noItems')}</p>}
      {items.map((item) => {
        const failure = failureFor(item.id)
        const editable = item.state === 'draft' || item.state === 'returned'
        return (
          <div className="panel" key={item.id} data-testid="demand-item" data-item-id={item.id}>
            <DemandItemSummary item={item} showList={false} />
            <FormError code={failure?.formError} area="catalog" />
            {editable && (
              <details open={Boolean(failure && Object.keys(failure.fields).length > 0)}>
                <summary>{t('catalog.demands.editItem')}</summary>
                <Form method="post" className="stack catalog-wide" noValidate>
                  <input type="hidden" name="intent" value="update_item" />
                  <input type="hidden" name="itemId" value={item.id} />
                  <ItemFields
                    data={data}
                    defaults={{ ...item, sourceUnitCode: item.datasetCode ? null : item.sourceUnitCode }}
                    failure={failure}
                  />
                  <button type="submit" disabled={busy}>
                    {t('catalog.save')}
                  </button>
                </Form>
              </details>
            )}
            {item.state === 'returned' && (
              <Form method="post">
                <input type="hidden" name="intent" value="resubmit_item" />
                <input type="hidden" name="itemId" value={item.id} />
                <button type="submit" className="primary" disabled={busy} data-testid="resubmit">
                  {t('catalog.demands.resubmit')}
                </button>
              </Form>
            )}
            {item.state === 'draft' && isDraft && (
              <Form method="post">
                <input type="hidden" name="intent" value="remove_item" />
                <input type="hidden" name="itemId" value={item.id} />
                <button type="submit" disabled={busy}>
                  {t('catalog.remove')}
                </button>
              </Form>
            )}
          </div>
        )
      })}

      {isDraft && (
        <>
          <h2>{t('catalog.demands.addItem')}</h2>
          <div className="panel">
            <FormError code={failureFor('add_item')?.formError} area="catalog" />
            <Form method="post" className="stack catalog-wide" noValidate data-testid="add-item">
              <input type="hidden" name="intent" value="add_item" />
              <ItemFields data={data} defaults={{}} failure={failureFor('add_item')} />
              <button type="submit" disabled={busy}>
                {t('catalog.demands.addItemSubmit')}
              </button>
            </Form>
          </div>
          <div className="panel">
            <p className="muted">{t('catalog.demands.submitHint')}</p>
            <FormError code={failureFor('submit_list')?.formError} area="catalog" />
            <Form method="post">
              <input type="hidden" name="intent" value="submit_list" />
              <ConfirmButton
                question={t('catalog.demands.submitConfirm')}
                className="primary"
                disabled={busy}
                data-testid="submit-list"
              >
                {t('catalog.demands.submitList')}
              </ConfirmButton>
            </Form>
          </div>
        </>
      )}
    </>
  )
}
