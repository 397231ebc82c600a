import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { and, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { authorizations, caseEvents, datasets, rectificationCases, users } from '#db/schema/index.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { DAY_MS, formatDay } from '#platform/calendar/shanghai-calendar.ts'
import { userActor } from '#platform/identity/permissions.ts'
import { reportProblem } from '#supervision/cases/report-problem.ts'
import { openCase } from '#supervision/cases/open-case.ts'
import { submitCaseEvidence } from '#supervision/cases/submit-case-evidence.ts'
import { closeCase } from '#supervision/cases/close-case.ts'
import { escalateOverdueCases } from '#supervision/cases/escalate-overdue-cases.ts'
import { terminateCase } from '#supervision/cases/terminate-case.ts'
import { listCases } from '#supervision/cases/list-cases.ts'
import { findCase } from '#supervision/cases/find-case.ts'
import { findQueueDeadlines } from '#supervision/cases/find-queue-deadlines.ts'
import { suspendAuthorization } from '#catalog/authorizations/suspend-authorization.ts'
import { resumeAuthorization } from '#catalog/authorizations/resume-authorization.ts'
import { expireAuthorizations } from '#catalog/authorizations/expire-authorizations.ts'
import { findProductAuthorizationState } from '#catalog/authorizations/find-product-authorization-state.ts'
import { loadDatasetTable } from '#catalog/datasets/load-dataset-table.ts'
import { countUnreadNotifications, listNotifications } from '#supervision/inbox/list-notifications.ts'
import { markNotificationsRead } from '#supervision/inbox/mark-notifications-read.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'

const NOW = Date.UTC(2026, 10, 30, 2) // 2026-11-30 10:00 in Shanghai
const PDF = new TextEncoder().encode('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n')
const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])

async function* chunks(...parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield p
}

type Who = 'bureau' | 'operator' | 'source_unit' | 'partner_admin' | 'partner_developer'

async function actorsOf(db: Db): Promise<Record<Who | 'cli' | 'system', Actor>> {
  const byName = async (username: string) => userActor((await db.select().from(users).where(eq(users.username, username)))[0]!)
  return {
    bureau: await byName('bureau'),
    operator: await byName('operator'),
    source_unit: await byName('scjg'),
    partner_admin: await byName('partner.admin'),
    partner_developer: await byName('partner.dev'),
    cli: { id: null, label: 'cli', role: 'cli' },
    system: { id: null, label: 'job', role: 'system' },
  }
}

