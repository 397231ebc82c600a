import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { Form } from '#app/components/form.tsx'
import { useState } from 'react'
import type { ChargeUnit } from '#db/schema/billing.ts'
import {
  costBasisPeriods,
  deriveUnitCosts,
  formatDay,
  listCostEntries,
  listPriceBooks,
  listPricesInForce,
  proposePriceBookFromForm,
  recordCostEntryFromForm,
} from '#app/domain.server.ts'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { usePriceText } from '#app/components/billing-invoice.tsx'
import { BookStateBadge, BookVersion, ChargeLines, ChargeUnitOptions, ProductOptions } from '#app/components/price-book.tsx'
import { failedForm, formError, type FormReply } from '#app/forms/action-reply.server.ts'
import { Field, FormError, replyFor } from '#app/forms/field.tsx'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatCount, formatFen, formatTime } from '#app/lib/format.ts'
import { requireActor, requireUser } from '#app/session.server.ts'
import { readForm } from '#app/lib/read-form.server.ts'
import { proposalYuanToFen } from '#app/lib/money-form.server.ts'

import type { CostCategory, CostSupply } from '#db/schema/index.ts'

export { GeneralErrorBoundary as ErrorBoundary }

const COST_CATEGORIES = [
  'compute',
  'storage',
  'bandwidth',
  'desensitization',
  'model_release',
  'result_export',
  'staff',
  'platform_construction',
  'operations_maintenance',
] as const satisfies readonly CostCategory[]
const COST_SUPPLIES = ['shared', 'industrial', 'public_interest'] as const satisfies readonly CostSupply[]
const MODELS = ['standard', 'graduated', 'package', 'fixed_fee'] as const

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
    today: formatDay(now),
    lastPeriod: costBasisPeriods(now)[2]!,
    prices,
    books,
    costs,
    basis,
  }
}

// The page's two forms, told apart by their `intent`, which is also the target of their replies.
const PROPOSE = 'propose'
const COST = 'cost'

// The forms are read and checked in billing/ (parse-price-proposal, record-cost-entry-from-form): the route reads
// the posted fields, calls one operation and answers.
export async function action({ request, context }: ActionFunctionArgs) {
  const { actor } = await requireActor(request, context, ['operator'])
  const form = Object.fromEntries(await readForm(request, context))
  const { db, requestId } = context.platform
  if (form.intent === COST) {
    const result = await recordCostEntryFromForm(db, { form, actor, requestId })
    if (!result.ok) return failedForm(result.error, { target: COST })
    return redirect('/operator/pricing?cost=recorded')
  }
  if (form.intent !== PROPOSE) return formError('invalid')
  // Prices are typed in yuan (ADR 0048); billing reads fen per unit.
  const inFen = proposalYuanToFen(form)
  if (!inFen.ok) return failedForm(inFen.error, { target: PROPOSE })
  const result = await proposePriceBookFromForm(db, { form: inFen.value, actor, requestId })
  if (!result.ok) return failedForm(result.error, { target: PROPOSE })
  return redirect(`/operator/pricing?proposed=${result.value.version}`)
}

