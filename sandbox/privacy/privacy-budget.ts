import { randomUUID } from 'node:crypto'
import { and, eq, sql } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { sandboxPrivacySpends } from '#db/schema/sandbox.ts'
import { formatMonth, startOfNextMonth } from '#platform/calendar/shanghai-calendar.ts'
import { fail, ok, type Result } from '#platform/result.ts'

/**
 * ε a subscription may spend per billing period (Asia/Shanghai month) on differentially private jobs (ADR 0038). Sized so
 * a partner can run a few dozen noised tables a month at ε = 0.1–0.5 each; it renews with the period.
 */
export const EPSILON_PER_PERIOD = 5
const MICRO = 1_000_000

export const PRIVACY_BUDGET_EXHAUSTED = 'privacy_budget_exhausted'

export interface PrivacyBudget {
  /** YYYY-MM (Asia/Shanghai). */
  period: string
  epsilon: number
  spent: number
  remaining: number
  /** When the next period's budget begins (ms since the epoch). */
  renewsAt: number
}

const toMicro = (epsilon: number) => Math.round(epsilon * MICRO)

async function spentMicro(db: Db, subscriptionId: string, period: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`coalesce(sum(${sandboxPrivacySpends.epsilonMicro}), 0)` })
    .from(sandboxPrivacySpends)
    .where(and(eq(sandboxPrivacySpends.subscriptionId, subscriptionId), eq(sandboxPrivacySpends.period, period)))
  return Number(row?.n ?? 0)
}

const budgetOf = (period: string, spent: number, now: number): PrivacyBudget => ({
  period,
  epsilon: EPSILON_PER_PERIOD,
  spent: spent / MICRO,
  remaining: Math.max(0, toMicro(EPSILON_PER_PERIOD) - spent) / MICRO,
  renewsAt: startOfNextMonth(now),
})

/** The subscription's budget for the period `now` falls in. */
export async function getPrivacyBudget(db: Db, opts: { subscriptionId: string; now: number }): Promise<PrivacyBudget> {
  const period = formatMonth(opts.now)
  return budgetOf(period, await spentMicro(db, opts.subscriptionId, period), opts.now)
}

const exhausted = (budget: PrivacyBudget, epsilon: number) =>
  fail(
    'rate_limited',
    PRIVACY_BUDGET_EXHAUSTED,
    `This job asks for ε = ${epsilon}; ${budget.remaining} of ${budget.epsilon} is left for ${budget.period} (renews with the next period)`,
    { 'privacy.epsilon': PRIVACY_BUDGET_EXHAUSTED },
  )

/** Refuses before any work when ε does not fit what is left (the spend itself re-checks atomically). */
export async function checkPrivacyBudget(
  db: Db,
  opts: { subscriptionId: string; epsilon: number; now: number },
): Promise<Result<PrivacyBudget>> {
  const budget = await getPrivacyBudget(db, opts)
  if (toMicro(opts.epsilon) > toMicro(budget.remaining)) return exhausted(budget, opts.epsilon)
  return ok(budget)
}

/**
 * Draws ε for a job: one conditional INSERT, so two jobs racing for the last of the budget cannot both have it (SQLite
 * serialises writers; the sum is read inside the statement). Returns the budget after the spend.
 */
export async function spendPrivacyBudget(
  db: Db,
  opts: { subscriptionId: string; jobId: string; epsilon: number; now: number },
): Promise<Result<PrivacyBudget>> {
  const period = formatMonth(opts.now)
  const micro = toMicro(opts.epsilon)
  const limit = toMicro(EPSILON_PER_PERIOD)
  const inserted = await db.run(sql`
    insert into sandbox_privacy_spends (id, subscription_id, period, job_id, epsilon_micro, at)
    select ${randomUUID()}, ${opts.subscriptionId}, ${period}, ${opts.jobId}, ${micro}, ${opts.now}
    where (select coalesce(sum(epsilon_micro), 0) from sandbox_privacy_spends
           where subscription_id = ${opts.subscriptionId} and period = ${period}) + ${micro} <= ${limit}`)
  const spent = await spentMicro(db, opts.subscriptionId, period)
  const budget = budgetOf(period, spent, opts.now)
  if (inserted.rowsAffected !== 1) return exhausted(budget, opts.epsilon)
  return ok(budget)
}