describe('rectification cases (Art. 26–27, 29)', () => {
  let t: TestDatabase
  let dir: string
  let a: Awaited<ReturnType<typeof actorsOf>>
  let authorizationCode: string

  beforeEach(async () => {
    t = await createTestDatabase()
    dir = mkdtempSync(join(tmpdir(), 'sdp-evidence-'))
    a = await actorsOf(t.db)
    const [row] = await t.db
      .select({ code: authorizations.code })
      .from(authorizations)
      .innerJoin(datasets, eq(datasets.id, authorizations.datasetId))
      .where(and(eq(datasets.code, 'DS-SCJG-0001'), eq(authorizations.state, 'active')))
    authorizationCode = row!.code
  })
  afterEach(() => {
    t.destroy()
    rmSync(dir, { recursive: true, force: true })
  })

  async function unreadCounts(): Promise<Record<Who, number>> {
    const who: Who[] = ['bureau', 'operator', 'source_unit', 'partner_admin', 'partner_developer']
    const counts = await Promise.all(who.map((w) => countUnreadNotifications(t.db, { userId: a[w].id! })))
    return Object.fromEntries(who.map((w, i) => [w, counts[i]!])) as Record<Who, number>
  }

  async function reportedCase(): Promise<string> {
    const r = await reportProblem(t.db, { actor: a.source_unit, report: '发现合作方超范围调用企业数据', now: NOW })
    if (!r.ok) throw new Error(r.error.code)
    return r.value.code
  }

  async function openedCase(deadlineDays = 5, target: { kind: string; code?: string } = { kind: 'authorization' }) {
    const code = await reportedCase()
    const opened = await openCase(t.db, {
      actor: a.bureau,
      code,
      targetKind: target.kind,
      targetCode: target.kind === 'authorization' ? authorizationCode : (target.code ?? null),
      finding: '运营单位未落实调用范围控制',
      ruleBreached: '《办法》第十三条',
      deadlineOn: formatDay(NOW + deadlineDays * DAY_MS),
      now: NOW,
    })
    if (!opened.ok) throw new Error(opened.error.code)
    return code
  }

  it('runs reported → open → evidence → closed, with a timeline, audit entries and inbox notices for each party', async () => {
    const bureauUnread = await countUnreadNotifications(t.db, { userId: a.bureau.id! })
    const auditBefore = Number((await t.client.execute('SELECT max(seq) AS s FROM audit_log')).rows[0]!.s)
    const code = await reportedCase()
    const unread = await unreadCounts()
    expect(code).toMatch(/^ZG-2026-\d{4}$/)
    expect(await countUnreadNotifications(t.db, { userId: a.bureau.id! })).toBe(bureauUnread + 1)
    // Not opened yet: the party does not see it; the reporter does.
    expect((await listCases(t.db, { actor: a.operator })).map((c) => c.code)).not.toContain(code)
    expect((await listCases(t.db, { actor: a.source_unit })).map((c) => c.code)).toContain(code)

    const opened = await openCase(t.db, {
      actor: a.bureau,
      code,
      targetKind: 'authorization',
      targetCode: authorizationCode,
      finding: '未落实调用范围控制',
      ruleBreached: '《办法》第十三条',
      deadlineOn: formatDay(NOW + 5 * DAY_MS),
      now: NOW,
    })
    expect(opened.ok).toBe(true)
    expect(await countUnreadNotifications(t.db, { userId: a.operator.id! })).toBe(unread.operator + 1)
    expect(await countUnreadNotifications(t.db, { userId: a.source_unit.id! })).toBe(unread.source_unit + 1)
    expect(await countUnreadNotifications(t.db, { userId: a.partner_admin.id! })).toBe(unread.partner_admin)
    expect((await listCases(t.db, { actor: a.operator })).map((c) => c.code)).toContain(code)
    expect((await listCases(t.db, { actor: a.partner_admin })).map((c) => c.code)).not.toContain(code)
    expect(await findCase(t.db, { actor: a.partner_admin, code })).toBeNull()

    const suspended = await suspendAuthorization(t.db, {
      actor: a.bureau,
      code: authorizationCode,
      reason: '整改期间暂停',
      caseCode: code,
      now: NOW,
    })
    expect(suspended.ok).toBe(true)

    const evidence = await submitCaseEvidence(t.db, {
      actor: a.operator,
      code,
      fileName: '整改报告.pdf',
      content: chunks(PDF),
      declaredBytes: PDF.byteLength,
      directory: dir,
      now: NOW + DAY_MS,
    })
    expect(evidence).toMatchObject({ ok: true, value: { bytes: PDF.byteLength, mediaType: 'application/pdf' } })
    expect(readdirSync(dir)).toEqual([evidence.ok ? evidence.value.id : ''])

    const closed = await closeCase(t.db, { actor: a.bureau, code, resolution: '整改材料核实无误', now: NOW + 2 * DAY_MS })
    expect(closed).toMatchObject({ ok: true, value: { resumed: [authorizationCode] } })
    const [auth] = await t.db.select().from(authorizations).where(eq(authorizations.code, authorizationCode))
    expect(auth!.state).toBe('active')

    const detail = await findCase(t.db, { actor: a.operator, code })
    expect(detail!.case.state).toBe('closed')
    expect(detail!.events.map((e) => e.kind)).toEqual([
      'reported',
      'opened',
      'authorization_suspended',
      'evidence_submitted',
      'closed',
      'authorization_resumed',
    ])
    expect(detail!.evidence).toHaveLength(1)
    const operatorInbox = await listNotifications(t.db, { actor: a.operator })
    expect(
      operatorInbox.entries
        .filter((e) => e.caseCode === code)
        .map((e) => e.kind)
        .sort(),
    ).toEqual(['authorization_resumed', 'authorization_suspended', 'case_closed', 'case_opened'].sort())
    const audit = await t.client.execute({
      sql: "SELECT action FROM audit_log WHERE (action LIKE 'case.%' OR action LIKE 'authorization.s%' OR action = 'authorization.resume') AND seq > ? ORDER BY seq",
      args: [auditBefore],
    })
    expect(audit.rows.map((r) => r.action)).toEqual([
      'case.report',
      'case.open',
      'authorization.suspend',
      'case.submit_evidence',
      'case.close',
    ])
    // The timeline is append-only.
    await expect(t.client.execute('UPDATE case_events SET note = NULL')).rejects.toThrow(/append_only/)
    await expect(t.client.execute('DELETE FROM case_events')).rejects.toThrow(/append_only/)
  })

  it('refuses every step to the roles it is not theirs, changing nothing', async () => {
    const code = await openedCase()
    const [before] = await t.db.select().from(rectificationCases).where(eq(rectificationCases.code, code))
    const refusedReport: Actor[] = [a.operator, a.partner_admin, a.partner_developer, a.cli, a.system]
    for (const actor of refusedReport)
      expect(await reportProblem(t.db, { actor, report: 'x', regulatorName: 'y' }), actor.role).toMatchObject({
        ok: false,
        error: { kind: 'forbidden' },
      })
    const notBureau: Actor[] = [a.operator, a.source_unit, a.partner_admin, a.partner_developer, a.cli]
    for (const actor of notBureau) {
      expect((await closeCase(t.db, { actor, code, resolution: 'x' })).ok, actor.role).toBe(false)
      expect((await terminateCase(t.db, { actor, code, reason: 'x' })).ok, actor.role).toBe(false)
      expect((await suspendAuthorization(t.db, { actor, code: authorizationCode, reason: 'x' })).ok, actor.role).toBe(false)
      expect((await resumeAuthorization(t.db, { actor, code: authorizationCode })).ok, actor.role).toBe(false)
      expect(
        (await openCase(t.db, { actor, code, targetKind: 'operator', finding: 'x', ruleBreached: 'x', deadlineOn: '2027-01-01' }))
          .ok,
      ).toBe(false)
    }
    for (const actor of [a.bureau, a.source_unit, a.partner_developer, a.cli]) {
      const r = await submitCaseEvidence(t.db, {
        actor,
        code,
        fileName: 'a.pdf',
        content: chunks(PDF),
        declaredBytes: null,
        directory: dir,
      })
      expect(r, actor.role).toMatchObject({ ok: false, error: { kind: 'forbidden' } })
    }
    // A partner's administrator is a party only to its own partner's cases: this one is not found for it.
    const foreign = await submitCaseEvidence(t.db, {
      actor: a.partner_admin,
      code,
      fileName: 'a.pdf',
      content: chunks(PDF),
      declaredBytes: null,
      directory: dir,
    })
    expect(foreign).toMatchObject({ ok: false, error: { code: 'case_not_found' } })
    for (const actor of [a.operator, a.source_unit, a.partner_admin, a.partner_developer])
      expect((await escalateOverdueCases(t.db, { actor, now: NOW + 30 * DAY_MS })).ok, actor.role).toBe(false)
    const [after] = await t.db.select().from(rectificationCases).where(eq(rectificationCases.code, code))
    expect(after).toEqual(before)
    expect(readdirSync(dir)).toEqual([])
  })

  it('refuses hostile case input with field codes', async () => {
    const code = await reportedCase()
    const base = {
      actor: a.bureau,
      code,
      targetKind: 'partner',
      targetCode: 'shengjing-tech',
      finding: 'f',
      ruleBreached: 'r',
      now: NOW,
    }
    expect(await openCase(t.db, { ...base, deadlineOn: formatDay(NOW - DAY_MS) })).toMatchObject({
      error: { fields: { deadlineOn: 'in_past' } },
    })
    expect(await openCase(t.db, { ...base, deadlineOn: '2026-02-31' })).toMatchObject({
      error: { fields: { deadlineOn: 'invalid_date' } },
    })
    expect(await openCase(t.db, { ...base, deadlineOn: '2030-01-01' })).toMatchObject({
      error: { fields: { deadlineOn: 'too_far' } },
    })
    expect(await openCase(t.db, { ...base, targetKind: '__proto__', deadlineOn: '2026-12-10' })).toMatchObject({
      error: { fields: { targetKind: 'invalid' } },
    })
    expect(await openCase(t.db, { ...base, targetCode: 'nobody', deadlineOn: '2026-12-10' })).toMatchObject({
      error: { code: 'partner_not_found' },
    })
    expect(await openCase(t.db, { ...base, finding: ' ', deadlineOn: '2026-12-10' })).toMatchObject({
      error: { fields: { finding: 'required' } },
    })
    expect(await openCase(t.db, { ...base, finding: 'x'.repeat(2001), deadlineOn: '2026-12-10' })).toMatchObject({
      error: { fields: { finding: 'too_long' } },
    })
    expect(await reportProblem(t.db, { actor: a.bureau, report: '报告' })).toMatchObject({
      error: { fields: { regulatorName: 'required' } },
    })
    expect(await reportProblem(t.db, { actor: a.source_unit, report: '' })).toMatchObject({
      error: { fields: { report: 'required' } },
    })
    const [row] = await t.db.select().from(rectificationCases).where(eq(rectificationCases.code, code))
    expect(row!.state).toBe('reported')
    // A partner case opened: its administrator is the party, the operator is not.
    expect((await openCase(t.db, { ...base, deadlineOn: '2026-12-10' })).ok).toBe(true)
    expect((await listCases(t.db, { actor: a.partner_admin })).map((c) => c.code)).toContain(code)
    expect((await listCases(t.db, { actor: a.operator })).map((c) => c.code)).not.toContain(code)
  })

  it('checks evidence by its bytes and its size: hostile files are refused and leave nothing behind', async () => {
    const code = await openedCase()
    const submit = (content: AsyncIterable<Uint8Array>, declaredBytes: number | null, maxBytes?: number) =>
      submitCaseEvidence(t.db, {
        actor: a.operator,
        code,
        fileName: 'evil.pdf',
        content,
        declaredBytes,
        directory: dir,
        maxBytes,
      })
    const enc = (s: string) => new TextEncoder().encode(s)
    for (const hostile of [
      enc('<html><script>alert(document.cookie)</script></html>'),
      enc('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'),
      enc('  %PDF-1.4 (not at the start)'),
      Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]),
      Uint8Array.from([0x4d, 0x5a, 0x90, 0]),
    ])
      expect(await submit(chunks(hostile), hostile.byteLength), new TextDecoder().decode(hostile)).toMatchObject({
        ok: false,
        error: { code: 'unsupported_file_type' },
      })
    expect(await submit(chunks(), 0)).toMatchObject({ ok: false, error: { code: 'file_required' } })
    // Over the limit: by its declared length at once, or while it streams (a lying Content-Length, chunked).
    expect(await submit(chunks(PDF), 11 * 1024 * 1024)).toMatchObject({ ok: false, error: { code: 'file_too_large' } })
    const big = new Uint8Array(64 * 1024)
    big.set(PDF)
    expect(await submit(chunks(big, big, big), null, 100 * 1024)).toMatchObject({ ok: false, error: { code: 'file_too_large' } })
    expect(await submit(chunks(big, big), 10, 100 * 1024)).toMatchObject({ ok: false, error: { code: 'file_too_large' } })
    expect(readdirSync(dir)).toEqual([])
    const [row] = await t.db.select().from(rectificationCases).where(eq(rectificationCases.code, code))
    expect(row!.state).toBe('open')
    // A PNG split across chunks is fine.
    expect(await submit(chunks(PNG.slice(0, 3), PNG.slice(3)), null)).toMatchObject({
      ok: true,
      value: { mediaType: 'image/png' },
    })
    // A closed case takes no more evidence.
    await closeCase(t.db, { actor: a.bureau, code, resolution: '已核实' })
    expect(await submit(chunks(PDF), null)).toMatchObject({ ok: false, error: { code: 'case_not_open' } })
  })

  it('escalates an open case once its deadline day has passed (controlled now), then the bureau confirms the termination', async () => {
    const code = await openedCase(3)
    await suspendAuthorization(t.db, {
      actor: a.bureau,
      code: authorizationCode,
      reason: '整改期间暂停',
      caseCode: code,
      now: NOW,
    })
    // The last day of the deadline is still in time; the next day is not.
    const lastDay = NOW + 3 * DAY_MS
    const unread = await unreadCounts()
    const escalatedAt = async (now: number, actor?: Actor) => {
      const result = await escalateOverdueCases(t.db, { now, actor })
      return result.ok ? result.value.escalated.filter((c) => c.code === code) : result.error.code
    }
    expect(await escalatedAt(lastDay)).toEqual([])
    const dayAfter = NOW + 4 * DAY_MS
    expect(await escalatedAt(dayAfter)).toEqual([{ code, deadlineOn: formatDay(NOW + 3 * DAY_MS) }])
    // Idempotent.
    expect(await escalatedAt(dayAfter, a.cli)).toEqual([])
    const [row] = await t.db.select().from(rectificationCases).where(eq(rectificationCases.code, code))
    expect(row!.state).toBe('escalated')
    expect(await countUnreadNotifications(t.db, { userId: a.operator.id! })).toBe(unread.operator + 1) // escalated
    // No evidence after the deadline; no close either: the deadline passed.
    expect(await closeCase(t.db, { actor: a.bureau, code, resolution: 'x' })).toMatchObject({
      error: { code: 'case_not_closable' },
    })

    const terminated = await terminateCase(t.db, { actor: a.bureau, code, reason: '逾期未完成整改，终止授权（第二十七条）' })
    expect(terminated.ok).toBe(true)
    if (!terminated.ok) return
    expect(terminated.value.authorizations).toHaveLength(1)
    expect(terminated.value.authorizations[0]!.code).toBe(authorizationCode)
    const [auth] = await t.db.select().from(authorizations).where(eq(authorizations.code, authorizationCode))
    expect(auth!.state).toBe('terminated')
    expect(auth!.endedReason).toContain('第二十七条')
    const events = await t.db
      .select({ kind: caseEvents.kind })
      .from(caseEvents)
      .innerJoin(rectificationCases, eq(rectificationCases.id, caseEvents.caseId))
      .where(eq(rectificationCases.code, code))
    expect(events.map((e) => e.kind)).toContain('terminated')
    expect((await terminateCase(t.db, { actor: a.bureau, code, reason: 'again' })).ok).toBe(false)
  })

  it('offers the bureau the authorizations a case covers: a product’s own datasets, everything for the operator', async () => {
    const product = await openedCase(5, { kind: 'product', code: 'verify-enterprise-identity' })
    const detail = await findCase(t.db, { actor: a.bureau, code: product })
    expect([...new Set(detail!.authorizations.map((x) => x.datasetCode))]).toEqual(['DS-SCJG-0001'])
    const operator = await openedCase(5, { kind: 'operator' })
    expect((await findCase(t.db, { actor: a.bureau, code: operator }))!.authorizations.length).toBeGreaterThan(1)
    // The party sees its case, not the bureau's controls.
    expect((await findCase(t.db, { actor: a.operator, code: operator }))!.authorizations).toEqual([])
  })

  it('records exactly one of racing steps: parallel closes, suspensions, escalations, evidence against a close', async () => {
    const code = await openedCase(3)
    const suspensions = await Promise.all(
      [1, 2, 3].map(() =>
        suspendAuthorization(t.db, { actor: a.bureau, code: authorizationCode, reason: '并发', caseCode: code }),
      ),
    )
    expect(suspensions.filter((r) => r.ok)).toHaveLength(1)
    expect(suspensions.filter((r) => !r.ok).map((r) => !r.ok && r.error.code)).toEqual(['already_suspended', 'already_suspended'])
    const escalations = await Promise.all([1, 2, 3].map(() => escalateOverdueCases(t.db, { now: NOW + 10 * DAY_MS })))
    const escalatedCodes = escalations.flatMap((r) => (r.ok ? r.value.escalated.map((c) => c.code) : []))
    expect(escalatedCodes.filter((c) => c === code)).toHaveLength(1)

    const other = await openedCase(3, { kind: 'operator' })
    const [closeA, closeB, evidence] = await Promise.all([
      closeCase(t.db, { actor: a.bureau, code: other, resolution: '一' }),
      closeCase(t.db, { actor: a.bureau, code: other, resolution: '二' }),
      submitCaseEvidence(t.db, {
        actor: a.operator,
        code: other,
        fileName: 'late.pdf',
        content: chunks(PDF),
        declaredBytes: null,
        directory: dir,
      }),
    ])
    const outcomes = [closeA, closeB, evidence].map((r) => (r.ok ? 'ok' : r.error.code))
    expect(outcomes.filter((o) => o === 'ok').length).toBeLessThanOrEqual(2)
    expect([closeA, closeB].filter((r) => r.ok)).toHaveLength(1)
    const events = await t.client.execute({
      sql: "SELECT kind FROM case_events e JOIN rectification_cases c ON c.id = e.case_id WHERE c.code = ? AND kind IN ('closed', 'evidence_submitted')",
      args: [other],
    })
    const audits = await t.client.execute({
      sql: "SELECT count(*) AS n FROM audit_log WHERE action = 'case.close' AND detail LIKE ?",
      args: [`%${other}%`],
    })
    expect(events.rows.filter((r) => r.kind === 'closed')).toHaveLength(1)
    expect(Number(audits.rows[0]!.n)).toBe(1)
    // Evidence either landed before the close (and is kept) or was refused with its file removed.
    const files = readdirSync(dir)
    expect(files).toHaveLength(evidence.ok ? 1 : 0)
    if (!evidence.ok) expect(evidence.error.code).toBe('case_not_open')
  })

  it('a partner case ends with the partner’s exit', async () => {
    const unread = await unreadCounts()
    const code = await openedCase(1, { kind: 'partner', code: 'shengjing-tech' })
    await escalateOverdueCases(t.db, { now: NOW + 2 * DAY_MS })
    const r = await terminateCase(t.db, { actor: a.bureau, code, reason: '逾期未整改，终止合作协议' })
    expect(r).toMatchObject({ ok: true, value: { partnerExited: 'shengjing-tech', authorizations: [] } })
    // Opened, escalated, terminated; then the breach exit's notice and its execution (ADR 0033).
    expect(await countUnreadNotifications(t.db, { userId: a.partner_admin.id! })).toBe(unread.partner_admin + 5)
    const exit = await t.client.execute(
      "SELECT e.kind, e.state, e.source_ref, p.state AS partner_state FROM partner_exits e JOIN partners p ON p.id = e.partner_id WHERE p.code = 'shengjing-tech'",
    )
    expect(exit.rows.map((r) => ({ ...r }))).toEqual([
      { kind: 'breach', state: 'executed', source_ref: code, partner_state: 'exited' },
    ])
  })

  it('a suspended authorization keeps its data, refuses its products, and still expires at its end', async () => {
    const [auth] = await t.db.select().from(authorizations).where(eq(authorizations.code, authorizationCode))
    expect(await suspendAuthorization(t.db, { actor: a.bureau, code: authorizationCode, reason: ' ' })).toMatchObject({
      error: { code: 'reason_required' },
    })
    expect((await suspendAuthorization(t.db, { actor: a.bureau, code: authorizationCode, reason: '监督检查' })).ok).toBe(true)
    expect(await suspendAuthorization(t.db, { actor: a.bureau, code: authorizationCode, reason: '再次' })).toMatchObject({
      error: { code: 'already_suspended' },
    })
    const product = await t.client.execute("SELECT id FROM products WHERE code = 'verify-enterprise-identity'")
    const state = await findProductAuthorizationState(t.db, { productId: String(product.rows[0]!.id) })
    expect(state).toMatchObject({ ok: false, endedDatasetCodes: [], suspendedDatasetCodes: ['DS-SCJG-0001'] })
    const rows = await t.client.execute('SELECT count(*) AS n FROM city_enterprises')
    expect(Number(rows.rows[0]!.n)).toBeGreaterThan(0)
    // Supply into the store pauses too: a reload of the dataset is refused as suspended, and nothing is loaded.
    expect(await loadDatasetTable(t.db, { actor: a.source_unit, datasetCode: 'DS-SCJG-0001' })).toMatchObject({
      ok: false,
      error: { code: 'authorization_suspended' },
    })
    // Before its end: the expiry job leaves it; at its end: expired (and its data deleted, Art. 17), suspended or not.
    expect(await expireAuthorizations(t.db, { now: auth!.endsAt - 1 })).toEqual([])
    const expired = await expireAuthorizations(t.db, { now: auth!.endsAt })
    expect(expired.map((e) => e.code)).toContain(authorizationCode)
    expect(await resumeAuthorization(t.db, { actor: a.bureau, code: authorizationCode })).toMatchObject({
      error: { code: 'authorization_not_suspended' },
    })
  })

  it('keeps each inbox its owner’s: counts, mark read, another’s ids untouched', async () => {
    await markNotificationsRead(t.db, { actor: a.operator, ids: 'all' })
    await openedCase()
    const mine = await listNotifications(t.db, { actor: a.operator })
    expect(mine.unread).toBe(1)
    const bureauInbox = await listNotifications(t.db, { actor: a.bureau })
    expect(bureauInbox.unread).toBeGreaterThanOrEqual(1)
    // The operator names the bureau's notification: nothing happens to it.
    expect(await markNotificationsRead(t.db, { actor: a.operator, ids: bureauInbox.entries.map((e) => e.id) })).toEqual({
      ok: true,
      value: { marked: 0 },
    })
    expect((await listNotifications(t.db, { actor: a.bureau })).unread).toBe(bureauInbox.unread)
    expect(await markNotificationsRead(t.db, { actor: a.operator, ids: [] })).toMatchObject({
      ok: false,
      error: { kind: 'validation' },
    })
    expect(
      await markNotificationsRead(t.db, { actor: a.operator, ids: mine.entries.filter((e) => !e.readAt).map((e) => e.id) }),
    ).toEqual({
      ok: true,
      value: { marked: 1 },
    })
    expect(await countUnreadNotifications(t.db, { userId: a.operator.id! })).toBe(0)
    expect(await markNotificationsRead(t.db, { actor: a.bureau, ids: 'all' })).toMatchObject({ ok: true })
    expect(await countUnreadNotifications(t.db, { userId: a.bureau.id! })).toBe(0)
  })

  it('flags the bureau’s and a source unit’s own queue items past QUEUE_DEADLINE_DAYS (Art. 29)', async () => {
    const bureau = await findQueueDeadlines(t.db, { actor: a.bureau, now: NOW })
    const later = await findQueueDeadlines(t.db, { actor: a.bureau, now: NOW + 400 * DAY_MS })
    expect(later.waiting).toBe(bureau.waiting)
    expect(later.overdue.length).toBe(later.waiting)
    const unit = await findQueueDeadlines(t.db, { actor: a.source_unit, now: NOW + 400 * DAY_MS })
    expect(unit.overdue.length).toBe(unit.waiting)
    expect(await findQueueDeadlines(t.db, { actor: a.operator })).toMatchObject({ waiting: 0, overdue: [] })
    // An open case past its deadline counts for the bureau.
    const before = (await findQueueDeadlines(t.db, { actor: a.bureau, now: NOW + 3 * DAY_MS })).overdueCases
    const beforeEarly = (await findQueueDeadlines(t.db, { actor: a.bureau, now: NOW + DAY_MS })).overdueCases
    await openedCase(2)
    expect((await findQueueDeadlines(t.db, { actor: a.bureau, now: NOW + 3 * DAY_MS })).overdueCases).toBe(before + 1)
    expect((await findQueueDeadlines(t.db, { actor: a.bureau, now: NOW + DAY_MS })).overdueCases).toBe(beforeEarly)
  })
})
