import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { eq, sql } from 'drizzle-orm'
import { auditLog, modelReleases } from '#db/schema/index.ts'
import { sandboxModels } from '#db/schema/sandbox-models.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { formatMonth } from '#platform/calendar/shanghai-calendar.ts'
import { createDatasetRules } from '#gateway/products/dataset-rules.ts'
import { previewBillingPeriod } from '#billing/invoices/preview-billing-period.ts'
import type { SandboxCaller } from '#sandbox/jobs/run-sandbox-job.ts'
import { trainSandboxModel } from '#sandbox/models/train-sandbox-model.ts'
import { requestModelRelease } from '#sandbox/models/request-model-release.ts'
import { reviewModelRelease } from '#sandbox/models/review-model-release.ts'
import { downloadModelArtifact } from '#sandbox/models/download-model-artifact.ts'
import { getSandboxModel } from '#sandbox/models/get-sandbox-model.ts'
import { listModelReviews } from '#sandbox/models/list-sandbox-models.ts'
import { countPendingWork } from '#supervision/worklist/count-pending-work.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'

const REGISTRY = 'DS-SCJG-0001'
const TAX = 'DS-SW-0001'

/**
 * Issue 13, reviewed model release (ADR 0044): a model trained inside the sandbox leaves only after the reversibility
 * checks pass and the reviewers approve (the bureau too for L3 data), once, billed as a model release.
 */
