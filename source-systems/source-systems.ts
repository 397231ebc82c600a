import type { Db } from '#db/client.ts'

/**
 * The source units' own systems, as the platform reaches them (Art. 16): a table-delivered dataset (库表) is read
 * from the unit's table, an interface-delivered one (接口) is pulled over HTTP. The catalog's load operations call
 * only this interface, so a connector to the city's exchange platform can replace the simulated systems the demo
 * and the tests run on without touching them.
 */
export interface SourceSystems {
  /** The unit's current rows of a table-delivered dataset, keyed by the store table's property names. */
  readTable(db: Db, target: { datasetCode: string; storeTable: string }): Promise<SourceTable>
  /** One request to an interface-delivered dataset's endpoint (the pull adds its own deadline and retries). */
  fetchInterface(url: string, init: RequestInit): Promise<Response>
}

export interface SourceTable {
  rows: object[]
  /** Where the rows came from, recorded as the load's file name (lineage). */
  origin: string
}

let current: SourceSystems | null = null

/** Replaces the source systems for this process (a real connector; a test's own). */
export function useSourceSystems(systems: SourceSystems): void {
  current = systems
}

/** The source systems in use: the simulated ones unless another was set. */
export async function getSourceSystems(): Promise<SourceSystems> {
  if (current) return current
  // Loaded on first use: the simulated city's generator is only paid for when a table is actually read.
  const { simulatedSourceSystems } = await import('./simulated/simulated-source-systems.ts')
  current = simulatedSourceSystems
  return current
}
