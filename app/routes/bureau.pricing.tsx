import { RevenueCapTable } from '#app/components/revenue-cap-table.tsx'
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { Form } from '#app/components/form.tsx'
import { z } from 'zod'
import type { ChargeUnit } from '#db/schema/billing.ts'
import {
  decidePriceBook,
  getRevenueCap,
  setRevenueCapSetting,
  listPriceBooks,
  listPriceCeilings,
  listPricesInForce,
  setPriceCeiling,
  shanghaiDay,
  shanghaiDayStart,
} from '#app/domain.server.ts'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { usePriceText } from '#app/components/billing-invoice.tsx'
import { messages, type MessageKey } from '#app/i18n/messages.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatFen, formatTime } from '#app/lib/format.ts'
import { requireStepUp, requireUser } from '#app/session.server.ts'
import { readForm } from '#app/lib/read-form.server.ts'
import { userActor } from '#platform/identity/permissions.ts'

export { GeneralErrorBoundary as ErrorBoundary }

const CHARGE_UNITS = ['call', 'record', 'masked_field', 'mb_exported', 'model_release', 'service_month', 'service_year'] as const

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
    today: shanghaiDay(now),
    ceilings,
    products: products.map((p) => ({ id: p.productId, code: p.productCode, nameZh: p.nameZh, nameEn: p.nameEn })),
    pending,
    decided,
    cap,
  }
}

const ceilingSchema = z.object({
  intent: z.literal('ceiling'),
  productId: z.string().min(1, 'required'),
  chargeUnit: z.enum(CHARGE_UNITS, { errorMap: () => ({ message: 'required' }) }),
  maxUnitPrice: z
    .string()
    .trim()
    .regex(/^(0|[1-9]\d{0,12})(\.\d{1,6})?$/, 'decimal'),
  effectiveFrom: z
    .string()
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'invalid_date'),
  basis: z.string().trim().max(200, 'too_long').optional(),
})

const decideSchema = z
  .object({
    intent: z.literal('decide'),
    priceBookId: z.string().min(1, 'required'),
    decision: z.enum(['approve', 'return'], { errorMap: () => ({ message: 'required' }) }),
    comment: z.string().trim().max(500, 'too_long').optional(),
  })
  .superRefine((v, ctx) => {
    if (v.decision === 'return' && !v.comment)
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['comment'], message: 'required' })
  })

const revenueCapSchema = z.object({
  intent: z.literal('revenue_cap'),
  year: z.coerce.number().int().min(2020, 'invalid').max(2100, 'invalid'),
  profitRate: z.string().trim().min(1, 'required'),
  taxRate: z.string().trim().min(1, 'required'),
  note: z.string().trim().max(500).default(''),
})

interface ActionData {
  intent: 'ceiling' | 'decide' | 'revenue_cap'
  target: string | null
  fields: Record<string, string>
  formError: string | null
}

