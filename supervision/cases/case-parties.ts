import { eq, sql } from 'drizzle-orm'
import { errorText } from '#platform/error-text.ts'
import type { Db } from '#db/client.ts'
import { authorizations, caseEvents, partners, products, rectificationCases, type CaseState } from '#db/schema/index.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import type { Audience } from '#supervision/inbox/notification-statements.ts'

export type CaseRow = typeof rectificationCases.$inferSelect

/** The states in which a case is still running: the party can be asked for evidence, a suspension can belong to it. */
export const RUNNING_STATES: readonly CaseState[] = ['open', 'evidence_submitted', 'escalated']

export async function findCaseRow(db: Db, code: string): Promise<CaseRow | null> {
  const [row] = await db.select().from(rectificationCases).where(eq(rectificationCases.code, code)).limit(1)
  return row ?? null
}

/** The party that answers a case: a partner's administrators for a partner case, else the operator (Art. 27). */
export function partyOf(c: Pick<CaseRow, 'targetKind' | 'partnerId'>): Audience {
  return c.targetKind === 'partner' && c.partnerId ? { kind: 'partner', partnerId: c.partnerId } : { kind: 'operator' }
}

/** Everyone told about a step of the case: the bureau, the party (once it is opened) and the reporting source unit. */
export function audiencesOf(c: Pick<CaseRow, 'targetKind' | 'partnerId' | 'reporterSourceUnitId' | 'state'>): Audience[] {
  const audiences: Audience[] = [{ kind: 'bureau' }]
  if (c.targetKind) audiences.push(partyOf(c))
  if (c.reporterSourceUnitId) audiences.push({ kind: 'source_unit', sourceUnitId: c.reporterSourceUnitId })
  return audiences
}

/**
 * Whether `actor` may see the case (ADR 0021: another's case is `not_found`). The bureau, the CLI and the jobs see
 * every case; the operator and a partner's administrator the cases opened against them; a source unit those it
 * reported.
 */
export function canSeeCase(actor: Actor, c: CaseRow): boolean {
  switch (actor.role) {
    case 'bureau':
    case 'cli':
    case 'system':
      return true
    case 'operator':
      return c.state !== 'reported' && c.targetKind !== null && c.targetKind !== 'partner'
    case 'partner_admin':
      return c.state !== 'reported' && c.targetKind === 'partner' && !!actor.partnerId && c.partnerId === actor.partnerId
    case 'source_unit':
      return !!actor.sourceUnitId && c.reporterSourceUnitId === actor.sourceUnitId
    default:
      return false
  }
}

/** Whether `actor` is the party that answers the case with evidence. */
export function isCaseParty(actor: Actor, c: CaseRow): boolean {
  return (actor.role === 'operator' || actor.role === 'partner_admin') && canSeeCase(actor, c)
}

/** One step on the case's timeline (append-only), for the batch of the change it records. */
export function caseEventStatement(
  db: Db,
  opts: { caseId: string; kind: string; actor: Actor; at: number; note?: string | null; detail?: Record<string, unknown> },
) {
  return db.insert(caseEvents).values({
    caseId: opts.caseId,
    at: opts.at,
    kind: opts.kind,
    actorId: opts.actor.id,
    actorLabel: opts.actor.label,
    role: opts.actor.role,
    note: opts.note ?? null,
    detail: opts.detail ? JSON.stringify(opts.detail) : null,
  })
}

/** A case's target named by its code, as the forms and the CLI give it. */
export async function resolveTarget(
  db: Db,
  kind: 'operator' | 'partner' | 'product' | 'authorization',
  code: string | null,
): Promise<
  | { ok: true; partnerId: string | null; productId: string | null; authorizationId: string | null; label: string }
  | { ok: false; code: string }
> {
  const none = { partnerId: null, productId: null, authorizationId: null }
  if (kind === 'operator') return { ok: true, ...none, label: 'operator' }
  if (!code) return { ok: false, code: 'target_required' }
  if (kind === 'partner') {
    const [row] = await db.select({ id: partners.id, code: partners.code }).from(partners).where(eq(partners.code, code))
    return row ? { ok: true, ...none, partnerId: row.id, label: row.code } : { ok: false, code: 'partner_not_found' }
  }
  if (kind === 'product') {
    const [row] = await db.select({ id: products.id, code: products.code }).from(products).where(eq(products.code, code))
    return row ? { ok: true, ...none, productId: row.id, label: row.code } : { ok: false, code: 'product_not_found' }
  }
  const [row] = await db
    .select({ id: authorizations.id, code: authorizations.code })
    .from(authorizations)
    .where(eq(authorizations.code, code))
  return row ? { ok: true, ...none, authorizationId: row.id, label: row.code } : { ok: false, code: 'authorization_not_found' }
}

/**
 * The state change of a case as a statement that fails its whole batch (the audit entry, the timeline row and the
 * notices with it) when the case is no longer in one of `from`: the new state becomes NULL, which `state NOT NULL`
 * refuses. So of two racing steps on one case (two closes, a close and the deadline job) exactly one is recorded.
 */
export function transitionCase(
  db: Db,
  opts: { id: string; from: readonly CaseState[]; to: CaseState; set?: Partial<Omit<CaseRow, 'state' | 'id'>> },
) {
  const from = sql.join(
    opts.from.map((s) => sql`${s}`),
    sql`, `,
  )
  return db
    .update(rectificationCases)
    .set({
      ...opts.set,
      state: sql`CASE WHEN ${rectificationCases.state} IN (${from}) THEN ${opts.to} ELSE NULL END`,
    })
    .where(eq(rectificationCases.id, opts.id))
}

/** Whether a batch failed because a guarded transition lost its race (transitionCase, or an authorization's). */
export function isLostTransition(error: unknown): boolean {
  return /NOT NULL constraint failed: (rectification_cases|authorizations)\.state/.test(errorText(error))
}
