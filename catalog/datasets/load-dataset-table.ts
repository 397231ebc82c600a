import { count, getTableColumns } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { cityEnterprises, cityRoadSegments } from '#db/schema/index.ts'
import {
  DEFAULT_SEED,
  generateEnterprises,
  generateHospitalVisits,
  generateMedicalInsurance,
  generateRoadSegments,
  generateSocialSecurity,
  generateTaxCreditRatings,
  generateTrafficFlows,
  SCALES,
  type ScaleName,
} from '#db/seed/generate-city.ts'
import { createRng } from '#db/seed/random.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { STORE_TABLES } from './dataset-store.ts'
import { commitGoodLoad, findLoadTarget, sha256, type LoadOutcome } from './load-target.ts'
import { refuseUnlessPermitted, sourceUnitScope } from '#platform/identity/permissions.ts'

// `table` delivery (Art. 16, 库表): the source unit's own system is simulated by
// the deterministic city generator (db/seed/generate-city.ts), so "loading" a
// table-mode dataset regenerates its store table's rows with the default seed
// at the scale the store was seeded with, and inserts them.

/** The scale the platform store was seeded with, from tables no authorization end ever empties first. */
export async function inferSeedScale(db: Db): Promise<ScaleName> {
  const [enterprises] = await db.select({ n: count() }).from(cityEnterprises)
  if ((enterprises?.n ?? 0) > 0) return enterprises!.n >= SCALES.city.enterprises ? 'city' : 'small'
  // city_road_segments is no dataset's store, so it survives the end of every authorization.
  const [segments] = await db.select({ n: count() }).from(cityRoadSegments)
  return (segments?.n ?? 0) >= SCALES.city.roadSegments ? 'city' : 'small'
}

/** The source unit's current rows for a store table, keyed by property name (as drizzle inserts them). */
export function generateStoreTable(storeTable: string, scale: ScaleName, seed = DEFAULT_SEED): object[] {
  const spec = SCALES[scale]
  const root = createRng(seed)
  const enterprises = () => [...generateEnterprises(root.fork('enterprises'), { count: spec.enterprises })]
  const segments = () => generateRoadSegments(root.fork('road-segments'), spec.roadSegments)
  switch (storeTable) {
    case 'city_enterprises':
      return enterprises()
    case 'city_tax_credit_ratings':
      return [...generateTaxCreditRatings(root.fork('tax'), enterprises(), spec.taxYears)]
    case 'city_road_segments':
      return segments()
    case 'city_traffic_flows':
      return [...generateTrafficFlows(root.fork('traffic'), segments(), spec.trafficDays)]
    case 'city_hospital_visits':
      return [...generateHospitalVisits(root.fork('hospital'), spec.statsMonths)]
    case 'city_medical_insurance':
      return [...generateMedicalInsurance(root.fork('medical-insurance'), spec.statsMonths)]
    case 'city_social_security':
      return [...generateSocialSecurity(root.fork('social-security'), enterprises(), spec.persons, spec.socialSecurityMonths)]
    default:
      throw new Error(`no generator for store table ${storeTable}`)
  }
}

/**
 * Reloads a `table`-delivered dataset from its source (the generator), replacing
 * the store table's content atomically and recording the load for lineage.
 */
export async function loadDatasetTable(
  db: Db,
  opts: {
    actor: Actor
    requestId?: string | null
    datasetCode: string
    trigger?: 'manual' | 'cli' | 'schedule'
    scale?: ScaleName
    sourceUnitId?: string | null
    now?: number
    onProgress?: (p: { phase: 'generate' | 'store' | 'done'; done: number; total: number }) => void
  },
): Promise<Result<LoadOutcome>> {
  const denied = refuseUnlessPermitted(opts.actor, 'dataset.load_table')
  if (denied) return denied
  const startedAt = opts.now ?? Date.now()
  const target = await findLoadTarget(db, {
    datasetCode: opts.datasetCode,
    mode: 'table',
    now: startedAt,
    // A source-unit actor loads only its own datasets, whatever the caller passed (another's: not found).
    sourceUnitId: sourceUnitScope(opts.actor) ?? opts.sourceUnitId,
  })
  if (!target.ok) return target
  const dataset = target.value
  if (!dataset.storeTable || !STORE_TABLES[dataset.storeTable]) {
    return fail('conflict', 'no_store_table', `Dataset ${dataset.code} has no source table to load from`)
  }
  const scale = opts.scale ?? (await inferSeedScale(db))
  opts.onProgress?.({ phase: 'generate', done: 0, total: 0 })
  const generated = generateStoreTable(dataset.storeTable, scale)
  // Generator rows use drizzle's property names; the store writes by column (= field) name.
  const nameOf = new Map(
    Object.entries(getTableColumns(STORE_TABLES[dataset.storeTable]!)).map(([key, column]) => [key, column.name]),
  )
  const rows = generated.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [nameOf.get(k) ?? k, v])))
  const hash = sha256(rows.map((r) => JSON.stringify(r)).join('\n'))
  opts.onProgress?.({ phase: 'store', done: 0, total: rows.length })
  const outcome = await commitGoodLoad(db, {
    actor: opts.actor,
    requestId: opts.requestId,
    dataset,
    mode: 'table',
    trigger: opts.trigger ?? 'manual',
    startedAt,
    checksum: hash,
    fileName: `${dataset.storeTable}@${scale}`,
    rows,
  })
  opts.onProgress?.({ phase: 'done', done: rows.length, total: rows.length })
  return ok(outcome)
}
