import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { runCli } from '#cli/platform.ts'
import { auditLog, creditRecords, partners } from '#db/schema/index.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { DAY_MS, formatDay, parseDay } from '#platform/calendar/shanghai-calendar.ts'
import { recordCreditRecord, type CreditRecordInput } from '#supervision/credit/record-credit-record.ts'
import { revokeCreditRecord } from '#supervision/credit/revoke-credit-record.ts'
import {
  findBadCreditExitCandidates,
  listActiveCreditRecords,
  listCreditRecords,
} from '#supervision/credit/list-credit-records.ts'
import { exportCreditRecords } from '#supervision/credit/export-credit-records.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'

// Credit records (Art. 28; ADR 0029): recorded by the bureau, never edited, withdrawn only by a revocation record,
// ending at their expiry; exported for the city's credit platform.

const bureau: Actor = { id: null, label: 'bureau', role: 'bureau' }
const NOW = parseDay('2026-11-20')! + 10 * 3_600_000

const input = (over: Partial<CreditRecordInput> = {}): CreditRecordInput => ({
  subject: 'partner',
  partnerCode: 'zhang-wei',
  severity: 'major',
  source: 'regulator_finding',
  regulatorName: '沈阳市公安局网安支队',
  occurredOn: '2026-11-01',
  expiresOn: '2027-10-31',
  description: '超出授权范围留存核验结果',
  ...over,
})

