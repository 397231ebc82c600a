import { getTableColumns } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { ok, type Result } from '#platform/result.ts'
import { getSourceSystems } from '#source-systems/source-systems.ts'
import { STORE_TABLES } from './dataset-store.ts'
import { commitGoodLoad, findLoadTarget, recordBadLoad, sha256, type LoadOutcome } from './load-target.ts'
import { refuseUnlessPermitted, sourceUnitScope } from '#platform/identity/permissions.ts'

// `table` delivery (Art. 16, 库表): the rows come from the source unit's own table through the source systems
// (`source-systems/`; simulated by the city generator unless a real connector is set) and replace the store
// table's content in one commit.

/**
 * Reloads a `table`-delivered dataset from its source unit's table, replacing
 * the store table's content atomically and recording the load for lineage.
 */
export async function loadDatasetTable(
  db: Db,
  opts: {
    actor: Actor
    requestId?: string | null
    datasetCode: string
    trigger?: 'manual' | 'cli' | 'schedule'
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
    // The source unit's table is not connected to the platform (issue 16: this answered 409 and recorded nothing):
    // the attempt is a failed load in the lineage, with the reason, as a failed interface pull is.
    return ok(
      await recordBadLoad(db, {
        actor: opts.actor,
        requestId: opts.requestId,
        dataset,
        mode: 'table',
        trigger: opts.trigger ?? 'manual',
        startedAt,
        checksum: null,
        state: 'failed',
        error: `no_store_table: the source unit's table for ${dataset.code} is not connected to the platform`,
      }),
    )
  }
  opts.onProgress?.({ phase: 'generate', done: 0, total: 0 })
  const source = await (await getSourceSystems()).readTable(db, { datasetCode: dataset.code, storeTable: dataset.storeTable })
  // Source rows use drizzle's property names; the store writes by column (= field) name.
  const nameOf = new Map(
    Object.entries(getTableColumns(STORE_TABLES[dataset.storeTable]!)).map(([key, column]) => [key, column.name]),
  )
  const rows = source.rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [nameOf.get(k) ?? k, v])))
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
    fileName: source.origin,
    rows,
  })
  opts.onProgress?.({ phase: 'done', done: rows.length, total: rows.length })
  return ok(outcome)
}
