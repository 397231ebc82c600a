import { and, asc, eq, inArray } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { authorizations, datasets, productDatasets } from '#db/schema/index.ts'

export interface ProductAuthorizationState {
  /** True when every dataset the product names has an authorization in force now (Art. 17). */
  ok: boolean
  /** Codes of the product's datasets with no authorization in force (expired, terminated, not yet started or never granted). */
  endedDatasetCodes: string[]
  /**
   * Codes of the product's datasets whose authorization in force the bureau has suspended (Art. 24, 27; ADR 0028): the
   * data stays, the product is refused `authorization_suspended` until the bureau resumes. A suspended authorization
   * of a dataset wins over another one in force for it: the pause is of the dataset's supply, not of one grant.
   */
  suspendedDatasetCodes: string[]
  /** Codes of the authorizations in force that the product draws on (one per dataset, the one ending last), for lineage. */
  authorizationCodes: string[]
}

/**
 * Whether a product may answer now: each of its datasets needs an `active`
 * authorization with startsAt ≤ now < endsAt, and none in force `suspended`. An authorization past its end
 * closes access at once, even before the expiry job has marked it expired.
 * A product that names no dataset has nothing to be authorized and is ok.
 */
export async function findProductAuthorizationState(
  db: Db,
  opts: { productId: string; now?: number },
): Promise<ProductAuthorizationState> {
  const now = opts.now ?? Date.now()
  const rows = await db
    .select({
      datasetCode: datasets.code,
      authorizationCode: authorizations.code,
      authorizationState: authorizations.state,
      startsAt: authorizations.startsAt,
      endsAt: authorizations.endsAt,
    })
    .from(productDatasets)
    .innerJoin(datasets, eq(datasets.id, productDatasets.datasetId))
    .leftJoin(
      authorizations,
      and(eq(authorizations.datasetId, datasets.id), inArray(authorizations.state, ['active', 'suspended'])),
    )
    .where(eq(productDatasets.productId, opts.productId))
    .orderBy(asc(datasets.code))

  const inForce = new Map<string, { code: string; endsAt: number }>()
  const datasetCodes: string[] = []
  const suspended = new Set<string>()
  for (const row of rows) {
    if (!datasetCodes.includes(row.datasetCode)) datasetCodes.push(row.datasetCode)
    if (row.authorizationCode === null || row.startsAt === null || row.endsAt === null) continue
    if (row.startsAt > now || row.endsAt <= now) continue
    // A suspended authorization is still in force (its term runs on): the dataset is not ended, but paused.
    if (row.authorizationState === 'suspended') suspended.add(row.datasetCode)
    const best = inForce.get(row.datasetCode)
    if (!best || row.endsAt > best.endsAt) inForce.set(row.datasetCode, { code: row.authorizationCode, endsAt: row.endsAt })
  }
  const endedDatasetCodes = datasetCodes.filter((code) => !inForce.has(code))
  const suspendedDatasetCodes = datasetCodes.filter((code) => suspended.has(code))
  const authorizationCodes = datasetCodes.flatMap((code) => {
    const hit = inForce.get(code)
    return hit ? [hit.code] : []
  })
  return {
    ok: endedDatasetCodes.length === 0 && suspendedDatasetCodes.length === 0,
    endedDatasetCodes,
    suspendedDatasetCodes,
    authorizationCodes,
  }
}
