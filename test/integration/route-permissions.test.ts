import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { and, eq } from 'drizzle-orm'
import {
  agreementAcceptances,
  incidents,
  partners,
  products,
  rectificationCases,
  subscriptions,
  users,
} from '#db/schema/index.ts'
import { ROLES, type Role } from '#db/schema/identity.ts'
import { DEMO_USERS } from '#seed/platform-fixtures.ts'
import { cliActor } from '#platform/audit/record-audit.ts'
import { createSubscription } from '#partner-access/subscriptions/create-subscription.ts'
import { closeBillingPeriod } from '#billing/invoices/close-billing-period.ts'
import { finalizeInvoice } from '#billing/invoices/finalize-invoice.ts'
import { periodOf, previousPeriod } from '#billing/periods/billing-period.ts'
import { insertEvents } from '#test/support/billing-harness.ts'
import { startPlatform, type PlatformHarness } from '#test/support/platform-server.ts'
import { discoverActionRoutes, discoverLoaderRoutes, routeShape } from '#test/support/remix-action-routes.ts'
import { PARTNER_OWNED_ROUTES, ROUTE_PERMISSIONS, type Access } from '#test/support/route-permissions.ts'
import { openUiSession, postForm, signInUi, type UiSession } from '#test/support/ui-session.ts'
import { calendarYear, DAY_MS, formatDay } from '#platform/calendar/shanghai-calendar.ts'
import { userActor } from '#platform/identity/permissions.ts'
import { reportProblem } from '#supervision/cases/report-problem.ts'
import { openCase } from '#supervision/cases/open-case.ts'
import { submitCaseEvidence } from '#supervision/cases/submit-case-evidence.ts'
import { evidenceDirectoryOf } from '#supervision/cases/evidence-store.ts'
import { openEvaluation } from '#evaluation/open-evaluation.ts'
import { findEvaluation } from '#evaluation/find-evaluations.ts'
import { addEvaluationEvidence, evaluationEvidenceDirectoryOf } from '#evaluation/evidence/add-evaluation-evidence.ts'
import { makeUscc } from '#platform/codes/uscc.ts'
import { submitPartnerApplication } from '#partner-access/applications/submit-partner-application.ts'
import { addApplicationDocument } from '#partner-access/applications/add-application-document.ts'
import { approvePartnerApplication } from '#partner-access/applications/decide-partner-application.ts'
import { applicationDocumentDirectoryOf } from '#partner-access/applications/application-rules.ts'
import { startPartnerExit } from '#partner-access/exits/start-partner-exit.ts'
import { previousQuarter } from '#reporting/periods/report-period.ts'

/**
 * The role × route × method matrix (issue 9), generated from the route files and the decisions in
 * test/support/route-permissions.ts: every route, GET and POST, as each of the five roles and as a visitor who is not
 * signed in. Allowed: 200 or a redirect that is not to sign-in (an action with an empty form: anything but 403 and
 * 5xx — its validation answers). Another role: 403, and a POST (an empty but CSRF-valid form) is refused before any
 * validation and changes nothing. Not signed in: sent to sign in. Plain fetch with cookies, no browser.
 */

const ROUTES_DIR = fileURLToPath(new URL('../../app/routes/', import.meta.url))
type Identity = Role | 'anonymous'
const IDENTITIES: Identity[] = [...ROLES, 'anonymous']

function routeFiles(): string[] {
  return readdirSync(ROUTES_DIR)
    .filter((file) => /\.(tsx|ts|jsx|js)$/.test(file) && !/\.test\./.test(file) && !file.startsWith('.'))
    .sort()
}

const allows = (access: Access, who: Identity) =>
  access === 'public' ||
  (access === 'visitor' && who === 'anonymous') ||
  (Array.isArray(access) && who !== 'anonymous' && access.includes(who))

