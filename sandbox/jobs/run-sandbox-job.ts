import { createHash, randomUUID } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { and, desc, eq, gte, ne } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { readOffThread } from '#db/read-off-thread.ts'
import { sandboxJobs } from '#db/schema/sandbox.ts'
import { fail, ok, type DomainError, type Result } from '#platform/result.ts'
import { fieldErrors } from '#platform/validation/field-errors.ts'
import { checkDifferencing, type EarlierJob } from '../disclosure/check-differencing.ts'
import { addNoise, discloseGroups, type DisclosedGroup, type DominanceRow, type GroupRow } from '../disclosure/disclose-groups.ts'
import { checkPrivacyBudget, getPrivacyBudget, spendPrivacyBudget, type PrivacyBudget } from '../privacy/privacy-budget.ts'
import { compileQuery } from '../query/compile-query.ts'
import { planQuery, type SandboxDataset } from '../query/plan-query.ts'
import { sandboxQuerySchema, type SandboxQuery } from '../query/sandbox-query.ts'

/** Earlier releases a query is compared with for differencing: the same partner's, of the same shape, this recent. */
export const DIFFERENCING_LOOKBACK_MS = 90 * 86_400_000
const DIFFERENCING_MAX_JOBS = 50

export interface SandboxCaller {
  partnerId: string
  subscriptionId: string
  apiKeyId: string
  productId: string
}

export interface SandboxJobResult {
  jobId: string
  k: number
  level: string
  unit: { zh: string; en: string }
  groupBy: string[]
  aggregates: string[]
  groups: DisclosedGroup[]
  disclosure: {
    /** Groups withheld whole for describing fewer than k units (`min_group_size`). */
    groupsSuppressed: number
    /** Cells withheld by the dominance rule (`dominance`). */
    cellsSuppressed: number
    noise: { mechanism: 'laplace'; epsilon: number } | null
  }
  budget: PrivacyBudget
  computeMs: number
}

export interface SandboxJobOutcome {
  result: SandboxJobResult
  /** Rows the job read inside the platform (the `records` meter); they never leave. */
  rowsRead: number
  datasetCodes: string[]
}

const sha256 = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex')

/** What differencing compares: the datasets, joins and group-by, order-insensitive; the filters hashed apart. */
function hashes(q: SandboxQuery) {
  const shape = {
    from: q.from,
    join: [...(q.join ?? [])].map((j) => `${j.dataset}|${j.on}`).sort(),
    groupBy: [...(q.groupBy ?? [])].sort(),
  }
  const filters = [...(q.filters ?? [])].map((f) => JSON.stringify(f)).sort()
  return { shapeHash: sha256(shape), filterHash: sha256(filters) }
}

async function earlierReleases(
  db: Db,
  partnerId: string,
  shapeHash: string,
  filterHash: string,
  now: number,
): Promise<EarlierJob[]> {
  const rows = await db
    .select({ id: sandboxJobs.id, query: sandboxJobs.query, groups: sandboxJobs.groupSubjects })
    .from(sandboxJobs)
    .where(
      and(
        eq(sandboxJobs.partnerId, partnerId),
        eq(sandboxJobs.shapeHash, shapeHash),
        eq(sandboxJobs.state, 'released'),
        ne(sandboxJobs.filterHash, filterHash),
        gte(sandboxJobs.at, now - DIFFERENCING_LOOKBACK_MS),
      ),
    )
    .orderBy(desc(sandboxJobs.at))
    .limit(DIFFERENCING_MAX_JOBS)
  return rows.map((r) => ({
    jobId: r.id,
    query: JSON.parse(r.query) as SandboxQuery,
    groups: new Map(JSON.parse(r.groups ?? '[]') as [string, number][]),
  }))
}

/**
 * Runs one analysis job inside the platform (ADR 0038): validates the declarative query, resolves it against the
 * datasets the caller's sandbox authorizes, compiles it to parameterised SQL, runs it, applies disclosure control
 * (minimum group size, dominance, differencing, then Laplace noise drawn from the privacy budget) and records the job.
 * Hostile or invalid input is refused before anything is read or written. A refusal by a disclosure rule or the
 * budget is recorded as a refused job. Raw rows never leave this function: only the disclosed groups.
 */
