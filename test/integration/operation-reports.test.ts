import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { count, eq } from 'drizzle-orm'
import { auditLog, operationReports, operationReportVersions, subscriptions } from '#db/schema/index.ts'
import { insertEvents } from '#test/support/billing-harness.ts'
import { runCli } from '#cli/platform.ts'
import type { Actor, ActorRole } from '#platform/audit/record-audit.ts'
import { parseReportPeriod, previousQuarter } from '#reporting/periods/report-period.ts'
import { SECTION_KEYS } from '#reporting/figures/figure-types.ts'
import { datasetsOfSandboxQuery } from '#reporting/figures/fusion-figures.ts'
import { decideOperationReport } from '#reporting/reports/decide-operation-report.ts'
import { getOperationReport, listOperationReports } from '#reporting/reports/find-operation-report.ts'
import { generateOperationReport } from '#reporting/reports/generate-operation-report.ts'
import { NARRATIVE_MAX_LENGTH } from '#reporting/reports/report-narrative.ts'
import { saveReportNarrative } from '#reporting/reports/save-report-narrative.ts'
import { submitOperationReport } from '#reporting/reports/submit-operation-report.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'

// Operation reports (ADR 0035) at their edges: who may do what, hostile input on every field, racing requests, the
// CLI's JSON and its refusals, and the demo's submitted report.

const actorOf = (role: ActorRole): Actor => ({
  id: null,
  label: `${role}-test`,
  role,
  partnerId: role.startsWith('partner') ? 'p' : null,
  sourceUnitId: role === 'source_unit' ? 's' : null,
})
const operator = actorOf('operator')
const bureau = actorOf('bureau')

