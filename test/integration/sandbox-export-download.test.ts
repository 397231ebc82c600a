import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createHash } from 'node:crypto'
import { and, eq } from 'drizzle-orm'
import { Decimal } from 'decimal.js'
import { auditLog, products, sandboxExportDownloads, usageEvents } from '#db/schema/index.ts'
import { createGateway, type Gateway } from '#gateway/create-gateway.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { nextPeriod, periodOf } from '#billing/periods/billing-period.ts'
import { setPriceCeiling } from '#billing/ceilings/set-price-ceiling.ts'
import { proposePriceBook } from '#billing/price-books/propose-price-book.ts'
import { decidePriceBook } from '#billing/price-books/decide-price-book.ts'
import { previewBillingPeriod } from '#billing/invoices/preview-billing-period.ts'
import { BYTES_PER_MB } from '#billing/costs/derive-unit-costs.ts'
import { reviewSandboxExport } from '#sandbox/exports/review-sandbox-export.ts'
import { traceExportFingerprint } from '#sandbox/exports/download-sandbox-export.ts'
import { listExportReviews } from '#sandbox/exports/list-sandbox-exports.ts'
import { addPartner, type ScenarioPartner } from '#test/support/billing-harness.ts'
import { checkResponseAgainstSpec } from '#test/support/openapi.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'

// Reviewed result export through the metered API (issue 13, ADR 0038): held until approved, then each download is one
// usage event whose export_bytes are exactly the bytes delivered, priced per MB (mb_exported) in the billing preview;
// every copy carries its own fingerprint that traces back to the download; another partner finds nothing.

const bureau: Actor = { id: null, label: 'bureau-test', role: 'bureau' }
const opA: Actor = { id: 'operator-a', label: 'operator-a', role: 'operator' }
const opB: Actor = { id: 'operator-b', label: 'operator-b', role: 'operator' }
const JAN = nextPeriod(nextPeriod(periodOf(Date.now())))
const REGISTRY = 'DS-SCJG-0001'
const TAX = 'DS-SW-0001'

