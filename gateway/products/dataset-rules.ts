import { asc, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { datasetFields, datasets, type SensitivityLevel } from '#db/schema/index.ts'
import type { TaggedField } from '#catalog/desensitization/mask-record.ts'
import { checkOutput, type OutputKind, type OutputRule } from '#catalog/output-rules/output-rules.ts'
import { TtlCache } from '../access/ttl-cache.ts'
import { GatewayError } from '../http/gateway-error.ts'

/** What the output rules need to know of a dataset: its current level and its fields' personal-data tags. */
export interface DatasetRules {
  code: string
  level: SensitivityLevel
  fields: TaggedField[]
}

export type LoadDatasetRules = (code: string) => Promise<DatasetRules>

/** Same bound as the gateway's access cache: a re-graded dataset is seen within 1 s, also by another process. */
const TTL_MS = 500

/**
 * Reads a dataset's level and field tags from the catalog (not from constants), so a re-grading by the catalog
 * changes what the products disclose on the next call. Cached for 500 ms.
 */
export function createDatasetRules(db: Db): LoadDatasetRules {
  const cache = new TtlCache<string, DatasetRules>(TTL_MS)
  return (code) =>
    cache.get(code, async () => {
      const [dataset] = await db
        .select({ id: datasets.id, level: datasets.level })
        .from(datasets)
        .where(eq(datasets.code, code))
        .limit(1)
      if (!dataset) throw new Error(`dataset ${code} is not registered`)
      const fields = await db
        .select({ name: datasetFields.name, piTag: datasetFields.piTag })
        .from(datasetFields)
        .where(eq(datasetFields.datasetId, dataset.id))
        .orderBy(asc(datasetFields.ordinal))
      return { code, level: dataset.level, fields }
    })
}

/** The rule for `kind` at `level`, or `validation_failed` naming why the level forbids it. */
export function requireOutput(level: SensitivityLevel, kind: OutputKind, field = 'level'): OutputRule {
  const allowed = checkOutput(level, kind)
  if (allowed.ok) return allowed.value
  throw new GatewayError('validation_failed', allowed.error.message, { [field]: `${level.toLowerCase()}_forbids_${kind}` })
}
