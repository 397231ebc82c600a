import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { and, eq } from 'drizzle-orm'
import {
  cityEnterprises,
  creditRecords,
  destructionRecords,
  partnerExits,
  partners,
  reportExports,
  subscriptions,
  users,
  type ExitKind,
} from '#db/schema/index.ts'
import { ACCESS_TTL_MS } from '#gateway/create-gateway.ts'
import { executeDueExits, executePartnerExit } from '#partner-access/exits/execute-partner-exit.ts'
import { listPartnerExits } from '#partner-access/exits/list-partner-exits.ts'
import { mayApplyAgain } from '#partner-access/exits/reapply-rules.ts'
import { renderExitCertificatePdf } from '#partner-access/exits/render-exit-certificate-pdf.ts'
import { startPartnerExit } from '#partner-access/exits/start-partner-exit.ts'
import { withdrawPartnerExit } from '#partner-access/exits/withdraw-partner-exit.ts'
import { setReapplyRules } from '#partner-access/exits/set-reapply-rules.ts'
import { submitPartnerApplication } from '#partner-access/applications/submit-partner-application.ts'
import { approvePartnerApplication } from '#partner-access/applications/decide-partner-application.ts'
import { cliActor, type Actor } from '#platform/audit/record-audit.ts'
import { addCalendarMonths, DAY_MS, formatDay } from '#platform/calendar/shanghai-calendar.ts'
import { userActor } from '#platform/identity/permissions.ts'
import { recordCreditRecord } from '#supervision/credit/record-credit-record.ts'
import { openCase } from '#supervision/cases/open-case.ts'
import { reportProblem } from '#supervision/cases/report-problem.ts'
import { runCli } from '#cli/platform.ts'
import { demoApiKey, startGateway, type GatewayHarness } from '#test/support/gateway-server.ts'
import { extractPdfText } from '#test/support/pdf-text.ts'
import { PROPAGATION_PROMISE_MS, waitUntilElapsed } from '#test/support/wait.ts'

const PATH = '/api/v1/verifications/enterprise'
const PARTNER = 'shengjing-tech'

