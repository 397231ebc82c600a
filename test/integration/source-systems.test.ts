import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { desc, eq } from 'drizzle-orm'
import { cityMedicalInsurance, datasetLoads, datasets } from '#db/schema/index.ts'
import { loadDatasetTable } from '#catalog/datasets/load-dataset-table.ts'
import { pullDatasetInterface } from '#catalog/datasets/pull-dataset-interface.ts'
import { getSourceSystems, useSourceSystems, type SourceSystems } from '#source-systems/source-systems.ts'
import { simulatedSourceSystems } from '#source-systems/simulated/simulated-source-systems.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'
import { actorOf, authorizeThroughDemand, registerTestDataset, unwrap } from './catalog-fixtures.ts'

// The seam a real exchange-platform connector plugs into: the catalog's loads reach the source units only through
// SourceSystems, so another implementation replaces the simulated city without touching the catalog.

describe('source systems: the catalog loads through the SourceSystems interface', () => {
  let t: TestDatabase
  const seen: string[] = []
  const connector: SourceSystems = {
    async readTable(_db, target) {
      seen.push(`table ${target.datasetCode} ${target.storeTable}`)
      return {
        rows: [
          { districtCode: '210102', month: '2026-10', insuredPersons: 7, claims: 3, claimAmountFen: 300, fundPaidFen: 200 },
          { districtCode: '210103', month: '2026-10', insuredPersons: 9, claims: 1, claimAmountFen: 100, fundPaidFen: 50 },
        ],
        origin: 'exchange:medical-insurance@2026-10',
      }
    },
    async fetchInterface(url) {
      seen.push(`interface ${url}`)
      return Response.json([{ id_card: '210102199001011234', name: '张伟', age: 36 }])
    },
  }

  beforeEach(async () => {
    t = await createTestDatabase()
    seen.length = 0
    useSourceSystems(connector)
  })
  afterEach(() => {
    useSourceSystems(simulatedSourceSystems)
    return t.destroy()
  })

  it('a table-delivered dataset is replaced by what the connector reads, with its origin as lineage', async () => {
    const outcome = unwrap(await loadDatasetTable(t.db, { actor: await actorOf(t.db, 'operator'), datasetCode: 'DS-YB-0001' }))
    expect(seen).toEqual(['table DS-YB-0001 city_medical_insurance'])
    expect(outcome.rowsLoaded).toBe(2)
    const rows = await t.db.select().from(cityMedicalInsurance)
    expect(rows.map((r) => [r.districtCode, r.insuredPersons])).toEqual([
      ['210102', 7],
      ['210103', 9],
    ])
    const [dataset] = await t.db.select().from(datasets).where(eq(datasets.code, 'DS-YB-0001'))
    const [load] = await t.db
      .select()
      .from(datasetLoads)
      .where(eq(datasetLoads.datasetId, dataset!.id))
      .orderBy(desc(datasetLoads.startedAt))
      .limit(1)
    expect(load!.fileName).toBe('exchange:medical-insurance@2026-10')
  })

  it('an interface-delivered dataset is pulled through the connector', async () => {
    const url = 'https://source.example/people'
    const ds = await registerTestDataset(t.db, { deliveryMode: 'interface', interfaceUrl: url, pullEveryMinutes: 60 })
    await authorizeThroughDemand(t.db, { datasetCode: ds.code, granter: await actorOf(t.db, 'scjg'), deliveryMode: 'interface' })
    const outcome = unwrap(
      await pullDatasetInterface(t.db, { actor: await actorOf(t.db, 'operator'), datasetCode: ds.code, backoffMs: 0 }),
    )
    expect(seen).toEqual([`interface ${url}`])
    expect(outcome.rowsLoaded).toBe(1)
  })

  it('without a connector set, the simulated systems are used', async () => {
    useSourceSystems(simulatedSourceSystems)
    expect(await getSourceSystems()).toBe(simulatedSourceSystems)
  })
})
