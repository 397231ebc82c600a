import { readdirSync, readFileSync, statSync } from 'node:fs'
import { prepareDisclosure } from '#disclosure/editions/prepare-disclosure.ts'
import { watchRevenueCap } from '#billing/revenue/watch-revenue-cap.ts'
import { remindCeilingReevaluations } from '#billing/ceilings/remind-ceiling-reevaluations.ts'
import { publishDisclosure } from '#disclosure/editions/publish-disclosure.ts'
import { join, relative } from 'node:path'
import { tmpdir } from 'node:os'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { and, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import {
  apiKeys,
  authorizations as authorizationRows,
  demandItems,
  invoices,
  partnerExits,
  partners,
  priceBooks,
  products,
  rectificationCases,
  sourceUnits,
  subscriptions,
  users,
} from '#db/schema/index.ts'
import { cliActor, type Actor, type ActorRole } from '#platform/audit/record-audit.ts'
import {
  ACTOR_ROLES,
  PERMISSIONS,
  PermissionError,
  isPermitted,
  refuseUnlessPermitted,
  type Operation,
} from '#platform/identity/permissions.ts'
import { registerDataset } from '#catalog/datasets/register-dataset.ts'
import { loadDatasetFile } from '#catalog/datasets/load-dataset-file.ts'
import { loadDatasetTable } from '#catalog/datasets/load-dataset-table.ts'
import { pullDatasetInterface } from '#catalog/datasets/pull-dataset-interface.ts'
import { createDemandList } from '#catalog/demands/create-demand-list.ts'
import { submitDemandList } from '#catalog/demands/submit-demand-list.ts'
import { addDemandItem } from '#catalog/demands/add-demand-item.ts'
import { updateDemandItem } from '#catalog/demands/update-demand-item.ts'
import { removeDemandItem } from '#catalog/demands/remove-demand-item.ts'
import { resubmitDemandItem } from '#catalog/demands/resubmit-demand-item.ts'
import { reviewDemandItem } from '#catalog/demands/review-demand-item.ts'
import { refuseDemandItem } from '#catalog/demands/refuse-demand-item.ts'
import { grantAuthorization } from '#catalog/authorizations/grant-authorization.ts'
import { terminateAuthorization } from '#catalog/authorizations/terminate-authorization.ts'
import { expireAuthorizations } from '#catalog/authorizations/expire-authorizations.ts'
import { calendarYear, DAY_MS, formatDay } from '#platform/calendar/shanghai-calendar.ts'
import { createProduct } from '#catalog/products/create-product.ts'
import { submitProduct } from '#catalog/products/submit-product.ts'
import { reviewProduct } from '#catalog/products/review-product.ts'
import { retireProduct } from '#catalog/products/retire-product.ts'
import { createApiKey } from '#partner-access/keys/create-api-key.ts'
import { rollApiKey } from '#partner-access/keys/roll-api-key.ts'
import { revokeApiKey } from '#partner-access/keys/revoke-api-key.ts'
import { createSubscription } from '#partner-access/subscriptions/create-subscription.ts'
import { decideSubscription } from '#partner-access/subscriptions/decide-subscription.ts'
import { changeSubscriptionPlan } from '#partner-access/subscriptions/change-subscription-plan.ts'
import { cancelSubscription } from '#partner-access/subscriptions/cancel-subscription.ts'
import { endDueSubscriptions } from '#partner-access/subscriptions/end-due-subscriptions.ts'
import { createPlan } from '#partner-access/plans/create-plan.ts'
import { updatePlan } from '#partner-access/plans/update-plan.ts'
import { suspendProduct } from '#partner-access/suspensions/suspend-product.ts'
import { resumeProduct } from '#partner-access/suspensions/resume-product.ts'
import { suspendPartner } from '#partner-access/suspensions/suspend-partner.ts'
import { resumePartner } from '#partner-access/suspensions/resume-partner.ts'
import { createReportExport } from '#gateway/reports/create-report-export.ts'
import { startPartnerExit } from '#partner-access/exits/start-partner-exit.ts'
import { executePartnerExit } from '#partner-access/exits/execute-partner-exit.ts'
import { withdrawPartnerExit } from '#partner-access/exits/withdraw-partner-exit.ts'
import { setReapplyRules } from '#partner-access/exits/set-reapply-rules.ts'
import { setConcentrationThreshold } from '#supervision/concentration/set-concentration-threshold.ts'
import { setPriceCeiling } from '#billing/ceilings/set-price-ceiling.ts'
import { proposePriceBook } from '#billing/price-books/propose-price-book.ts'
import { proposeDatasetLevel } from '#catalog/grading/propose-dataset-level.ts'
import { decideDatasetLevel } from '#catalog/grading/decide-dataset-level.ts'
import { applyPersonalDataFloor } from '#catalog/grading/apply-personal-data-floor.ts'
import { decidePriceBook } from '#billing/price-books/decide-price-book.ts'
import { setRevenueCapSetting } from '#billing/revenue/set-revenue-cap-setting.ts'
import { setCompensationFormula } from '#billing/compensation/set-compensation-formula.ts'
import { computeCompensationStatements } from '#billing/compensation/compute-compensation-statements.ts'
import { recordCostEntry } from '#billing/costs/record-cost-entry.ts'
import { setVatRate } from '#billing/vat/set-vat-rate.ts'
import { recordModelRelease } from '#billing/releases/record-model-release.ts'
import { closeBillingPeriod } from '#billing/invoices/close-billing-period.ts'
import { startBillingClose } from '#billing/invoices/start-billing-close.ts'
import { finalizeInvoice } from '#billing/invoices/finalize-invoice.ts'
import { issueCreditNote } from '#billing/invoices/issue-credit-note.ts'
import { markInvoicePaid } from '#billing/invoices/mark-invoice-paid.ts'
import { invitePartnerDeveloper } from '#partner-access/team/invite-partner-developer.ts'
import { endDeveloperAccess } from '#partner-access/team/end-developer-access.ts'
import { syncLagoOutbox } from '#billing/lago/sync-lago-outbox.ts'
import { setRetentionPolicy } from '#supervision/retention/set-retention-policy.ts'
import { purgeLogs } from '#supervision/retention/purge-logs.ts'
import { syncSupervisionFeed } from '#supervision/feed/sync-supervision-feed.ts'
import { viewSupervisionFeedState } from '#supervision/feed/view-supervision-feed-state.ts'
import { enqueueLagoEvents } from '#billing/lago/enqueue-lago-events.ts'
import { periodOf, previousPeriod } from '#billing/periods/billing-period.ts'
import { submitPartnerApplication } from '#partner-access/applications/submit-partner-application.ts'
import { listPartnerApplications } from '#partner-access/applications/list-partner-applications.ts'
import { rejectPartnerApplication, startApplicationReview } from '#partner-access/applications/decide-partner-application.ts'
import { draftAgreementVersion } from '#partner-access/agreements/draft-agreement-version.ts'
import { decideAgreementVersion } from '#partner-access/agreements/decide-agreement-version.ts'
import { acceptAgreement } from '#partner-access/agreements/accept-agreement.ts'
import { hashAgreementText, renderAgreementText } from '#partner-access/agreements/render-agreement-text.ts'
import { makeUscc } from '#platform/codes/uscc.ts'
import { liftSignInLocks } from '#platform/identity/sign-in-locks.ts'
import { createAuditor, endAuditorAccess, extendAuditorTerm } from '#platform/identity/auditor-accounts.ts'
import { searchLogs } from '#supervision/logs/search-logs.ts'
import { reportProblem } from '#supervision/cases/report-problem.ts'
import { openCase } from '#supervision/cases/open-case.ts'
import { submitCaseEvidence } from '#supervision/cases/submit-case-evidence.ts'
import { closeCase } from '#supervision/cases/close-case.ts'
import { escalateOverdueCases } from '#supervision/cases/escalate-overdue-cases.ts'
import { terminateCase } from '#supervision/cases/terminate-case.ts'
import { suspendAuthorization } from '#catalog/authorizations/suspend-authorization.ts'
import { resumeAuthorization } from '#catalog/authorizations/resume-authorization.ts'
import { exportLogs } from '#supervision/logs/export-logs.ts'
import { verifyAuditChainFor } from '#supervision/logs/verify-chain.ts'
import { resetTwoFactor } from '#platform/identity/two-factor-enrolment.ts'
import { insertEvents } from '#test/support/billing-harness.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'
import { createEvaluationScheme } from '#evaluation/schemes/create-evaluation-scheme.ts'
import { DEFAULT_SCHEMES } from '#evaluation/schemes/default-schemes.ts'
import { openEvaluation } from '#evaluation/open-evaluation.ts'
import { submitSelfAssessment } from '#evaluation/submit-self-assessment.ts'
import { scoreEvaluationSubject } from '#evaluation/score-evaluation-subject.ts'
import { publishEvaluationResult } from '#evaluation/publish-evaluation-result.ts'
import { findEvaluation } from '#evaluation/find-evaluations.ts'
import { creditRecords, incidents } from '#db/schema/index.ts'
import { recordCreditRecord } from '#supervision/credit/record-credit-record.ts'
import { revokeCreditRecord } from '#supervision/credit/revoke-credit-record.ts'
import { openIncident } from '#supervision/incidents/open-incident.ts'
import { addIncidentEntry } from '#supervision/incidents/add-incident-entry.ts'
import { closeIncident } from '#supervision/incidents/close-incident.ts'
import { stopProducts } from '#supervision/emergency/stop-products.ts'
import { resumeProducts } from '#supervision/emergency/resume-products.ts'
import { saveEmergencyPlan } from '#supervision/emergency/save-emergency-plan.ts'
import { recordDrill } from '#supervision/emergency/record-drill.ts'
import { runStopDrill } from '#supervision/emergency/run-stop-drill.ts'
import { generateOperationReport } from '#reporting/reports/generate-operation-report.ts'
import { saveReportNarrative } from '#reporting/reports/save-report-narrative.ts'
import { submitOperationReport } from '#reporting/reports/submit-operation-report.ts'
import { decideOperationReport } from '#reporting/reports/decide-operation-report.ts'
import { listOperationReports } from '#reporting/reports/find-operation-report.ts'
import { previousQuarter } from '#reporting/periods/report-period.ts'
import { requestSandboxExport } from '#sandbox/exports/request-sandbox-export.ts'
import { reviewSandboxExport } from '#sandbox/exports/review-sandbox-export.ts'
import { downloadSandboxExport } from '#sandbox/exports/download-sandbox-export.ts'
import { getSandboxExport } from '#sandbox/exports/list-sandbox-exports.ts'
import { requestModelRelease } from '#sandbox/models/request-model-release.ts'
import { reviewModelRelease } from '#sandbox/models/review-model-release.ts'
import { downloadModelArtifact } from '#sandbox/models/download-model-artifact.ts'
import { getPartnerHome } from '#partner-access/home/get-partner-home.ts'
import { getDeveloperHome } from '#partner-access/home/get-developer-home.ts'

/**
 * Permissions inside the domain operations (issue 9): generated over the table in platform/identity/permissions.ts.
 * For every operation, every actor the table does not name — each of the five roles, a partner's API key, the CLI,
 * a background job — is refused with `forbidden` and nothing changes (audit log tail and every table's row count);
 * then one actor the table names runs the same call and gets through, so the refusals were the rule's, not the
 * arguments'. Ownership: a partner's or a source unit's object asked for by another is `not_found`, unchanged.
 */

const DAY = 86_400_000

interface Fixture {
  now: number
  partner: Record<'shengjing' | 'huimin' | 'zhang', string>
  unit: Record<'market' | 'tax', string>
  /** The seeded demo key of shengjing-tech. */
  keyId: string
  demand: { approved: string; pending: string; returned: string; draft: string }
  pendingPriceBook: string
  pendingSubscription: string
  productId: (code: string) => Promise<string>
  /** A draft invoice of shengjing-tech (made by closing last month with usage in it). */
  draftInvoice: () => Promise<string>
  finalizedInvoice: () => Promise<string>
}

async function fixture(db: Db): Promise<Fixture> {
  const partnerId = async (code: string) => (await db.select().from(partners).where(eq(partners.code, code)))[0]!.id
  const unitId = async (code: string) => (await db.select().from(sourceUnits).where(eq(sourceUnits.code, code)))[0]!.id
  const productId = async (code: string) => (await db.select().from(products).where(eq(products.code, code)))[0]!.id
  const shengjing = await partnerId('shengjing-tech')
  const items = await db.select({ id: demandItems.id, state: demandItems.state }).from(demandItems)
  const item = (state: string) => items.find((i) => i.state === state)!.id
  const [key] = await db.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.partnerId, shengjing))
  const [book] = await db.select({ id: priceBooks.id }).from(priceBooks).where(eq(priceBooks.state, 'pending_review'))
  const [pending] = await db.select({ id: subscriptions.id }).from(subscriptions).where(eq(subscriptions.state, 'pending'))
  const now = Date.now()
  const last = previousPeriod(periodOf(now))
  const made: string[] = []
  const draftInvoice = async (): Promise<string> => {
    if (made[0]) return made[0]
    const productCode = 'verify-enterprise-identity'
    const [sub] = await db
      .select({ id: subscriptions.id, productId: subscriptions.productId })
      .from(subscriptions)
      .innerJoin(products, eq(products.id, subscriptions.productId))
      .where(and(eq(subscriptions.partnerId, shengjing), eq(products.code, productCode)))
    const partner = { partnerId: shengjing, subscriptionId: sub!.id, productId: sub!.productId, key: '', purpose: 'industrial' }
    await insertEvents(db, partner as Parameters<typeof insertEvents>[1], [last.start + DAY, last.start + 2 * DAY])
    const closed = await closeBillingPeriod(db, { period: last.period, actor: cli, now })
    if (!closed.ok) throw new Error(closed.error.code)
    const id = closed.value.invoices.find((i) => i.partner.id === shengjing)!.id!
    made.push(id)
    return id
  }
  return {
    now,
    partner: { shengjing, huimin: await partnerId('huimin-service'), zhang: await partnerId('zhang-wei') },
    unit: { market: await unitId('market-regulation'), tax: await unitId('tax') },
    keyId: key!.id,
    demand: { approved: item('approved'), pending: item('pending_review'), returned: item('returned'), draft: item('draft') },
    pendingPriceBook: book!.id,
    pendingSubscription: pending!.id,
    productId,
    draftInvoice,
    finalizedInvoice: async (): Promise<string> => {
      const id = await draftInvoice()
      const [row] = await db.select({ state: invoices.state }).from(invoices).where(eq(invoices.id, id))
      if (row!.state === 'draft') {
        const done = await finalizeInvoice(db, { invoiceId: id, actor: operator, now })
        if (!done.ok) throw new Error(done.error.code)
      }
      return id
    },
  }
}

