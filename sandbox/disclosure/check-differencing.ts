import type { Db } from '#db/client.ts'
import { readOffThread } from '#db/read-off-thread.ts'
import { fail, type DomainError } from '#platform/result.ts'
import { compileSymmetricDifference } from '../query/compile-query.ts'
import { planQuery, type QueryPlan, type SandboxDataset } from '../query/plan-query.ts'
import type { SandboxQuery } from '../query/sandbox-query.ts'
import { canonicalGroupKey } from './disclose-groups.ts'
import { DIFFERENCING_CODE, findDifferencingRisk, findSymmetricDifferenceRisk, type GroupUnits } from './differencing.ts'

export interface EarlierJob {
  jobId: string
  query: SandboxQuery
  groups: GroupUnits
}

/**
 * Step 4 of disclosure control (ADR 0038): the released groups of a new query against the partner's earlier jobs of the
 * same shape with other filters. The counts clear most pairs at no cost; a pair they cannot clear is measured in SQL
 * (the symmetric difference of the two populations per group). An earlier job whose filters no longer plan (a field
 * since withdrawn) cannot be measured: its count check stands.
 */
export async function checkDifferencing(
  db: Db,
  opts: { plan: QueryPlan; groups: GroupUnits; earlier: readonly EarlierJob[]; datasets: readonly SandboxDataset[] },
): Promise<{ ok: false; error: DomainError } | null> {
  const { plan, groups } = opts
  const refuse = (jobId: string) =>
    fail(
      'conflict',
      DIFFERENCING_CODE,
      `This query's population differs from your earlier job ${jobId} by fewer than ${plan.k} units in a group: subtracting the two results would disclose a small group. Ask for differential privacy (privacy.epsilon) or change the grouping`,
    )
  for (const job of opts.earlier) {
    if (!findDifferencingRisk(groups, [{ jobId: job.jobId, groups: job.groups }], plan.k)) continue
    const earlierPlan = planQuery(job.query, opts.datasets)
    if (!earlierPlan.ok) return refuse(job.jobId)
    const rows = await readOffThread<Record<string, string | number | null>>(
      db,
      compileSymmetricDifference(plan, earlierPlan.value),
    )
    const differences = rows.map((r) => {
      const key: Record<string, unknown> = {}
      plan.groupBy.forEach((g, i) => (key[g.ref] = r[`g${i}`] ?? null))
      return { group: canonicalGroupKey(key), aOnly: Number(r.a_only ?? 0), bOnly: Number(r.b_only ?? 0) }
    })
    if (findSymmetricDifferenceRisk(differences, groups, job.groups, plan.k)) return refuse(job.jobId)
  }
  return null
}
