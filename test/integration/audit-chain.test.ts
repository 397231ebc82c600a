import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { eq, max } from 'drizzle-orm'
import { auditLog } from '#db/schema/index.ts'
import { openDatabase } from '#db/client.ts'
import { recordAudit, systemActor } from '#platform/audit/record-audit.ts'
import { verifyAuditChain } from '#platform/audit/verify-audit-chain.ts'
import { runCli } from '#cli/platform.ts'
import { errorText } from '#platform/error-text.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'

describe('audit trail', () => {
  let t: TestDatabase
  beforeEach(async () => {
    t = await createTestDatabase()
  })
  afterEach(() => t.destroy())

  // The triggers of ADR 0007 refuse any edit; an attacker holding the file drops them first.
  async function dropAppendOnlyTriggers() {
    await t.client.execute('DROP TRIGGER audit_log_append_only_update')
    await t.client.execute('DROP TRIGGER audit_log_append_only_delete')
  }

  async function cliVerify() {
    const out: string[] = []
    const code = await runCli(
      ['audit:verify', '--json'],
      { out: (l) => out.push(l), err: (l) => out.push(l) },
      { DATABASE_URL: `file:${t.path}` },
    )
    return { code, report: JSON.parse(out.join('\n')) }
  }

  it('the seeded chain verifies, from the domain function and the CLI', async () => {
    const report = await verifyAuditChain(t.db)
    expect(report.ok).toBe(true)
    expect(report.entries).toBeGreaterThan(10)
    expect(await cliVerify()).toMatchObject({ code: 0, report: { ok: true } })
  })

  it('refuses UPDATE and DELETE of audit entries at the database level', async () => {
    await expect(t.db.update(auditLog).set({ action: 'x' }).where(eq(auditLog.seq, 2))).rejects.toSatisfy((e) =>
      /log_retention/.test(errorText(e)),
    )
    await expect(t.db.delete(auditLog).where(eq(auditLog.seq, 2))).rejects.toSatisfy((e) => /log_retention/.test(errorText(e)))
    expect((await verifyAuditChain(t.db)).ok).toBe(true)
  })

  it('names the first altered entry', async () => {
    await dropAppendOnlyTriggers()
    await t.db.update(auditLog).set({ action: 'user.create.tampered' }).where(eq(auditLog.seq, 7))
    await t.db.update(auditLog).set({ actorLabel: 'someone-else' }).where(eq(auditLog.seq, 9))
    const report = await verifyAuditChain(t.db)
    expect(report).toMatchObject({ ok: false, firstBadSeq: 7, problem: 'altered' })
    const cli = await cliVerify()
    expect(cli.code).toBe(1)
    expect(cli.report).toMatchObject({ ok: false, firstBadSeq: 7 })
  })

  it('names the first removed entry', async () => {
    await dropAppendOnlyTriggers()
    await t.db.delete(auditLog).where(eq(auditLog.seq, 5))
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: false, firstBadSeq: 5, problem: 'missing' })
  })

  it('detects a row whose hash was recomputed but whose link was not', async () => {
    // Re-hashing one row after editing it still breaks the next row's link.
    await dropAppendOnlyTriggers()
    const { computeAuditHash } = await import('#platform/audit/audit-hash.ts')
    const [row] = await t.db.select().from(auditLog).where(eq(auditLog.seq, 3))
    const edited = { ...row!, detail: '{"forged":true}' }
    await t.db
      .update(auditLog)
      .set({ detail: edited.detail, hash: computeAuditHash(edited) })
      .where(eq(auditLog.seq, 3))
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: false, firstBadSeq: 4, problem: 'broken_link' })
  })

  it('keeps one unbroken chain when two connections (as two processes would) append at once', async () => {
    const other = await openDatabase(`file:${t.path}`)
    try {
      const [{ before } = { before: 0 }] = await t.db.select({ before: max(auditLog.seq) }).from(auditLog)
      const writes = []
      for (let i = 0; i < 40; i++) {
        const db = i % 2 === 0 ? t.db : other.db
        writes.push(
          recordAudit(db, { actor: systemActor('test'), action: 'test.append', objectType: 'test', objectId: String(i) }),
        )
      }
      const seqs = await Promise.all(writes)
      expect(new Set(seqs).size).toBe(40)
      const report = await verifyAuditChain(t.db)
      expect(report).toMatchObject({ ok: true, lastSeq: (before ?? 0) + 40 })
    } finally {
      other.close()
    }
  })

  it('commits a change and its audit entry together or not at all', async () => {
    const { users } = await import('#db/schema/index.ts')
    const [{ before } = { before: 0 }] = await t.db.select({ before: max(auditLog.seq) }).from(auditLog)
    // The change violates a NOT NULL constraint, so the batch fails: no audit entry may remain.
    await expect(
      recordAudit(t.db, { actor: systemActor('test'), action: 'user.broken', objectType: 'user' }, [
        t.db.insert(users).values({ username: 'x', displayName: 'x', role: 'bureau', passwordHash: null as unknown as string }),
      ]),
    ).rejects.toThrow()
    const [{ after } = { after: 0 }] = await t.db.select({ after: max(auditLog.seq) }).from(auditLog)
    expect(after).toBe(before)
  })
})