describe('role × route × method matrix', () => {
  let platform: PlatformHarness
  const sessions = {} as Record<Identity, UiSession>
  /** Invoices of the demo partner (shengjing-tech, whose admin signs in) and of another partner. */
  const invoice = { own: '', other: '' }
  /** Rectification cases (ADR 0028): the seeded open one (the operator's) and a partner case, each with evidence. */
  const cases = { operator: '', operatorEvidence: '', partner: '', partnerEvidence: '' }

  beforeAll(async () => {
    platform = await startPlatform()
    const { db } = platform.database
    // An invoice for the signed-in partner and one for another: last month's usage, closed through the CLI's path.
    const cli = cliActor('route-matrix')
    const [huimin] = await db.select().from(partners).where(eq(partners.code, 'huimin-service'))
    const subscribed = await createSubscription(db, {
      actor: cli,
      partner: { id: huimin!.id },
      productCode: 'uscc-validate',
      purpose: 'industrial',
    })
    if (!subscribed.ok) throw new Error(subscribed.error.code)
    const last = previousPeriod(periodOf(Date.now()))
    const [shengjing] = await db.select().from(partners).where(eq(partners.code, 'shengjing-tech'))
    const [own] = await db
      .select({ id: subscriptions.id, productId: subscriptions.productId })
      .from(subscriptions)
      .innerJoin(products, eq(products.id, subscriptions.productId))
      .where(and(eq(subscriptions.partnerId, shengjing!.id), eq(products.code, 'verify-enterprise-identity')))
    const [theirs] = await db.select().from(subscriptions).where(eq(subscriptions.id, subscribed.value.id))
    for (const [partnerId, sub] of [
      [shengjing!.id, own!],
      [huimin!.id, theirs!],
    ] as const) {
      const partner = { partnerId, subscriptionId: sub.id, productId: sub.productId, key: '', purpose: 'industrial' as const }
      await insertEvents(db, partner, [last.start + 3_600_000, last.start + 7_200_000])
    }
    const closed = await closeBillingPeriod(db, { period: last.period, actor: cli })
    if (!closed.ok) throw new Error(closed.error.code)
    invoice.own = closed.value.invoices.find((i) => i.partner.id === shengjing!.id)!.id!
    // The demo partner's seeded acceptance of an agreement (ADR 0031), for the signed PDF.
    acceptanceId = (
      await db
        .select({ id: agreementAcceptances.id })
        .from(agreementAcceptances)
        .where(eq(agreementAcceptances.partnerId, shengjing!.id))
        .limit(1)
    )[0]!.id
    invoice.other = closed.value.invoices.find((i) => i.partner.id === huimin!.id)!.id!
    // A partner sees its invoices once they are finalized (drafts are the operator's).
    const operator = { id: null, label: 'route-matrix', role: 'operator' } as const
    for (const id of [invoice.own, invoice.other]) {
      const finalized = await finalizeInvoice(db, { invoiceId: id, actor: operator })
      if (!finalized.ok) throw new Error(finalized.error.code)
    }

    await prepareCases(db)
    await prepareApplications(db)
    await prepareEvaluations(db)
    // An exit notice for the signed-in partner, a year ahead (nothing stops before it): its PDF (ADR 0033).
    const noticed = await startPartnerExit(db, {
      actor: cli,
      input: { partnerCode: 'shengjing-tech', kind: 'voluntary', reason: '路由权限测试', exitAt: Date.now() + 365 * 86_400_000 },
    })
    if (!noticed.ok) throw new Error(noticed.error.code)
    exitId = noticed.value.id
    // The demo incident (seed/seed-emergency-demo.ts), for the incident pages.
    incidentCode = (await db.select({ code: incidents.code }).from(incidents).limit(1))[0]!.code

    sessions.anonymous = await openUiSession(platform.url)
    for (const role of ROLES) {
      const user = DEMO_USERS.find((u) => u.role === role)!
      sessions[role] = await signInUi(platform.url, user.username)
    }
  }, 120_000)
  afterAll(async () => platform?.stop())

  let incidentCode = ''
  let acceptanceId = ''
  let exitId = ''
  /** Applications (ADR 0030): an open one with a document (status link) and an approved one (its invite). */
  const applications = { number: '', statusToken: '', documentId: '', inviteToken: '' }
  async function prepareApplications(db: typeof platform.database.db) {
    const visitor = { id: null, label: 'route-matrix', role: 'anonymous' } as const
    const input = (n: number) => ({
      kind: 'legal_person' as const,
      name: `路由矩阵公司${n}`,
      uscc: makeUscc({ registrationAuthority: '9', orgType: '1', divisionCode: '210102', orgCodeBody8: `MA0R000${n}` }),
      contactName: '王芳',
      contactPhone: '13800001111',
      contactEmail: 'wang@example.cn',
      scenarios: '路由矩阵',
      purpose: 'industrial' as const,
    })
    const open = await submitPartnerApplication(db, { actor: visitor, input: input(1), address: '192.0.2.1' })
    if (!open.ok) throw new Error(open.error.code)
    const doc = await addApplicationDocument(db, {
      actor: visitor,
      token: open.value.statusToken,
      fileName: 'licence.pdf',
      content: (async function* () {
        yield new TextEncoder().encode('%PDF-1.4\n%%EOF\n')
      })(),
      declaredBytes: null,
      directory: applicationDocumentDirectoryOf(platform.database.url),
    })
    if (!doc.ok) throw new Error(doc.error.code)
    Object.assign(applications, { number: open.value.number, statusToken: open.value.statusToken, documentId: doc.value.id })
    const toApprove = await submitPartnerApplication(db, { actor: visitor, input: input(2), address: '192.0.2.1' })
    if (!toApprove.ok) throw new Error(toApprove.error.code)
    const approved = await approvePartnerApplication(db, { actor: cliActor('route-matrix'), number: toApprove.value.number })
    if (!approved.ok) throw new Error(approved.error.code)
    applications.inviteToken = approved.value.inviteToken
  }
  /** Evaluations (ADR 0034): one open, with evidence of the market-regulation unit and of the operator. */
  const evaluation = { code: '', unitSubject: '', unitEvidence: '', operatorEvidence: '' }
  async function prepareEvaluations(db: typeof platform.database.db) {
    const actorOf = async (username: string) => userActor((await db.select().from(users).where(eq(users.username, username)))[0]!)
    const [bureau, operator, unit] = [await actorOf('bureau'), await actorOf('operator'), await actorOf('scjg')]
    const opened = await openEvaluation(db, {
      actor: bureau,
      input: {
        title: '路由矩阵评估',
        period: '2026',
        deadlineOn: formatDay(Date.now() + 30 * DAY_MS),
        kinds: ['source_unit', 'operator'],
      },
    })
    if (!opened.ok) throw new Error(opened.error.code)
    evaluation.code = opened.value.code
    const subjects = (await findEvaluation(db, { actor: bureau, code: opened.value.code }))!.subjects
    evaluation.unitSubject = subjects.find((s) => s.code === 'market-regulation')!.id
    const directory = evaluationEvidenceDirectoryOf(platform.database.url)
    const add = async (actor: typeof bureau, subjectId: string) => {
      const r = await addEvaluationEvidence(db, {
        actor,
        subjectId,
        fileName: 'e.pdf',
        content: (async function* () {
          yield new TextEncoder().encode('%PDF-1.4\n%%EOF\n')
        })(),
        declaredBytes: null,
        directory,
      })
      if (!r.ok) throw new Error(r.error.code)
      return r.value.id
    }
    evaluation.unitEvidence = await add(unit, evaluation.unitSubject)
    evaluation.operatorEvidence = await add(operator, subjects.find((s) => s.kind === 'operator')!.id)
  }
  async function prepareCases(db: typeof platform.database.db) {
    const actorOf = async (username: string) => userActor((await db.select().from(users).where(eq(users.username, username)))[0]!)
    const [bureau, operator, admin] = [await actorOf('bureau'), await actorOf('operator'), await actorOf('partner.admin')]
    const [open] = await db.select().from(rectificationCases).where(eq(rectificationCases.state, 'open'))
    cases.operator = open!.code
    const pdf = async function* () {
      yield new TextEncoder().encode('%PDF-1.4\n%%EOF\n')
    }
    const directory = evidenceDirectoryOf(platform.database.url)
    const own = await submitCaseEvidence(db, {
      actor: operator,
      code: cases.operator,
      fileName: 'a.pdf',
      content: pdf(),
      declaredBytes: null,
      directory,
    })
    if (!own.ok) throw new Error(own.error.code)
    cases.operatorEvidence = own.value.id
    const reported = await reportProblem(db, { actor: bureau, report: '路由矩阵', regulatorName: '监管部门' })
    if (!reported.ok) throw new Error(reported.error.code)
    cases.partner = reported.value.code
    const opened = await openCase(db, {
      actor: bureau,
      code: cases.partner,
      targetKind: 'partner',
      targetCode: 'shengjing-tech',
      finding: '路由矩阵',
      ruleBreached: '第十三条',
      deadlineOn: formatDay(Date.now() + 30 * DAY_MS),
    })
    if (!opened.ok) throw new Error(opened.error.code)
    const theirs = await submitCaseEvidence(db, {
      actor: admin,
      code: cases.partner,
      fileName: 'b.pdf',
      content: pdf(),
      declaredBytes: null,
      directory,
    })
    if (!theirs.ok) throw new Error(theirs.error.code)
    cases.partnerEvidence = theirs.value.id
  }

  /** A real value for each path param of a route, so an allowed role reaches its page. */
  const PARAMS: Record<string, () => Record<string, string>> = {
    'catalog.$code.tsx': () => ({ code: 'verify-enterprise-identity' }),
    // The demo's published edition is last year's.
    'disclosure.$year.tsx': () => ({ year: String(calendarYear(Date.now()) - 1) }),
    'disclosure.$year_.pdf.tsx': () => ({ year: String(calendarYear(Date.now()) - 1) }),
    'operator.datasets.$code.tsx': () => ({ code: 'DS-SCJG-0001' }),
    'source-unit.datasets.$code.tsx': () => ({ code: 'DS-SCJG-0001' }),
    'operator.datasets.$code_.upload.tsx': () => ({ code: 'DS-WJ-0001' }),
    'operator.demands.$code.tsx': () => ({ code: 'XQ-2026-0001' }),
    'operator.invoices.$id.tsx': () => ({ id: invoice.own }),
    'operator.invoices.$id_.csv.tsx': () => ({ id: invoice.own }),
    'operator.invoices.$id_.pdf.tsx': () => ({ id: invoice.own }),
    'partner.invoices.$id.tsx': () => ({ id: invoice.own }),
    'partner.invoices.$id_.csv.tsx': () => ({ id: invoice.own }),
    'partner.invoices.$id_.pdf.tsx': () => ({ id: invoice.own }),
    'partner.agreements.$id_.pdf.tsx': () => ({ id: acceptanceId }),
    'partner.exit_.$id.certificate.tsx': () => ({ id: exitId }),
    'bureau.cases.$code.tsx': () => ({ code: cases.operator }),
    'bureau.incidents.$code.tsx': () => ({ code: incidentCode }),
    'operator.incidents.$code.tsx': () => ({ code: incidentCode }),
    'bureau.cases.$code_.evidence.$id.tsx': () => ({ code: cases.operator, id: cases.operatorEvidence }),
    'operator.cases.$code.tsx': () => ({ code: cases.operator }),
    'operator.cases.$code_.evidence.$id.tsx': () => ({ code: cases.operator, id: cases.operatorEvidence }),
    'partner.cases.$code.tsx': () => ({ code: cases.partner }),
    'partner.cases.$code_.evidence.$id.tsx': () => ({ code: cases.partner, id: cases.partnerEvidence }),
    'cases.$code.evidence.tsx': () => ({ code: cases.operator }),
    'apply_.status.$token.tsx': () => ({ token: applications.statusToken }),
    'apply_.status.$token_.documents.tsx': () => ({ token: applications.statusToken }),
    'invite.$token.tsx': () => ({ token: applications.inviteToken }),
    'operator.applications.$number.tsx': () => ({ number: applications.number }),
    'operator.applications.$number_.documents.$id.tsx': () => ({ number: applications.number, id: applications.documentId }),
    // The demo's submitted report: last quarter's (seed/seed-reports-demo.ts).
    'operator.reports_.$period.tsx': () => ({ period: previousQuarter(Date.now()).period }),
    'bureau.reports_.$period.tsx': () => ({ period: previousQuarter(Date.now()).period }),
    'reports.$period.download.tsx': () => ({ period: previousQuarter(Date.now()).period }),
    'bureau.evaluations.$code.tsx': () => ({ code: evaluation.code }),
    'bureau.evaluations_.evidence.$id.tsx': () => ({ id: evaluation.unitEvidence }),
    'source-unit.evaluations_.evidence.$id.tsx': () => ({ id: evaluation.unitEvidence }),
    'operator.evaluations_.evidence.$id.tsx': () => ({ id: evaluation.operatorEvidence }),
    'evaluations.subjects.$id.evidence.tsx': () => ({ id: evaluation.unitSubject }),
  }

  function pathOf(file: string, values: Record<string, string> = PARAMS[file]?.() ?? {}): string {
    const { segments, isIndex } = routeShape(file)
    const path =
      '/' +
      segments
        .map((s) => {
          if (typeof s === 'string') return s
          const value = values[s.param]
          if (value === undefined) throw new Error(`${file}: no value for :${s.param} (add one to PARAMS)`)
          return encodeURIComponent(value)
        })
        .join('/')
    return isIndex ? `${path}?index` : path
  }

  async function auditTail(): Promise<number> {
    const r = await platform.database.client.execute('SELECT coalesce(max(seq), 0) AS seq FROM audit_log')
    return Number(r.rows[0]!.seq)
  }

  async function get(path: string, who: Identity) {
    const res = await fetch(platform.url + path, { headers: { cookie: sessions[who].cookie }, redirect: 'manual' })
    await res.arrayBuffer()
    return { status: res.status, location: res.headers.get('location') ?? '' }
  }

  /** An empty form with this session's CSRF token (in the form and the header), as our own page would post it. */
  async function post(path: string, who: Identity, session: UiSession = sessions[who]) {
    const res = await postForm(platform.url, session, path, {}, { 'x-csrf-token': session.csrfToken })
    await res.arrayBuffer()
    return { status: res.status, location: res.headers.get('location') ?? '' }
  }

  const toSignIn = (answer: { status: number; location: string }) =>
    answer.status >= 300 && answer.status < 400 && answer.location.startsWith('/login')

  it('has a decision for every route file, and none for a file that is gone', () => {
    expect(Object.keys(ROUTE_PERMISSIONS).sort()).toEqual(routeFiles())
  })

  it('decides POST exactly where a route has an action, and GET wherever it has a loader', () => {
    const actions = new Set(discoverActionRoutes().map((r) => r.file))
    const loaders = new Set(discoverLoaderRoutes().map((r) => r.file))
    for (const [file, decision] of Object.entries(ROUTE_PERMISSIONS)) {
      expect(decision.post !== null, `${file}: POST`).toBe(actions.has(file))
      if (loaders.has(file)) expect(decision.get, `${file}: GET`).not.toBeNull()
      // The route's own guard names the same roles (its requireUser) as the table.
      const guarded = [...discoverLoaderRoutes(), ...discoverActionRoutes()].find((r) => r.file === file)
      const declared = [decision.get, decision.post].find((a) => a !== null && a !== 'public' && a !== 'visitor')
      if (guarded && declared) expect([...guarded.roles].sort(), file).toEqual([...declared].sort())
    }
  })

  let requests = 0
  for (const file of routeFiles()) {
    it(file, async () => {
      const decision = ROUTE_PERMISSIONS[file]
      if (!decision) throw new Error(`${file} has no decision in test/support/route-permissions.ts`)
      const path = pathOf(file)
      for (const who of IDENTITIES) {
        const answer = await get(path, who)
        requests++
        const what = `GET ${path} as ${who} → ${answer.status} ${answer.location}`
        expect(answer.status, what).toBeLessThan(500)
        if (decision.get === null) expect(answer.status, what).toBeGreaterThanOrEqual(400)
        else if (allows(decision.get, who)) {
          if (decision.get !== 'public') expect(toSignIn(answer), what).toBe(false)
          expect([200, 302, 303], what).toContain(answer.status)
        } else if (who === 'anonymous') expect(toSignIn(answer), what).toBe(true)
        else expect(answer.status, what).toBe(403)
      }
      for (const who of IDENTITIES) {
        // Signing out is what a POST to /logout does: a session of its own, so the others live on.
        const session =
          file === 'logout.tsx' && who !== 'anonymous'
            ? await signInUi(platform.url, DEMO_USERS.find((u) => u.role === who)!.username)
            : sessions[who]
        const before = await auditTail()
        const answer = await post(path, who, session)
        requests++
        const what = `POST ${path} as ${who} → ${answer.status} ${answer.location}`
        expect(answer.status, what).toBeLessThan(500)
        if (decision.post === null) {
          expect(answer.status, what).toBe(405)
        } else if (allows(decision.post, who)) {
          expect(answer.status, what).not.toBe(403)
          if (decision.post !== 'public') expect(toSignIn(answer), what).toBe(false)
        } else {
          if (who === 'anonymous') expect(toSignIn(answer), what).toBe(true)
          else expect(answer.status, what).toBe(403)
          expect(await auditTail(), `${what}: the refusal changed something`).toBe(before)
        }
      }
    })
  }

  it('the auditor changes nothing: 403 on every POST route but signing in and out, the language and its own account', async () => {
    // Its own credentials (an initial password to change, a second factor to enrol) are all it may post (ADR 0026).
    const OWN = new Set([
      'login.tsx',
      'login_.two-factor.tsx',
      'logout.tsx',
      'lang.tsx',
      'account.password.tsx',
      'account.two-factor.tsx',
      'account.step-up.tsx',
    ])
    const actions = discoverActionRoutes()
    expect(actions.length).toBeGreaterThan(10)
    for (const route of actions) {
      if (OWN.has(route.file)) continue
      // A route without a decision yet fails the coverage test above; its answer is checked here all the same.
      const decision = ROUTE_PERMISSIONS[route.file]
      if (decision) expect(allows(decision.post, 'auditor'), `${route.file} admits the auditor`).toBe(false)
      const before = await auditTail()
      const answer = await post(pathOf(route.file), 'auditor')
      expect(answer.status, `POST ${route.file} as auditor`).toBe(403)
      expect(await auditTail(), `POST ${route.file} as auditor changed something`).toBe(before)
    }
  })

  it("a partner's objects asked for by another partner are not found (404), not forbidden", async () => {
    for (const file of PARTNER_OWNED_ROUTES) {
      const path = pathOf(file, { id: invoice.other })
      const answer = await get(path, 'partner_admin')
      expect(answer.status, `GET ${path} (another partner's invoice)`).toBe(404)
      expect((await get(pathOf(file), 'partner_admin')).status, `GET ${pathOf(file)} (its own)`).toBe(200)
    }
    // The operator, who serves every partner, sees both.
    expect((await get(pathOf('operator.invoices.$id.tsx', { id: invoice.other }), 'operator')).status).toBe(200)
  })

  afterAll(() => console.log(`[route-permissions] ${requests} matrix requests`))
})
