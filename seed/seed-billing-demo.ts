import { asc, count, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import {
  compensationFormulas,
  costEntries,
  priceBooks,
  priceCeilings,
  products,
  revenueCapSettings,
  users,
  vatRates,
  type ChargeUnit,
  type CostCategory,
  type ProductForm,
  type Role,
} from '#db/schema/index.ts'
import { cliActor, systemActor, type Actor } from '#platform/audit/record-audit.ts'
import { setPriceCeiling } from '#billing/ceilings/set-price-ceiling.ts'
import { proposePriceBook, type ProposedCharge } from '#billing/price-books/propose-price-book.ts'
import { decidePriceBook } from '#billing/price-books/decide-price-book.ts'
import { recordCostEntry } from '#billing/costs/record-cost-entry.ts'
import { setVatRate } from '#billing/vat/set-vat-rate.ts'
import { Decimal } from '#billing/money/decimal.ts'
import { nextPeriod, periodOf, previousPeriod } from '#billing/periods/billing-period.ts'
import { calendarYear, parseDay } from '#platform/calendar/shanghai-calendar.ts'
import { setCompensationFormula } from '#billing/compensation/set-compensation-formula.ts'
import { setRevenueCapSetting } from '#billing/revenue/set-revenue-cap-setting.ts'

const seedActor = systemActor('seed')
const MAIN_PRODUCT = 'verify-enterprise-identity'
/** The data sandbox (ADR 0038): priced per call and per compute second, apart from the demo's rotation of models. */
const SANDBOX_PRODUCT = 'data-sandbox'
/** Fen per compute second: ¥0.20. */
const COMPUTE_SECOND_CEILING = '20'

/** Ceiling per call (fen) by product form; reports are priced per MB exported instead. */
const CALL_CEILING: Record<ProductForm, string> = {
  verification: '5',
  service: '10',
  component: '8',
  model: '20',
  tool: '4',
  report: '10',
}
const MB_CEILING = '300'
const MONTHLY_FEE_CEILING = '100000'
const MODEL_RELEASE_CEILING = '500000'

const COSTS: { category: CostCategory; grossFen: number; subsidyFen: number }[] = [
  { category: 'compute', grossFen: 1_260_000, subsidyFen: 210_000 },
  { category: 'storage', grossFen: 318_000, subsidyFen: 0 },
  { category: 'bandwidth', grossFen: 152_500, subsidyFen: 0 },
  { category: 'desensitization', grossFen: 420_000, subsidyFen: 105_000 },
  { category: 'model_release', grossFen: 250_000, subsidyFen: 0 },
  { category: 'result_export', grossFen: 86_000, subsidyFen: 0 },
]

const pct = (fen: string, factor: string) => new Decimal(fen).times(factor).toDecimalPlaces(4).toFixed()

function must<T>(result: { ok: true; value: T } | { ok: false; error: { code: string; message: string } }, what: string): T {
  if (!result.ok) throw new Error(`seed billing (${what}): ${result.error.code} ${result.error.message}`)
  return result.value
}

/**
 * The billing demo, idempotent: VAT 6%; ceilings for every product in the database; an approved price book
 * in force for each (standard per call for most, one graduated, one package marked 试行, one with a monthly base fee);
 * one proposal awaiting the bureau's review; the operator's costs for the last three months; the compensation formula
 * (Art. 23) and this year's allowed profit and tax rates (65号).
 */
export async function seedBillingDemo(
  db: Db,
  opts: {
    now?: number
    /** When the ceilings and price books take effect; default the start of last month. */
    pricesFrom?: number
    /** False: leave the costs and the pending proposal to a later call (the demo history records its own costs first). */
    costsAndProposal?: boolean
  } = {},
): Promise<void> {
  const now = opts.now ?? Date.now()
  const costsAndProposal = opts.costsAndProposal ?? true
  // The demo's own people act where they exist (so pages show who proposed and who approved), else the seed.
  const person = async (username: string, role: Role): Promise<Actor> => {
    const [u] = await db.select({ id: users.id }).from(users).where(eq(users.username, username))
    return u ? { id: u.id, label: username, role } : seedActor
  }
  const operator = await person('operator', 'operator')
  const bureau = await person('bureau', 'bureau')
  const thisMonth = periodOf(now)
  const lastMonth = previousPeriod(thisMonth)
  const pricesFrom = opts.pricesFrom ?? lastMonth.start

  const [vat] = await db.select({ n: count() }).from(vatRates)
  if (!vat?.n) {
    must(
      await setVatRate(db, {
        rate: '0.06',
        effectiveFrom: parseDay('2016-05-01')!,
        note: '现代服务业增值税税率 6%',
        // Whoever installs the platform sets it up: a machine operator, as through the CLI (permissions.ts).
        actor: cliActor('seed'),
        now,
      }),
      'vat',
    )
  }

  // The operator's net costs for the last three months (Art. 22), first: proposals snapshot them as their cost basis.
  const [costs] = await db.select({ n: count() }).from(costEntries)
  if (!costs?.n && costsAndProposal) {
    let p = previousPeriod(thisMonth)
    for (let m = 0; m < 3; m++, p = previousPeriod(p)) {
      for (const c of COSTS) {
        const grossFen = Math.round((c.grossFen * (100 - 4 * m)) / 100)
        must(
          await recordCostEntry(db, {
            input: {
              period: p.period,
              category: c.category,
              grossFen,
              subsidyFen: Math.min(c.subsidyFen, grossFen),
              note: '演示数据',
            },
            actor: operator,
            now,
          }),
          `cost ${p.period} ${c.category}`,
        )
      }
    }
  }

  const all = await db
    .select({ id: products.id, code: products.code, form: products.form })
    .from(products)
    .orderBy(asc(products.code))
  const others = all.filter((p) => p.code !== MAIN_PRODUCT && p.code !== SANDBOX_PRODUCT)
  const role = (code: string) => {
    const i = others.findIndex((p) => p.code === code)
    return i === 0 ? 'graduated' : i === 1 ? 'package' : i === 2 ? 'base_fee' : 'standard'
  }

  for (const product of all) {
    const [hasCeiling] = await db.select({ n: count() }).from(priceCeilings).where(eq(priceCeilings.productId, product.id))
    const [hasBook] = await db.select({ n: count() }).from(priceBooks).where(eq(priceBooks.productId, product.id))
    if (hasCeiling?.n || hasBook?.n) continue
    const kind = role(product.code)
    const meter: ChargeUnit = product.form === 'report' ? 'mb_exported' : 'call'
    const unitCeiling = meter === 'mb_exported' ? MB_CEILING : CALL_CEILING[product.form]
    const ceilings: [ChargeUnit, string][] = [[meter, unitCeiling]]
    if (kind === 'base_fee') ceilings.push(['service_month', MONTHLY_FEE_CEILING])
    if (product.form === 'model' || product.code === SANDBOX_PRODUCT) ceilings.push(['model_release', MODEL_RELEASE_CEILING])
    if (product.code === SANDBOX_PRODUCT) ceilings.push(['compute_second', COMPUTE_SECOND_CEILING])
    // Set at the start of last month, as the bureau would have, so last month's usage is priced too.
    for (const [chargeUnit, maxUnitPrice] of ceilings) {
      must(
        await setPriceCeiling(db, {
          input: {
            productId: product.id,
            chargeUnit,
            maxUnitPrice,
            effectiveFrom: pricesFrom,
            basis: '沈发改价格〔2026〕18号（演示）',
          },
          actor: bureau,
          now: pricesFrom,
        }),
        `ceiling ${product.code}`,
      )
    }
    const charges: ProposedCharge[] = []
    if (kind === 'graduated') {
      charges.push({
        chargeUnit: meter,
        model: 'graduated',
        properties: {
          tiers: [
            { upTo: 10_000, unitPrice: pct(unitCeiling, '0.8') },
            { upTo: 100_000, unitPrice: pct(unitCeiling, '0.6') },
            { upTo: null, unitPrice: pct(unitCeiling, '0.4') },
          ],
        },
      })
    } else if (kind === 'package') {
      charges.push({
        chargeUnit: meter,
        model: 'package',
        properties: { packageSize: 1000, packagePrice: pct(unitCeiling, '500'), freeUnits: 100 },
      })
    } else if (kind === 'base_fee') {
      charges.push({ chargeUnit: meter, model: 'standard', properties: { unitPrice: pct(unitCeiling, '0.5') } })
      charges.push({ chargeUnit: 'service_month', model: 'fixed_fee', properties: { amount: '50000' } })
    } else {
      charges.push({ chargeUnit: meter, model: 'standard', properties: { unitPrice: pct(unitCeiling, '0.5') } })
    }
    // The sandbox's reviewed model release (issue 13, ADR 0044) is the same Art. 22 cost as a model product's.
    if (product.form === 'model' || product.code === SANDBOX_PRODUCT)
      charges.push({ chargeUnit: 'model_release', model: 'fixed_fee', properties: { amount: '300000' } })
    if (product.code === SANDBOX_PRODUCT)
      charges.push({
        chargeUnit: 'compute_second',
        model: 'standard',
        properties: { unitPrice: pct(COMPUTE_SECOND_CEILING, '0.5') },
      })
    const book = must(
      await proposePriceBook(db, {
        input: {
          productId: product.id,
          effectiveFrom: pricesFrom,
          isTrial: kind === 'package',
          note: '按上季度成本核算，低于上限收费标准（演示）',
          charges,
        },
        actor: operator,
        now: pricesFrom,
      }),
      `price book ${product.code}`,
    )
    must(
      await decidePriceBook(db, {
        priceBookId: book.id,
        decision: 'approve',
        comment: '符合成本依据，同意',
        actor: bureau,
        now: pricesFrom,
      }),
      `approve ${product.code}`,
    )
  }

  // One proposal waiting in the bureau's review queue: the main product, cheaper from next month.
  const [pending] = await db.select({ n: count() }).from(priceBooks).where(eq(priceBooks.state, 'pending_review'))
  const main = all.find((p) => p.code === MAIN_PRODUCT)
  if (!pending?.n && main && costsAndProposal) {
    must(
      await proposePriceBook(db, {
        input: {
          productId: main.id,
          effectiveFrom: nextPeriod(thisMonth).start,
          note: '调用量增长，单位成本下降，申请下调（演示）',
          charges: [{ chargeUnit: 'call', model: 'standard', properties: { unitPrice: '2.2' } }],
        },
        actor: operator,
        now,
      }),
      'pending proposal',
    )
  }

  // Art. 23: the bureau's compensation formula (from 2025), and 65号: this year's allowed profit and tax rates.
  const [formulas] = await db.select({ n: count() }).from(compensationFormulas)
  if (!formulas?.n) {
    must(
      await setCompensationFormula(db, {
        input: {
          sharePerCall: '0.5',
          frequencyWeights: { realtime: '0.5', hourly: '0.4', daily: '0.3', weekly: '0.15', monthly: '0.1' },
          qualityWeight: '0.2',
          effectiveFrom: parseDay('2025-01-01')!,
          note: '每次调用 ¥0.005，按更新频率与质量加权（演示）',
        },
        actor: bureau,
      }),
      'compensation formula',
    )
  }
  const [caps] = await db.select({ n: count() }).from(revenueCapSettings)
  if (!caps?.n) {
    must(
      await setRevenueCapSetting(db, {
        input: {
          year: calendarYear(now),
          profitRate: '0.0785',
          taxRate: '0.05',
          note: '十年期国债收益率 1.85% + 6 个百分点（演示）',
        },
        actor: bureau,
      }),
      'revenue cap',
    )
  }
}