const cli: Actor = { id: null, label: 'cli', role: 'cli' }
const operator: Actor = { id: null, label: 'operator-test', role: 'operator' }

/** An actor of each kind, each with the organisation it acts for (shengjing-tech, market regulation). */
async function actorsFor(db: Db): Promise<Record<ActorRole, Actor>> {
  const user = async (username: string) => (await db.select().from(users).where(eq(users.username, username)))[0]!
  const admin = await user('partner.admin')
  const dev = await user('partner.dev')
  const scjg = await user('scjg')
  const bureau = await user('bureau')
  const op = await user('operator')
  return {
    bureau: { id: bureau.id, label: 'bureau', role: 'bureau' },
    operator: { id: op.id, label: 'operator', role: 'operator' },
    source_unit: { id: scjg.id, label: 'scjg', role: 'source_unit', sourceUnitId: scjg.sourceUnitId },
    partner_admin: { id: admin.id, label: 'partner.admin', role: 'partner_admin', partnerId: admin.partnerId },
    partner_developer: { id: dev.id, label: 'partner.dev', role: 'partner_developer', partnerId: dev.partnerId },
    partner_api: { id: null, label: 'api_key:test', role: 'partner_api', partnerId: admin.partnerId },
    cli,
    system: { id: null, label: 'scheduler', role: 'system' },
    anonymous: { id: null, label: 'nobody', role: 'anonymous' },
    auditor: { id: null, label: 'auditor', role: 'auditor' },
  }
}