// Each exit kind of Art. 12(4), on a fresh database each (the demo key's partner): keys stop, subscriptions end, a
// final draft invoice exists, report exports are gone with a destruction record, logs remain, a credit record where due.
describe('partner exit (Art. 12(4), ADR 0033)', () => {
  let h: GatewayHarness
  const fresh = async () => {
    await h?.stop()
    h = await startGateway()
  }
  afterAll(() => h?.stop())

  const actorOf = async (username: string): Promise<Actor> =>
    userActor((await h.database.db.select().from(users).where(eq(users.username, username)))[0]!)

  async function call(): Promise<{ status: number; code: string | null }> {
    const [row] = await h.database.db
      .select({ uscc: cityEnterprises.uscc, name: cityEnterprises.name })
      .from(cityEnterprises)
      .limit(1)
    const res = await fetch(h.baseUrl + PATH, {
      method: 'POST',
      headers: { authorization: `Bearer ${demoApiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(row),
    })
    const json = (await res.json()) as { error?: { code: string } }
    return { status: res.status, code: json.error?.code ?? null }
  }

  const count = async (sql: string) => Number((await h.database.client.execute(sql)).rows[0]!.n)

  async function partnerId() {
    return (await h.database.db.select({ id: partners.id }).from(partners).where(eq(partners.code, PARTNER)))[0]!.id
  }

  /** A report export with its file, as the report job leaves it. */
  async function storedExport(pid: string, bytes: number) {
    const [sub] = await h.database.db.select().from(subscriptions).where(eq(subscriptions.partnerId, pid)).limit(1)
    await h.database.db.insert(reportExports).values({
      partnerId: pid,
      apiKeyId: 'k',
      subscriptionId: sub!.id,
      productId: sub!.productId,
      params: '{}',
      format: 'csv',
      state: 'succeeded',
      bytes,
      content: Buffer.alloc(bytes, 65),
      completedAt: Date.now(),
    })
  }

  async function sourceFor(kind: ExitKind): Promise<string | null> {
    const bureau = await actorOf('bureau')
    if (kind === 'breach') {
      const reported = await reportProblem(h.database.db, {
        actor: bureau,
        report: '合作方超范围使用数据',
        regulatorName: '市委网信办',
      })
      if (!reported.ok) throw new Error(reported.error.code)
      const opened = await openCase(h.database.db, {
        actor: bureau,
        code: reported.value.code,
        targetKind: 'partner',
        targetCode: PARTNER,
        finding: '超范围使用',
        ruleBreached: '合作协议第五条',
        deadlineOn: formatDay(Date.now() + 10 * DAY_MS),
      })
      if (!opened.ok) throw new Error(opened.error.code)
      return reported.value.code
    }
    if (kind === 'credit') {
      const recorded = await recordCreditRecord(h.database.db, {
        actor: bureau,
        input: {
          subject: 'partner',
          partnerCode: PARTNER,
          severity: 'serious',
          source: 'regulator_finding',
          regulatorName: '市公安局',
          occurredOn: formatDay(Date.now()),
          expiresOn: formatDay(Date.now() + 365 * DAY_MS),
          description: '严重失信：数据倒卖',
        },
      })
      if (!recorded.ok) throw new Error(recorded.error.code)
      return recorded.value.code
    }
    return kind === 'assessment' ? 'KH-2026-0007 年度考核不合格' : null
  }

  const KINDS: { kind: ExitKind; starter: string; credit: boolean; reapplyMonths: number }[] = [
    { kind: 'voluntary', starter: 'operator', credit: false, reapplyMonths: 0 },
    { kind: 'breach', starter: 'bureau', credit: true, reapplyMonths: 24 },
    { kind: 'assessment', starter: 'operator', credit: false, reapplyMonths: 12 },
    { kind: 'qualification', starter: 'operator', credit: false, reapplyMonths: 0 },
    { kind: 'credit', starter: 'bureau', credit: true, reapplyMonths: 36 },
  ]

  for (const { kind, starter, credit, reapplyMonths } of KINDS) {
    it(`${kind}: keys stop, subscriptions end, final draft invoice, exports destroyed with a record, logs kept${credit ? ', a credit record' : ''}`, async () => {
      await fresh()
      const db = h.database.db
      const pid = await partnerId()
      await new Promise((r) => setTimeout(r, ACCESS_TTL_MS))
      expect(await call()).toEqual({ status: 200, code: null })
      await storedExport(pid, 1234)
      await storedExport(pid, 66)
      const sourceRef = await sourceFor(kind)
      const usageBefore = await count('SELECT count(*) AS n FROM usage_events')
      const auditBefore = await count('SELECT count(*) AS n FROM audit_log')
      const creditBefore = await count(`SELECT count(*) AS n FROM credit_records WHERE partner_id = '${pid}'`)

      const actor = await actorOf(starter)
      const started = await startPartnerExit(db, {
        actor,
        input: { partnerCode: PARTNER, kind, reason: '测试退出原因', sourceRef },
      })
      if (!started.ok) throw new Error(JSON.stringify(started.error))
      // The notice: the partner admin's inbox has it; keys still work until the exit date.
      const admin = await actorOf('partner.admin')
      expect(
        await count(`SELECT count(*) AS n FROM notifications WHERE user_id = '${admin.id}' AND kind = 'partner_exit_noticed'`),
      ).toBe(1)
      const executed = await executePartnerExit(db, { actor, exitId: started.value.id })
      if (!executed.ok) throw new Error(JSON.stringify(executed.error))
      const changedAt = performance.now()

      // Subscriptions end; the partner is exited.
      const subs = await db.select({ state: subscriptions.state }).from(subscriptions).where(eq(subscriptions.partnerId, pid))
      expect(subs.length).toBeGreaterThan(0)
      expect(subs.every((s) => s.state === 'ended' || s.state === 'rejected')).toBe(true)
      expect((await db.select({ state: partners.state }).from(partners).where(eq(partners.id, pid)))[0]!.state).toBe('exited')
      // The final draft invoice of the partial period.
      const [exit] = await db.select().from(partnerExits).where(eq(partnerExits.id, started.value.id))
      expect(exit).toMatchObject({ state: 'executed', kind, sourceRef })
      expect(exit!.certificateNumber).toMatch(/^TC-\d{4}-\d{4}$/)
      expect(exit!.finalInvoice).not.toBeNull()
      expect(JSON.parse(exit!.finalInvoice!)).toMatchObject({ state: 'draft', partner: { code: PARTNER } })
      expect(exit!.finalInvoicePeriod).toMatch(/^\d{4}-\d{2}$/)
      // Exports gone (the rows stay: they are the export log), one destruction record with count and bytes.
      const exportsLeft = await db
        .select({ content: reportExports.content })
        .from(reportExports)
        .where(eq(reportExports.partnerId, pid))
      expect(exportsLeft.every((e) => e.content === null)).toBe(true)
      const destroyed = await db.select().from(destructionRecords).where(eq(destructionRecords.exitId, exit!.id))
      expect(destroyed).toHaveLength(1)
      expect(destroyed[0]).toMatchObject({ what: 'report_export_content', count: 2, bytes: 1300, byLabel: actor.label })
      await expect(h.database.client.execute(`DELETE FROM destruction_records`)).rejects.toThrow(/append-only/)
      // Logs remain: nothing deleted, and the audit has the exit.
      expect(await count('SELECT count(*) AS n FROM usage_events')).toBe(usageBefore)
      expect(await count('SELECT count(*) AS n FROM audit_log')).toBeGreaterThan(auditBefore)
      // A credit record for a breach or bad credit, none otherwise.
      const records = await db
        .select({ code: creditRecords.code, caseRef: creditRecords.caseRef })
        .from(creditRecords)
        .where(and(eq(creditRecords.partnerId, pid)))
      expect(records.length - creditBefore).toBe(credit ? 1 : 0)
      if (kind === 'breach') expect(records.some((r) => r.caseRef === sourceRef)).toBe(true)
      expect(executed.value.creditRecordCode !== null).toBe(credit)
      // Re-application by kind.
      const again = await mayApplyAgain(db, { partnerId: pid })
      expect(again.from).toBe(addCalendarMonths(exit!.exitAt, reapplyMonths))
      expect(again.allowed).toBe(reapplyMonths === 0)
      // Keys stop: the gateway's access cache reloads within 1 s.
      await waitUntilElapsed(changedAt, PROPAGATION_PROMISE_MS)
      expect(await call()).toEqual({ status: 403, code: 'not_subscribed' })
    })
  }

  describe('the procedure', () => {
    beforeAll(fresh)

    it('refuses hostile input and the wrong starter, changing nothing', async () => {
      const db = h.database.db
      const operator = await actorOf('operator')
      const bureau = await actorOf('bureau')
      const before = await count('SELECT count(*) AS n FROM partner_exits')
      const bad = await startPartnerExit(db, {
        actor: operator,
        input: { partnerCode: PARTNER, kind: 'expelled', reason: 'x', exitAt: Date.now() - DAY_MS },
      })
      expect(bad).toMatchObject({
        ok: false,
        error: { kind: 'validation', fields: { kind: 'invalid', reason: 'too_short', exitAt: 'past' } },
      })
      expect(
        await startPartnerExit(db, { actor: bureau, input: { partnerCode: PARTNER, kind: 'voluntary', reason: '自愿退出' } }),
      ).toMatchObject({
        error: { fields: { kind: 'not_for_bureau' } },
      })
      expect(
        await startPartnerExit(db, {
          actor: bureau,
          input: { partnerCode: PARTNER, kind: 'breach', reason: '违约', sourceRef: 'ZG-1999-0001' },
        }),
      ).toMatchObject({
        error: { fields: { sourceRef: 'case_not_of_partner' } },
      })
      expect(
        await startPartnerExit(db, {
          actor: await actorOf('partner.admin'),
          input: { partnerCode: PARTNER, kind: 'voluntary', reason: '自愿退出' },
        }),
      ).toMatchObject({
        error: { kind: 'forbidden' },
      })
      expect(
        await startPartnerExit(db, { actor: operator, input: { partnerCode: 'nobody', kind: 'voluntary', reason: '自愿退出' } }),
      ).toMatchObject({
        error: { code: 'partner_not_found' },
      })
      expect(await count('SELECT count(*) AS n FROM partner_exits')).toBe(before)
    })

    it('waits for its date: not due before it, executed by the job at it, once; racing executions record one', async () => {
      const db = h.database.db
      const operator = await actorOf('operator')
      const now = Date.now()
      const exitAt = now + 3 * DAY_MS
      const started = await startPartnerExit(db, {
        actor: operator,
        now,
        input: { partnerCode: PARTNER, kind: 'voluntary', reason: '自愿退出合作', exitAt },
      })
      if (!started.ok) throw new Error(started.error.code)
      expect(
        await startPartnerExit(db, {
          actor: operator,
          input: { partnerCode: PARTNER, kind: 'qualification', reason: '资质变更' },
        }),
      ).toMatchObject({
        error: { code: 'exit_under_way' },
      })
      expect(await executePartnerExit(db, { actor: operator, exitId: started.value.id, now })).toMatchObject({
        error: { code: 'exit_not_due' },
      })
      expect(await executeDueExits(db, { actor: cliActor(), now: exitAt - 1 })).toEqual([])
      const results = await Promise.all([
        executeDueExits(db, { actor: cliActor(), now: exitAt + 1000 }),
        executePartnerExit(db, { actor: operator, exitId: started.value.id, now: exitAt + 1000 }),
      ])
      const successes = results[0].length + (results[1].ok ? 1 : 0)
      expect(successes).toBe(1)
      const [exit] = await db.select().from(partnerExits).where(eq(partnerExits.id, started.value.id))
      expect(exit!.exitAt).toBe(exitAt)
      expect(await count(`SELECT count(*) AS n FROM audit_log WHERE action = 'partner_exit.execute'`)).toBe(1)
    })

    it('certificate: a Chinese PDF with the kind, dates and what was ended and deleted; the admin sees only their own', async () => {
      const db = h.database.db
      const admin = await actorOf('partner.admin')
      const [view] = await listPartnerExits(db, { actor: admin })
      expect(view!.partner.code).toBe(PARTNER)
      const pdf = await renderExitCertificatePdf(view!, { reapplyFrom: null })
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-')
      const text = extractPdfText(pdf)
      expect(text).toContain('合作方退出证明')
      expect(text).toContain('主动退出')
      expect(text).toContain(view!.certificateNumber!)
      expect(text).toContain(formatDay(view!.exitAt))
      expect(await listPartnerExits(db, { actor: { ...admin, partnerId: 'another' } })).toEqual([])
    })

    it('CLI: partners:exit now, and partners:list --json shows state and exit kind', async () => {
      await fresh()
      const run = async (...argv: string[]) => {
        const out: string[] = []
        const err: string[] = []
        const code = await runCli(
          argv,
          { out: (l) => out.push(l), err: (l) => err.push(l) },
          { DATABASE_URL: `file:${h.database.path}` },
        )
        return { code, out: out.join('\n'), err: err.join('\n') }
      }
      expect((await run('partners:exit', PARTNER, '--kind', 'nonsense', '--reason', '测试')).code).toBe(1)
      const exited = await run('partners:exit', PARTNER, '--kind', 'qualification', '--reason', '资质已变更', '--json')
      expect(exited.code).toBe(0)
      expect(JSON.parse(exited.out)).toMatchObject({ state: 'executed', partnerCode: PARTNER, kind: 'qualification' })
      const listed = await run('partners:list', '--json')
      const rows = JSON.parse(listed.out) as { code: string; state: string; exitKind: string | null; subscriptions: number }[]
      expect(rows.find((r) => r.code === PARTNER)).toMatchObject({ state: 'exited', exitKind: 'qualification' })
      expect(rows.filter((r) => r.code !== PARTNER).every((r) => r.exitKind === null)).toBe(true)
      const later = await run(
        'partners:exit',
        'zhang-wei',
        '--kind',
        'voluntary',
        '--reason',
        '自愿退出',
        '--at',
        formatDay(Date.now() + 30 * DAY_MS),
        '--json',
      )
      expect(JSON.parse(later.out)).toMatchObject({ state: 'noticed' })
    })

    it('a notice withdrawn before its date: nothing stops, the job skips it, the partner is told; not twice, not by the wrong hand', async () => {
      await fresh()
      const db = h.database.db
      const operator = await actorOf('operator')
      const bureau = await actorOf('bureau')
      const now = Date.now()
      const exitAt = now + 3 * DAY_MS
      const started = await startPartnerExit(db, {
        actor: operator,
        now,
        input: { partnerCode: PARTNER, kind: 'voluntary', reason: '自愿退出合作', exitAt },
      })
      if (!started.ok) throw new Error(started.error.code)
      // Hostile and wrong-hand attempts change nothing.
      expect(await withdrawPartnerExit(db, { actor: operator, exitId: started.value.id, reason: ' ' })).toMatchObject({
        ok: false,
        error: { fields: { withdrawReason: 'too_short' } },
      })
      expect(await withdrawPartnerExit(db, { actor: operator, exitId: 'x'.repeat(5000), reason: '误操作撤回' })).toMatchObject({
        ok: false,
        error: { kind: 'not_found' },
      })
      expect(await withdrawPartnerExit(db, { actor: bureau, exitId: started.value.id, reason: '市数据局撤回' })).toMatchObject({
        ok: false,
        error: { code: 'exit_not_for_bureau' },
      })
      const partnerAdmin = await actorOf('partner.admin')
      expect(
        await withdrawPartnerExit(db, { actor: partnerAdmin, exitId: started.value.id, reason: '我不想退出了' }),
      ).toMatchObject({
        ok: false,
        error: { kind: 'forbidden' },
      })
      expect((await db.select().from(partnerExits).where(eq(partnerExits.id, started.value.id)))[0]!.state).toBe('noticed')

      // Racing withdrawals: exactly one is recorded.
      const results = await Promise.all([
        withdrawPartnerExit(db, { actor: operator, exitId: started.value.id, reason: '合作方撤回退出申请', now: now + 1000 }),
        withdrawPartnerExit(db, { actor: operator, exitId: started.value.id, reason: '合作方撤回退出申请', now: now + 1000 }),
      ])
      expect(results.filter((r) => r.ok)).toHaveLength(1)
      expect(results.find((r) => !r.ok)).toMatchObject({ error: { code: 'exit_not_pending' } })
      const [exit] = await db.select().from(partnerExits).where(eq(partnerExits.id, started.value.id))
      expect(exit).toMatchObject({ state: 'withdrawn', withdrawnAt: now + 1000, withdrawReason: '合作方撤回退出申请' })
      expect(await count(`SELECT count(*) AS n FROM audit_log WHERE action = 'partner_exit.withdraw'`)).toBe(1)
      expect(await count(`SELECT count(*) AS n FROM notifications WHERE kind = 'partner_exit_withdrawn'`)).toBeGreaterThan(0)
      // The date comes and goes: the job skips it, the key still answers, the partner is active, a new exit may start.
      expect(await executeDueExits(db, { actor: cliActor(), now: exitAt + 1000 })).toEqual([])
      expect(await executePartnerExit(db, { actor: operator, exitId: started.value.id })).toMatchObject({
        error: { code: 'exit_not_pending' },
      })
      expect((await call()).status).toBe(200)
      expect((await db.select().from(partners).where(eq(partners.code, PARTNER)))[0]!.state).toBe('active')
      expect(
        await startPartnerExit(db, {
          actor: operator,
          input: { partnerCode: PARTNER, kind: 'qualification', reason: '资质变更' },
        }),
      ).toMatchObject({ ok: true })
    })

    it('the bureau sets when a former partner may apply again; an approval inside the bar is refused', async () => {
      await fresh()
      const db = h.database.db
      const operator = await actorOf('operator')
      const bureau = await actorOf('bureau')
      const pid = await partnerId()
      const [partner] = await db.select().from(partners).where(eq(partners.id, pid))
      const started = await startPartnerExit(db, {
        actor: operator,
        input: { partnerCode: PARTNER, kind: 'assessment', reason: '年度考核不合格', sourceRef: 'PJ-2026-0001' },
      })
      if (!started.ok) throw new Error(started.error.code)
      const executed = await executePartnerExit(db, { actor: operator, exitId: started.value.id, early: true })
      if (!executed.ok) throw new Error(executed.error.code)
      const exitAt = (await db.select().from(partnerExits).where(eq(partnerExits.id, started.value.id)))[0]!.exitAt
      // The default for a failed assessment: a year.
      expect(await mayApplyAgain(db, { uscc: partner!.uscc })).toMatchObject({
        allowed: false,
        from: addCalendarMonths(exitAt, 12),
      })
      // Bad periods are refused next to their kind, nothing changes; only the bureau sets them.
      expect(
        await setReapplyRules(db, {
          actor: bureau,
          monthsByKind: { voluntary: '-1', breach: 'abc', assessment: '121', qualification: 0, credit: 1.5 },
        }),
      ).toMatchObject({
        ok: false,
        error: {
          fields: {
            voluntary: 'invalid_months',
            breach: 'invalid_months',
            assessment: 'invalid_months',
            credit: 'invalid_months',
          },
        },
      })
      const rules = { voluntary: 0, breach: 24, assessment: 6, qualification: 0, credit: 36 }
      expect(await setReapplyRules(db, { actor: operator, monthsByKind: rules })).toMatchObject({
        ok: false,
        error: { kind: 'forbidden' },
      })
      expect(await setReapplyRules(db, { actor: bureau, monthsByKind: rules })).toMatchObject({ ok: true })
      expect((await mayApplyAgain(db, { uscc: partner!.uscc })).from).toBe(addCalendarMonths(exitAt, 6))
      expect(await count(`SELECT count(*) AS n FROM audit_log WHERE action = 'reapply_rules.set'`)).toBe(1)

      // The former partner applies again: the operator cannot approve inside the bar, can once it is lifted.
      const applied = await submitPartnerApplication(db, {
        actor: { id: null, label: 'applicant', role: 'anonymous' },
        input: {
          kind: 'legal_person',
          name: partner!.name,
          uscc: partner!.uscc!,
          contactName: '陈管理',
          contactPhone: '13800001111',
          contactEmail: 'chen@example.cn',
          scenarios: '重新申请成为合作方',
          purpose: 'industrial',
        },
        address: '198.51.100.20',
      })
      if (!applied.ok) throw new Error(applied.error.code)
      expect(await approvePartnerApplication(db, { actor: operator, number: applied.value.number })).toMatchObject({
        ok: false,
        error: { code: 'reapply_barred', fields: { uscc: 'reapply_barred' } },
      })
      await setReapplyRules(db, { actor: bureau, monthsByKind: { ...rules, assessment: 0 } })
      expect(await approvePartnerApplication(db, { actor: operator, number: applied.value.number })).toMatchObject({ ok: true })
    })
  })
})