describe('credit records', () => {
  let t: TestDatabase
  // The seed's own record is against shengjing-tech: these tests use another partner, and count from the seed's.
  let shengjing: string
  let seeded: number
  beforeEach(async () => {
    t = await createTestDatabase()
    shengjing = (await t.db.select({ id: partners.id }).from(partners).where(eq(partners.code, 'zhang-wei')))[0]!.id
    seeded = (await t.db.select().from(creditRecords)).length
  })
  afterEach(() => t.destroy())

  const record = (over: Partial<CreditRecordInput> = {}, actor = bureau, now = NOW) =>
    recordCreditRecord(t.db, { input: input(over), actor, now })

  it('records a violation, audited, and shows it active for the partner until its expiry', async () => {
    const made = await record()
    if (!made.ok) throw new Error(made.error.code)
    expect(made.value.code).toMatch(/^XY-2026-\d{4}$/)
    const audits = await t.db.select().from(auditLog).where(eq(auditLog.action, 'credit_record.record'))
    expect(audits.map((e) => e.objectId)).toContain(made.value.id)
    const active = await listActiveCreditRecords(t.db, { partnerId: shengjing, now: NOW })
    expect(active.records.map((r) => r.code)).toEqual([made.value.code])
    expect(active.isBadCreditExitCandidate).toBe(false)
    // Through the last second of its expiry day (Asia/Shanghai), not after.
    const lastDay = parseDay('2027-10-31')!
    expect((await listActiveCreditRecords(t.db, { partnerId: shengjing, now: lastDay + DAY_MS - 1001 })).records).toHaveLength(1)
    const after = await listCreditRecords(t.db, { partnerId: shengjing, now: lastDay + DAY_MS })
    expect(after.map((r) => r.status)).toEqual(['expired'])
    expect((await listActiveCreditRecords(t.db, { partnerId: shengjing, now: lastDay + DAY_MS })).records).toEqual([])
  })

  it('flags a partner with a serious record in force as a candidate for a bad-credit exit', async () => {
    await record({ severity: 'serious', source: 'case', caseRef: 'ZG-2026-0009', regulatorName: null })
    const active = await listActiveCreditRecords(t.db, { partnerId: shengjing, now: NOW })
    expect(active.isBadCreditExitCandidate).toBe(true)
    expect(active.records[0]).toMatchObject({ sourceType: 'case', caseRef: 'ZG-2026-0009', regulatorName: null })
    const candidates = await findBadCreditExitCandidates(t.db, { now: NOW })
    expect(candidates.map((c) => c.partner.code)).toEqual(['zhang-wei'])
  })

  it('links a record to the rectification case it names, when the case exists (the seed’s record)', async () => {
    const seededRecords = await listCreditRecords(t.db, { now: NOW })
    const fromCase = seededRecords.find((r) => r.sourceType === 'case' && r.partner?.code === 'shengjing-tech')!
    expect(fromCase.linkedCase?.code).toBe(fromCase.caseRef)
    await record({ source: 'case', caseRef: 'ZG-1999-9999', regulatorName: null })
    const unknown = (await listCreditRecords(t.db, { partnerId: shengjing, now: NOW }))[0]!
    expect(unknown).toMatchObject({ caseRef: 'ZG-1999-9999', linkedCase: null })
  })

  it('records against the operator too', async () => {
    expect((await record({ subject: 'operator', partnerCode: null, severity: 'minor' })).ok).toBe(true)
    const [row] = await listCreditRecords(t.db, { subject: 'operator', now: NOW })
    expect(row).toMatchObject({ subjectType: 'operator', partner: null, status: 'active' })
  })

  it('is append-only: the store refuses an update or a delete; a revocation record withdraws it', async () => {
    const made = await record({ severity: 'serious' })
    if (!made.ok) throw new Error(made.error.code)
    await expect(t.client.execute(`UPDATE credit_records SET severity = 'minor'`)).rejects.toThrow(/append-only/)
    await expect(t.client.execute(`DELETE FROM credit_records`)).rejects.toThrow(/append-only/)
    const revoked = await revokeCreditRecord(t.db, {
      record: made.value.code,
      reason: '复核认定事实不成立',
      actor: bureau,
      now: NOW + 1000,
    })
    if (!revoked.ok) throw new Error(revoked.error.code)
    expect(revoked.value).toMatchObject({ revokedCode: made.value.code })
    const [view] = await listCreditRecords(t.db, { partnerId: shengjing, now: NOW + 2000 })
    expect(view).toMatchObject({ status: 'revoked', revocation: { code: revoked.value.code, reason: '复核认定事实不成立' } })
    // Before the revocation's instant it still counted.
    expect((await listCreditRecords(t.db, { partnerId: shengjing, now: NOW }))[0]!.status).toBe('active')
    expect((await listActiveCreditRecords(t.db, { partnerId: shengjing, now: NOW + 2000 })).isBadCreditExitCandidate).toBe(false)
    const twice = await revokeCreditRecord(t.db, { record: made.value.code, reason: '再次撤销一下', actor: bureau })
    expect(twice.ok || twice.error.code).toBe('already_revoked')
    const revokeRevocation = await revokeCreditRecord(t.db, { record: revoked.value.code, reason: '撤销撤销记录', actor: bureau })
    expect(revokeRevocation.ok || revokeRevocation.error.code).toBe('credit_record_not_found')
    expect(await t.db.select().from(creditRecords)).toHaveLength(seeded + 2)
  })

  it('refuses bad input field by field, other roles, and changes nothing', async () => {
    const bad = await record({
      subject: 'nobody',
      severity: 'fatal',
      source: 'rumour',
      occurredOn: '2026-02-31',
      expiresOn: 'soon',
      description: ' ',
    })
    expect(bad.ok || bad.error.fields).toEqual({
      subject: 'invalid',
      severity: 'invalid',
      source: 'invalid',
      occurredOn: 'invalid',
      expiresOn: 'invalid',
      description: 'required',
    })
    const fields = async (over: Partial<CreditRecordInput>) => {
      const r = await record(over)
      return r.ok ? null : r.error.fields
    }
    expect(await fields({ partnerCode: 'no-such-partner' })).toEqual({ partnerCode: 'unknown' })
    expect(await fields({ regulatorName: '' })).toEqual({ regulatorName: 'required' })
    expect(await fields({ source: 'case', caseRef: null })).toEqual({ caseRef: 'required' })
    expect(await fields({ occurredOn: formatDay(NOW + 3 * DAY_MS) })).toEqual({ occurredOn: 'future' })
    expect(await fields({ expiresOn: '2026-10-01' })).toEqual({ expiresOn: 'before_occurred' })
    expect(await fields({ description: 'x'.repeat(2001) })).toEqual({ description: 'length' })
    for (const role of ['operator', 'partner_admin', 'source_unit', 'auditor', 'cli'] as const) {
      const r = await record({}, { id: null, label: role, role, partnerId: 'p', sourceUnitId: 's' })
      expect(r.ok || r.error.code, role).toBe('forbidden')
    }
    expect(await t.db.select().from(creditRecords)).toHaveLength(seeded)
  })

  it('exports CSV (formula-safe) and JSON for the city credit platform, with status and revocation', async () => {
    const a = await record({ description: '=HYPERLINK("http://evil.example")' })
    const b = await record({ subject: 'operator', partnerCode: null, severity: 'minor', description: '日志上报延迟' })
    if (!a.ok || !b.ok) throw new Error('not recorded')
    const revocation = await revokeCreditRecord(t.db, { record: a.value.code, reason: '行政复议撤销', actor: bureau, now: NOW })
    const csv = await exportCreditRecords(t.db, { format: 'csv', now: NOW + 1 })
    expect(csv.contentType).toContain('text/csv')
    const lines = csv.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n')
    expect(lines[0]).toBe(
      'record_no,subject_type,subject_code,subject_name,severity,source_type,case_ref,regulator,occurred_on,expires_on,status,description,recorded_at,revoked_by,revoked_at,revocation_reason',
    )
    expect(lines).toHaveLength(1 + seeded + 2)
    expect(csv.body).toContain(`"'=HYPERLINK(""http://evil.example"")"`)
    const json = JSON.parse((await exportCreditRecords(t.db, { format: 'json', now: NOW + 1 })).body)
    expect(json.count).toBe(seeded + 2)
    const byNo = Object.fromEntries(json.records.map((r: { record_no: string }) => [r.record_no, r]))
    if (!revocation.ok) throw new Error(revocation.error.code)
    expect(byNo[a.value.code]).toMatchObject({ status: 'revoked', revoked_by: revocation.value.code, subject_code: 'zhang-wei' })
    expect(byNo[b.value.code]).toMatchObject({ status: 'active', subject_type: 'operator', occurred_on: '2026-11-01' })
  })

  it('credit:list on the CLI: text, --json, --format csv, --active, --partner; bad flags refused', async () => {
    const mine = await record()
    await record({
      partnerCode: 'huimin-service',
      severity: 'serious',
      expiresOn: formatDay(Date.now() - 2 * DAY_MS),
      occurredOn: '2025-01-01',
    })
    const run = async (...argv: string[]) => {
      const out: string[] = []
      const err: string[] = []
      const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) }, { DATABASE_URL: `file:${t.path}` })
      return { code, out: out.join('\n'), err: err.join('\n') }
    }
    const text = await run('credit:list')
    expect(text.code).toBe(0)
    expect(text.out).toContain(mine.ok ? mine.value.code : 'none')
    const json = await run('credit:list', '--json')
    expect(JSON.parse(json.out).records).toHaveLength(seeded + 2)
    const active = await run('credit:list', '--json', '--active')
    const activeSubjects = JSON.parse(active.out).records.map((r: { subject_code: string }) => r.subject_code)
    expect(activeSubjects).toContain('zhang-wei')
    expect(activeSubjects).not.toContain('huimin-service')
    const csv = await run('credit:list', '--format', 'csv', '--partner', 'huimin-service')
    expect(csv.out.split('\r\n')).toHaveLength(2)
    expect(csv.out).toContain('huimin-service')
    expect((await run('credit:list', '--format', 'xml')).code).toBe(2)
    expect((await run('credit:list', '--partner', 'nobody')).code).toBe(1)
  })
})