const itemInput = {
  datasetCode: null,
  sourceUnitCode: 'tax',
  dataDescription: '纳税信用等级',
  retrievalMethod: 'table' as const,
  usageScenario: '小微企业贷前核验',
  requestedTermMonths: 12,
}

const planInput = {
  nameZh: '权限测试',
  nameEn: 'Permission test',
  rateLimitPerMinute: 10,
  monthlyQuota: 100,
  distinctSubjectsPerDay: 10,
  maxActiveKeys: 2,
  allowsImmediateChange: false,
}

/** An active subscription of shengjing-tech (scenarios and plans, ADR 0032). */
async function shengjingSubscription(db: Db, f: Fixture): Promise<string> {
  const [sub] = await db
    .select({ id: subscriptions.id })
    .from(subscriptions)
    .where(and(eq(subscriptions.partnerId, f.partner.shengjing), eq(subscriptions.state, 'active')))
    .limit(1)
  return sub!.id
}

interface Case {
  /** Puts the store in the state the call needs, before anything is measured. */
  prepare?: (db: Db, f: Fixture) => Promise<unknown>
  /** The call, with arguments an actor the table names succeeds with. */
  run: (db: Db, actor: Actor, f: Fixture) => Promise<unknown>
  /** Whether the permitted call changes the store (false: it succeeds with nothing to do, e.g. Lago off). */
  changes?: boolean
  /** For the permitted run only, when the real call needs the outside world: arguments that stop short of it. */
  permittedRun?: (db: Db, actor: Actor, f: Fixture) => Promise<unknown>
}

