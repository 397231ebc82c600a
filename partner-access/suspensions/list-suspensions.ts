import { and, asc, desc, eq, inArray } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { auditLog, partners, products } from '#db/schema/index.ts'

/**
 * What the bureau's suspension page shows: every published (or retired)
 * product and every partner, with their current suspension, reason and since when.
 */
export async function listSuspensions(db: Db) {
  const productRows = await db
    .select({
      code: products.code,
      nameZh: products.nameZh,
      nameEn: products.nameEn,
      state: products.state,
      suspendedAt: products.suspendedAt,
      reason: products.suspensionReason,
    })
    .from(products)
    .where(inArray(products.state, ['published', 'retired']))
    .orderBy(asc(products.code))
  const partnerRows = await db
    .select({ id: partners.id, code: partners.code, name: partners.name, state: partners.state })
    .from(partners)
    .orderBy(asc(partners.code))
  // A partner's suspension reason and time live in its latest partner.suspend audit entry.
  const suspended = partnerRows.filter((p) => p.state === 'suspended').map((p) => p.id)
  const entries =
    suspended.length === 0
      ? []
      : await db
          .select({ objectId: auditLog.objectId, at: auditLog.at, detail: auditLog.detail })
          .from(auditLog)
          .where(and(eq(auditLog.action, 'partner.suspend'), inArray(auditLog.objectId, suspended)))
          .orderBy(desc(auditLog.seq))
  const latest = new Map<string, { at: number; reason: string | null }>()
  for (const e of entries) {
    if (!e.objectId || latest.has(e.objectId)) continue
    const detail = e.detail ? (JSON.parse(e.detail) as { reason?: string | null }) : {}
    latest.set(e.objectId, { at: e.at, reason: detail.reason ?? null })
  }
  return {
    products: productRows,
    partners: partnerRows.map(({ id, ...p }) => ({
      ...p,
      suspendedAt: p.state === 'suspended' ? (latest.get(id)?.at ?? null) : null,
      reason: p.state === 'suspended' ? (latest.get(id)?.reason ?? null) : null,
    })),
  }
}
