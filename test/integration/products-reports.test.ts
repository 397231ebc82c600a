import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { eq, inArray, sql } from 'drizzle-orm'
import { parse } from 'csv-parse/sync'
import {
  apiKeys,
  auditLog,
  cityEnterprises,
  partners,
  products,
  reportExports,
  subscriptions,
  usageEvents,
} from '#db/schema/index.ts'
import { generateApiKey } from '#platform/api-keys/api-key-format.ts'
import { drainReportExports } from '#gateway/reports/report-jobs.ts'
import { MAX_OPEN_EXPORTS_PER_PARTNER } from '#gateway/reports/create-report-export.ts'
import { resumeReportExports } from '#gateway/reports/resume-report-exports.ts'
import { createDatasetRules } from '#gateway/products/dataset-rules.ts'
import { callGateway, expectConformsToSpec } from '#test/support/openapi.ts'
import { extractPdfText } from '#test/support/pdf-text.ts'
import { demoApiKey, startGateway, type GatewayHarness } from '#test/support/gateway-server.ts'

const EXPORTS = '/api/v1/reports/district-economy/exports'

describe('district economic report (export jobs)', () => {
  let h: GatewayHarness
  beforeEach(async () => {
    h = await startGateway()
  })
  afterEach(async () => {
    await drainReportExports()
    await h.stop()
  })

  const call = (method: 'GET' | 'POST', path: string, body?: unknown, key?: string) =>
    callGateway(h.baseUrl, method, path, { demoKey: demoApiKey, body, key })

  /** Polls the job until it has ended, however long a loaded machine takes to render it (within the test's time). */
  async function waitForJob(id: string, key?: string) {
    return vi.waitFor(
      async () => {
        const { body } = await call('GET', `${EXPORTS}/${id}`, undefined, key)
        expect(['succeeded', 'failed'], 'the export has not ended').toContain(body.state)
        return body
      },
      { timeout: 25_000, interval: 50 },
    )
  }

  it('creates a job (202), runs it with progress, and downloads a PDF with the CJK font embedded, metered as export bytes', async () => {
    const { data, response } = await h.client.POST(EXPORTS, {
      body: { district: '210106', period: '2026-Q3', format: 'pdf' },
      headers: { authorization: `Bearer ${demoApiKey}` },
    })
    expectConformsToSpec('POST', EXPORTS, response, data)
    expect(response.status).toBe(202)
    expect(data).toMatchObject({
      state: 'queued',
      progress: 0,
      format: 'pdf',
      district: '210106',
      period: '2026-Q3',
      bytes: null,
    })
    expect(response.headers.get('location')).toBe(`${EXPORTS}/${data!.id}`)

    const job = await waitForJob(data!.id)
    expect(job).toMatchObject({ state: 'succeeded', progress: 100, error: null })
    expect(job.bytes).toBeGreaterThan(1000)
    // Progress went through the sections, each step audited.
    const steps = await h.database.db
      .select({ action: auditLog.action, detail: auditLog.detail })
      .from(auditLog)
      .where(eq(auditLog.objectId, data!.id))
    expect(steps.map((s) => s.action)).toEqual([
      'report_export.create',
      'report_export.start',
      ...Array(5).fill('report_export.progress'),
      'report_export.complete',
    ])

    const res = await fetch(`${h.baseUrl}${EXPORTS}/${data!.id}/download`, { headers: { authorization: `Bearer ${demoApiKey}` } })
    const pdf = Buffer.from(await res.arrayBuffer())
    expectConformsToSpec('GET', `${EXPORTS}/${data!.id}/download`, res, pdf)
    expect(res.headers.get('content-type')).toBe('application/pdf')
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="district-economy-210106-2026-Q3.pdf"')
    expect(pdf.length).toBe(job.bytes)
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-')
    expect(pdf.subarray(-6).toString()).toMatch(/%%EOF\s*$/)
    const raw = pdf.toString('latin1')
    expect(raw).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoSansSC-Regular/)
    expect(raw).toContain('/FontFile2')
    expect(raw).toContain('/ToUnicode')
    const text = extractPdfText(pdf)
    expect(text).toContain('铁西区经济运行报告（2026年第3季度）')
    expect(text).toContain('期末登记企业数')
    expect(text).toContain('道路交通  Road traffic')
    expect(text).toContain('本期有流量数据的小时数')

    const [event] = await h.database.db
      .select()
      .from(usageEvents)
      .where(eq(usageEvents.requestId, res.headers.get('x-request-id')!))
    expect(event).toMatchObject({
      status: 200,
      exportBytes: pdf.length,
      bytesOut: pdf.length,
      operation: 'downloadDistrictEconomyExport',
    })
    const [row] = await h.database.db
      .select({ downloads: reportExports.downloads })
      .from(reportExports)
      .where(eq(reportExports.id, data!.id))
    expect(row!.downloads).toBe(1)
  })

  it('exports CSV in UTF-8 with a BOM, whose figures match the registry and withhold groups under 10', async () => {
    const created = await call('POST', EXPORTS, { district: '210102', period: '2026', format: 'csv' })
    const job = await waitForJob(created.body.id)
    const { res, body } = await call('GET', `${EXPORTS}/${job.id}/download`)
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    const csv = body as Buffer
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const rows: Record<string, string>[] = parse(csv.toString('utf8').slice(1), { columns: true })
    const registered = rows.find(
      (r) => r.section === 'enterprises' && r.item_en === 'Enterprises registered by the end of the period',
    )!
    const [truth] = await h.database.db
      .select({ n: sql<number>`count(*)` })
      .from(cityEnterprises)
      .where(sql`${cityEnterprises.districtCode} = '210102' and ${cityEnterprises.foundedOn} < '2027-01-01'`)
    expect(Number(registered.value)).toBe(truth!.n)
    for (const r of rows) {
      if (r.suppressed === 'true') expect(r.value).toBe('')
      else if (['count', 'claims', 'visits'].includes(r.unit!)) expect(Number(r.value)).toBeGreaterThanOrEqual(10)
    }
    expect(rows.some((r) => r.suppressed === 'true')).toBe(true)
    expect(rows.map((r) => r.section)).not.toContain('social_security')
    const [event] = await h.database.db
      .select()
      .from(usageEvents)
      .where(eq(usageEvents.requestId, res.headers.get('x-request-id')!))
    expect(event!.exportBytes).toBe(csv.length)
  })

  it('keeps a job to its partner: another partner gets 404 on poll and download', async () => {
    const created = await call('POST', EXPORTS, { district: '210102', period: '2026-10', format: 'csv' })
    await waitForJob(created.body.id)
    // A second partner with its own key and subscription to the report.
    const db = h.database.db
    const [other] = await db.select({ id: partners.id }).from(partners).where(eq(partners.code, 'huimin-service'))
    const [product] = await db.select({ id: products.id }).from(products).where(eq(products.code, 'district-economy-report'))
    const key = generateApiKey()
    await db.insert(apiKeys).values({
      id: crypto.randomUUID(),
      partnerId: other!.id,
      name: 'other',
      keyHash: key.hash,
      displayPrefix: key.displayPrefix,
    })
    await db
      .insert(subscriptions)
      .values({ id: crypto.randomUUID(), partnerId: other!.id, productId: product!.id, purpose: 'industrial', state: 'active' })
    const poll = await call('GET', `${EXPORTS}/${created.body.id}`, undefined, key.key)
    expect(poll.res.status).toBe(404)
    const download = await call('GET', `${EXPORTS}/${created.body.id}/download`, undefined, key.key)
    expect(download.res.status).toBe(404)
    expect(download.body.error.code).toBe('not_found')
  })

  it('answers 404 for a download before the job succeeded and for an unknown id, 400 for bad parameters', async () => {
    // A job still running (written directly: a real one finishes too fast to catch).
    const created = await call('POST', EXPORTS, { district: '210181', period: '2025', format: 'pdf' })
    await waitForJob(created.body.id)
    const [job] = await h.database.db.select().from(reportExports).where(eq(reportExports.id, created.body.id))
    const runningId = crypto.randomUUID()
    await h.database.db
      .insert(reportExports)
      .values({ ...job!, id: runningId, state: 'running', progress: 35, content: null, bytes: null, completedAt: null })
    const poll = await call('GET', `${EXPORTS}/${runningId}`)
    expect(poll.body).toMatchObject({ state: 'running', progress: 35, bytes: null })
    const early = await call('GET', `${EXPORTS}/${runningId}/download`)
    expect(early.res.status).toBe(404)
    expect(early.body.error.message).toMatch(/not ready/)
    expect((await call('GET', `${EXPORTS}/00000000-0000-4000-8000-000000000000`)).res.status).toBe(404)
    expect((await call('GET', `${EXPORTS}/not-a-uuid`)).res.status).toBe(404)
    const bad = await call('POST', EXPORTS, { district: '110108', period: '2026-Q5', format: 'docx' })
    expect(bad.res.status).toBe(400)
    expect(bad.body.error.fields).toEqual({ period: 'invalid_string', format: 'invalid_enum_value' })
    const notShenyang = await call('POST', EXPORTS, { district: '110108', period: '2026', format: 'pdf' })
    expect(notShenyang.body.error.fields).toEqual({ district: 'not_a_shenyang_district' })
  })

  it('lets a partner have only a few exports queued or running (429 beyond) and runs them one at a time', async () => {
    const first = await call('POST', EXPORTS, { district: '210102', period: '2026-09', format: 'csv' })
    await waitForJob(first.body.id)
    const [job] = await h.database.db.select().from(reportExports).where(eq(reportExports.id, first.body.id))
    // Jobs left waiting (written directly: not scheduled in this process, so they stay queued).
    const waiting = Array.from({ length: MAX_OPEN_EXPORTS_PER_PARTNER }, () => ({
      ...job!,
      id: crypto.randomUUID(),
      state: 'queued' as const,
      progress: 0,
      content: null,
      bytes: null,
      completedAt: null,
    }))
    await h.database.db.insert(reportExports).values(waiting)
    const refused = await call('POST', EXPORTS, { district: '210102', period: '2026-09', format: 'csv' })
    expect(refused.res.status).toBe(429)
    expect(refused.body.error.code).toBe('rate_limited')
    expect(refused.res.headers.get('retry-after')).toMatch(/^\d+$/)
    await h.database.db.delete(reportExports).where(
      inArray(
        reportExports.id,
        waiting.map((w) => w.id),
      ),
    )

    const created = await Promise.all(
      ['2026-07', '2026-08', '2026-09'].map((period) => call('POST', EXPORTS, { district: '210104', period, format: 'pdf' })),
    )
    let mostRunning = 0
    await vi.waitFor(
      async () => {
        const states = await h.database.db
          .select({ state: reportExports.state })
          .from(reportExports)
          .where(
            inArray(
              reportExports.id,
              created.map((c) => c.body.id),
            ),
          )
        mostRunning = Math.max(mostRunning, states.filter((x) => x.state === 'running').length)
        expect(states.every((x) => x.state === 'succeeded')).toBe(true)
      },
      { timeout: 60_000, interval: 5 },
    )
    expect(mostRunning).toBeLessThanOrEqual(1)
  })

  it('resumes, after a restart, the exports a stopped process left queued or running', async () => {
    const created = await call('POST', EXPORTS, { district: '210104', period: '2026-09', format: 'csv' })
    await waitForJob(created.body.id)
    const [job] = await h.database.db.select().from(reportExports).where(eq(reportExports.id, created.body.id))
    const interrupted = crypto.randomUUID()
    await h.database.db
      .insert(reportExports)
      .values({ ...job!, id: interrupted, state: 'running', progress: 50, content: null, bytes: null, completedAt: null })
    const resumed = await resumeReportExports(h.database.db, { datasetRules: createDatasetRules(h.database.db) })
    expect(resumed).toEqual([interrupted])
    await drainReportExports()
    const finished = await waitForJob(interrupted)
    expect(finished).toMatchObject({ state: 'succeeded', progress: 100, bytes: job!.bytes })
    const actions = await h.database.db
      .select({ action: auditLog.action })
      .from(auditLog)
      .where(eq(auditLog.objectId, interrupted))
    expect(actions.map((a) => a.action)).toContain('report_export.requeue')
  })
})