/** One case per operation of the table (a new operation without a case fails the coverage test below). */
const CASES: Record<Operation, Case> = {
  'dataset.register': {
    run: (db, actor, f) =>
      registerDataset(db, {
        actor,
        input: {
          sourceUnitId: f.unit.tax,
          nameZh: '权限测试数据集',
          nameEn: 'Permission test',
          domain: 'finance',
          level: 'L1',
          deliveryMode: 'file',
          fields: [{ name: 'a', labelZh: '甲', type: 'string' }],
        },
      }),
  },
  'dataset.load_file': {
    run: (db, actor) =>
      loadDatasetFile(db, {
        actor,
        datasetCode: 'DS-WJ-0001',
        fileName: 'permission.csv',
        content: new TextEncoder().encode('x\n'),
      }),
  },
  'dataset.load_table': { run: (db, actor) => loadDatasetTable(db, { actor, datasetCode: 'DS-SCJG-0001' }) },
  'dataset.pull_interface': {
    run: (db, actor) => pullDatasetInterface(db, { actor, datasetCode: 'DS-JT-0001' }),
    // The real pull would call the transport bureau's interface: the permitted actor is shown through to the lookup.
    permittedRun: (db, actor) => pullDatasetInterface(db, { actor, datasetCode: 'DS-NONE-0000' }),
    changes: false,
  },
  // Grading (ADR 0037): the operator proposes, market regulation decides its registry, the platform lifts the floor.
  'dataset.propose_level': {
    run: (db, actor) => proposeDatasetLevel(db, { actor, datasetCode: 'DS-JT-0001', level: 'L2' }),
  },
  'dataset.decide_level': {
    run: (db, actor) =>
      decideDatasetLevel(db, { actor, datasetCode: 'DS-SCJG-0001', level: 'L3', usageRequirements: '权限测试：仅限内部' }),
  },
  'dataset.raise_to_floor': { run: (db, actor) => applyPersonalDataFloor(db, { actor }), changes: false },
  'demand_list.create': { run: (db, actor) => createDemandList(db, { actor, title: '权限测试清单' }) },
  'demand_list.submit': { run: (db, actor) => submitDemandList(db, { actor, listCode: 'XQ-2026-0002' }) },
  'demand_item.add': { run: (db, actor) => addDemandItem(db, { actor, listCode: 'XQ-2026-0002', input: itemInput }) },
  'demand_item.update': {
    run: (db, actor, f) => updateDemandItem(db, { actor, itemId: f.demand.draft, input: itemInput }),
  },
  'demand_item.remove': { run: (db, actor, f) => removeDemandItem(db, { actor, itemId: f.demand.draft }) },
  'demand_item.resubmit': { run: (db, actor, f) => resubmitDemandItem(db, { actor, itemId: f.demand.returned }) },
  'demand_item.review': {
    run: (db, actor, f) => reviewDemandItem(db, { actor, itemId: f.demand.pending, decision: 'approve' }),
  },
  'demand_item.refuse': {
    run: (db, actor, f) =>
      refuseDemandItem(db, {
        actor,
        itemId: f.demand.approved,
        citation: '《数据安全法》第二十一条',
        explanation: '权限测试：该数据不宜授权',
      }),
  },
  'authorization.grant': {
    run: (db, actor, f) =>
      grantAuthorization(db, {
        actor,
        itemId: f.demand.approved,
        deliveryMode: 'file',
        startsOn: formatDay(f.now),
        termMonths: 12,
        now: f.now,
      }),
  },
  'authorization.terminate': {
    run: (db, actor) => terminateAuthorization(db, { actor, code: 'SQ-JT-0001', reason: '权限测试终止' }),
  },
  'authorization.expire': { run: (db, actor, f) => expireAuthorizations(db, { actor, now: f.now + 5 * 365 * DAY }) },
  'product.create': {
    run: (db, actor) =>
      createProduct(db, {
        actor,
        input: {
          code: 'permission-check',
          nameZh: '权限测试产品',
          nameEn: 'Permission check',
          descriptionZh: '权限测试',
          descriptionEn: 'Permission test',
          form: 'verification',
          domain: 'market',
          datasetCodes: ['DS-SCJG-0001'],
          exampleRequest: '{"uscc":"x"}',
          exampleResponse: '{"ok":true}',
        },
      }),
  },
  'product.submit': { run: (db, actor) => submitProduct(db, { actor, code: 'road-congestion-index' }) },
  'product.review': {
    run: (db, actor) => reviewProduct(db, { actor, code: 'district-health-report', decision: 'return', comment: '请补充' }),
  },
  'product.retire': { run: (db, actor) => retireProduct(db, { actor, code: 'road-traffic-flow' }) },
  'api_key.create': {
    run: (db, actor, f) => createApiKey(db, { actor, partnerId: f.partner.shengjing, name: 'permission test' }),
  },
  'api_key.roll': { run: (db, actor, f) => rollApiKey(db, { actor, keyId: f.keyId, partnerId: null, graceHours: 1 }) },
  'api_key.revoke': { run: (db, actor, f) => revokeApiKey(db, { actor, keyId: f.keyId, partnerId: null }) },
  'subscription.create': {
    // Every published product is subscribed by the demo partner already: end one so it can subscribe again.
    prepare: async (db, f) =>
      db
        .update(subscriptions)
        .set({ state: 'ended', endedAt: f.now })
        .where(
          and(eq(subscriptions.partnerId, f.partner.shengjing), eq(subscriptions.productId, await f.productId('uscc-validate'))),
        ),
    run: async (db, actor, f) => {
      return createSubscription(db, {
        actor,
        partner: { id: f.partner.shengjing },
        productCode: 'uscc-validate',
        purpose: 'industrial',
      })
    },
  },
  'subscription.decide': {
    run: (db, actor, f) => decideSubscription(db, { actor, subscriptionId: f.pendingSubscription, decision: 'approve' }),
  },
  'subscription.change_plan': {
    run: async (db, actor, f) =>
      changeSubscriptionPlan(db, { actor, subscriptionId: await shengjingSubscription(db, f), planCode: 'enterprise' }),
  },
  'subscription.cancel': {
    run: async (db, actor, f) => cancelSubscription(db, { actor, subscriptionId: await shengjingSubscription(db, f) }),
  },
  'subscription.end_due': {
    // A subscription cancelled 40 days ago: its period is over, so a permitted run ends it (and audits that).
    prepare: async (db, f) =>
      cancelSubscription(db, { actor: cli, subscriptionId: await shengjingSubscription(db, f), now: f.now - 40 * DAY }),
    run: (db, actor, f) => endDueSubscriptions(db, { actor, now: f.now }),
  },
  'plan.create': { run: (db, actor) => createPlan(db, { actor, code: 'permission-test', input: planInput }) },
  'plan.update': {
    prepare: (db) => createPlan(db, { actor: cli, code: 'unused-plan', input: planInput }),
    run: (db, actor) => updatePlan(db, { actor, code: 'unused-plan', version: 1, input: { ...planInput, nameEn: 'Changed' } }),
  },
  'product.suspend': {
    run: (db, actor) => suspendProduct(db, { actor, productCode: 'road-traffic-flow', reason: '权限测试' }),
  },
  'product.resume': {
    prepare: (db, f) =>
      db.update(products).set({ suspendedAt: f.now, suspensionReason: 'x' }).where(eq(products.code, 'uscc-validate')),
    run: (db, actor) => resumeProduct(db, { actor, productCode: 'uscc-validate' }),
  },
  'partner.suspend': { run: (db, actor) => suspendPartner(db, { actor, partnerCode: 'zhang-wei', reason: '权限测试' }) },
  'partner.resume': {
    prepare: (db, f) => db.update(partners).set({ state: 'suspended' }).where(eq(partners.id, f.partner.zhang)),
    run: (db, actor) => resumePartner(db, { actor, partnerCode: 'zhang-wei' }),
  },
  // Checked against the calling key's own actor (apiKeyActor): see the report export test below.
  'report_export.create': { run: async () => null },
  'price_ceiling.set': {
    run: async (db, actor, f) =>
      setPriceCeiling(db, {
        actor,
        input: {
          productId: await f.productId('road-traffic-flow'),
          chargeUnit: 'call',
          maxUnitPrice: '9',
          effectiveFrom: f.now + DAY,
        },
      }),
  },
  'price_book.propose': {
    run: async (db, actor, f) =>
      proposePriceBook(db, {
        actor,
        input: {
          productId: await f.productId('road-traffic-flow'),
          effectiveFrom: f.now + 2 * DAY,
          charges: [{ chargeUnit: 'call', model: 'standard', properties: { unitPrice: '1' } }],
        },
      }),
  },
  'price_book.decide': {
    run: (db, actor, f) =>
      decidePriceBook(db, { actor, priceBookId: f.pendingPriceBook, decision: 'return', comment: '请说明成本依据' }),
  },
  'revenue_cap.set': {
    run: (db, actor) => setRevenueCapSetting(db, { actor, input: { year: 2031, profitRate: '0.07', taxRate: '0.05' } }),
  },
  'compensation_formula.set': {
    run: (db, actor, f) =>
      setCompensationFormula(db, {
        actor,
        input: { sharePerCall: '1', frequencyWeights: {}, qualityWeight: '0', effectiveFrom: f.now + DAY },
      }),
  },
  'compensation.compute': {
    run: (db, actor, f) =>
      computeCompensationStatements(db, { actor, period: previousPeriod(periodOf(f.now)).period, now: f.now }),
    // No calls in the seed: the period computes to nothing to store.
    changes: false,
  },
  'cost_entry.record': {
    run: (db, actor, f) =>
      recordCostEntry(db, {
        actor,
        input: { period: periodOf(f.now).period, category: 'compute', grossFen: 1000, subsidyFen: 0 },
      }),
  },
  'vat_rate.set': { run: (db, actor, f) => setVatRate(db, { actor, rate: '0.06', effectiveFrom: f.now + DAY }) },
  'model_release.record': {
    run: (db, actor, f) =>
      recordModelRelease(db, {
        actor,
        partnerCode: 'shengjing-tech',
        productCode: 'enterprise-credit-score',
        releasedAt: f.now - DAY,
      }),
  },
  'billing_period.close': {
    run: (db, actor, f) => closeBillingPeriod(db, { actor, period: previousPeriod(periodOf(f.now)).period, now: f.now }),
  },
  'invoice.finalize': {
    prepare: (_db, f) => f.draftInvoice(),
    run: async (db, actor, f) => finalizeInvoice(db, { actor, invoiceId: await f.draftInvoice() }),
  },
  'invoice.credit': {
    prepare: (_db, f) => f.finalizedInvoice(),
    run: async (db, actor, f) => issueCreditNote(db, { actor, invoiceId: await f.finalizedInvoice(), reason: '权限测试红冲' }),
  },
  'invoice.mark_paid': {
    prepare: (_db, f) => f.finalizedInvoice(),
    run: async (db, actor, f) => markInvoicePaid(db, { actor, invoiceId: await f.finalizedInvoice(), paidAt: f.now }),
  },
  'sign_in_lock.lift': {
    run: (db, actor) => liftSignInLocks(db, { actor, select: { username: 'partner.dev' } }),
    // No lock in the seed: nothing to lift.
    changes: false,
  },
  'two_factor.reset': { run: (db, actor) => resetTwoFactor(db, { actor, username: 'partner.dev' }) },
  // Auditors and the logs (ADR 0026): reads are audited, so a permitted read adds an audit entry too.
  'auditor.create': {
    run: (db, actor, f) =>
      createAuditor(db, {
        actor,
        now: f.now,
        input: {
          username: 'auditor.perm',
          displayName: '审计 测试',
          organization: '某会计师事务所',
          termEndsOn: formatDay(f.now),
        },
      }),
  },
  'auditor.extend': {
    run: (db, actor, f) => extendAuditorTerm(db, { actor, now: f.now, username: 'auditor', termEndsOn: formatDay(f.now) }),
  },
  'auditor.end': { run: (db, actor, f) => endAuditorAccess(db, { actor, now: f.now, username: 'auditor' }) },
  'logs.search': { run: (db, actor) => searchLogs(db, { actor, input: { kind: 'audit' } }) },
  'logs.export': { run: (db, actor) => exportLogs(db, { actor, input: { kind: 'usage' } }) },
  'audit_chain.verify': { run: (db, actor) => verifyAuditChainFor(db, { actor }) },
  'log_retention_policy.set': {
    run: (db, actor) => setRetentionPolicy(db, { actor, kind: 'usage', keepMonths: 12 }),
  },
  'logs.purge': {
    // Under a policy the bureau set; nothing is old enough in the seed, yet the purge is audited.
    prepare: (db) =>
      setRetentionPolicy(db, { actor: { id: null, label: 'bureau', role: 'bureau' }, kind: 'usage', keepMonths: 6 }),
    run: (db, actor, f) => purgeLogs(db, { actor, kind: 'usage', now: f.now }),
  },
  // Credit records, incidents, the emergency stop (ADR 0029): the seed's open incident and credit record.
  'credit_record.record': {
    run: (db, actor, f) =>
      recordCreditRecord(db, {
        actor,
        input: {
          subject: 'partner',
          partnerCode: 'shengjing-tech',
          severity: 'minor',
          source: 'regulator_finding',
          regulatorName: '市网信办',
          occurredOn: formatDay(f.now - DAY),
          expiresOn: formatDay(f.now + 365 * DAY),
          description: '权限测试记录',
        },
      }),
  },
  'credit_record.revoke': {
    run: async (db, actor) =>
      revokeCreditRecord(db, {
        actor,
        record: (await db.select({ code: creditRecords.code }).from(creditRecords).limit(1))[0]!.code,
        reason: '权限测试撤销',
      }),
  },
  'incident.open': {
    run: (db, actor) =>
      openIncident(db, {
        actor,
        input: { title: '权限测试', severity: 'low', affected: { platform: true }, description: '权限测试事件' },
      }),
  },
  'incident.add_entry': {
    run: async (db, actor) =>
      addIncidentEntry(db, { actor, incident: await openIncidentCode(db), kind: 'note', text: '权限测试' }),
  },
  'incident.close': {
    run: async (db, actor) => closeIncident(db, { actor, incident: await openIncidentCode(db), summary: '权限测试结案' }),
  },
  'emergency.stop': {
    run: (db, actor) => stopProducts(db, { actor, productCodes: ['uscc-validate'], reason: '权限测试停止' }),
  },
  'emergency.resume': {
    prepare: (db) => stopProducts(db, { actor: cli, productCodes: ['uscc-validate'], reason: '权限测试停止' }),
    run: (db, actor) => resumeProducts(db, { actor }),
  },
  'emergency_plan.save': {
    run: (db, actor) => saveEmergencyPlan(db, { actor, code: 'EP-PERM', title: '权限测试预案', body: '权限测试预案的正文内容' }),
  },
  'drill.record': {
    run: (db, actor, f) =>
      recordDrill(db, { actor, input: { heldOn: formatDay(f.now), scope: '权限测试', outcome: '权限测试' } }),
  },
  'drill.run': { run: (db, actor) => runStopDrill(db, { actor, productCode: 'uscc-validate', holdMs: 0 }) },
  'lago.sync': {
    // Lago is not configured in tests: a permitted run does nothing; the refusal comes before that check.
    run: (db, actor, f) => syncLagoOutbox(db, { actor, now: f.now, config: null }),
    changes: false,
  },
  'supervision_feed.sync': {
    // The feed is off in tests: a permitted run does nothing; the refusal comes before that check.
    run: (db, actor, f) => syncSupervisionFeed(db, { actor, now: f.now, config: null }),
    changes: false,
  },
  'supervision_feed.view': {
    // A read; the bureau's changes nothing (an auditor's is audited: test/integration/supervision-feed.test.ts).
    run: (db, actor, f) => viewSupervisionFeedState(db, { actor, now: f.now, config: null }),
    changes: false,
  },
  // Rectification cases (ADR 0028): the seeded open case (against the transport authorization) is the object.
  'case.report': { run: (db, actor) => reportProblem(db, { actor, report: '权限测试', regulatorName: '监管部门' }) },
  'case.open': {
    prepare: async (db) => (reportedCaseCode = await reportedCase(db)),
    run: (db, actor) =>
      openCase(db, {
        actor,
        code: reportedCaseCode,
        targetKind: 'operator',
        finding: '权限测试',
        ruleBreached: '第十三条',
        deadlineOn: formatDay(Date.now() + 10 * DAY_MS),
      }),
  },
  'case.submit_evidence': {
    run: async (db, actor) =>
      submitCaseEvidence(db, {
        actor,
        code: await openCaseCode(db),
        fileName: 'a.pdf',
        content: (async function* () {
          yield new TextEncoder().encode('%PDF-1.4\n')
        })(),
        declaredBytes: null,
        directory: join(tmpdir(), 'sdp-permissions-evidence'),
      }),
  },
  'case.close': { run: async (db, actor) => closeCase(db, { actor, code: await openCaseCode(db), resolution: '已核实' }) },
  // Partner exit and the concentration watch (ADR 0033)
  'partner_exit.start': {
    run: (db, actor) =>
      startPartnerExit(db, { actor, input: { partnerCode: 'shengjing-tech', kind: 'voluntary', reason: '权限测试退出' } }),
  },
  'partner_exit.withdraw': {
    prepare: (db) =>
      startPartnerExit(db, {
        actor: cliActor(),
        input: { partnerCode: 'shengjing-tech', kind: 'assessment', reason: '权限测试退出', sourceRef: 'PJ-2026-TEST' },
      }),
    run: async (db, actor) =>
      withdrawPartnerExit(db, {
        actor,
        exitId: (await db.select({ id: partnerExits.id }).from(partnerExits).limit(1))[0]?.id ?? 'none',
        reason: '权限测试撤回',
      }),
  },
  'partner_exit.execute': {
    prepare: (db) =>
      startPartnerExit(db, {
        actor: cliActor(),
        input: { partnerCode: 'shengjing-tech', kind: 'voluntary', reason: '权限测试退出' },
      }),
    run: async (db, actor) =>
      executePartnerExit(db, {
        actor,
        exitId: (await db.select({ id: partnerExits.id }).from(partnerExits).where(eq(partnerExits.state, 'noticed')))[0]!.id,
      }),
  },
  'reapply_rules.set': {
    run: (db, actor) =>
      setReapplyRules(db, { actor, monthsByKind: { voluntary: 0, breach: 12, assessment: 6, qualification: 0, credit: 24 } }),
  },
  'concentration_threshold.set': { run: (db, actor) => setConcentrationThreshold(db, { actor, threshold: 3000 }) },
  'case.escalate': { run: (db, actor) => escalateOverdueCases(db, { actor, now: Date.now() + 400 * DAY_MS }) },
  'case.terminate': {
    prepare: (db) => escalateOverdueCases(db, { now: Date.now() + 400 * DAY_MS }),
    run: async (db, actor) => terminateCase(db, { actor, code: (await caseCodeIn(db, 'escalated'))!, reason: '逾期未整改' }),
  },
  'authorization.suspend': {
    run: async (db, actor) => suspendAuthorization(db, { actor, code: await activeAuthorizationCode(db), reason: '监督检查' }),
  },
  'authorization.resume': {
    prepare: async (db) =>
      suspendAuthorization(db, {
        actor: { id: null, label: 'bureau', role: 'bureau' },
        code: (suspendedCode = await activeAuthorizationCode(db)),
        reason: '监督检查',
      }),
    run: (db, actor) => resumeAuthorization(db, { actor, code: suspendedCode }),
  },
  // Applications to become a partner (ADR 0030)
  'partner_application.submit': {
    run: (db, actor) => submitPartnerApplication(db, { actor, input: applicationInput, address: '203.0.113.9' }),
  },
  'partner_application.view': {
    run: (db, actor) => listPartnerApplications(db, { actor }),
    changes: false,
  },
  'partner_application.review': {
    prepare: async (db) => (applicationNumber = await submittedApplication(db)),
    run: (db, actor) => startApplicationReview(db, { actor, number: applicationNumber }),
  },
  'partner_application.decide': {
    prepare: async (db) => (applicationNumber = await submittedApplication(db)),
    run: (db, actor) => rejectPartnerApplication(db, { actor, number: applicationNumber, reason: '资质不全' }),
  },
  // Partner agreements (ADR 0031)
  'agreement_version.draft': {
    run: (db, actor, f) => draftAgreementVersion(db, { ...agreementInput, effectiveAt: f.now, actor }),
  },
  'agreement_version.decide': {
    prepare: async (db, f) => (agreement = await draftedAgreement(db, f)),
    run: (db, actor) => decideAgreementVersion(db, { actor, versionId: agreement.id, decision: 'approve' }),
  },
  'partner_user.invite': {
    run: (db, actor) => invitePartnerDeveloper(db, { actor, input: { username: 'permission-dev', displayName: '权限测试' } }),
  },
  'partner_user.end_access': {
    run: (db, actor) => endDeveloperAccess(db, { actor, username: 'partner.dev' }),
  },
  'agreement.accept': {
    prepare: async (db, f) => {
      agreement = await draftedAgreement(db, f)
      await decideAgreementVersion(db, {
        actor: { id: null, label: 'bureau', role: 'bureau' },
        versionId: agreement.id,
        decision: 'approve',
      })
    },
    run: (db, actor) =>
      acceptAgreement(db, { actor, versionId: agreement.id, shownTextHash: agreement.hash, clientAddress: '203.0.113.9' }),
  },
  // Operation reports (ADR 0035): 2025-Q3's, made by the operator where a step needs it; the demo's report is submitted.
  'operation_report.generate': { run: (db, actor) => generateOperationReport(db, { actor, period: '2025-Q3' }) },
  'operation_report.edit': {
    prepare: (db) => generateOperationReport(db, { actor: operator, period: '2025-Q3' }),
    run: (db, actor) => saveReportNarrative(db, { actor, period: '2025-Q3', narrative: { summary: '权限测试' } }),
  },
  'operation_report.submit': {
    prepare: async (db) => {
      await generateOperationReport(db, { actor: operator, period: '2025-Q3' })
      await saveReportNarrative(db, { actor: operator, period: '2025-Q3', narrative: { summary: '权限测试' } })
    },
    run: (db, actor) => submitOperationReport(db, { actor, period: '2025-Q3' }),
  },
  'operation_report.decide': {
    run: (db, actor) =>
      decideOperationReport(db, { actor, period: previousQuarter(Date.now()).period, version: 1, decision: 'acknowledge' }),
  },
  'operation_report.view': { run: (db, actor) => listOperationReports(db, { actor }), changes: false },
  // Evaluations (ADR 0034): an evaluation of 2026 opened under the default schemes, its subjects found by kind.
  'evaluation_scheme.create': {
    run: (db, actor) => createEvaluationScheme(db, { actor, input: { subjectKind: 'partner', ...DEFAULT_SCHEMES.partner } }),
  },
  'evaluation.open': {
    prepare: (db) => evaluationSchemes(db),
    run: (db, actor, f) =>
      openEvaluation(db, {
        actor,
        now: f.now,
        input: { title: '权限测试评估', period: '2026', deadlineOn: formatDay(f.now + 5 * DAY) },
      }),
  },
  'evaluation.self_assess': {
    prepare: (db, f) => openedEvaluation(db, f),
    run: async (db, actor, f) =>
      submitSelfAssessment(db, {
        actor,
        now: f.now,
        subjectId: await evaluationSubjectOf(db, 'source_unit', f.unit.market),
        texts: Object.fromEntries(DEFAULT_SCHEMES.source_unit.criteria.map((c) => [c.key, '权限测试自评'])),
      }),
  },
  'evaluation.score': {
    prepare: (db, f) => openedEvaluation(db, f),
    run: async (db, actor) =>
      scoreEvaluationSubject(db, {
        actor,
        subjectId: await evaluationSubjectOf(db, 'partner', null),
        input: { scores: Object.fromEntries(DEFAULT_SCHEMES.partner.criteria.map((c) => [c.key, { score: 90 }])) },
      }),
  },
  'evaluation.publish': {
    prepare: async (db, f) => {
      await openedEvaluation(db, f)
      await scoreEvaluationSubject(db, {
        actor: { id: null, label: 'bureau', role: 'bureau' },
        subjectId: await evaluationSubjectOf(db, 'partner', null),
        input: { scores: Object.fromEntries(DEFAULT_SCHEMES.partner.criteria.map((c) => [c.key, { score: 90 }])) },
      })
    },
    run: async (db, actor) => publishEvaluationResult(db, { actor, subjectId: await evaluationSubjectOf(db, 'partner', null) }),
  },
  // The cap watch and ceiling reminders (ADR 0036): jobs; a second run finds nothing new to tell (idempotent).
  'revenue_cap.watch': { run: (db, actor, f) => watchRevenueCap(db, { actor, now: f.now }), changes: false },
  'price_ceiling.remind': { run: (db, actor, f) => remindCeilingReevaluations(db, { actor, now: f.now }), changes: false },
  // Annual disclosure (ADR 0036): this year's edition (last year's is the demo's, published), prepared and published.
  'disclosure.prepare': {
    run: (db, actor, f) => prepareDisclosure(db, { year: calendarYear(f.now), actor, now: f.now }),
  },
  'disclosure.publish': {
    prepare: (db, f) =>
      prepareDisclosure(db, {
        year: calendarYear(f.now),
        actor: { id: null, label: 'operator', role: 'operator' },
        now: f.now,
      }),
    run: (db, actor, f) => publishDisclosure(db, { year: calendarYear(f.now), version: 1, actor, now: f.now }),
  },
  // The permission is checked before anything is read: an unknown job or request answers not_found to those allowed.
  'sandbox_export.request': {
    run: (db, actor, f) => requestSandboxExport(db, { actor, jobId: 'no-such-job', now: f.now }),
    changes: false,
  },
  'sandbox_export.review': {
    run: (db, actor, f) => reviewSandboxExport(db, { actor, exportId: 'no-such-export', decision: 'approve', now: f.now }),
    changes: false,
  },
  'sandbox_export.view': {
    run: (db, actor) => getSandboxExport(db, { actor, exportId: 'no-such-export' }),
    changes: false,
  },
  'sandbox_export.download': {
    run: (db, actor, f) => downloadSandboxExport(db, { actor, exportId: 'no-such-export', now: f.now }),
    changes: false,
  },
  'sandbox_model.request_release': {
    run: (db, actor, f) => requestModelRelease(db, { actor, modelId: 'no-such-model', now: f.now }),
    changes: false,
  },
  'sandbox_model.review': {
    run: (db, actor, f) => reviewModelRelease(db, { actor, modelId: 'no-such-model', decision: 'approve', now: f.now }),
    changes: false,
  },
  'sandbox_model.download': {
    run: (db, actor, f) => downloadModelArtifact(db, { actor, modelId: 'no-such-model', now: f.now }),
    changes: false,
  },
  // Reads: nothing changes, and the permitted actor gets its own partner's page.
  'partner_home.view': { run: (db, actor, f) => getPartnerHome(db, { actor, now: f.now }), changes: false },
  'developer_home.view': { run: (db, actor, f) => getDeveloperHome(db, { actor, now: f.now }), changes: false },
}

