import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { Form } from '#app/components/form.tsx'
import { useState } from 'react'
import { z } from 'zod'
import type { ChargeUnit } from '#db/schema/billing.ts'
import {
  costBasisPeriods,
  deriveUnitCosts,
  listCostEntries,
  listPriceBooks,
  listPricesInForce,
  proposePriceBook,
  recordCostEntry,
  shanghaiDay,
  shanghaiDayStart,
  yuanToFen,
} from '#app/domain.server.ts'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { usePriceText } from '#app/components/billing-invoice.tsx'
import { messages, type MessageKey } from '#app/i18n/messages.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatCount, formatFen, formatTime } from '#app/lib/format.ts'
import { requireUser } from '#app/session.server.ts'
import { readForm } from '#app/lib/read-form.server.ts'
import { userActor } from '#platform/identity/permissions.ts'

export { GeneralErrorBoundary as ErrorBoundary }

const COST_CATEGORIES = ['compute', 'storage', 'bandwidth', 'desensitization', 'model_release', 'result_export'] as const
const USAGE_UNITS = ['call', 'record', 'masked_field', 'mb_exported', 'model_release', 'service_month', 'service_year'] as const
const MODELS = ['standard', 'graduated', 'package', 'fixed_fee'] as const
const DECIMAL = /^(0|[1-9]\d{0,12})(\.\d{1,6})?$/

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, context, ['operator'])
  const { db } = context.platform
  const now = Date.now()
  const [prices, books, costs, basis] = await Promise.all([
    listPricesInForce(db, { at: now }),
    listPriceBooks(db, { limit: 100 }),
    listCostEntries(db, { limit: 200 }),
    deriveUnitCosts(db, { periods: costBasisPeriods(now) }),
  ])
  return {
    today: shanghaiDay(now),
    lastPeriod: costBasisPeriods(now)[2]!,
    prices,
    books,
    costs,
    basis,
  }
}

const costSchema = z.object({
  intent: z.literal('cost'),
  period: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'invalid_period'),
  category: z.enum(COST_CATEGORIES, { errorMap: () => ({ message: 'required' }) }),
  gross: z.string().trim().min(1, 'required'),
  subsidy: z.string().trim().optional(),
  note: z.string().trim().max(200, 'too_long').optional(),
})

const proposalSchema = z.object({
  intent: z.literal('propose'),
  productId: z.string().min(1, 'required'),
  effectiveFrom: z
    .string()
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'invalid_date'),
  isTrial: z.literal('on').optional(),
  note: z.string().trim().max(500, 'too_long').optional(),
  chargeUnit: z.enum(USAGE_UNITS, { errorMap: () => ({ message: 'required' }) }),
  model: z.enum(MODELS, { errorMap: () => ({ message: 'required' }) }),
  unitPrice: z.string().trim().optional(),
  tiers: z.string().trim().optional(),
  packageSize: z.string().trim().optional(),
  packagePrice: z.string().trim().optional(),
  freeUnits: z.string().trim().optional(),
  fixedAmount: z.string().trim().optional(),
  baseFee: z.string().trim().optional(),
})

interface ActionData {
  intent: 'cost' | 'propose'
  fields: Record<string, string>
  /** The ceiling named by a price_above_ceiling refusal, per form field. */
  ceilings: Record<string, string>
  formError: string | null
}

const bad = (
  intent: ActionData['intent'],
  fields: Record<string, string>,
  ceilings: Record<string, string> = {},
  formError: string | null = null,
) => Response.json({ intent, fields, ceilings, formError } satisfies ActionData, { status: 400 })

function fieldsOf(error: z.ZodError): Record<string, string> {
  const fields: Record<string, string> = {}
  for (const issue of error.issues) fields[String(issue.path[0])] = /^[a-z_]+$/.test(issue.message) ? issue.message : 'invalid'
  return fields
}

