import { RevenueCapTable } from '#app/components/revenue-cap-table.tsx'
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { Form } from '#app/components/form.tsx'
import { z } from 'zod'
import {
  decidePriceBook,
  formatDay,
  getRevenueCap,
  listPriceBooks,
  listPriceCeilings,
  listPricesInForce,
  parsePriceCeiling,
  setPriceCeiling,
  setRevenueCapSetting,
} from '#app/domain.server.ts'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { usePriceText } from '#app/components/billing-invoice.tsx'
import { BookStateBadge, BookVersion, ChargeLines, ChargeUnitOptions, ProductOptions } from '#app/components/price-book.tsx'
import { failedForm, formError, invalidForm, type FormReply } from '#app/forms/action-reply.server.ts'
import { Field, FormError, replyFor } from '#app/forms/field.tsx'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatFen, formatTime } from '#app/lib/format.ts'
import { requireActor, requireStepUp, requireUser } from '#app/session.server.ts'
import { readForm } from '#app/lib/read-form.server.ts'
import { ceilingYuanToFen } from '#app/lib/money-form.server.ts'
import type { ChargeUnit } from '#db/schema/billing.ts'

export { GeneralErrorBoundary as ErrorBoundary }

/** A ceiling is flagged this long before its re-evaluation date (the reminder's window, ADR 0036). */
const REEVALUATION_WINDOW_MS = 30 * 86_400_000

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, context, ['bureau'])
  const { db } = context.platform
  const now = Date.now()
  const [ceilings, products, pending, decided, cap] = await Promise.all([
    listPriceCeilings(db, { at: now }),
    listPricesInForce(db, { at: now }),
    listPriceBooks(db, { states: ['pending_review'] }),
    listPriceBooks(db, { states: ['approved', 'returned'], limit: 50 }),
    getRevenueCap(db, { now }),
  ])
  return {
    today: formatDay(now),
    now,
    ceilings: ceilings.map((c) => ({ ...c, reevaluateOn: c.reevaluateBy ? formatDay(c.reevaluateBy) : null })),
    products: products.map((p) => ({ id: p.productId, code: p.productCode, nameZh: p.nameZh, nameEn: p.nameEn })),
    pending,
    decided,
    cap,
  }
}

// The page's forms, told apart by their `intent`; a decision's reply is targeted at its price book.
const CEILING = 'ceiling'
const REVENUE_CAP = 'revenue_cap'

// A decision is read here; whether a return has its comment (and how long it may be) is decidePriceBook's rule.
const decideSchema = z.object({
  intent: z.literal('decide'),
  priceBookId: z.string().min(1, 'required'),
  decision: z.enum(['approve', 'return'], { errorMap: () => ({ message: 'required' }) }),
  comment: z.string().optional(),
})

const revenueCapSchema = z.object({
  intent: z.literal('revenue_cap'),
  year: z.coerce.number().int().min(2020, 'invalid').max(2100, 'invalid'),
  profitRate: z.string().trim().min(1, 'required'),
  taxRate: z.string().trim().min(1, 'required'),
  note: z.string().trim().max(500).default(''),
})

export async function action({ request, context }: ActionFunctionArgs) {
  const { user, actor } = await requireActor(request, context, ['bureau'])
  const form = Object.fromEntries(await readForm(request, context))
  const { db, requestId } = context.platform
  if (form.intent === REVENUE_CAP) {
    // Maximum allowed revenue (65号): the year's allowed profit rate and tax rate.
    const parsed = revenueCapSchema.safeParse(form)
    if (!parsed.success) return invalidForm(parsed.error, { target: REVENUE_CAP })
    const { year, profitRate, taxRate, note } = parsed.data
    const result = await setRevenueCapSetting(db, { input: { year, profitRate, taxRate, note }, actor, requestId })
    if (!result.ok) return failedForm(result.error, { target: REVENUE_CAP })
    return redirect(`/bureau/pricing?cap=${year}`)
  }
  if (form.intent === 'decide') {
    const target = typeof form.priceBookId === 'string' ? form.priceBookId : null
    const parsed = decideSchema.safeParse(form)
    if (!parsed.success) return invalidForm(parsed.error, { target })
    const { priceBookId, decision, comment } = parsed.data
    // Step-up (ADR 0020): approving a price wants a code checked within 5 minutes.
    if (decision === 'approve') requireStepUp(request, user)
    const result = await decidePriceBook(db, { priceBookId, decision, comment, actor, requestId })
    if (!result.ok) return failedForm(result.error, { target })
    return redirect(`/bureau/pricing?decided=${decision}`)
  }
  if (form.intent !== CEILING) return formError('invalid')
  // The ceiling is typed in yuan per unit (ADR 0048) and read and checked in billing/ (parse-price-ceiling) in fen.
  const inFen = ceilingYuanToFen(form)
  if (!inFen.ok) return failedForm(inFen.error, { target: CEILING })
  const input = parsePriceCeiling(inFen.value)
  if (!input.ok) return failedForm(input.error, { target: CEILING })
  requireStepUp(request, user)
  const confirmBelowApproved = form.confirmBelowApproved === 'yes'
  const result = await setPriceCeiling(db, { input: { ...input.value, confirmBelowApproved }, actor, requestId })
  // Below an approved price: not silent. The form lists the prices and asks to confirm (the same form, resubmitted).
  if (!result.ok && result.affected)
    return Response.json(
      {
        target: CEILING,
        fields: { maxUnitPrice: 'below_approved_price' },
        formError: result.error.code,
        ceilingWarning: {
          ceiling: input.value.maxUnitPrice,
          affected: result.affected.map((a) => ({ ...a, from: formatDay(a.inForceFrom) })),
        },
      } satisfies CeilingReply,
      { status: 409 },
    )
  if (!result.ok) return failedForm(result.error, { target: CEILING })
  const flagged = result.value.affected.length
  return redirect(`/bureau/pricing?ceiling=set${flagged ? `&flagged=${flagged}` : ''}`)
}

