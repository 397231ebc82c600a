import { desc } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { auditLog } from '#db/schema/index.ts'

export async function listAuditEntries(db: Db, opts: { limit?: number } = {}) {
  return db
    .select()
    .from(auditLog)
    .orderBy(desc(auditLog.seq))
    .limit(opts.limit ?? 100)
}