export default function OperatorPricing() {
  const { prices, books, costs, basis, today, lastPeriod } = useLoaderData<typeof loader>()
  const data = useActionData<FormReply>()
  const [params] = useSearchParams()
  const t = useT()
  const lang = useLang()
  const busy = useNavigation().state !== 'idle'
  const { describe, perUnit, unit } = usePriceText()
  const [model, setModel] = useState<(typeof MODELS)[number]>('standard')
  const [chargeUnit, setChargeUnit] = useState<ChargeUnit>('call')
  const cost = replyFor(data, COST)
  const proposal = replyFor(data, PROPOSE)
  const pErrors = proposal?.fields ?? {}
  // A price above the ceiling names the ceiling (fen per unit) beside the input it concerns: `<input>.ceiling`.
  const ceilingVars = (field: 'price' | 'baseFee', u: ChargeUnit) => {
    const ceiling = pErrors[`${field}.ceiling`]
    return { ceiling: ceiling ? perUnit(ceiling, u) : '' }
  }
  const priceField = (label: string, input: JSX.Element) => (
    <Field label={label} error={pErrors.price} area="billing" vars={ceilingVars('price', chargeUnit)} errorTestId="price-error">
      {input}
    </Field>
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
                  <code>{p.productCode}</code> {p.priceBook && <BookVersion book={p.priceBook} />}
                </td>
                <td>{t(`billing.charge.${c.chargeUnit}`)}</td>
                <td>{c.ceiling ? perUnit(c.ceiling.maxUnitPrice, c.chargeUnit) : t('billing.fees.noCeiling')}</td>
                <td>
                  {c.price ? describe(c.chargeUnit, c.price) : t('billing.fees.noPrice')}
                  {c.reapproval && (
                    <span className="badge warn" data-testid="reapproval-due">
                      {' '}
                      {t('billing.reapproval.due', {
                        ceiling: perUnit(c.reapproval.ceiling, c.chargeUnit),
                        from: formatTime(c.reapproval.effectiveFrom, lang).slice(0, 10),
                      })}
                    </span>
                  )}
                </td>
              </tr>
            )),
          )}
        </tbody>
      </table>

      <h2>{t('billing.operator.propose')}</h2>
      <p className="muted">{t('billing.operator.proposeHint')}</p>
      <FormError code={proposal?.formError} area="billing" />
      <Form method="post" className="stack" noValidate data-testid="proposal-form">
        <input type="hidden" name="intent" value="propose" />
        <Field label={t('col.product')} error={pErrors.productId} area="billing">
          <select name="productId">
            <ProductOptions
              products={prices.map((p) => ({ id: p.productId, code: p.productCode, nameZh: p.nameZh, nameEn: p.nameEn }))}
            />
          </select>
        </Field>
        <Field label={t('billing.effectiveFrom')} error={pErrors.effectiveFrom} area="billing">
          <input name="effectiveFrom" type="date" defaultValue={today} min={today} />
        </Field>
        <Field label={t('billing.col.charge')} error={pErrors.chargeUnit} area="billing">
          <select name="chargeUnit" value={chargeUnit} onChange={(e) => setChargeUnit(e.target.value as ChargeUnit)}>
            <ChargeUnitOptions />
          </select>
        </Field>
        <Field label={t('billing.col.model')} error={pErrors.model} area="billing">
          <select name="model" value={model} onChange={(e) => setModel(e.target.value as (typeof MODELS)[number])}>
            {MODELS.map((m) => (
              <option key={m} value={m}>
                {t(`billing.model.${m}`)}
              </option>
            ))}
          </select>
        </Field>
        {model === 'standard' &&
          priceField(
            t('billing.operator.unitPrice', { unit: unit(chargeUnit) }),
            <input name="unitPrice" inputMode="decimal" placeholder="0.025" />,
          )}
        {model === 'graduated' &&
          priceField(
            t('billing.operator.tiers', { unit: unit(chargeUnit) }),
            <textarea name="tiers" rows={3} placeholder={'10000:0.04\n100000:0.03\n*:0.02'} />,
          )}
        {model === 'package' && (
          <>
            <label>
              {t('billing.operator.packageSize', { unit: unit(chargeUnit) })}
              <input name="packageSize" inputMode="numeric" placeholder="1000" />
            </label>
            {priceField(
              t('billing.operator.packagePrice'),
              <input name="packagePrice" inputMode="decimal" placeholder="40.00" />,
            )}
            <label>
              {t('billing.operator.freeUnits', { unit: unit(chargeUnit) })}
              <input name="freeUnits" inputMode="numeric" placeholder="0" />
            </label>
          </>
        )}
        {model === 'fixed_fee' &&
          priceField(
            t('billing.operator.fixedAmount', { unit: unit(chargeUnit) }),
            <input name="fixedAmount" inputMode="decimal" placeholder="500.00" />,
          )}
        <Field
          label={t('billing.operator.baseFee')}
          error={pErrors.baseFee}
          area="billing"
          vars={ceilingVars('baseFee', 'service_month')}
          errorTestId="baseFee-error"
        >
          <input name="baseFee" inputMode="decimal" placeholder="500.00" />
        </Field>
        <label className="billing-check">
          <input type="checkbox" name="isTrial" /> {t('billing.operator.isTrial')}
        </label>
        <Field label={t('billing.operator.note')} error={pErrors.note} area="billing">
          <textarea name="note" rows={2} maxLength={500} />
        </Field>
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
                <BookVersion book={b} />
              </td>
              <td>
                <ChargeLines charges={b.charges} />
              </td>
              <td>{formatTime(b.effectiveFrom, lang)}</td>
              <td>
                <BookStateBadge state={b.state} testId="book-state" />
              </td>
              <td>{b.reviewComment ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>{t('billing.operator.costs')}</h2>
      <p className="muted">{t('billing.operator.costsHint')}</p>
      <FormError code={cost?.formError} area="billing" />
      <Form method="post" className="stack" noValidate data-testid="cost-form">
        <input type="hidden" name="intent" value="cost" />
        <Field label={t('billing.col.period')} error={cost?.fields.period} area="billing">
          <input name="period" type="month" defaultValue={lastPeriod} />
        </Field>
        <Field label={t('billing.col.category')} error={cost?.fields.category} area="billing">
          <select name="category">
            {COST_CATEGORIES.map((c) => (
              <option key={c} value={c}>
                {t(`billing.cost.${c}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('billing.cost.supply')} hint={t('billing.cost.supplyHint')} error={cost?.fields.supply} area="billing">
          <select name="supply" defaultValue="shared">
            {COST_SUPPLIES.map((c) => (
              <option key={c} value={c}>
                {t(`billing.supply.${c}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field
          label={t('billing.cost.years')}
          hint={t('billing.cost.yearsHint')}
          error={cost?.fields.years}
          area="billing"
          errorTestId="years-error"
        >
          <input name="years" inputMode="numeric" maxLength={3} placeholder="5" />
        </Field>
        <Field label={t('billing.operator.gross')} error={cost?.fields.gross} area="billing" errorTestId="gross-error">
          <input name="gross" inputMode="decimal" placeholder="12000.00" />
        </Field>
        <Field label={t('billing.operator.subsidy')} error={cost?.fields.subsidy} area="billing" errorTestId="subsidy-error">
          <input name="subsidy" inputMode="decimal" placeholder="0.00" />
        </Field>
        <Field label={t('billing.operator.note')} error={cost?.fields.note} area="billing">
          <input name="note" maxLength={200} />
        </Field>
        <button type="submit" className="primary" disabled={busy}>
          {t('billing.operator.recordCost')}
        </button>
      </Form>

      <h3>{t('billing.operator.unitCosts', { periods: basis.periods.join(t('common.enumeration')) })}</h3>
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
            <th>{t('billing.cost.supply')}</th>
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
                {c.amortizationYears !== null && (
                  <span className="muted"> · {t('billing.cost.amortizedOver', { years: c.amortizationYears })}</span>
                )}
                {!c.current && <span className="badge"> {t('billing.superseded')}</span>}
              </td>
              <td>{t(`billing.supply.${c.supply as (typeof COST_SUPPLIES)[number]}`)}</td>
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