const bureauActor: Actor = { id: null, label: 'bureau', role: 'bureau' }
/** A scheme version of each kind (the defaults). */
async function evaluationSchemes(db: Db): Promise<void> {
  for (const kind of ['source_unit', 'operator', 'partner'] as const)
    await createEvaluationScheme(db, { actor: bureauActor, input: { subjectKind: kind, ...DEFAULT_SCHEMES[kind] } })
}
let evaluationCode = ''
async function openedEvaluation(db: Db, f: Fixture): Promise<void> {
  await evaluationSchemes(db)
  const r = await openEvaluation(db, {
    actor: bureauActor,
    now: f.now,
    input: { title: '权限测试评估', period: '2026', deadlineOn: formatDay(f.now + 5 * DAY) },
  })
  if (!r.ok) throw new Error(r.error.code)
  evaluationCode = r.value.code
}
/** The subject of a kind in the opened evaluation (a source unit's by its id; the first partner's otherwise). */
async function evaluationSubjectOf(db: Db, kind: 'source_unit' | 'partner', sourceUnitId: string | null): Promise<string> {
  const detail = await findEvaluation(db, { actor: cli, code: evaluationCode })
  const rows = await db.select({ id: sourceUnits.id, code: sourceUnits.code }).from(sourceUnits)
  const unitCode = rows.find((r) => r.id === sourceUnitId)?.code ?? null
  return detail!.subjects.find((s) => s.kind === kind && (kind === 'partner' || s.code === unitCode))!.id
}

