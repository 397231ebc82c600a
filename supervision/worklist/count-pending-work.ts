import { and, count, eq, inArray, type SQL } from 'drizzle-orm'
import type { SQLiteTable } from 'drizzle-orm/sqlite-core'
import type { Db } from '#db/client.ts'
import {
  agreementVersions,
  demandItems,
  invoices,
  partnerApplications,
  priceBooks,
  products,
  rectificationCases,
  sandboxExports,
  subscriptions,
} from '#db/schema/index.ts'
import { sandboxModels } from '#db/schema/sandbox-models.ts'
import type { Actor } from '#platform/audit/record-audit.ts'

/** One queue of a role's home page: how many items wait, and where they are decided. */
export interface PendingQueue {
  key: string
  count: number
  href: string
}

const countOf = async (db: Db, table: SQLiteTable, where: SQL | undefined) =>
  Number((await db.select({ n: count() }).from(table).where(where))[0]?.n ?? 0)

/**
 * What waits for the actor's decision, per queue, for the home pages (issue 16: "no pending-work counts"). Each count is
 * the same condition the queue's own page lists; a source unit counts only its own items. Roles without queues get [].
 */
export async function countPendingWork(db: Db, opts: { actor: Actor }): Promise<PendingQueue[]> {
  const { actor } = opts
  if (actor.role === 'bureau') {
    const [demands, productReviews, subs, books, agreements, cases, models] = await Promise.all([
      countOf(db, demandItems, eq(demandItems.state, 'pending_review')),
      countOf(db, products, eq(products.state, 'under_review')),
      countOf(db, subscriptions, eq(subscriptions.state, 'pending')),
      countOf(db, priceBooks, eq(priceBooks.state, 'pending_review')),
      countOf(db, agreementVersions, eq(agreementVersions.state, 'draft')),
      countOf(db, rectificationCases, inArray(rectificationCases.state, ['reported', 'evidence_submitted', 'escalated'])),
      countOf(db, sandboxModels, eq(sandboxModels.state, 'pending_bureau')),
    ])
    return [
      { key: 'demands', count: demands, href: '/bureau/demands' },
      { key: 'products', count: productReviews, href: '/bureau/products' },
      { key: 'subscriptions', count: subs, href: '/bureau/subscriptions' },
      { key: 'priceBooks', count: books, href: '/bureau/pricing' },
      { key: 'agreements', count: agreements, href: '/bureau/agreements' },
      { key: 'cases', count: cases, href: '/bureau/cases' },
      { key: 'sandboxModels', count: models, href: '/bureau/sandbox-models' },
    ]
  }
  if (actor.role === 'operator') {
    const [applications, returned, books, drafts, exportReviews, models] = await Promise.all([
      countOf(db, partnerApplications, inArray(partnerApplications.state, ['submitted', 'under_review'])),
      countOf(db, demandItems, eq(demandItems.state, 'returned')),
      countOf(db, priceBooks, eq(priceBooks.state, 'returned')),
      countOf(db, invoices, eq(invoices.state, 'draft')),
      countOf(db, sandboxExports, eq(sandboxExports.state, 'pending')),
      countOf(db, sandboxModels, eq(sandboxModels.state, 'pending_operator')),
    ])
    return [
      { key: 'applications', count: applications, href: '/operator/applications' },
      { key: 'returnedDemands', count: returned, href: '/operator/demands' },
      { key: 'returnedPriceBooks', count: books, href: '/operator/pricing' },
      { key: 'draftInvoices', count: drafts, href: '/operator/invoices' },
      { key: 'sandboxExports', count: exportReviews, href: '/operator/sandbox-exports' },
      { key: 'sandboxModels', count: models, href: '/operator/sandbox-models' },
    ]
  }
  if (actor.role === 'source_unit' && actor.sourceUnitId) {
    const decisions = await countOf(
      db,
      demandItems,
      and(eq(demandItems.state, 'approved'), eq(demandItems.sourceUnitId, actor.sourceUnitId)),
    )
    return [{ key: 'demandDecisions', count: decisions, href: '/source-unit/demands' }]
  }
  return []
}