function fieldsOf(error: z.ZodError): Record<string, string> {
  const fields: Record<string, string> = {}
  for (const issue of error.issues) fields[String(issue.path[0])] = /^[a-z_]+$/.test(issue.message) ? issue.message : 'invalid'
  return fields
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context, ['bureau'])
  const actor = userActor(user)
  const form = Object.fromEntries(await readForm(request, context))
  if (form.intent === 'revenue_cap') {
    // Maximum allowed revenue (65号): the year's allowed profit rate and tax rate.
    const parsed = revenueCapSchema.safeParse(form)
    if (!parsed.success)
      return Response.json(
        { intent: 'revenue_cap', target: null, fields: fieldsOf(parsed.error), formError: null } satisfies ActionData,
        {
          status: 400,
        },
      )
    const result = await setRevenueCapSetting(context.platform.db, {
      input: { year: parsed.data.year, profitRate: parsed.data.profitRate, taxRate: parsed.data.taxRate, note: parsed.data.note },
      actor,
      requestId: context.platform.requestId,
    })
    if (!result.ok)
      return Response.json(
        {
          intent: 'revenue_cap',
          target: null,
          fields: result.error.fields ?? {},
          formError: result.error.fields ? null : result.error.code,
        } satisfies ActionData,
        { status: 400 },
      )
    return redirect(`/bureau/pricing?cap=${parsed.data.year}`)
  }
  if (form.intent === 'decide') {
    const target = typeof form.priceBookId === 'string' ? form.priceBookId : null
    const parsed = decideSchema.safeParse(form)
    if (!parsed.success)
      return Response.json({ intent: 'decide', target, fields: fieldsOf(parsed.error), formError: null } satisfies ActionData, {
        status: 400,
      })
    // Step-up (issue 9): approving a price wants a code checked within 5 minutes.
    if (parsed.data.decision === 'approve') requireStepUp(request, user)
    const result = await decidePriceBook(context.platform.db, {
      priceBookId: parsed.data.priceBookId,
      decision: parsed.data.decision,
      comment: parsed.data.comment,
      actor,
      requestId: context.platform.requestId,
    })
    if (!result.ok) {
      if (result.error.code === 'price_book_not_found') throw new Response('Not found', { status: 404 })
      return Response.json({ intent: 'decide', target, fields: {}, formError: result.error.code } satisfies ActionData, {
        status: 400,
      })
    }
    return redirect(`/bureau/pricing?decided=${parsed.data.decision}`)
  }
  const parsed = ceilingSchema.safeParse(form)
  if (!parsed.success)
    return Response.json(
      { intent: 'ceiling', target: null, fields: fieldsOf(parsed.error), formError: null } satisfies ActionData,
      { status: 400 },
    )
  const effectiveFrom = shanghaiDayStart(parsed.data.effectiveFrom)
  if (effectiveFrom === null) {
    return Response.json(
      { intent: 'ceiling', target: null, fields: { effectiveFrom: 'invalid_date' }, formError: null } satisfies ActionData,
      { status: 400 },
    )
  }
  requireStepUp(request, user)
  const result = await setPriceCeiling(context.platform.db, {
    input: {
      productId: parsed.data.productId,
      chargeUnit: parsed.data.chargeUnit,
      maxUnitPrice: parsed.data.maxUnitPrice,
      effectiveFrom,
      basis: parsed.data.basis,
    },
    actor,
    requestId: context.platform.requestId,
  })
  if (!result.ok) {
    return Response.json(
      {
        intent: 'ceiling',
        target: null,
        fields: result.error.fields ?? {},
        formError: result.error.fields ? null : result.error.code,
      } satisfies ActionData,
      { status: 400 },
    )
  }
  return redirect('/bureau/pricing?ceiling=set')
}