const agreementInput = {
  kind: 'cooperation' as const,
  titleZh: '权限测试协议',
  titleEn: 'Permission test agreement',
  bodyZh: '第一条 测试。',
  bodyEn: '1. Test.',
}
let agreement = { id: '', hash: '' }
/** A drafted cooperation agreement in force from a minute ago, with the hash of its text as a partner would be shown it. */
async function draftedAgreement(db: Db, f: Fixture): Promise<{ id: string; hash: string }> {
  const effectiveAt = f.now - 60_000
  const r = await draftAgreementVersion(db, {
    ...agreementInput,
    effectiveAt,
    actor: { id: null, label: 'operator', role: 'operator' },
  })
  if (!r.ok) throw new Error(r.error.code)
  const text = await renderAgreementText(db, { ...agreementInput, version: r.value.version, effectiveAt }, Date.now())
  return { id: r.value.id, hash: hashAgreementText(text) }
}

const applicationInput = {
  kind: 'legal_person' as const,
  name: '权限测试科技有限公司',
  uscc: makeUscc({ registrationAuthority: '9', orgType: '1', divisionCode: '210112', orgCodeBody8: 'MA0P9999' }),
  contactName: '李四',
  contactPhone: '13800000000',
  contactEmail: 'li@example.cn',
  scenarios: '企业核验',
  purpose: 'industrial' as const,
}
let applicationNumber = ''