/** "10000:4, 100000:3, *:2" (up-to:fen per unit; the last tier's bound is * or empty) → tiers. */
function parseTiers(text: string): { upTo: number | null; unitPrice: string }[] | null {
  const parts = text
    .split(/[,，;；\n]+/)
    .map((p) => p.trim())
    .filter(Boolean)
  if (parts.length === 0) return null
  const tiers: { upTo: number | null; unitPrice: string }[] = []
  for (const part of parts) {
    const match = /^(\d+|\*)?\s*[:：]\s*(\S+)$/.exec(part)
    if (!match || !DECIMAL.test(match[2]!)) return null
    tiers.push({ upTo: match[1] && match[1] !== '*' ? Number(match[1]) : null, unitPrice: match[2]! })
  }
  return tiers
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context, ['operator'])
  const actor = userActor(user)
  const form = Object.fromEntries(await readForm(request, context))
  if (form.intent === 'cost') {
    const parsed = costSchema.safeParse(form)
    if (!parsed.success) return bad('cost', fieldsOf(parsed.error))
    const grossFen = yuanToFen(parsed.data.gross)
    const subsidyFen = parsed.data.subsidy ? yuanToFen(parsed.data.subsidy) : 0
    if (grossFen === null || subsidyFen === null)
      return bad('cost', {
        ...(grossFen === null ? { gross: 'invalid_amount' } : {}),
        ...(subsidyFen === null ? { subsidy: 'invalid_amount' } : {}),
      })
    const result = await recordCostEntry(context.platform.db, {
      input: { period: parsed.data.period, category: parsed.data.category, grossFen, subsidyFen, note: parsed.data.note },
      actor,
      requestId: context.platform.requestId,
    })
    if (!result.ok) {
      const f = result.error.fields ?? {}
      return bad(
        'cost',
        { ...f, ...(f.grossFen ? { gross: f.grossFen } : {}), ...(f.subsidyFen ? { subsidy: f.subsidyFen } : {}) },
        {},
        result.error.fields ? null : result.error.code,
      )
    }
    return redirect('/operator/pricing?cost=recorded')
  }

  const parsed = proposalSchema.safeParse(form)
  if (!parsed.success) return bad('propose', fieldsOf(parsed.error))
  const p = parsed.data
  const effectiveFrom = shanghaiDayStart(p.effectiveFrom)
  if (effectiveFrom === null) return bad('propose', { effectiveFrom: 'invalid_date' })
  let properties: unknown
  if (p.model === 'standard') {
    if (!p.unitPrice || !DECIMAL.test(p.unitPrice)) return bad('propose', { price: 'decimal' })
    properties = { unitPrice: p.unitPrice }
  } else if (p.model === 'graduated') {
    const tiers = parseTiers(p.tiers ?? '')
    if (!tiers) return bad('propose', { price: 'invalid_tiers' })
    properties = { tiers }
  } else if (p.model === 'package') {
    const size = Number(p.packageSize)
    const free = p.freeUnits ? Number(p.freeUnits) : 0
    if (
      !Number.isInteger(size) ||
      size < 1 ||
      !Number.isInteger(free) ||
      free < 0 ||
      !p.packagePrice ||
      !DECIMAL.test(p.packagePrice)
    ) {
      return bad('propose', { price: 'invalid_package' })
    }
    properties = { packageSize: size, packagePrice: p.packagePrice, freeUnits: free }
  } else {
    if (!p.fixedAmount || !DECIMAL.test(p.fixedAmount)) return bad('propose', { price: 'decimal' })
    properties = { amount: p.fixedAmount }
  }
  const charges = [{ chargeUnit: p.chargeUnit, model: p.model, properties }]
  if (p.baseFee) {
    if (!DECIMAL.test(p.baseFee)) return bad('propose', { baseFee: 'decimal' })
    charges.push({ chargeUnit: 'service_month', model: 'fixed_fee', properties: { amount: p.baseFee } })
  }
  const result = await proposePriceBook(context.platform.db, {
    input: { productId: p.productId, effectiveFrom, isTrial: p.isTrial === 'on', note: p.note, charges },
    actor,
    requestId: context.platform.requestId,
  })
  if (!result.ok) {
    // The domain keys fields by charge (`charges.0` is the usage charge, `charges.1` the base fee): show each beside its input.
    const fields: Record<string, string> = {}
    const ceilings: Record<string, string> = {}
    for (const [key, value] of Object.entries(result.error.fields ?? {})) {
      const [head, index, sub] = key.split('.')
      if (head !== 'charges') fields[key] = value
      else {
        const target = index === '1' ? 'baseFee' : sub === 'model' ? 'model' : sub === 'chargeUnit' ? 'chargeUnit' : 'price'
        if (sub === 'ceiling') ceilings[target] = value
        else fields[target] ??= value
      }
    }
    return bad('propose', fields, ceilings, Object.keys(fields).length ? null : result.error.code)
  }
  return redirect(`/operator/pricing?proposed=${result.value.version}`)
}

