import { asc, gt } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { auditLog } from '#db/schema/index.ts'
import { computeAuditHash, GENESIS_HASH } from './audit-hash.ts'

export type AuditChainReport =
  | { ok: true; entries: number; lastSeq: number }
  | {
      ok: false
      entries: number
      firstBadSeq: number
      problem: 'altered' | 'missing' | 'broken_link'
      message: string
    }

/**
 * Walks the chain from the first entry. An edited row no longer matches its own
 * hash ("altered"); a deleted row leaves a gap in `seq` ("missing"); a row
 * whose prev_hash is not its predecessor's hash was re-chained ("broken_link").
 */
export async function verifyAuditChain(db: Db, pageSize = 5000): Promise<AuditChainReport> {
  let expectedSeq = 1
  let prevHash = GENESIS_HASH
  let entries = 0
  for (;;) {
    const page = await db
      .select()
      .from(auditLog)
      .where(gt(auditLog.seq, expectedSeq - 1))
      .orderBy(asc(auditLog.seq))
      .limit(pageSize)
    if (page.length === 0) return { ok: true, entries, lastSeq: expectedSeq - 1 }
    for (const row of page) {
      if (row.seq !== expectedSeq) {
        return {
          ok: false,
          entries,
          firstBadSeq: expectedSeq,
          problem: 'missing',
          message: `audit entry #${expectedSeq} is missing (next present entry is #${row.seq})`,
        }
      }
      if (computeAuditHash(row) !== row.hash) {
        return {
          ok: false,
          entries,
          firstBadSeq: row.seq,
          problem: 'altered',
          message: `audit entry #${row.seq} (${row.action}) was altered: its content no longer matches its hash`,
        }
      }
      if (row.prevHash !== prevHash) {
        return {
          ok: false,
          entries,
          firstBadSeq: row.seq,
          problem: 'broken_link',
          message: `audit entry #${row.seq} does not chain to entry #${row.seq - 1}`,
        }
      }
      prevHash = row.hash
      expectedSeq++
      entries++
    }
  }
}