async function submittedApplication(db: Db): Promise<string> {
  const r = await submitPartnerApplication(db, {
    actor: { id: null, label: 'cli', role: 'cli' },
    input: applicationInput,
    address: '203.0.113.10',
  })
  if (!r.ok) throw new Error(r.error.code)
  return r.value.number
}

let reportedCaseCode = ''
let suspendedCode = ''

async function reportedCase(db: Db): Promise<string> {
  const r = await reportProblem(db, {
    actor: { id: null, label: 'bureau', role: 'bureau' },
    report: '权限测试',
    regulatorName: '监管部门',
  })
  if (!r.ok) throw new Error(r.error.code)
  return r.value.code
}

async function caseCodeIn(db: Db, state: 'open' | 'escalated'): Promise<string | undefined> {
  const [row] = await db
    .select({ code: rectificationCases.code })
    .from(rectificationCases)
    .where(eq(rectificationCases.state, state))
  return row?.code
}

const openCaseCode = async (db: Db) => (await caseCodeIn(db, 'open'))!

async function activeAuthorizationCode(db: Db): Promise<string> {
  const [row] = await db
    .select({ code: authorizationRows.code })
    .from(authorizationRows)
    .where(eq(authorizationRows.state, 'active'))
    .limit(1)
  return row!.code
}

/** The code of an open incident (the seed opens one). */
async function openIncidentCode(db: Db): Promise<string> {
  return (await db.select({ code: incidents.code }).from(incidents).where(eq(incidents.state, 'open')).limit(1))[0]!.code
}

/** The store's state as far as a refusal could touch it: the audit tail and every table's row count. */
async function snapshot(t: TestDatabase): Promise<Record<string, number>> {
  const tables = await t.client.execute(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%'",
  )
  const names = tables.rows.map((r) => String(r.name))
  const counts = await t.client.execute(
    names.map((n) => `SELECT '${n}' AS name, count(*) AS n FROM "${n}"`).join(' UNION ALL ') +
      " UNION ALL SELECT 'audit tail', coalesce(max(seq), 0) FROM audit_log",
  )
  return Object.fromEntries(counts.rows.map((r) => [String(r.name), Number(r.n)]))
}

/** The outcome as a code: `forbidden`, `ok`, another failure's kind, or `thrown:<name>`. */
async function outcomeOf(call: () => Promise<unknown>): Promise<string> {
  try {
    const result = (await call()) as { ok?: boolean; error?: { kind: string } } | unknown[] | null
    if (result && !Array.isArray(result) && typeof result === 'object' && 'ok' in result) {
      return result.ok ? 'ok' : result.error!.kind
    }
    return 'ok'
  } catch (error) {
    if (error instanceof PermissionError) return 'forbidden'
    return `thrown:${(error as Error).message}`
  }
}

