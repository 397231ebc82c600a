import { and, desc, eq, inArray, sql } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { EXIT_KINDS, partnerExits, partners, reapplyRuleSettings, type ExitKind } from '#db/schema/index.ts'
import { addCalendarMonths } from '#platform/calendar/shanghai-calendar.ts'

/**
 * Whether and when an exited partner may apply again, per kind of exit (ADR 0033). Months from the exit date; 0 = at
 * once. The defaults follow the weight of the exit: leaving by choice or because a qualification changed does not bar a
 * return; a failed evaluation waits a year, a breach two, bad credit three (the usual horizon of a serious credit record).
 * The bureau may set other periods (setReapplyRules); the latest setting counts.
 */
export const REAPPLY_AFTER_MONTHS: Readonly<Record<ExitKind, number>> = {
  voluntary: 0,
  qualification: 0,
  assessment: 12,
  breach: 24,
  credit: 36,
}

/** The most a bar may last: ten years. */
export const MAX_REAPPLY_MONTHS = 120

export interface ReapplyRules {
  monthsByKind: Record<ExitKind, number>
  setAt: number | null
  setBy: string | null
}

/** The rules in force: the bureau's latest setting, or the defaults above. */
export async function findReapplyRules(db: Db): Promise<ReapplyRules> {
  const [row] = await db
    .select()
    .from(reapplyRuleSettings)
    .orderBy(desc(reapplyRuleSettings.setAt), desc(sql`rowid`))
    .limit(1)
  if (!row) return { monthsByKind: { ...REAPPLY_AFTER_MONTHS }, setAt: null, setBy: null }
  const stored = JSON.parse(row.monthsByKind) as Partial<Record<ExitKind, number>>
  const monthsByKind = Object.fromEntries(
    EXIT_KINDS.map((k) => [k, Number.isInteger(stored[k]) ? stored[k]! : REAPPLY_AFTER_MONTHS[k]]),
  ) as Record<ExitKind, number>
  return { monthsByKind, setAt: row.setAt, setBy: row.setByLabel }
}

export interface ReapplyAnswer {
  allowed: boolean
  /** From when an application is accepted (null: no exit stands in the way). */
  from: number | null
  /** The exit that decides, if any. */
  exit: { kind: ExitKind; exitAt: number; partnerCode: string } | null
}

/**
 * For the application review: may this applicant (a former partner by USCC, or a partner id) apply now? The latest
 * executed exit with the longest bar decides.
 */
export async function mayApplyAgain(
  db: Db,
  opts: { uscc?: string | null; partnerId?: string | null; now?: number },
): Promise<ReapplyAnswer> {
  const now = opts.now ?? Date.now()
  const ids: string[] = []
  if (opts.partnerId) ids.push(opts.partnerId)
  if (opts.uscc) {
    const rows = await db.select({ id: partners.id }).from(partners).where(eq(partners.uscc, opts.uscc.trim().toUpperCase()))
    ids.push(...rows.map((r) => r.id))
  }
  if (ids.length === 0) return { allowed: true, from: null, exit: null }
  const exits = await db
    .select({ kind: partnerExits.kind, exitAt: partnerExits.exitAt, partnerCode: partners.code })
    .from(partnerExits)
    .innerJoin(partners, eq(partners.id, partnerExits.partnerId))
    .where(and(inArray(partnerExits.partnerId, ids), eq(partnerExits.state, 'executed')))
    .orderBy(desc(partnerExits.exitAt))
  const { monthsByKind } = await findReapplyRules(db)
  let decisive: ReapplyAnswer = { allowed: true, from: null, exit: null }
  for (const e of exits) {
    const from = addCalendarMonths(e.exitAt, monthsByKind[e.kind])
    if (decisive.from === null || from > decisive.from) decisive = { allowed: now >= from, from, exit: e }
  }
  return decisive
}