export default function OperatorPricing() {
  const { prices, books, costs, basis, today, lastPeriod } = useLoaderData<typeof loader>()
  const data = useActionData<ActionData>()
  const [params] = useSearchParams()
  const t = useT()
  const lang = useLang()
  const busy = useNavigation().state !== 'idle'
  const { describe, perUnit, unit } = usePriceText()
  const [model, setModel] = useState<(typeof MODELS)[number]>('standard')
  const [chargeUnit, setChargeUnit] = useState<ChargeUnit>('call')
  const errorText = (code: string, vars: Record<string, string> = {}) => {
    const key = `billing.error.${code}`
    return key in messages.zh ? t(key as MessageKey, vars) : t('billing.error.generic', { code })
  }
  const costErrors = data?.intent === 'cost' ? data.fields : {}
  const pErrors = data?.intent === 'propose' ? data.fields : {}
  const pCeilings = data?.intent === 'propose' ? data.ceilings : {}
  const priceError = (field: 'price' | 'baseFee', u: ChargeUnit) =>
    pErrors[field] && (
      <span className="field-error" data-testid={`${field}-error`}>
        {errorText(pErrors[field]!, { ceiling: pCeilings[field] ? perUnit(pCeilings[field]!, u) : '' })}
      </span>
    )
  return (
    <>
      <h1>{t('billing.operator.title')}</h1>
      <p className="lead">{t('billing.operator.intro')}</p>
      {params.get('cost') === 'recorded' && !data && (
        <p className="notice" role="status" data-testid="cost-recorded">
          {t('billing.operator.costRecorded')}
        </p>
      )}
      {params.get('proposed') && !data && (
        <p className="notice" role="status" data-testid="proposed">
          {t('billing.operator.proposed', { version: params.get('proposed')! })}
        </p>
      )}

      <h2>{t('billing.operator.inForce')}</h2>
      <table data-testid="prices-table">
        <thead>
          <tr>
            <th>{t('col.product')}</th>
            <th>{t('billing.col.charge')}</th>
            <th>{t('billing.col.ceiling')}</th>
            <th>{t('billing.fees.price')}</th>
          </tr>
        </thead>
        <tbody>
          {prices.flatMap((p) =>
            p.charges.map((c) => (
              <tr key={`${p.productCode}-${c.chargeUnit}`}>
                <td>
                  <code>{p.productCode}</code> {p.priceBook ? `v${p.priceBook.version}` : ''}
                  {p.priceBook?.isTrial && <span className="badge"> {t('billing.trial')}</span>}
                </td>
                <td>{t(`billing.charge.${c.chargeUnit}`)}</td>
                <td>{c.ceiling ? perUnit(c.ceiling.maxUnitPrice, c.chargeUnit) : t('billing.fees.noCeiling')}</td>
                <td>{c.price ? describe(c.chargeUnit, c.price) : t('billing.fees.noPrice')}</td>
              </tr>
            )),
          )}
        </tbody>
      </table>

      <h2>{t('billing.operator.propose')}</h2>
      <p className="muted">{t('billing.operator.proposeHint')}</p>
      {data?.intent === 'propose' && data.formError && (
        <p className="form-error" role="alert">
          {errorText(data.formError)}
        </p>
      )}
      <Form method="post" className="stack" noValidate data-testid="proposal-form">
        <input type="hidden" name="intent" value="propose" />
        <label>
          {t('col.product')}
          <select name="productId" aria-invalid={pErrors.productId ? true : undefined}>
            {prices.map((p) => (
              <option key={p.productId} value={p.productId}>
                {p.productCode} · {lang === 'zh' ? p.nameZh : p.nameEn}
              </option>
            ))}
          </select>
          {pErrors.productId && <span className="field-error">{errorText(pErrors.productId)}</span>}
        </label>
        <label>
          {t('billing.effectiveFrom')}
          <input
            name="effectiveFrom"
            type="date"
            defaultValue={today}
            min={today}
            aria-invalid={pErrors.effectiveFrom ? true : undefined}
          />
          {pErrors.effectiveFrom && <span className="field-error">{errorText(pErrors.effectiveFrom)}</span>}
        </label>
        <label>
          {t('billing.col.charge')}
          <select name="chargeUnit" value={chargeUnit} onChange={(e) => setChargeUnit(e.target.value as ChargeUnit)}>
            {USAGE_UNITS.map((u) => (
              <option key={u} value={u}>
                {t(`billing.charge.${u}`)}
              </option>
            ))}
          </select>
          {pErrors.chargeUnit && <span className="field-error">{errorText(pErrors.chargeUnit)}</span>}
        </label>
        <label>
          {t('billing.col.model')}
          <select name="model" value={model} onChange={(e) => setModel(e.target.value as (typeof MODELS)[number])}>
            {MODELS.map((m) => (
              <option key={m} value={m}>
                {t(`billing.model.${m}`)}
              </option>
            ))}
          </select>
          {pErrors.model && <span className="field-error">{errorText(pErrors.model)}</span>}
        </label>
        {model === 'standard' && (
          <label>
            {t('billing.operator.unitPrice', { unit: unit(chargeUnit) })}
            <input name="unitPrice" inputMode="decimal" placeholder="2.5" aria-invalid={pErrors.price ? true : undefined} />
            {priceError('price', chargeUnit)}
          </label>
        )}
        {model === 'graduated' && (
          <label>
            {t('billing.operator.tiers', { unit: unit(chargeUnit) })}
            <textarea
              name="tiers"
              rows={3}
              placeholder={'10000:4\n100000:3\n*:2'}
              aria-invalid={pErrors.price ? true : undefined}
            />
            {priceError('price', chargeUnit)}
          </label>
        )}
        {model === 'package' && (
          <>
            <label>
              {t('billing.operator.packageSize', { unit: unit(chargeUnit) })}
              <input name="packageSize" inputMode="numeric" placeholder="1000" />
            </label>
            <label>
              {t('billing.operator.packagePrice')}
              <input name="packagePrice" inputMode="decimal" placeholder="4000" aria-invalid={pErrors.price ? true : undefined} />
              {priceError('price', chargeUnit)}
            </label>
            <label>
              {t('billing.operator.freeUnits', { unit: unit(chargeUnit) })}
              <input name="freeUnits" inputMode="numeric" placeholder="0" />
            </label>
          </>
        )}
        {model === 'fixed_fee' && (
          <label>
            {t('billing.operator.fixedAmount', { unit: unit(chargeUnit) })}
            <input name="fixedAmount" inputMode="decimal" placeholder="50000" aria-invalid={pErrors.price ? true : undefined} />
            {priceError('price', chargeUnit)}
          </label>
        )}
        <label>
          {t('billing.operator.baseFee')}
          <input name="baseFee" inputMode="decimal" placeholder="50000" aria-invalid={pErrors.baseFee ? true : undefined} />
          {priceError('baseFee', 'service_month')}
        </label>
        <label className="billing-check">
          <input type="checkbox" name="isTrial" /> {t('billing.operator.isTrial')}
        </label>
        <label>
          {t('billing.operator.note')}
          <textarea name="note" rows={2} maxLength={500} />
          {pErrors.note && <span className="field-error">{errorText(pErrors.note)}</span>}
        </label>
        <button type="submit" className="primary" disabled={busy} data-testid="propose">
          {t('billing.operator.submitProposal')}
        </button>
      </Form>

      <h2>{t('billing.operator.proposals')}</h2>
      <table data-testid="proposals-table">
        <thead>
          <tr>
            <th>{t('col.product')}</th>
            <th>{t('billing.col.version')}</th>
            <th>{t('billing.col.prices')}</th>
            <th>{t('billing.effectiveFrom')}</th>
            <th>{t('col.status')}</th>
            <th>{t('billing.bureau.comment')}</th>
          </tr>
        </thead>
        <tbody>
          {books.map((b) => (
            <tr key={b.id} data-testid={`book-${b.productCode}-v${b.version}`}>
              <td>
                <code>{b.productCode}</code>
              </td>
              <td>
                v{b.version}
                {b.isTrial && <span className="badge"> {t('billing.trial')}</span>}
              </td>
              <td>
                {b.charges.map((c) => (
                  <div key={c.chargeUnit}>
                    {t(`billing.charge.${c.chargeUnit}`)}：{describe(c.chargeUnit, c.charge)}
                  </div>
                ))}
              </td>
              <td>{formatTime(b.effectiveFrom, lang)}</td>
              <td>
                <span
                  className={`badge ${b.state === 'approved' ? 'ok' : b.state === 'returned' ? 'bad' : ''}`}
                  data-testid="book-state"
                >
                  {t(`billing.bookState.${b.state}`)}
                </span>
              </td>
              <td>{b.reviewComment ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>{t('billing.operator.costs')}</h2>
      <p className="muted">{t('billing.operator.costsHint')}</p>
      {data?.intent === 'cost' && data.formError && (
        <p className="form-error" role="alert">
          {errorText(data.formError)}
        </p>
      )}
      <Form method="post" className="stack" noValidate data-testid="cost-form">
        <input type="hidden" name="intent" value="cost" />
        <label>
          {t('billing.col.period')}
          <input name="period" type="month" defaultValue={lastPeriod} aria-invalid={costErrors.period ? true : undefined} />
          {costErrors.period && <span className="field-error">{errorText(costErrors.period)}</span>}
        </label>
        <label>
          {t('billing.col.category')}
          <select name="category">
            {COST_CATEGORIES.map((c) => (
              <option key={c} value={c}>
                {t(`billing.cost.${c}`)}
              </option>
            ))}
          </select>
          {costErrors.category && <span className="field-error">{errorText(costErrors.category)}</span>}
        </label>
        <label>
          {t('billing.operator.gross')}
          <input name="gross" inputMode="decimal" placeholder="12000.00" aria-invalid={costErrors.gross ? true : undefined} />
          {costErrors.gross && (
            <span className="field-error" data-testid="gross-error">
              {errorText(costErrors.gross)}
            </span>
          )}
        </label>
        <label>
          {t('billing.operator.subsidy')}
          <input name="subsidy" inputMode="decimal" placeholder="0.00" aria-invalid={costErrors.subsidy ? true : undefined} />
          {costErrors.subsidy && (
            <span className="field-error" data-testid="subsidy-error">
              {errorText(costErrors.subsidy)}
            </span>
          )}
        </label>
        <label>
          {t('billing.operator.note')}
          <input name="note" maxLength={200} />
        </label>
        <button type="submit" className="primary" disabled={busy}>
          {t('billing.operator.recordCost')}
        </button>
      </Form>

      <h3>{t('billing.operator.unitCosts', { periods: basis.periods.join('、') })}</h3>
      <table data-testid="unit-costs">
        <thead>
          <tr>
            <th>{t('billing.col.charge')}</th>
            <th className="num">{t('billing.col.volume')}</th>
            <th className="num">{t('billing.col.unitCost')}</th>
          </tr>
        </thead>
        <tbody>
          {(
            [
              ['call', basis.volumes.calls],
              ['record', basis.volumes.records],
              ['masked_field', basis.volumes.fieldsMasked],
              ['mb_exported', basis.volumes.exportBytes / 1_000_000],
              ['model_release', basis.volumes.modelReleases],
            ] as const
          ).map(([u, volume]) => (
            <tr key={u}>
              <td>{t(`billing.charge.${u}`)}</td>
              <td className="num">
                {formatCount(volume, lang)} {unit(u)}
              </td>
              <td className="num">{basis.unitCosts[u] ? perUnit(basis.unitCosts[u]!, u) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h3>{t('billing.operator.costEntries')}</h3>
      <table data-testid="cost-entries">
        <thead>
          <tr>
            <th>{t('billing.col.period')}</th>
            <th>{t('billing.col.category')}</th>
            <th className="num">{t('billing.operator.gross')}</th>
            <th className="num">{t('billing.operator.subsidy')}</th>
            <th className="num">{t('billing.col.net')}</th>
            <th>{t('col.created')}</th>
          </tr>
        </thead>
        <tbody>
          {costs.map((c) => (
            <tr key={c.id} className={c.current ? undefined : 'muted'}>
              <td>{c.period}</td>
              <td>
                {t(`billing.cost.${c.category as (typeof COST_CATEGORIES)[number]}`)}
                {!c.current && <span className="badge"> {t('billing.superseded')}</span>}
              </td>
              <td className="num">{formatFen(c.grossFen)}</td>
              <td className="num">{formatFen(c.subsidyFen)}</td>
              <td className="num">{formatFen(c.netFen)}</td>
              <td>
                {c.recordedBy ?? '—'} · {formatTime(c.createdAt, lang)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  )
}
