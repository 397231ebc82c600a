import { and, asc, eq, gte, lt, lte, sql } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { authorizations, datasets, priceCeilings, products, sourceUnits, usageEvents } from '#db/schema/index.ts'
import { fromLocal } from '#platform/calendar/shanghai-calendar.ts'
import { getRevenueCap, type RevenueCapYear } from '#billing/revenue/get-revenue-cap.ts'
import { listPricesInForce } from '#billing/price-books/list-prices-in-force.ts'
import { listPriceBooks } from '#billing/price-books/list-price-books.ts'

/** The operator as the disclosure names it (the platform's operator; implementers are the operator's narrative). */
export const OPERATOR_NAME = { zh: '沈阳市公共数据授权运营单位', en: 'Shenyang public data authorized operator' }

export interface DisclosureFigures {
  year: number
  /** Instants bounding the year (Asia/Shanghai). */
  from: number
  to: number
  operator: { nameZh: string; nameEn: string }
  /** Authorized data resources: datasets with their source unit and the terms of authorizations in force in the year. */
  resources: {
    sourceUnits: { code: string; nameZh: string; nameEn: string; datasets: number }[]
    datasets: {
      code: string
      nameZh: string
      nameEn: string
      sourceUnitCode: string
      level: string
      updateFrequency: string
      authorizations: { code: string; startsAt: number; endsAt: number; state: string }[]
    }[]
  }
  /** Products and services in the catalog during the year, with the year's successful calls by purpose. */
  products: {
    code: string
    nameZh: string
    nameEn: string
    form: string
    state: string
    industrialCalls: number
    publicInterestCalls: number
  }[]
  fees: {
    /** Price per charge unit in force at the year's end, beside the ceiling then in force. */
    atYearEnd: {
      productCode: string
      nameZh: string
      nameEn: string
      version: number | null
      isTrial: boolean
      charges: { chargeUnit: string; maxUnitPrice: string | null; ceiling: string | null }[]
    }[]
    /** Approved price books that came into force during the year. */
    priceChanges: { productCode: string; version: number; isTrial: boolean; inForceFrom: number }[]
    /** Ceilings taking effect during the year. */
    ceilingChanges: {
      productCode: string
      chargeUnit: string
      maxUnitPrice: string
      effectiveFrom: number
      reevaluateBy: number | null
      basis: string
    }[]
  }
  /** The revenue cap and its use (ADR 0036), as the cap's own computation gives it for the year. */
  cap: RevenueCapYear | null
}

/**
 * The figures of a year's disclosure, read from the records (never typed in): frozen into a version when the operator
 * prepares it, so what the bureau publishes is what the records said at that time. `now` bounds the cap's computation.
 */