describe('sandbox models', () => {
  let t: TestDatabase
  let developer: Actor
  let caller: SandboxCaller
  let operator: Actor
  let bureau: Actor

  async function train(body: unknown) {
    const datasets = await createDatasetRules(t.db)(caller.productId)
    return trainSandboxModel(t.db, { caller, requestId: 'req_test', body, datasets: datasets.all, now: Date.now() })
  }
  async function trained(body: unknown) {
    const r = await train(body)
    if (!r.ok) throw new Error(JSON.stringify(r.error))
    return r.value.model
  }
  /** L3: the registry joined to the tax-credit ratings; positive = rated C or D. */
  const taxModel = (kind: 'logistic_regression' | 'decision_tree', params?: Record<string, number>) => ({
    kind,
    from: REGISTRY,
    join: [{ dataset: TAX, on: 'uscc' }],
    features: [`${REGISTRY}.registered_capital_wan`, `${REGISTRY}.industry`, `${REGISTRY}.status`],
    label: { field: `${TAX}.rating`, positive: ['C', 'D'] },
    ...(params ? { params } : {}),
  })
  const review = (actor: Actor, modelId: string, decision: 'approve' | 'reject' = 'approve', reason?: string) =>
    reviewModelRelease(t.db, { actor, modelId, decision, now: Date.now(), ...(reason ? { reason } : {}) })

  beforeEach(async () => {
    t = await createTestDatabase()
    const users = await t.db.all<{ id: string; username: string; role: string; partner_id: string | null }>(
      sql`select id, username, role, partner_id from users`,
    )
    const user = (name: string) => users.find((u) => u.username === name)!
    developer = {
      id: user('partner.dev').id,
      label: 'partner.dev',
      role: 'partner_developer',
      partnerId: user('partner.dev').partner_id,
    }
    operator = { id: user('operator').id, label: 'operator', role: 'operator' }
    bureau = { id: user('bureau').id, label: 'bureau', role: 'bureau' }
    const [sub] = await t.db.all<{ id: string; product_id: string }>(sql`
      select s.id, s.product_id from subscriptions s join products p on p.id = s.product_id
      where p.code = 'data-sandbox' and s.partner_id = ${developer.partnerId} and s.state = 'active'`)
    caller = { partnerId: developer.partnerId!, subscriptionId: sub!.id, apiKeyId: 'test', productId: sub!.product_id }
  })
  afterEach(() => t.destroy())

  it('releases an L3 logistic regression after the operator and the bureau, bills it, and lets it download once', async () => {
    const model = await trained(taxModel('logistic_regression'))
    expect(model).toMatchObject({ state: 'trained', level: 'L3', k: 20, bureauRequired: true, checksPassed: true })
    expect(model.metrics.test.rows).toBe(model.testRows)
    expect(model.metrics.test.auc).toBeGreaterThan(0.5)
    const { truePositive, falsePositive, trueNegative, falseNegative } = model.metrics.test.confusion
    expect(truePositive + falsePositive + trueNegative + falseNegative).toBe(model.testRows)
    // The model as shown carries measures only: no artifact before release, no subject.
    expect(JSON.stringify(model)).not.toMatch(/coefficients|91210/)
    // Training is deterministic (seeded split and sample).
    const again = await trained(taxModel('logistic_regression'))
    expect(again.metrics).toEqual(model.metrics)

    expect(await requestModelRelease(t.db, { actor: developer, modelId: model.id, now: Date.now() })).toEqual({
      ok: true,
      value: { state: 'pending_operator' },
    })
    // Not the bureau's turn yet; nobody downloads before release.
    expect(await review(bureau, model.id)).toMatchObject({ ok: false, error: { code: 'model_not_pending' } })
    expect(await downloadModelArtifact(t.db, { actor: developer, modelId: model.id, now: Date.now() })).toMatchObject({
      ok: false,
      error: { code: 'model_not_released' },
    })
    expect((await listModelReviews(t.db, { actor: operator })).map((m) => m.id)).toEqual([model.id])
    const waiting = async (actor: Actor) =>
      (await countPendingWork(t.db, { actor })).find((q) => q.key === 'sandboxModels')!.count
    expect([await waiting(operator), await waiting(bureau)]).toEqual([1, 0])
    expect(await review(operator, model.id)).toEqual({ ok: true, value: { state: 'pending_bureau' } })
    expect(await listModelReviews(t.db, { actor: operator })).toEqual([])
    expect((await listModelReviews(t.db, { actor: bureau })).map((m) => m.id)).toEqual([model.id])
    expect([await waiting(operator), await waiting(bureau)]).toEqual([0, 1])
    expect(await review(bureau, model.id)).toEqual({ ok: true, value: { state: 'released' } })

    // Billed: one model_release row, and the billing preview of this month carries its line.
    const releases = await t.db.select().from(modelReleases).where(eq(modelReleases.subscriptionId, caller.subscriptionId))
    expect(releases).toHaveLength(1)
    const preview = await previewBillingPeriod(t.db, { period: formatMonth(Date.now()), partnerId: caller.partnerId })
    if (!preview.ok) throw new Error(preview.error.code)
    const lines = preview.value.invoices.flatMap((i) => i.lines).filter((l) => l.kind === 'model_release')
    expect(lines).toHaveLength(1)
    expect(lines[0]!.amountFen).toBe(300_000)

    // One download: the coefficients, intercept and feature names; a second is refused; both audited once.
    const file = await downloadModelArtifact(t.db, { actor: developer, modelId: model.id, now: Date.now() })
    if (!file.ok) throw new Error(file.error.code)
    expect(file.value.artifact).toMatchObject({ kind: 'logistic_regression', link: 'logit' })
    if (file.value.artifact.kind !== 'logistic_regression') throw new Error('kind')
    expect(file.value.artifact.features).toContain(`${REGISTRY}.registered_capital_wan`)
    expect(file.value.artifact.coefficients).toHaveLength(file.value.artifact.features.length)
    expect(Number.isFinite(file.value.artifact.intercept)).toBe(true)
    expect(JSON.stringify(file.value)).not.toMatch(/91210/)
    expect(await downloadModelArtifact(t.db, { actor: developer, modelId: model.id, now: Date.now() })).toMatchObject({
      ok: false,
      error: { kind: 'conflict', code: 'artifact_already_downloaded' },
    })
    const actions = await t.db.select({ action: auditLog.action }).from(auditLog).where(eq(auditLog.objectId, model.id))
    expect(actions.map((a) => a.action)).toEqual([
      'sandbox_model.release_requested',
      'sandbox_model.approve',
      'sandbox_model.approve',
      'sandbox_model.download',
    ])
  })

  it('refuses a tree whose leaves hold fewer than k subjects before any reviewer sees it', async () => {
    // One rating year keeps the trees quick (one row per enterprise).
    const [latest] = await t.db.all<{ year: number }>(sql`select max(year) as year from city_tax_credit_ratings`)
    const oneYear = [{ field: `${TAX}.year`, op: 'eq', value: latest!.year }]
    const tiny = await trained({ ...taxModel('decision_tree', { maxDepth: 4, minLeafSize: 1 }), filters: oneYear })
    const leaf = tiny.checks.find((c) => c.code === 'min_leaf_size')!
    expect(leaf.passed).toBe(false)
    expect(leaf.measure.smallestLeafSubjects).toBeLessThan(20)
    const refused = await requestModelRelease(t.db, { actor: developer, modelId: tiny.id, now: Date.now() })
    expect(refused).toMatchObject({
      ok: false,
      error: { kind: 'conflict', code: 'reversibility_check_failed', fields: { 'checks.min_leaf_size': 'failed' } },
    })
    const [row] = await t.db.select().from(sandboxModels).where(eq(sandboxModels.id, tiny.id))
    expect(row).toMatchObject({ state: 'refused', refusalCode: 'min_leaf_size' })
    expect(await listModelReviews(t.db, { actor: operator })).toEqual([])
    expect(await review(operator, tiny.id)).toMatchObject({ ok: false, error: { code: 'model_not_pending' } })

    // The default tree is pruned to leaves of at least k subjects and passes.
    const pruned = await trained({ ...taxModel('decision_tree'), filters: oneYear })
    expect(pruned.checks.find((c) => c.code === 'min_leaf_size')).toMatchObject({ passed: true })
    expect(pruned.checks.find((c) => c.code === 'membership_inference')!.measure.auc).toBeLessThanOrEqual(0.6)
  })

  it('refuses a logistic regression with too many parameters for its rows', async () => {
    // A narrow population (small capitals only) and every feature one-hot: dozens of columns for a thousand rows.
    const model = await trained({
      kind: 'logistic_regression',
      from: REGISTRY,
      join: [{ dataset: TAX, on: 'uscc' }],
      filters: [{ field: `${REGISTRY}.registered_capital_wan`, op: 'lt', value: 100 }],
      features: [`${REGISTRY}.industry`, `${REGISTRY}.district_code`, `${REGISTRY}.founded_year`, `${REGISTRY}.status`],
      label: { field: `${TAX}.rating`, positive: ['A'] },
    })
    expect(model.checks.find((c) => c.code === 'parameters_per_row')).toMatchObject({ passed: false })
    expect(await requestModelRelease(t.db, { actor: developer, modelId: model.id, now: Date.now() })).toMatchObject({
      ok: false,
      error: { code: 'reversibility_check_failed' },
    })
  })

  it('releases an L2 model on the operator’s approval alone; a reviewer never approves their own partner’s request', async () => {
    const model = await trained({
      kind: 'decision_tree',
      from: REGISTRY,
      features: [`${REGISTRY}.registered_capital_wan`, `${REGISTRY}.industry`],
      label: { field: `${REGISTRY}.status`, positive: ['abnormal', 'revoked'] },
    })
    expect(model).toMatchObject({ level: 'L2', k: 10, bureauRequired: false })
    const requested = await requestModelRelease(t.db, { actor: developer, modelId: model.id, now: Date.now() })
    if (!requested.ok) throw new Error(JSON.stringify(requested.error))
    // An operator account tied to the requesting partner, or the requester themself, cannot decide.
    const ownPartner: Actor = { ...operator, partnerId: developer.partnerId }
    expect(await review(ownPartner, model.id)).toMatchObject({ ok: false, error: { kind: 'forbidden', code: 'self_approval' } })
    expect(await review({ ...operator, id: developer.id }, model.id)).toMatchObject({
      ok: false,
      error: { code: 'self_approval' },
    })
    // A refusal needs a reason.
    expect(await review(operator, model.id, 'reject')).toMatchObject({ ok: false, error: { kind: 'validation' } })
    expect(await review(operator, model.id)).toEqual({ ok: true, value: { state: 'released' } })
    // Two downloads at once: exactly one has the artifact.
    const both = await Promise.all(
      [1, 2].map(() => downloadModelArtifact(t.db, { actor: developer, modelId: model.id, now: Date.now() })),
    )
    expect(both.filter((r) => r.ok)).toHaveLength(1)
    expect(both.find((r) => !r.ok)).toMatchObject({ error: { code: 'artifact_already_downloaded' } })
    const ok = both.find((r) => r.ok)
    if (!ok?.ok || ok.value.artifact.kind !== 'decision_tree') throw new Error('tree expected')
    expect(JSON.stringify(ok.value.artifact.tree)).toMatch(/"p":/)
    // The numeric feature is binned at training quantiles: the tree splits on bin edges, never between two records.
    expect(ok.value.artifact.bins[`${REGISTRY}.registered_capital_wan`]!.length).toBeGreaterThan(1)
  })

  it('ends a request a reviewer refuses, with the reason', async () => {
    const model = await trained(taxModel('logistic_regression'))
    await requestModelRelease(t.db, { actor: developer, modelId: model.id, now: Date.now() })
    expect(await review(operator, model.id, 'reject', '用途与申请不符')).toEqual({ ok: true, value: { state: 'rejected' } })
    const view = await getSandboxModel(t.db, { actor: developer, modelId: model.id })
    expect(view).toMatchObject({ ok: true, value: { state: 'rejected', rejectedReason: '用途与申请不符' } })
    expect(await t.db.select().from(modelReleases).where(eq(modelReleases.subscriptionId, caller.subscriptionId))).toEqual([])
  })

  it('answers not found for another partner’s model, and refuses what the sandbox does not offer', async () => {
    const model = await trained(taxModel('logistic_regression'))
    const stranger: Actor = { id: null, label: 'other', role: 'partner_developer', partnerId: 'another-partner' }
    for (const r of [
      await getSandboxModel(t.db, { actor: stranger, modelId: model.id }),
      await requestModelRelease(t.db, { actor: stranger, modelId: model.id, now: Date.now() }),
      await downloadModelArtifact(t.db, { actor: stranger, modelId: model.id, now: Date.now() }),
    ])
      expect(r).toMatchObject({ ok: false, error: { kind: 'not_found', code: 'model_not_found' } })
    // A developer is not a reviewer.
    expect(await review(developer, model.id)).toMatchObject({ ok: false, error: { kind: 'forbidden' } })

    // Personal fields and the USCC are not offered; the label cannot be a feature; hostile names never reach SQL.
    expect(await train({ ...taxModel('decision_tree'), features: [`${REGISTRY}.legal_rep_name`] })).toMatchObject({
      ok: false,
      error: { code: 'validation_failed', fields: { 'features.0': 'unknown_field' } },
    })
    expect(await train({ ...taxModel('decision_tree'), features: [`${REGISTRY}.uscc`] })).toMatchObject({
      ok: false,
      error: { fields: { 'features.0': 'unknown_field' } },
    })
    expect(await train({ ...taxModel('decision_tree'), features: [`${TAX}.rating`] })).toMatchObject({
      ok: false,
      error: { fields: { features: 'label_as_feature' } },
    })
    expect(await train({ ...taxModel('decision_tree'), features: ['DS-SCJG-0001.x; drop table users'] })).toMatchObject({
      ok: false,
      error: { kind: 'validation' },
    })
    expect(await train({ ...taxModel('decision_tree'), from: 'DS-XX-9999' })).toMatchObject({
      ok: false,
      error: { kind: 'not_found', code: 'dataset_not_found' },
    })
    expect(await train({ ...taxModel('logistic_regression'), params: { maxDepth: 3 } })).toMatchObject({
      ok: false,
      error: { fields: { params: 'tree_params_on_regression' } },
    })
    // Too few rows for a held-out split.
    expect(
      await train({ ...taxModel('logistic_regression'), filters: [{ field: `${REGISTRY}.industry`, op: 'eq', value: 'A' }] }),
    ).toMatchObject({ ok: false, error: { code: 'too_few_rows' } })
  })
})