export default function BureauPricing() {
  const { ceilings, products, pending, decided, today, cap } = useLoaderData<typeof loader>()
  const data = useActionData<ActionData>()
  const [params] = useSearchParams()
  const t = useT()
  const lang = useLang()
  const busy = useNavigation().state !== 'idle'
  const { describe, perUnit } = usePriceText()
  const errorText = (code: string) => {
    const key = `billing.error.${code}`
    return key in messages.zh ? t(key as MessageKey) : t('billing.error.generic', { code })
  }
  const ceilingErrors = data?.intent === 'ceiling' ? data.fields : {}
  const capErrors = data?.intent === 'revenue_cap' ? data.fields : {}
  const current = ceilings.filter((c) => c.status !== 'superseded')
  const superseded = ceilings.filter((c) => c.status === 'superseded')
  return (
    <>
      <h1>{t('billing.bureau.title')}</h1>
      <p className="lead">{t('billing.bureau.intro')}</p>
      {params.get('ceiling') === 'set' && !data && (
        <p className="notice" role="status" data-testid="ceiling-set">
          {t('billing.bureau.ceilingSet')}
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
        const failure = data?.intent === 'decide' && data.target === book.id ? data : null
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
                  periods: basis.periods.join('、'),
                  cost: formatFen(Object.values(basis.costs).reduce((s, v) => s + v, 0)),
                  calls: basis.volumes.calls.toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-US'),
                })}
              </p>
            )}
            {failure?.formError && (
              <p className="form-error" role="alert">
                {errorText(failure.formError)}
              </p>
            )}
            <Form method="post" className="stack" noValidate>
              <input type="hidden" name="intent" value="decide" />
              <input type="hidden" name="priceBookId" value={book.id} />
              <label>
                {t('billing.bureau.comment')}
                <textarea name="comment" rows={2} maxLength={500} aria-invalid={failure?.fields.comment ? true : undefined} />
                {failure?.fields.comment && (
                  <span className="field-error" data-testid="comment-error">
                    {errorText(failure.fields.comment)}
                  </span>
                )}
              </label>
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
            <th>{t('col.status')}</th>
          </tr>
        </thead>
        <tbody>
          {current.length === 0 && (
            <tr>
              <td colSpan={6} className="muted">
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
              <td>
                <span className={`badge ${c.status === 'in_force' ? 'ok' : ''}`}>{t(`billing.ceilingStatus.${c.status}`)}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>{t('billing.bureau.setCeiling')}</h2>
      {data?.intent === 'ceiling' && data.formError && (
        <p className="form-error" role="alert">
          {errorText(data.formError)}
        </p>
      )}
      <Form method="post" className="stack" noValidate data-testid="ceiling-form">
        <input type="hidden" name="intent" value="ceiling" />
        <label>
          {t('col.product')}
          <select name="productId" aria-invalid={ceilingErrors.productId ? true : undefined}>
            {products.map((p) => (
              <option key={p.id} value={p.id}>
                {p.code} · {lang === 'zh' ? p.nameZh : p.nameEn}
              </option>
            ))}
          </select>
          {ceilingErrors.productId && <span className="field-error">{errorText(ceilingErrors.productId)}</span>}
        </label>
        <label>
          {t('billing.col.charge')}
          <select name="chargeUnit">
            {CHARGE_UNITS.map((u: ChargeUnit) => (
              <option key={u} value={u}>
                {t(`billing.charge.${u}`)}
              </option>
            ))}
          </select>
          {ceilingErrors.chargeUnit && <span className="field-error">{errorText(ceilingErrors.chargeUnit)}</span>}
        </label>
        <label>
          {t('billing.bureau.maxUnitPrice')}
          <input
            name="maxUnitPrice"
            inputMode="decimal"
            placeholder="5"
            aria-invalid={ceilingErrors.maxUnitPrice ? true : undefined}
          />
          {ceilingErrors.maxUnitPrice && (
            <span className="field-error" data-testid="max-price-error">
              {errorText(ceilingErrors.maxUnitPrice)}
            </span>
          )}
        </label>
        <label>
          {t('billing.effectiveFrom')}
          <input
            name="effectiveFrom"
            type="date"
            defaultValue={today}
            min={today}
            aria-invalid={ceilingErrors.effectiveFrom ? true : undefined}
          />
          {ceilingErrors.effectiveFrom && <span className="field-error">{errorText(ceilingErrors.effectiveFrom)}</span>}
        </label>
        <label>
          {t('billing.col.basis')}
          <input name="basis" maxLength={200} placeholder="沈发改价格〔2026〕X号" />
          {ceilingErrors.basis && <span className="field-error">{errorText(ceilingErrors.basis)}</span>}
        </label>
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
                v{b.version}
                {b.isTrial && <span className="badge"> {t('billing.trial')}</span>}
              </td>
              <td>
                <span className={`badge ${b.state === 'approved' ? 'ok' : 'bad'}`}>{t(`billing.bookState.${b.state}`)}</span>
              </td>
              <td>
                {b.charges.map((c) => (
                  <div key={c.chargeUnit}>
                    {t(`billing.charge.${c.chargeUnit}`)}：{describe(c.chargeUnit, c.charge)}
                  </div>
                ))}
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
          {data?.intent === 'revenue_cap' && data.formError && <p className="form-error">{errorText(data.formError)}</p>}
          <label>
            {t('billing.cap.year')}
            <input name="year" type="number" defaultValue={today.slice(0, 4)} aria-invalid={capErrors.year ? true : undefined} />
            {capErrors.year && <span className="field-error">{errorText(capErrors.year)}</span>}
          </label>
          <label>
            {t('billing.cap.profitRate')}
            <input
              name="profitRate"
              inputMode="decimal"
              placeholder="0.0785"
              aria-invalid={capErrors.profitRate ? true : undefined}
            />
            <span className="muted">{t('billing.cap.profitRateHint')}</span>
            {capErrors.profitRate && <span className="field-error">{errorText(capErrors.profitRate)}</span>}
          </label>
          <label>
            {t('billing.cap.taxRate')}
            <input name="taxRate" inputMode="decimal" defaultValue="0" aria-invalid={capErrors.taxRate ? true : undefined} />
            {capErrors.taxRate && <span className="field-error">{errorText(capErrors.taxRate)}</span>}
          </label>
          <button type="submit" className="primary" disabled={busy}>
            {t('billing.cap.set')}
          </button>
        </Form>
      </section>
    </>
  )
}