export async function collectDisclosureFigures(db: Db, opts: { year: number; now: number }): Promise<DisclosureFigures> {
  const from = fromLocal(opts.year, 1, 1)
  const to = fromLocal(opts.year + 1, 1, 1)
  const units = await db
    .select({ id: sourceUnits.id, code: sourceUnits.code, nameZh: sourceUnits.nameZh, nameEn: sourceUnits.nameEn })
    .from(sourceUnits)
    .orderBy(asc(sourceUnits.code))
  // Authorizations whose term overlaps the year.
  const auths = await db
    .select({
      datasetId: authorizations.datasetId,
      code: authorizations.code,
      startsAt: authorizations.startsAt,
      endsAt: authorizations.endsAt,
      state: authorizations.state,
    })
    .from(authorizations)
    .where(and(lt(authorizations.startsAt, to), gte(authorizations.endsAt, from)))
    .orderBy(asc(authorizations.code))
  const datasetIds = new Set(auths.map((a) => a.datasetId))
  const dsRows = (
    await db
      .select({
        id: datasets.id,
        code: datasets.code,
        nameZh: datasets.nameZh,
        nameEn: datasets.nameEn,
        sourceUnitId: datasets.sourceUnitId,
        level: datasets.level,
        updateFrequency: datasets.updateFrequency,
      })
      .from(datasets)
      .orderBy(asc(datasets.code))
  ).filter((d) => datasetIds.has(d.id))
  const unitById = new Map(units.map((u) => [u.id, u]))
  const resources: DisclosureFigures['resources'] = {
    sourceUnits: units
      .map((u) => ({
        code: u.code,
        nameZh: u.nameZh,
        nameEn: u.nameEn,
        datasets: dsRows.filter((d) => d.sourceUnitId === u.id).length,
      }))
      .filter((u) => u.datasets > 0),
    datasets: dsRows.map((d) => ({
      code: d.code,
      nameZh: d.nameZh,
      nameEn: d.nameEn,
      sourceUnitCode: unitById.get(d.sourceUnitId)?.code ?? '',
      level: d.level,
      updateFrequency: d.updateFrequency,
      authorizations: auths
        .filter((a) => a.datasetId === d.id)
        .map((a) => ({ code: a.code, startsAt: a.startsAt, endsAt: a.endsAt, state: a.state })),
    })),
  }

  const calls = await db
    .select({
      productId: usageEvents.productId,
      purpose: usageEvents.purpose,
      calls: sql<number>`coalesce(sum(${usageEvents.calls}), 0)`,
    })
    .from(usageEvents)
    .where(and(gte(usageEvents.at, from), lt(usageEvents.at, to)))
    .groupBy(usageEvents.productId, usageEvents.purpose)
  // Products published by the year's end and not retired before it began (retirement has no date: state as now).
  const productRows = await db
    .select({
      id: products.id,
      code: products.code,
      nameZh: products.nameZh,
      nameEn: products.nameEn,
      form: products.form,
      state: products.state,
      publishedAt: products.publishedAt,
    })
    .from(products)
    .orderBy(asc(products.code))
  const productList = productRows
    .filter((p) => (p.publishedAt !== null && p.publishedAt < to) || calls.some((c) => c.productId === p.id))
    .map((p) => ({
      code: p.code,
      nameZh: p.nameZh,
      nameEn: p.nameEn,
      form: p.form,
      state: p.state,
      industrialCalls: Number(calls.find((c) => c.productId === p.id && c.purpose === 'industrial')?.calls ?? 0),
      publicInterestCalls: Number(calls.find((c) => c.productId === p.id && c.purpose === 'public_interest')?.calls ?? 0),
    }))
  const listed = new Set(productList.map((p) => p.code))

  const atYearEnd = (await listPricesInForce(db, { at: to - 1 }))
    .filter((p) => listed.has(p.productCode))
    .map((p) => ({
      productCode: p.productCode,
      nameZh: p.nameZh,
      nameEn: p.nameEn,
      version: p.priceBook?.version ?? null,
      isTrial: p.priceBook?.isTrial ?? false,
      charges: p.charges.map((c) => ({
        chargeUnit: c.chargeUnit,
        maxUnitPrice: c.maxUnitPrice,
        ceiling: c.ceiling?.maxUnitPrice ?? null,
      })),
    }))
  const priceChanges = (await listPriceBooks(db, { states: ['approved'], limit: 10_000 }))
    .filter((b) => b.inForceFrom !== null && b.inForceFrom >= from && b.inForceFrom < to)
    .map((b) => ({ productCode: b.productCode, version: b.version, isTrial: b.isTrial, inForceFrom: b.inForceFrom! }))
    .sort((a, b) => a.inForceFrom - b.inForceFrom || a.productCode.localeCompare(b.productCode))
  const ceilingChanges = await db
    .select({
      productCode: products.code,
      chargeUnit: priceCeilings.chargeUnit,
      maxUnitPrice: priceCeilings.maxUnitPrice,
      effectiveFrom: priceCeilings.effectiveFrom,
      reevaluateBy: priceCeilings.reevaluateBy,
      basis: priceCeilings.basis,
    })
    .from(priceCeilings)
    .innerJoin(products, eq(products.id, priceCeilings.productId))
    .where(and(gte(priceCeilings.effectiveFrom, from), lte(priceCeilings.effectiveFrom, to - 1)))
    .orderBy(asc(priceCeilings.effectiveFrom), asc(products.code))

  const cap = (await getRevenueCap(db, { now: opts.now, toYear: opts.year })).find((y) => y.year === opts.year) ?? null
  return {
    year: opts.year,
    from,
    to,
    operator: { nameZh: OPERATOR_NAME.zh, nameEn: OPERATOR_NAME.en },
    resources,
    products: productList,
    fees: { atYearEnd, priceChanges, ceilingChanges },
    cap,
  }
}