describe('permissions inside the domain operations (platform/identity/permissions.ts)', () => {
  let t: TestDatabase
  beforeEach(async () => {
    t = await createTestDatabase()
  })
  afterEach(() => t.destroy())

  it('has a case for every operation of the table, and the table names only known actors', () => {
    expect(Object.keys(CASES).sort()).toEqual(Object.keys(PERMISSIONS).sort())
    for (const roles of Object.values(PERMISSIONS)) for (const role of roles) expect(ACTOR_ROLES).toContain(role)
  })

  for (const operation of Object.keys(PERMISSIONS) as Operation[]) {
    if (operation === 'report_export.create') continue
    const allowed = PERMISSIONS[operation] as readonly ActorRole[]
    const refused = ACTOR_ROLES.filter((r) => !allowed.includes(r))
    it(`${operation}: refused for ${refused.join(', ')}; runs for ${allowed[0]}`, async () => {
      const f = await fixture(t.db)
      const actors = await actorsFor(t.db)
      const c = CASES[operation]
      await c.prepare?.(t.db, f)
      for (const role of refused) {
        const before = await snapshot(t)
        expect(await outcomeOf(() => c.run(t.db, actors[role], f)), `${operation} as ${role}`).toBe('forbidden')
        expect(await snapshot(t), `${operation} as ${role} changed the store`).toEqual(before)
      }
      const before = await snapshot(t)
      const outcome = await outcomeOf(() => (c.permittedRun ?? c.run)(t.db, actors[allowed[0]!], f))
      if (c.changes === false) {
        expect(outcome, `${operation} as ${allowed[0]}`).not.toBe('forbidden')
      } else {
        expect(outcome, `${operation} as ${allowed[0]}`).toBe('ok')
        expect((await snapshot(t))['audit tail']).toBeGreaterThan(before['audit tail']!)
      }
    })
  }

  it('refuses partner and source-unit actors that carry no organisation (fail closed)', () => {
    for (const role of ['partner_admin', 'partner_developer', 'partner_api', 'source_unit'] as const) {
      const operation = (Object.keys(PERMISSIONS) as Operation[]).find((op) =>
        (PERMISSIONS[op] as readonly string[]).includes(role),
      )!
      expect(isPermitted({ id: null, label: 'x', role }, operation)).toBe(true)
      expect(refuseUnlessPermitted({ id: null, label: 'x', role }, operation)?.error.kind).toBe('forbidden')
      expect(refuseUnlessPermitted({ id: null, label: 'x', role, partnerId: '', sourceUnitId: '' }, operation)).not.toBeNull()
    }
  })

  it('a report export is created only for the calling key’s own partner', async () => {
    const f = await fixture(t.db)
    const before = await snapshot(t)
    const caller = { apiKeyId: f.keyId, partnerId: '', subscriptionId: 'x', purpose: 'industrial' as const }
    const result = await createReportExport(t.db, {
      caller,
      productId: await f.productId('district-economy-report'),
      district: '210102',
      period: '2025',
      format: 'csv',
      datasetRules: async () => {
        throw new Error('not reached')
      },
    })
    expect(result.ok || result.error.kind).toBe('forbidden')
    expect(await snapshot(t)).toEqual(before)
  })

  describe('ownership: another partner’s or source unit’s object is not found, and stays as it was', () => {
    it('a partner’s developer and admin: keys and subscriptions of another partner', async () => {
      const f = await fixture(t.db)
      const actors = await actorsFor(t.db)
      const huiminKey = await createApiKey(t.db, { actor: cli, partnerId: f.partner.huimin, name: 'huimin key' })
      if (!huiminKey.ok) throw new Error(huiminKey.error.code)
      const before = await snapshot(t)
      for (const actor of [actors.partner_developer, actors.partner_admin]) {
        expect(await outcomeOf(() => createApiKey(t.db, { actor, partnerId: f.partner.huimin, name: 'theirs' }))).toBe(
          'not_found',
        )
        // `partnerId: null` (what the CLI passes) widens nothing for a partner's own people.
        const revoke = () => revokeApiKey(t.db, { actor, keyId: huiminKey.value.id, partnerId: null })
        expect(await outcomeOf(revoke)).toBe('not_found')
        const roll = () => rollApiKey(t.db, { actor, keyId: huiminKey.value.id, partnerId: null, graceHours: 0 })
        expect(await outcomeOf(roll)).toBe('not_found')
      }
      const subscribe = () =>
        createSubscription(t.db, {
          actor: actors.partner_admin,
          partner: { code: 'huimin-service' },
          productCode: 'uscc-validate',
          purpose: 'industrial',
        })
      expect(await outcomeOf(subscribe)).toBe('not_found')
      expect(await snapshot(t)).toEqual(before)
      // Their own partner's key: through.
      const own = () => revokeApiKey(t.db, { actor: actors.partner_developer, keyId: f.keyId, partnerId: null })
      expect(await outcomeOf(own)).toBe('ok')
    })

    it('a source unit: another unit’s demand items and datasets', async () => {
      const f = await fixture(t.db)
      const actors = await actorsFor(t.db)
      const scjg = actors.source_unit
      // The medical-insurance item, approved by the bureau: not market regulation's to decide.
      const approved = await reviewDemandItem(t.db, { actor: actors.bureau, itemId: f.demand.pending, decision: 'approve' })
      expect(approved.ok).toBe(true)
      const before = await snapshot(t)
      const grant = () =>
        grantAuthorization(t.db, {
          actor: scjg,
          itemId: f.demand.pending,
          deliveryMode: 'table',
          startsOn: formatDay(f.now),
          termMonths: 6,
          now: f.now,
          datasetCode: 'DS-YB-0001',
        })
      expect(await outcomeOf(grant)).toBe('not_found')
      const refuse = () =>
        refuseDemandItem(t.db, {
          actor: scjg,
          itemId: f.demand.pending,
          citation: '某法第一条',
          explanation: '该数据不宜对外提供',
        })
      expect(await outcomeOf(refuse)).toBe('not_found')
      // A tax dataset, whatever scope the caller passes.
      const load = () => loadDatasetTable(t.db, { actor: scjg, datasetCode: 'DS-SW-0001', sourceUnitId: f.unit.tax })
      expect(await outcomeOf(load)).toBe('not_found')
      expect(await snapshot(t)).toEqual(before)
      // Its own dataset: through.
      expect(await outcomeOf(() => loadDatasetTable(t.db, { actor: scjg, datasetCode: 'DS-SCJG-0001' }))).toBe('ok')
    })
  })

  it('the steps of an operation are guarded too: a Lago step and a background close with a wrong actor', async () => {
    const before = await snapshot(t)
    expect(await outcomeOf(() => enqueueLagoEvents(t.db, { now: Date.now(), actor: operator }))).toBe('ok')
    expect(await outcomeOf(() => enqueueLagoEvents(t.db, { now: Date.now(), actor: { ...cli, role: 'bureau' } }))).toBe(
      'forbidden',
    )
    const period = previousPeriod(periodOf(Date.now())).period
    expect(await outcomeOf(() => startBillingClose(t.db, { period, actor: { ...cli, role: 'bureau' } }))).toBe('forbidden')
    expect((await snapshot(t))['audit tail']).toBe(before['audit tail'])
  })
})

/**
 * No state-changing operation without a decision: every exported function of catalog/, gateway/ and billing/ in a
 * file that writes through recordAudit checks the table itself, or is named here with why it needs no check.
 */
const NOT_OPERATIONS: Record<string, string> = {
  'catalog/datasets/load-target.ts': 'steps of the guarded loads (find, commit, record), not called on their own',
  'catalog/datasets/stage-dataset-rows.ts': 'a step of the guarded loads',
  'gateway/reports/download-report-export.ts': 'an audited read of the caller’s own export (partner-scoped by caller)',
  'gateway/reports/run-report-export.ts': 'the job of an export created through the guarded createReportExport',
  'gateway/reports/resume-report-exports.ts': 'restarts the jobs of guarded exports after a restart',
  'billing/invoices/close-billing-period.ts:findLastClose': 'a read',
  'billing/invoices/close-billing-period.ts:checkPeriodClosable': 'a read',
  'catalog/products/create-product.ts:resolveProductDatasets': 'a read',
  'partner-access/applications/accept-user-invite.ts':
    'the invite token is the authority (its holder has no usable account yet); single use, expiring (ADR 0030)',
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sourceFiles(path)
    return /\.ts$/.test(name) && !/\.test\.ts$/.test(name) ? [path] : []
  })
}

describe('every audited operation is guarded by the table', () => {
  const root = join(import.meta.dirname, '..', '..')
  // supervision/: the folders of ADR 0029 (credit records, incidents, emergency); the other supervision folders may join.
  const supervision = [
    'supervision/credit',
    'supervision/incidents',
    'supervision/emergency',
    // ADR 0028: rectification cases and the inbox.
    'supervision/cases',
    'supervision/inbox',
  ]
  const files = ['catalog', 'gateway', 'partner-access', 'billing', 'evaluation', 'reporting', ...supervision].flatMap((d) =>
    sourceFiles(join(root, d)),
  )
  const audited = files.filter((file) => /\brecordAudit\(/.test(readFileSync(file, 'utf8')))

  it('finds the audited operations', () => expect(audited.length).toBeGreaterThanOrEqual(40))

  it.each(audited.map((file) => relative(root, file)))('%s', (file) => {
    if (NOT_OPERATIONS[file]) return
    const source = readFileSync(join(root, file), 'utf8')
    for (const match of source.matchAll(/export async function (\w+)\b[\s\S]*?\n\}/g)) {
      const name = match[1]!
      if (NOT_OPERATIONS[`${file}:${name}`]) continue
      expect(/refuseUnlessPermitted\(|assertPermitted\(/.test(match[0]), `${file}: ${name} checks no permission`).toBe(true)
    }
  })
})