describe('sandbox export download (metered, watermarked, traced)', () => {
  let database: TestDatabase
  let gateway: Gateway
  let server: Server
  let baseUrl: string
  let partner: ScenarioPartner
  let other: ScenarioPartner
  const clock = { now: JAN.start + 2 * 86_400_000 }

  async function call(method: 'GET' | 'POST', path: string, key: string, body?: unknown) {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const contentType = res.headers.get('content-type') ?? ''
    const raw = Buffer.from(await res.arrayBuffer())
    const json = contentType.includes('json') ? JSON.parse(raw.toString('utf8')) : undefined
    const problems = checkResponseAgainstSpec(method, path, res.status, json ?? raw, contentType.split(';')[0])
    expect(problems, `${method} ${path} ${res.status}`).toEqual([])
    return { res, raw, json }
  }

  async function releasedJob(key: string, query: unknown): Promise<string> {
    const ran = await call('POST', '/api/v1/sandbox/jobs', key, query)
    expect(ran.res.status, JSON.stringify(ran.json)).toBe(200)
    return ran.json.jobId as string
  }

  beforeAll(async () => {
    database = await createTestDatabase()
    const db = database.db
    gateway = createGateway({ db, now: () => clock.now })
    server = createServer((req, res) => gateway.handle(req, res))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const [product] = await db.select({ id: products.id }).from(products).where(eq(products.code, 'data-sandbox'))
    partner = await addPartner(db, { productId: product!.id, code: 'export-a', purpose: 'industrial', subscribedAt: Date.now() })
    other = await addPartner(db, { productId: product!.id, code: 'export-b', purpose: 'industrial', subscribedAt: Date.now() })
    // From 1 January: calls at 1 fen, exported MB at 50 fen (ceilings 5 and 100 fen).
    for (const [chargeUnit, maxUnitPrice] of [
      ['call', '5'],
      ['mb_exported', '100'],
    ] as const) {
      const ceiling = await setPriceCeiling(db, {
        input: { productId: product!.id, chargeUnit, maxUnitPrice, effectiveFrom: JAN.start, basis: 'test' },
        actor: bureau,
        now: Date.now(),
      })
      if (!ceiling.ok) throw new Error(JSON.stringify(ceiling.error))
    }
    const book = await proposePriceBook(db, {
      input: {
        productId: product!.id,
        effectiveFrom: JAN.start,
        charges: [
          { chargeUnit: 'call', model: 'standard', properties: { unitPrice: '1' } },
          { chargeUnit: 'mb_exported', model: 'standard', properties: { unitPrice: '50' } },
        ],
      },
      actor: { id: null, label: 'operator-test', role: 'operator' },
      now: Date.now(),
    })
    if (!book.ok) throw new Error(JSON.stringify(book.error))
    const decided = await decidePriceBook(db, {
      priceBookId: book.value.id,
      decision: 'approve',
      comment: 'ok',
      actor: bureau,
      now: Date.now(),
    })
    if (!decided.ok) throw new Error(JSON.stringify(decided.error))
  })
  afterAll(async () => {
    server.closeAllConnections()
    await new Promise((r) => server.close(r))
    await gateway.close()
    database.destroy()
  })

  it('holds an L3 export until two reviewers approve, then meters each download exactly once with its bytes', async () => {
    const db = database.db
    const jobId = await releasedJob(partner.key, {
      from: REGISTRY,
      join: [{ dataset: TAX, on: 'uscc' }],
      groupBy: [`${TAX}.rating`],
      aggregates: [{ fn: 'count_subjects' }],
    })
    const requested = await call('POST', '/api/v1/sandbox/exports', partner.key, { jobId })
    expect(requested.res.status).toBe(202)
    expect(requested.json).toMatchObject({ jobId, state: 'pending', level: 'L3', reviewsRequired: 2, approvals: 0 })
    const id: string = requested.json.id
    expect((await call('POST', '/api/v1/sandbox/exports', partner.key, { jobId })).json.error.code).toBe(
      'export_already_requested',
    )
    // Held: 409 with its code before approval, and after the first of two approvals.
    const early = await call('GET', `/api/v1/sandbox/exports/${id}/download`, partner.key)
    expect(early.res.status).toBe(409)
    expect(early.json.error.code).toBe('export_not_approved')
    expect(await reviewSandboxExport(db, { actor: opA, exportId: id, decision: 'approve', now: clock.now })).toMatchObject({
      ok: true,
      value: { state: 'pending', approvals: 1 },
    })
    const queue = await listExportReviews(db, { actor: opA })
    if (!queue.ok) throw new Error(queue.error.code)
    expect(queue.value.pending.find((e) => e.id === id)).toMatchObject({
      needsSecondReviewer: true,
      blockedFor: 'second_reviewer_required',
      partner: { code: 'export-a' },
      query: { from: REGISTRY },
    })
    expect((await call('GET', `/api/v1/sandbox/exports/${id}/download`, partner.key)).json.error.code).toBe('export_not_approved')
    expect(await reviewSandboxExport(db, { actor: opB, exportId: id, decision: 'approve', now: clock.now })).toMatchObject({
      ok: true,
      value: { state: 'approved', approvals: 2 },
    })

    // Another partner: not found, for the request, the download and the job.
    for (const path of [`/api/v1/sandbox/exports/${id}`, `/api/v1/sandbox/exports/${id}/download`]) {
      const stranger = await call('GET', path, other.key)
      expect(stranger.res.status, path).toBe(404)
    }
    expect((await call('POST', '/api/v1/sandbox/exports', other.key, { jobId })).res.status).toBe(404)
    const strangerDownloads = await db
      .select()
      .from(usageEvents)
      .where(and(eq(usageEvents.partnerId, other.partnerId), eq(usageEvents.operation, 'downloadSandboxExport')))
    expect(strangerDownloads.every((e) => e.exportBytes === 0)).toBe(true)

    // Each download its own copy, each with the watermark and its own fingerprint, each metered with its bytes.
    const copies: { text: string; bytes: number; fp: string }[] = []
    const download = async () => {
      const file = await call('GET', `/api/v1/sandbox/exports/${id}/download`, partner.key)
      expect(file.res.status).toBe(200)
      expect(file.res.headers.get('content-type')).toContain('text/csv')
      expect(file.res.headers.get('content-disposition')).toContain(`sandbox-export-${id}.csv`)
      copies.push({ text: file.raw.toString('utf8'), bytes: file.raw.length, fp: file.res.headers.get('x-export-fingerprint')! })
    }
    // Two one after the other, then three at once: five copies, five events, five fingerprints.
    await download()
    await download()
    await Promise.all([download(), download(), download()])
    expect(copies).toHaveLength(5)
    expect(new Set(copies.map((c) => c.fp)).size).toBe(5)
    for (const c of copies) {
      expect(c.text).toContain('# 合作方 partner: 场景合作方 export-a (export-a)')
      expect(c.text).toContain(`# 作业 job: ${jobId}`)
      expect(c.text).toMatch(/# 放行时间 released: \d{4}-\d{2}-\d{2}T/)
      expect(c.text).toMatch(/# 下载 download: [0-9a-f-]{36} · api_key:/)
      expect(c.text).toContain(`# 指纹 fingerprint: ${c.fp}`)
      expect(c.fp).toMatch(/^[0-9a-f]{32}$/)
    }
    expect(copies[0]!.fp).not.toBe(copies[1]!.fp)
    const events = await db
      .select({ exportBytes: usageEvents.exportBytes, calls: usageEvents.calls })
      .from(usageEvents)
      .where(and(eq(usageEvents.partnerId, partner.partnerId), eq(usageEvents.operation, 'downloadSandboxExport')))
    // The two refused downloads are recorded unbilled or not at all; the answered ones carry exactly their bytes.
    const metered = events.filter((e) => e.exportBytes > 0)
    expect(metered.map((e) => e.exportBytes).sort()).toEqual(copies.map((c) => c.bytes).sort())
    const exportedBytes = metered.reduce((s, e) => s + e.exportBytes, 0)

    // Recorded what left: each download, its fingerprint and the SHA-256 of its bytes, and an audit entry each.
    const recorded = await db.select().from(sandboxExportDownloads).where(eq(sandboxExportDownloads.exportId, id))
    expect(recorded.map((r) => r.fingerprint).sort()).toEqual(copies.map((c) => c.fp).sort())
    for (const c of copies) {
      const traced = await traceExportFingerprint(db, { actor: opA, fingerprint: c.fp })
      expect(traced).toMatchObject({ ok: true, value: { exportId: id, jobId, partnerId: partner.partnerId, bytes: c.bytes } })
      const sha = createHash('sha256').update(c.text, 'utf8').digest('hex')
      expect(await traceExportFingerprint(db, { actor: opA, fingerprint: sha })).toMatchObject({
        ok: true,
        value: { sha256: sha },
      })
    }
    expect(await traceExportFingerprint(db, { actor: opA, fingerprint: 'f'.repeat(32) })).toMatchObject({
      ok: false,
      error: { code: 'fingerprint_not_found' },
    })
    expect(await traceExportFingerprint(db, { actor: opA, fingerprint: "x' or 1=1" })).toMatchObject({
      ok: false,
      error: { kind: 'validation' },
    })
    const stranger: Actor = { id: 'x', label: 'x', role: 'partner_developer', partnerId: partner.partnerId }
    expect(await traceExportFingerprint(db, { actor: stranger, fingerprint: copies[0]!.fp })).toMatchObject({
      ok: false,
      error: { kind: 'forbidden' },
    })
    const audits = await db.select().from(auditLog).where(eq(auditLog.action, 'sandbox_export.download'))
    expect(audits.filter((a) => a.objectId === id)).toHaveLength(5)

    const view = await call('GET', `/api/v1/sandbox/exports/${id}`, partner.key)
    expect(view.json).toMatchObject({ state: 'approved', approvals: 2, downloads: 5 })
    const list = await call('GET', '/api/v1/sandbox/exports', partner.key)
    expect(list.json.exports.map((e: { id: string }) => e.id)).toContain(id)

    // Priced in the billing preview as mb_exported: the bytes of every download, per MB (10^6 bytes), at 50 fen.
    const preview = await previewBillingPeriod(db, { period: JAN.period, partnerId: partner.partnerId })
    if (!preview.ok) throw new Error(preview.error.code)
    const invoice = preview.value.invoices.find((i) => i.partner.id === partner.partnerId)!
    const line = invoice.lines.find((l) => l.charge === 'mb_exported')
    expect(line, JSON.stringify(invoice.lines)).toBeDefined()
    expect(new Decimal(line!.units).equals(new Decimal(exportedBytes).dividedBy(BYTES_PER_MB))).toBe(true)
  })

  it('never downloads a rejected export, and rejects a self-approval by the partner’s own operator account', async () => {
    const db = database.db
    const jobId = await releasedJob(partner.key, {
      from: REGISTRY,
      groupBy: [`${REGISTRY}.industry`],
      aggregates: [{ fn: 'count' }],
    })
    const requested = await call('POST', '/api/v1/sandbox/exports', partner.key, { jobId })
    expect(requested.json).toMatchObject({ level: 'L2', reviewsRequired: 1 })
    const id: string = requested.json.id
    const own: Actor = { id: 'op-of-partner', label: 'op-of-partner', role: 'operator', partnerId: partner.partnerId }
    expect(await reviewSandboxExport(db, { actor: own, exportId: id, decision: 'approve', now: clock.now })).toMatchObject({
      ok: false,
      error: { kind: 'forbidden', code: 'self_approval' },
    })
    const rejected = await reviewSandboxExport(db, {
      actor: opA,
      exportId: id,
      decision: 'reject',
      reason: 'not needed',
      now: clock.now,
    })
    expect(rejected).toMatchObject({ ok: true, value: { state: 'rejected' } })
    const file = await call('GET', `/api/v1/sandbox/exports/${id}/download`, partner.key)
    expect(file.res.status).toBe(409)
    expect(file.json.error.code).toBe('export_not_approved')
    expect(await db.select().from(sandboxExportDownloads).where(eq(sandboxExportDownloads.exportId, id))).toEqual([])
    // Malformed requests: a 400, never a 500.
    for (const body of [{}, { jobId: 7 }, { jobId: 'x'.repeat(65) }]) {
      const bad = await call('POST', '/api/v1/sandbox/exports', partner.key, body)
      expect(bad.res.status, JSON.stringify(body)).toBe(400)
    }
    expect((await call('GET', '/api/v1/sandbox/exports/not-a-real-id/download', partner.key)).res.status).toBe(404)
  })
})
