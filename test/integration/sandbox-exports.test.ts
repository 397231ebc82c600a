import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { eq, sql } from 'drizzle-orm'
import { sandboxExports } from '#db/schema/index.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { runSandboxJob } from '#sandbox/jobs/run-sandbox-job.ts'
import { requestSandboxExport } from '#sandbox/exports/request-sandbox-export.ts'
import { reviewSandboxExport } from '#sandbox/exports/review-sandbox-export.ts'
import { createDatasetRules } from '#gateway/products/dataset-rules.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'

const REGISTRY = 'DS-SCJG-0001'
const TAX = 'DS-SW-0001'

/**
 * Reviewed result export (issue 13): a released sandbox result is held until operator reviewers approve it — two distinct
 * ones for L3 data, never the requester — and the released file carries a watermark naming the partner, the job and the
 * time.
 */
describe('sandbox result export', () => {
  let t: TestDatabase
  let developer: Actor
  let partnerId: string
  const opA: Actor = { id: 'operator-a', label: 'operator-a', role: 'operator' }
  const opB: Actor = { id: 'operator-b', label: 'operator-b', role: 'operator' }

  async function job(query: unknown) {
    const db = t.db
    const [sub] = await db.all<{ id: string; product_id: string }>(sql`
      select s.id, s.product_id from subscriptions s join products p on p.id = s.product_id
      where p.code = 'data-sandbox' and s.partner_id = ${partnerId} and s.state = 'active'`)
    const datasets = await createDatasetRules(db)(sub!.product_id)
    const ran = await runSandboxJob(db, {
      caller: { partnerId, subscriptionId: sub!.id, apiKeyId: 'test', productId: sub!.product_id },
      requestId: 'req_test',
      body: query,
      datasets: datasets.all,
      now: Date.now(),
    })
    if (!ran.ok) throw new Error(ran.error.code)
    return ran.value.result.jobId
  }

  beforeEach(async () => {
    t = await createTestDatabase()
    const [dev] = await t.db.all<{ id: string; partner_id: string }>(
      sql`select id, partner_id from users where username = 'partner.dev'`,
    )
    partnerId = dev!.partner_id
    developer = { id: dev!.id, label: 'partner.dev', role: 'partner_developer', partnerId }
  })
  afterEach(() => t.destroy())

  it('holds an L3 result until two distinct operators approve, then releases a watermarked file', async () => {
    const jobId = await job({
      from: REGISTRY,
      join: [{ dataset: TAX, on: 'uscc' }],
      groupBy: [`${TAX}.rating`],
      aggregates: [{ fn: 'count_subjects' }],
    })
    const requested = await requestSandboxExport(t.db, { actor: developer, jobId, now: Date.now() })
    if (!requested.ok) throw new Error(requested.error.code)
    expect(requested.value.reviewsRequired).toBe(2)
    // One request per job.
    expect(await requestSandboxExport(t.db, { actor: developer, jobId, now: Date.now() })).toMatchObject({
      ok: false,
      error: { code: 'export_already_requested' },
    })
    const id = requested.value.id
    expect(await reviewSandboxExport(t.db, { actor: opA, exportId: id, decision: 'approve', now: Date.now() })).toEqual({
      ok: true,
      value: { state: 'pending', approvals: 1 },
    })
    // Held: no file yet.
    const [held] = await t.db.select().from(sandboxExports).where(eq(sandboxExports.id, id))
    expect(held).toMatchObject({ state: 'pending', content: null })
    // The same reviewer cannot give the second approval.
    expect(await reviewSandboxExport(t.db, { actor: opA, exportId: id, decision: 'approve', now: Date.now() })).toMatchObject({
      ok: false,
      error: { kind: 'forbidden', code: 'second_reviewer_required' },
    })
    const released = await reviewSandboxExport(t.db, { actor: opB, exportId: id, decision: 'approve', now: Date.now() })
    expect(released).toEqual({ ok: true, value: { state: 'approved', approvals: 2 } })
    const [row] = await t.db.select().from(sandboxExports).where(eq(sandboxExports.id, id))
    expect(row!.content).toContain('沈阳盛京智能科技有限公司')
    expect(row!.content).toContain(`# 作业 job: ${jobId}`)
    expect(row!.content).toContain(`# 导出 export: ${id}`)
    expect(row!.content).toMatch(/# 放行时间 released: \d{4}-\d{2}-\d{2}T/)
    expect(row!.bytes).toBe(Buffer.byteLength(row!.content!, 'utf8'))
    // Decided: nothing more to review.
    expect(await reviewSandboxExport(t.db, { actor: opA, exportId: id, decision: 'reject', now: Date.now() })).toMatchObject({
      ok: false,
      error: { code: 'export_not_pending' },
    })
  })

  it('refuses a self-approval, releases L2 results after one review, and finds no other partner’s job', async () => {
    const jobId = await job({ from: REGISTRY, groupBy: [`${REGISTRY}.industry`], aggregates: [{ fn: 'count' }] })
    const requested = await requestSandboxExport(t.db, { actor: developer, jobId, now: Date.now() })
    if (!requested.ok) throw new Error(requested.error.code)
    expect(requested.value.reviewsRequired).toBe(1)
    // An operator account acting on a request made under its own id: refused.
    const self: Actor = { id: developer.id, label: 'self', role: 'operator' }
    expect(
      await reviewSandboxExport(t.db, { actor: self, exportId: requested.value.id, decision: 'approve', now: Date.now() }),
    ).toMatchObject({
      ok: false,
      error: { kind: 'forbidden', code: 'self_approval' },
    })
    expect(
      await reviewSandboxExport(t.db, { actor: opA, exportId: requested.value.id, decision: 'approve', now: Date.now() }),
    ).toEqual({
      ok: true,
      value: { state: 'approved', approvals: 1 },
    })
    const [other] = await t.db.all<{ id: string }>(sql`select id from partners where code = 'huimin-service'`)
    const stranger: Actor = { id: 'someone', label: 'someone', role: 'partner_developer', partnerId: other!.id }
    const second = await job({ from: REGISTRY, groupBy: [`${REGISTRY}.status`], aggregates: [{ fn: 'count' }] })
    expect(await requestSandboxExport(t.db, { actor: stranger, jobId: second, now: Date.now() })).toMatchObject({
      ok: false,
      error: { kind: 'not_found' },
    })
  })

  it('rejects with a reason, and never exports a refused job', async () => {
    const jobId = await job({ from: REGISTRY, groupBy: [`${REGISTRY}.district_code`], aggregates: [{ fn: 'count' }] })
    const requested = await requestSandboxExport(t.db, { actor: developer, jobId, now: Date.now() })
    if (!requested.ok) throw new Error(requested.error.code)
    expect(
      await reviewSandboxExport(t.db, {
        actor: opA,
        exportId: requested.value.id,
        decision: 'reject',
        reason: 'not needed',
        now: Date.now(),
      }),
    ).toEqual({
      ok: true,
      value: { state: 'rejected', approvals: 0 },
    })
    const [row] = await t.db.select().from(sandboxExports).where(eq(sandboxExports.id, requested.value.id))
    expect(row).toMatchObject({ state: 'rejected', rejectedReason: 'not needed', content: null })
    await t.db.run(sql`update sandbox_jobs set state = 'refused', result = null where id = ${jobId}`)
    await t.db.run(sql`delete from sandbox_exports where job_id = ${jobId}`)
    expect(await requestSandboxExport(t.db, { actor: developer, jobId, now: Date.now() })).toMatchObject({
      ok: false,
      error: { code: 'job_not_released' },
    })
  })
})
