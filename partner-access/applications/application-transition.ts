import { eq, sql } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { partnerApplications, type ApplicationState } from '#db/schema/index.ts'
import { errorText } from '#platform/error-text.ts'

type ApplicationRow = typeof partnerApplications.$inferSelect

/**
 * The state change of an application as a statement that fails its whole batch when the application is no longer in
 * one of `from` (the new state becomes NULL, which `state NOT NULL` refuses), as the rectification cases do (ADR 0028):
 * of two reviewers deciding at once, exactly one decision is recorded, and an approval's partner with it.
 */
export function transitionApplication(
  db: Db,
  opts: {
    id: string
    from: readonly ApplicationState[]
    to: ApplicationState
    set?: Partial<Omit<ApplicationRow, 'state' | 'id'>>
  },
) {
  const from = sql.join(
    opts.from.map((s) => sql`${s}`),
    sql`, `,
  )
  return db
    .update(partnerApplications)
    .set({ ...opts.set, state: sql`CASE WHEN ${partnerApplications.state} IN (${from}) THEN ${opts.to} ELSE NULL END` })
    .where(eq(partnerApplications.id, opts.id))
}

export const isLostApplicationTransition = (error: unknown) =>
  /NOT NULL constraint failed: partner_applications\.state/.test(errorText(error))