/** The ceiling form's reply when the new ceiling is below approved prices. */
interface CeilingReply extends FormReply {
  ceilingWarning?: {
    ceiling: string
    affected: {
      priceBookId: string
      productId: string
      productCode: string
      version: number
      from: string
      chargeUnit: ChargeUnit
      maxUnitPrice: string
    }[]
  }
}

export default function BureauPricing() {
  const { ceilings, products, pending, decided, today, now, cap } = useLoaderData<typeof loader>()
  const data = useActionData<CeilingReply>()
  const [params] = useSearchParams()
  const t = useT()
  const lang = useLang()
  const busy = useNavigation().state !== 'idle'
  const { describe, perUnit } = usePriceText()
  const ceilingFailure = replyFor(data, CEILING)
  const capFailure = replyFor(data, REVENUE_CAP)
  const current = ceilings.filter((c) => c.status !== 'superseded')
  const superseded = ceilings.filter((c) => c.status === 'superseded')
  return (
    <>
      <h1>{t('billing.bureau.title')}</h1>
      <p className="lead">{t('billing.bureau.intro')}</p>
      {params.get('ceiling') === 'set' && !data && (
        <p className="notice" role="status" data-testid="ceiling-set">
          {t('billing.bureau.ceilingSet')}
          {params.get('flagged') && <> {t('billing.ceilingWarn.flagged', { count: params.get('flagged') ?? '' })}</>}
        </p>
      )}
      {(params.get('decided') === 'approve' || params.get('decided') === 'return') && !data && (
        <p className="notice" role="status" data-testid="decided">
          {t(params.get('decided') === 'approve' ? 'billing.bureau.approved' : 'billing.bureau.returned')}
        </p>
      )}

      <h2>{t('billing.bureau.queue')}</h2>
      {pending.length === 0 && <p className="muted">{t('billing.bureau.queueEmpty')}</p>}
      {pending.map((book) => {
        const failure = replyFor(data, book.id)
        const basis = book.costBasis
        return (
          <div className="panel" key={book.id} data-testid={`proposal-${book.productCode}-v${book.version}`}>
            <p>
              <strong>{lang === 'zh' ? book.productNameZh : book.productNameEn}</strong> <code>{book.productCode}</code> · v
              {book.version} · {t('billing.effectiveFrom')} {formatTime(book.effectiveFrom, lang)}
              {book.isTrial && <span className="badge"> {t('billing.trial')}</span>} ·{' '}
              {t('billing.proposedBy', { who: book.proposedBy ?? '—' })}
            </p>
            {book.note && <p className="muted">{book.note}</p>}
            <table>
              <thead>
                <tr>
                  <th>{t('billing.col.charge')}</th>
                  <th>{t('billing.col.proposedPrice')}</th>
                  <th>{t('billing.col.ceiling')}</th>
                  <th>{t('billing.col.unitCost')}</th>
                </tr>
              </thead>
              <tbody>
                {book.charges.map((c) => {
                  const unitCost =
                    basis && c.chargeUnit in basis.unitCosts
                      ? basis.unitCosts[c.chargeUnit as keyof typeof basis.unitCosts]
                      : null
                  return (
                    <tr key={c.chargeUnit}>
                      <td>
                        {t(`billing.charge.${c.chargeUnit}`)} · {t(`billing.model.${c.model}`)}
                      </td>
                      <td>{describe(c.chargeUnit, c.charge)}</td>
                      <td data-testid="proposal-ceiling">
                        {c.ceiling ? perUnit(c.ceiling, c.chargeUnit) : t('billing.fees.noCeiling')}{' '}
                        <span className={`badge ${c.aboveCeiling ? 'bad' : 'ok'}`}>
                          {t(c.aboveCeiling ? 'billing.aboveCeiling' : 'billing.withinCeiling')}
                        </span>
                      </td>
                      <td data-testid="proposal-cost">{unitCost ? perUnit(unitCost, c.chargeUnit) : '—'}</td>
                    </tr>
                  )
                })}
              </tbody>
            </table>
            {basis && (
              <p className="muted" data-testid="cost-basis">
                {t('billing.bureau.costBasis', {
                  periods: basis.periods.join(t('common.enumeration')),
                  cost: formatFen(Object.values(basis.costs).reduce((s, v) => s + v, 0)),
                  calls: basis.volumes.calls.toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-US'),
                })}
              </p>
            )}
            <FormError code={failure?.formError} area="billing" />
            <Form method="post" className="stack" noValidate>
              <input type="hidden" name="intent" value="decide" />
              <input type="hidden" name="priceBookId" value={book.id} />
              <Field
                label={t('billing.bureau.comment')}
                error={failure?.fields.comment}
                area="billing"
                errorTestId="comment-error"
              >
                <textarea name="comment" rows={2} maxLength={500} />
              </Field>
              <div>
                <button type="submit" name="decision" value="approve" className="primary" disabled={busy} data-testid="approve">
                  {t('billing.bureau.approve')}
                </button>{' '}
                <button type="submit" name="decision" value="return" disabled={busy} data-testid="return">
                  {t('billing.bureau.return')}
                </button>
              </div>
            </Form>
          </div>
        )
      })}

      <h2>{t('billing.bureau.ceilings')}</h2>
      <table data-testid="ceilings-table">
        <thead>
          <tr>
            <th>{t('col.product')}</th>
            <th>{t('billing.col.charge')}</th>
            <th>{t('billing.col.ceiling')}</th>
            <th>{t('billing.effectiveFrom')}</th>
            <th>{t('billing.col.basis')}</th>
            <th>{t('billing.ceiling.reevaluateBy')}</th>
            <th>{t('col.status')}</th>
          </tr>
        </thead>
        <tbody>
          {current.length === 0 && (
            <tr>
              <td colSpan={7} className="muted">
                {t('billing.bureau.noCeilings')}
              </td>
            </tr>
          )}
          {[...current, ...superseded].map((c) => (
            <tr key={c.id} className={c.status === 'superseded' ? 'muted' : undefined}>
              <td>
                {lang === 'zh' ? c.productNameZh : c.productNameEn} <code>{c.productCode}</code>
              </td>
              <td>{t(`billing.charge.${c.chargeUnit}`)}</td>
              <td>{perUnit(c.maxUnitPrice, c.chargeUnit)}</td>
              <td>{formatTime(c.effectiveFrom, lang)}</td>
              <td>{c.basis || '—'}</td>
              <td data-testid="ceiling-reevaluate">
                {c.reevaluateOn ?? '—'}
                {c.status === 'in_force' && c.reevaluateBy !== null && c.reevaluateBy <= now + REEVALUATION_WINDOW_MS && (
                  <span className={`badge ${c.reevaluateBy <= now ? 'bad' : 'warn'}`}>
                    {' '}
                    {t(c.reevaluateBy <= now ? 'billing.ceiling.reevaluationDue' : 'billing.ceiling.reevaluationSoon')}
                  </span>
                )}
              </td>
              <td>
                <span className={`badge ${c.status === 'in_force' ? 'ok' : ''}`}>{t(`billing.ceilingStatus.${c.status}`)}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>{t('billing.bureau.setCeiling')}</h2>
      <FormError code={ceilingFailure?.formError} area="billing" />
      <Form method="post" className="stack" noValidate data-testid="ceiling-form">
        <input type="hidden" name="intent" value="ceiling" />
        <Field label={t('col.product')} error={ceilingFailure?.fields.productId} area="billing">
          <select name="productId">
            <ProductOptions products={products} />
          </select>
        </Field>
        <Field label={t('billing.col.charge')} error={ceilingFailure?.fields.chargeUnit} area="billing">
          <select name="chargeUnit">
            <ChargeUnitOptions />
          </select>
        </Field>
        <Field
          label={t('billing.bureau.maxUnitPrice')}
          error={ceilingFailure?.fields.maxUnitPrice}
          area="billing"
          errorTestId="max-price-error"
        >
          <input name="maxUnitPrice" inputMode="decimal" placeholder="0.05" />
        </Field>
        <Field label={t('billing.effectiveFrom')} error={ceilingFailure?.fields.effectiveFrom} area="billing">
          <input name="effectiveFrom" type="date" defaultValue={today} min={today} />
        </Field>
        <Field label={t('billing.col.basis')} error={ceilingFailure?.fields.basis} area="billing">
          <input name="basis" maxLength={200} placeholder="沈发改价格〔2026〕X号" />
        </Field>
        <Field
          label={t('billing.ceiling.reevaluateBy')}
          hint={t('billing.ceiling.reevaluateByHint')}
          error={ceilingFailure?.fields.reevaluateBy}
          area="billing"
        >
          <input name="reevaluateBy" type="date" min={today} />
        </Field>
        {ceilingFailure && data?.ceilingWarning && (
          <div className="notice warn" role="alert" data-testid="ceiling-warning">
            <strong>{t('billing.ceilingWarn.title')}</strong>
            <ul>
              {data.ceilingWarning.affected.map((a) => {
                const product = products.find((p) => p.id === a.productId)
                return (
                  <li key={`${a.priceBookId}-${a.chargeUnit}`} data-testid="ceiling-affected">
                    {t('billing.ceilingWarn.row', {
                      product: `${product ? (lang === 'zh' ? product.nameZh : product.nameEn) : ''} ${a.productCode}`.trim(),
                      version: a.version,
                      from: a.from,
                      price: perUnit(a.maxUnitPrice, a.chargeUnit),
                      ceiling: perUnit(data.ceilingWarning!.ceiling, a.chargeUnit),
                    })}
                  </li>
                )
              })}
            </ul>
            <button type="submit" name="confirmBelowApproved" value="yes" disabled={busy} data-testid="confirm-ceiling">
              {t('billing.ceilingWarn.confirm')}
            </button>
          </div>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {t('billing.bureau.setCeiling')}
        </button>
      </Form>

      <h2>{t('billing.bureau.history')}</h2>
      <table data-testid="history-table">
        <thead>
          <tr>
            <th>{t('col.product')}</th>
            <th>{t('billing.col.version')}</th>
            <th>{t('col.status')}</th>
            <th>{t('billing.col.prices')}</th>
            <th>{t('billing.inForceFrom')}</th>
            <th>{t('billing.decidedBy')}</th>
            <th>{t('billing.bureau.comment')}</th>
          </tr>
        </thead>
        <tbody>
          {decided.map((b) => (
            <tr key={b.id}>
              <td>
                <code>{b.productCode}</code>
              </td>
              <td>
                <BookVersion book={b} />
              </td>
              <td>
                <BookStateBadge state={b.state} />
              </td>
              <td>
                <ChargeLines charges={b.charges} />
              </td>
              <td>{formatTime(b.inForceFrom, lang)}</td>
              <td>
                {b.decidedBy ?? '—'} · {formatTime(b.decidedAt, lang)}
              </td>
              <td>{b.reviewComment ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <section className="panel" data-testid="revenue-cap">
        <h2>{t('billing.cap.title')}</h2>
        <p className="muted">{t('billing.cap.intro')}</p>
        {params.get('cap') && (
          <p className="notice" role="status">
            {t('billing.cap.saved', { year: params.get('cap') ?? '' })}
          </p>
        )}
        <RevenueCapTable years={cap} />
        <Form method="post" className="stack" noValidate data-testid="cap-form">
          <input type="hidden" name="intent" value="revenue_cap" />
          <FormError code={capFailure?.formError} area="billing" />
          <Field label={t('billing.cap.year')} error={capFailure?.fields.year} area="billing">
            <input name="year" type="number" defaultValue={today.slice(0, 4)} />
          </Field>
          <Field
            label={t('billing.cap.profitRate')}
            error={capFailure?.fields.profitRate}
            hint={t('billing.cap.profitRateHint')}
            area="billing"
          >
            <input name="profitRate" inputMode="decimal" placeholder="0.0785" />
          </Field>
          <Field label={t('billing.cap.taxRate')} error={capFailure?.fields.taxRate} area="billing">
            <input name="taxRate" inputMode="decimal" defaultValue="0" />
          </Field>
          <button type="submit" className="primary" disabled={busy}>
            {t('billing.cap.set')}
          </button>
        </Form>
      </section>
    </>
  )
}