describe('operation reports: roles, hostile input, races, CLI', () => {
  let t: TestDatabase
  beforeEach(async () => {
    t = await createTestDatabase()
  })
  afterEach(() => t.destroy())

  const reportRows = async () => (await t.db.select({ n: count() }).from(operationReportVersions))[0]!.n
  const auditTail = async () => (await t.db.select({ n: count() }).from(auditLog))[0]!.n

  it('the demo has last quarter’s report, submitted, with its narrative; the bureau sees it', async () => {
    const period = previousQuarter(Date.now()).period
    const seen = await getOperationReport(t.db, { actor: bureau, period })
    if (!seen.ok) throw new Error(seen.error.code)
    expect(seen.value.shown).toMatchObject({ version: 1, state: 'submitted' })
    expect(seen.value.shown.narrative.summary).toContain('本季度')
    expect(seen.value.shown.figures.sections.map((s) => s.key)).toEqual([...SECTION_KEYS])
  })

  it('wrong roles are refused and change nothing', async () => {
    const before = [await reportRows(), await auditTail()]
    for (const role of [
      'bureau',
      'source_unit',
      'partner_admin',
      'partner_developer',
      'auditor',
      'partner_api',
      'system',
      'anonymous',
    ] as const)
      expect(await generateOperationReport(t.db, { actor: actorOf(role), period: '2025-Q1' }), role).toMatchObject({
        error: { kind: 'forbidden' },
      })
    for (const role of ['bureau', 'source_unit', 'partner_admin', 'auditor', 'cli'] as const) {
      expect(await saveReportNarrative(t.db, { actor: actorOf(role), period: '2025-Q1', narrative: {} }), role).toMatchObject({
        error: { kind: 'forbidden' },
      })
      expect(await submitOperationReport(t.db, { actor: actorOf(role), period: '2025-Q1' }), role).toMatchObject({
        error: { kind: 'forbidden' },
      })
    }
    const period = previousQuarter(Date.now()).period
    for (const role of ['operator', 'source_unit', 'partner_admin', 'auditor', 'cli'] as const)
      expect(
        await decideOperationReport(t.db, { actor: actorOf(role), period, version: 1, decision: 'acknowledge' }),
        role,
      ).toMatchObject({ error: { kind: 'forbidden' } })
    for (const role of ['source_unit', 'partner_admin', 'partner_developer', 'auditor'] as const) {
      expect(await listOperationReports(t.db, { actor: actorOf(role) }), role).toMatchObject({ error: { kind: 'forbidden' } })
      expect(await getOperationReport(t.db, { actor: actorOf(role), period }), role).toMatchObject({
        error: { kind: 'forbidden' },
      })
    }
    expect([await reportRows(), await auditTail()]).toEqual(before)
  })

  it('hostile periods, narratives and comments are refused with the field named; text is kept as text', async () => {
    const before = await reportRows()
    for (const period of ['2025-Q5', '2025-07', "2025' OR 1=1", '../2025', 'x'.repeat(100_000), '', '２０２５', '2025-Q1\u0000'])
      expect(await generateOperationReport(t.db, { actor: operator, period }), JSON.stringify(period.slice(0, 20))).toMatchObject(
        {
          error: { kind: 'validation', fields: { period: 'invalid_period' } },
        },
      )
    expect(
      await generateOperationReport(t.db, { actor: operator, period: String(new Date().getUTCFullYear() + 2) }),
    ).toMatchObject({
      error: { code: 'period_not_started' },
    })
    expect(await reportRows()).toBe(before)

    expect((await generateOperationReport(t.db, { actor: operator, period: '2025-Q1' })).ok).toBe(true)
    const tries: [Record<string, unknown>, Record<string, string>][] = [
      [{ summary: 'x'.repeat(NARRATIVE_MAX_LENGTH + 1) }, { summary: 'too_long' }],
      [{ storage: 'a\u0000b' }, { storage: 'invalid' }],
      [{ market: 'bell\u0007' }, { market: 'invalid' }],
      [{ fusion: ['array'] }, { fusion: 'invalid' }],
      [{ summary: { nested: 1 } }, { summary: 'invalid' }],
    ]
    for (const [narrative, fields] of tries)
      expect(await saveReportNarrative(t.db, { actor: operator, period: '2025-Q1', narrative })).toMatchObject({
        error: { kind: 'validation', fields },
      })
    // Unknown keys are ignored; HTML, quotes and formula-looking text are stored as the text they are.
    const words = '<script>alert(1)</script> =HYPERLINK("x") 公益 “引号”'
    expect(
      (
        await saveReportNarrative(t.db, {
          actor: operator,
          period: '2025-Q1',
          narrative: { summary: words, __proto__x: 'y', figures: 'z' },
        })
      ).ok,
    ).toBe(true)
    const stored = await getOperationReport(t.db, { actor: operator, period: '2025-Q1' })
    expect(stored.ok && stored.value.shown.narrative).toEqual({ summary: words })
    expect(await saveReportNarrative(t.db, { actor: operator, period: '2031-Q1', narrative: {} })).toMatchObject({
      error: { kind: 'not_found' },
    })
    expect((await submitOperationReport(t.db, { actor: operator, period: '2025-Q1' })).ok).toBe(true)
    for (const [comment, code] of [
      ['x'.repeat(3000), 'too_long'],
      ['a\u0001', 'invalid'],
      ['   ', 'required'],
    ] as const)
      expect(
        await decideOperationReport(t.db, { actor: bureau, period: '2025-Q1', version: 1, decision: 'return', comment }),
      ).toMatchObject({
        error: { fields: { comment: code } },
      })
    expect(
      await decideOperationReport(t.db, {
        actor: bureau,
        period: '2025-Q1',
        version: 1,
        decision: 'delete' as 'return',
        comment: 'x',
      }),
    ).toMatchObject({ error: { fields: { decision: 'invalid' } } })
  })

  it('racing requests: two generations of one period make one report; two decisions of one version, one', async () => {
    const results = await Promise.all([1, 2, 3].map(() => generateOperationReport(t.db, { actor: operator, period: '2025-Q2' })))
    expect(results.filter((r) => r.ok && r.value.outcome === 'created')).toHaveLength(1)
    for (const r of results) if (!r.ok) expect(r.error.code).toBe('report_busy')
    const [report] = await t.db.select().from(operationReports).where(eq(operationReports.period, '2025-Q2'))
    expect(
      await t.db.select().from(operationReportVersions).where(eq(operationReportVersions.reportId, report!.id)),
    ).toHaveLength(1)

    await saveReportNarrative(t.db, { actor: operator, period: '2025-Q2', narrative: { summary: '说明' } })
    expect((await submitOperationReport(t.db, { actor: operator, period: '2025-Q2' })).ok).toBe(true)
    const auditsBefore = await auditTail()
    const decisions = await Promise.all([
      decideOperationReport(t.db, { actor: bureau, period: '2025-Q2', version: 1, decision: 'acknowledge' }),
      decideOperationReport(t.db, { actor: bureau, period: '2025-Q2', version: 1, decision: 'return', comment: '请修改' }),
    ])
    expect(decisions.filter((d) => d.ok)).toHaveLength(1)
    expect(decisions.find((d) => !d.ok)).toMatchObject({ error: { kind: 'conflict', code: 'not_submitted' } })
    // Exactly one decision was recorded, with its one audit entry.
    expect(await auditTail()).toBe(auditsBefore + 1)
  })

  it('a sandbox query’s datasets are counted from its list, its joins, or its single dataset', () => {
    expect(datasetsOfSandboxQuery('{"datasets":["A","B"]}')).toBe(2)
    expect(datasetsOfSandboxQuery('{"dataset":"A","joins":[{"dataset":"B"},{"dataset":"A"}]}')).toBe(2)
    expect(datasetsOfSandboxQuery('{"from":"A"}')).toBe(1)
    expect(datasetsOfSandboxQuery('not json')).toBe(0)
  })

  describe('CLI reports:generate', () => {
    async function run(...argv: string[]) {
      const out: string[] = []
      const err: string[] = []
      const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) }, { DATABASE_URL: `file:${t.path}` })
      return { code, out: out.join('\n'), err: err.join('\n') }
    }

    it('--json: a stable document of period and five sections of figures; stores nothing', async () => {
      const before = [await reportRows(), await auditTail()]
      const year = String(new Date().getUTCFullYear())
      const result = await run('reports:generate', '--period', year, '--json')
      expect(result.code).toBe(0)
      const doc = JSON.parse(result.out) as Record<string, unknown> & {
        sections: { key: string; figures: { key: string; unit: string; value: number }[] }[]
      }
      expect(Object.keys(doc)).toEqual(['format', 'period', 'kind', 'from', 'to', 'generatedAt', 'sections'])
      expect(doc).toMatchObject({ format: 1, period: year, kind: 'annual', from: `${year}-01-01`, to: `${year}-12-31` })
      expect(doc.sections.map((s) => s.key)).toEqual([...SECTION_KEYS])
      for (const s of doc.sections)
        for (const f of s.figures) {
          expect(Object.keys(f).slice(0, 3)).toEqual(['key', 'unit', 'value'])
          expect(Number.isFinite(f.value)).toBe(true)
        }
      // Three answered calls more this year are three more in the figures.
      const calls = (d: typeof doc) => d.sections[1]!.figures.find((f) => f.key === 'calls_total')!.value
      const [sub] = await t.db.select().from(subscriptions).limit(1)
      const at = parseReportPeriod(year)!.start
      await insertEvents(
        t.db,
        { partnerId: sub!.partnerId, subscriptionId: sub!.id, productId: sub!.productId, key: '', purpose: sub!.purpose },
        [at, at + 1, at + 2],
      )
      const again = JSON.parse((await run('reports:generate', '--period', year, '--json')).out) as typeof doc
      expect(calls(again)).toBe(calls(doc) + 3)
      expect([await reportRows(), await auditTail()]).toEqual(before)
      const text = await run('reports:generate', '--period', `${year}-Q1`)
      expect(text.code).toBe(0)
      expect(text.out).toContain('Data interaction / 数据交互')
    })

    it('a bad or missing period: a clear error and a non-zero exit', async () => {
      for (const argv of [['--period', '2026-Q5'], ['--period', '26'], ['--period', '2026-07', '--json'], []]) {
        const result = await run('reports:generate', ...argv)
        expect(result.code, argv.join(' ')).toBe(2)
        expect(result.err).toMatch(/2026-Q3.*2026|quarter/)
        expect(result.out).toBe('')
      }
      expect((await run('reports:generate', '--period', '2026', '--nonsense')).code).not.toBe(0)
    })
  })
})