export async function runSandboxJob(
  db: Db,
  opts: {
    caller: SandboxCaller
    requestId: string
    body: unknown
    datasets: readonly SandboxDataset[]
    now: number
    uniform?: () => number
  },
): Promise<Result<SandboxJobOutcome>> {
  const parsed = sandboxQuerySchema.safeParse(opts.body)
  if (!parsed.success)
    return fail(
      'validation',
      'validation_failed',
      'The query does not follow the sandbox query schema',
      fieldErrors(parsed.error, { root: 'query' }),
    )
  const query = parsed.data
  const planned = planQuery(query, opts.datasets)
  if (!planned.ok) return planned
  const plan = planned.value
  const { caller, now } = opts
  const jobId = randomUUID()
  const { shapeHash, filterHash } = hashes(query)

  if (plan.epsilon !== null) {
    const fits = await checkPrivacyBudget(db, { subscriptionId: caller.subscriptionId, epsilon: plan.epsilon, now })
    if (!fits.ok) return fits
  }

  const started = performance.now()
  const compiled = compileQuery(plan)
  // Off the event loop: up to a second of SQLite CPU at city scale (ADR 0038 addendum).
  const rows = await readOffThread<GroupRow>(db, compiled.groups)
  const dominanceRows = compiled.dominance ? await readOffThread<DominanceRow>(db, compiled.dominance) : []
  const earlier = plan.epsilon === null ? await earlierReleases(db, caller.partnerId, shapeHash, filterHash, now) : []
  const disclosed = discloseGroups(plan, rows, dominanceRows, compiled.dominanceFields)
  const elapsed = () => Math.max(1, Math.round(performance.now() - started))

  const base = {
    id: jobId,
    at: now,
    requestId: opts.requestId,
    partnerId: caller.partnerId,
    subscriptionId: caller.subscriptionId,
    apiKeyId: caller.apiKeyId,
    productId: caller.productId,
    query: JSON.stringify(query),
    shapeHash,
    filterHash,
  }
  const refuse = async (error: DomainError) => {
    await db.insert(sandboxJobs).values({
      ...base,
      state: 'refused',
      refusalCode: error.code,
      computeMs: elapsed(),
      disclosure: JSON.stringify({ refused: error.code }),
    })
    return { ok: false as const, error }
  }
  // Too many groups is a malformed request: nothing is recorded.
  if (!disclosed.ok) return disclosed
  if (plan.epsilon === null) {
    const risk = await checkDifferencing(db, { plan, groups: disclosed.value.groupUnits, earlier, datasets: opts.datasets })
    // A disclosure decision: kept as a refused job.
    if (risk) return refuse(risk.error)
  }

  let budget: PrivacyBudget
  let disclosure = disclosed.value
  if (plan.epsilon !== null) {
    const spent = await spendPrivacyBudget(db, { subscriptionId: caller.subscriptionId, jobId, epsilon: plan.epsilon, now })
    if (!spent.ok) return refuse(spent.error)
    budget = spent.value
    disclosure = addNoise(plan, disclosure, rows, opts.uniform)
  } else budget = await getPrivacyBudget(db, { subscriptionId: caller.subscriptionId, now })

  const computeMs = elapsed()
  const result: SandboxJobResult = {
    jobId,
    k: plan.k,
    level: plan.level,
    unit: { zh: plan.base.view.unitZh, en: plan.base.view.unitEn },
    groupBy: plan.groupBy.map((g) => g.ref),
    aggregates: plan.aggregates.map((a) => a.key),
    groups: disclosure.groups,
    disclosure: {
      groupsSuppressed: disclosure.groupsSuppressed,
      cellsSuppressed: disclosure.cellsSuppressed,
      noise: plan.epsilon === null ? null : { mechanism: 'laplace', epsilon: plan.epsilon },
    },
    budget,
    computeMs,
  }
  await db.insert(sandboxJobs).values({
    ...base,
    state: 'released',
    result: JSON.stringify(result),
    groupSubjects: JSON.stringify([...disclosure.groupUnits]),
    epsilon: plan.epsilon === null ? null : String(plan.epsilon),
    computeMs,
    disclosure: JSON.stringify({ k: plan.k, ...result.disclosure }),
  })
  return ok({
    result,
    rowsRead: disclosure.rowsRead,
    datasetCodes: [plan.base.code, ...plan.joins.map((j) => j.dataset.code)],
  })
}
