import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { and, eq } from 'drizzle-orm'
import {
  agreementAcceptances,
  agreementVersions,
  auditLog,
  cityEnterprises,
  partners,
  products,
  subscriptions,
  users,
} from '#db/schema/index.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { userActor } from '#platform/identity/permissions.ts'
import { DAY_MS } from '#platform/calendar/shanghai-calendar.ts'
import { createGateway, type Gateway } from '#gateway/create-gateway.ts'
import { draftAgreementVersion } from '#partner-access/agreements/draft-agreement-version.ts'
import { decideAgreementVersion } from '#partner-access/agreements/decide-agreement-version.ts'
import { acceptAgreement } from '#partner-access/agreements/accept-agreement.ts'
import { getPartnerAgreementStatus } from '#partner-access/agreements/get-partner-agreement-status.ts'
import { listAgreementVersions } from '#partner-access/agreements/list-agreement-versions.ts'
import { findSignedAgreement } from '#partner-access/agreements/find-signed-agreement.ts'
import { renderAcceptancePdf } from '#partner-access/agreements/render-acceptance-pdf.ts'
import { hashAgreementText } from '#partner-access/agreements/render-agreement-text.ts'
import { runCli } from '#cli/platform.ts'
import { createSubscription } from '#partner-access/subscriptions/create-subscription.ts'
import { decideSubscription } from '#partner-access/subscriptions/decide-subscription.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'
import { demoApiKey } from '#test/support/demo-credentials.ts'
import { extractPdfText } from '#test/support/pdf-text.ts'
import { PROPAGATION_PROMISE_MS, waitUntilElapsed } from '#test/support/wait.ts'

const VERIFY = '/api/v1/verifications/enterprise'
const cli: Actor = { id: null, label: 'cli', role: 'cli' }

let t: TestDatabase
beforeEach(async () => {
  t = await createTestDatabase()
})
afterEach(() => t.destroy())

async function actorOf(username: string): Promise<Actor> {
  const [user] = await t.db.select().from(users).where(eq(users.username, username))
  return userActor(user!)
}

const draftInput = (over: Partial<Parameters<typeof draftAgreementVersion>[1]> = {}) => ({
  kind: 'cooperation' as const,
  titleZh: '合作协议（第二版）',
  titleEn: 'Cooperation agreement v2',
  bodyZh: '第一条 新的条款。',
  bodyEn: '1. New terms.',
  effectiveAt: Date.now() - DAY_MS,
  acceptBy: null,
  ...over,
})

/** Drafts and approves a new version; returns its id. */
async function approveNew(over: Partial<Parameters<typeof draftAgreementVersion>[1]> = {}): Promise<string> {
  const drafted = await draftAgreementVersion(t.db, { ...draftInput(over), actor: await actorOf('operator') })
  if (!drafted.ok) throw new Error(drafted.error.code)
  const decided = await decideAgreementVersion(t.db, {
    versionId: drafted.value.id,
    decision: 'approve',
    actor: await actorOf('bureau'),
  })
  if (!decided.ok) throw new Error(decided.error.code)
  return drafted.value.id
}

async function startGatewayAt(clock: { now: number }): Promise<{ url: string; gateway: Gateway; stop(): Promise<void> }> {
  const gateway = createGateway({ db: t.db, now: () => clock.now })
  const server: Server = createServer((req, res) => gateway.handle(req, res))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    gateway,
    async stop() {
      server.closeAllConnections()
      await new Promise((r) => server.close(r))
      await gateway.close()
    },
  }
}

async function verify(url: string): Promise<{ status: number; code: string | undefined }> {
  const [row] = await t.db.select({ uscc: cityEnterprises.uscc, name: cityEnterprises.name }).from(cityEnterprises).limit(1)
  const res = await fetch(url + VERIFY, {
    method: 'POST',
    headers: { authorization: `Bearer ${demoApiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(row),
  })
  const body = (await res.json()) as { error?: { code: string } }
  return { status: res.status, code: body.error?.code }
}

describe('agreement versions: drafting and approval', () => {
  it('the operator drafts, the bureau approves or returns; nobody else may; every step is audited', async () => {
    const operator = await actorOf('operator')
    const bureau = await actorOf('bureau')
    for (const actor of [bureau, await actorOf('partner.admin'), cli]) {
      const r = await draftAgreementVersion(t.db, { ...draftInput(), actor })
      expect(r.ok ? 'ok' : r.error.code).toBe('forbidden')
    }
    const drafted = await draftAgreementVersion(t.db, { ...draftInput(), actor: operator })
    expect(drafted.ok && drafted.value.version).toBe(2)
    const id = drafted.ok ? drafted.value.id : ''
    for (const actor of [operator, await actorOf('partner.admin'), cli]) {
      const r = await decideAgreementVersion(t.db, { versionId: id, decision: 'approve', actor })
      expect(r.ok ? 'ok' : r.error.code).toBe('forbidden')
    }
    const noComment = await decideAgreementVersion(t.db, { versionId: id, decision: 'return', actor: bureau })
    expect(noComment.ok ? 'ok' : noComment.error.fields).toEqual({ comment: 'required' })
    const returned = await decideAgreementVersion(t.db, {
      versionId: id,
      decision: 'return',
      comment: '请补充价格条款',
      actor: bureau,
    })
    expect(returned.ok && returned.value.state).toBe('returned')
    const again = await decideAgreementVersion(t.db, { versionId: id, decision: 'approve', actor: bureau })
    expect(again.ok ? 'ok' : again.error.code).toBe('not_draft')
    const audited = await t.db.select({ action: auditLog.action }).from(auditLog).where(eq(auditLog.objectId, id))
    expect(audited.map((a) => a.action)).toEqual(['agreement_version.draft', 'agreement_version.return'])
  })

  it('refuses hostile drafts with field errors and stores nothing', async () => {
    const operator = await actorOf('operator')
    const before = await t.db.select().from(agreementVersions)
    const r = await draftAgreementVersion(t.db, {
      ...draftInput({ titleZh: ' ', bodyEn: 'x'.repeat(60_000), acceptBy: Date.now() - 10 * DAY_MS }),
      kind: 'nonsense' as 'cooperation',
      actor: operator,
    })
    expect(r.ok ? {} : r.error.fields).toEqual({
      kind: 'invalid',
      titleZh: 'required',
      bodyEn: 'length',
      acceptBy: 'before_effective',
    })
    expect(await t.db.select().from(agreementVersions)).toEqual(before)
  })

  it('the current version is the approved one with the latest effective date ≤ now', async () => {
    const later = await approveNew({ effectiveAt: Date.now() + 30 * DAY_MS })
    const drafted = await draftAgreementVersion(t.db, { ...draftInput(), actor: await actorOf('operator') })
    expect(drafted.ok).toBe(true)
    const now = await listAgreementVersions(t.db)
    const current = now.filter((v) => v.isCurrent)
    expect(current.map((v) => [v.kind, v.version]).sort()).toEqual([
      ['cooperation', 1],
      ['platform_service', 1],
    ])
    expect(current[0]!.acceptedBy).toContain('shengjing-tech')
    const inFuture = await listAgreementVersions(t.db, { at: Date.now() + 31 * DAY_MS })
    expect(inFuture.filter((v) => v.isCurrent).map((v) => v.id)).toContain(later)
  })
})

describe('acceptance', () => {
  it('records the user, time, address and the SM3 of the exact text shown, append-only, audited', async () => {
    const id = await approveNew()
    const admin = await actorOf('partner.admin')
    const status = await getPartnerAgreementStatus(t.db, { partnerId: admin.partnerId!, actor: admin })
    if (!status.ok) throw new Error(status.error.code)
    expect(status.value.isBlocked).toBe(true)
    const coop = status.value.kinds.find((k) => k.kind === 'cooperation')!
    expect(coop.current!.id).toBe(id)
    expect(coop.current!.text).toContain('/fees')
    expect(coop.current!.text).toContain('verify-enterprise-identity')
    expect(coop.current!.text).toContain('不得以任何方式对脱敏、匿名化数据进行重新识别')

    const wrong = await acceptAgreement(t.db, { versionId: id, shownTextHash: 'a'.repeat(64), actor: admin })
    expect(wrong.ok ? 'ok' : wrong.error.code).toBe('agreement_text_changed')
    const dev = await acceptAgreement(t.db, {
      versionId: id,
      shownTextHash: coop.current!.textHash,
      actor: await actorOf('partner.dev'),
    })
    expect(dev.ok ? 'ok' : dev.error.code).toBe('forbidden')

    const accepted = await acceptAgreement(t.db, {
      versionId: id,
      shownTextHash: coop.current!.textHash,
      clientAddress: '203.0.113.9',
      actor: admin,
    })
    if (!accepted.ok) throw new Error(accepted.error.code)
    const [row] = await t.db.select().from(agreementAcceptances).where(eq(agreementAcceptances.id, accepted.value.id))
    expect(row).toMatchObject({
      userName: '盛京智能 陈管理',
      clientAddress: '203.0.113.9',
      hashAlgorithm: 'sm3',
      renderedText: coop.current!.text,
    })
    expect(row!.textHash).toBe(hashAgreementText(coop.current!.text))
    const [audit] = await t.db.select().from(auditLog).where(eq(auditLog.objectId, accepted.value.id))
    expect(audit!.action).toBe('agreement.accept')
    expect(JSON.parse(audit!.detail!)).toMatchObject({ textHash: row!.textHash, clientAddress: '203.0.113.9' })

    const twice = await acceptAgreement(t.db, { versionId: id, shownTextHash: coop.current!.textHash, actor: admin })
    expect(twice.ok ? 'ok' : twice.error.code).toBe('already_accepted')
    const after = await getPartnerAgreementStatus(t.db, { partnerId: admin.partnerId!, actor: admin })
    expect(after.ok && after.value.isBlocked).toBe(false)
  })

  it('another partner’s status and signed agreements are not found for a partner user', async () => {
    const admin = await actorOf('partner.admin')
    const [other] = await t.db.select().from(partners).where(eq(partners.code, 'shengjing-tech'))
    const [someone] = (await t.db.select().from(partners)).filter((p) => p.id !== other!.id)
    const status = await getPartnerAgreementStatus(t.db, { partnerId: someone!.id, actor: admin })
    expect(status.ok ? 'ok' : status.error.code).toBe('partner_not_found')
    const [theirs] = await t.db.select().from(agreementAcceptances).where(eq(agreementAcceptances.partnerId, someone!.id))
    const signed = await findSignedAgreement(t.db, { acceptanceId: theirs!.id, actor: admin })
    expect(signed.ok ? 'ok' : signed.error.code).toBe('acceptance_not_found')
  })

  it('the signed agreement downloads as a PDF with the acceptance record and its hash', async () => {
    const admin = await actorOf('partner.admin')
    const [mine] = await t.db.select().from(agreementAcceptances).where(eq(agreementAcceptances.partnerId, admin.partnerId!))
    const signed = await findSignedAgreement(t.db, { acceptanceId: mine!.id, actor: admin })
    if (!signed.ok) throw new Error(signed.error.code)
    const pdf = await renderAcceptancePdf(signed.value)
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-')
    const text = extractPdfText(pdf).replace(/\s+/g, '')
    expect(text).toContain(mine!.textHash)
    expect(text).toContain('签署记录')
  })
})

describe('gating', () => {
  it('a partner without acceptance cannot activate a subscription; after accepting it can', async () => {
    const admin = await actorOf('partner.admin')
    await approveNew()
    // A published product whose subscriptions of this partner have ended (fixture), so it may subscribe again.
    const [free] = await t.db.select().from(products).where(eq(products.state, 'published')).limit(1)
    await t.db
      .update(subscriptions)
      .set({ state: 'ended' })
      .where(and(eq(subscriptions.partnerId, admin.partnerId!), eq(subscriptions.productId, free!.id)))
    const refused = await createSubscription(t.db, {
      partner: { id: admin.partnerId! },
      productCode: free!.code,
      purpose: 'industrial',
      scenario: '企业核验',
      expectedMonthlyVolume: 100,
      actor: admin,
    })
    expect(refused.ok ? 'ok' : refused.error.code).toBe('agreement_not_accepted')

    const pending = await createSubscription(t.db, {
      partner: { id: admin.partnerId! },
      productCode: free!.code,
      purpose: 'public_interest',
      statement: '用于公共服务场景的企业身份核验，惠及市民办事',
      scenario: '公益核验',
      expectedMonthlyVolume: 100,
      actor: admin,
    })
    if (!pending.ok) throw new Error(pending.error.code)
    const approval = await decideSubscription(t.db, {
      subscriptionId: pending.value.id,
      decision: 'approve',
      actor: await actorOf('bureau'),
    })
    expect(approval.ok ? 'ok' : approval.error.code).toBe('agreement_not_accepted')

    const status = await getPartnerAgreementStatus(t.db, { partnerId: admin.partnerId!, actor: admin })
    if (!status.ok) throw new Error(status.error.code)
    for (const k of status.value.kinds.filter((k) => !k.isCurrentAccepted)) {
      const r = await acceptAgreement(t.db, { versionId: k.current!.id, shownTextHash: k.current!.textHash, actor: admin })
      expect(r.ok).toBe(true)
    }
    const approved = await decideSubscription(t.db, {
      subscriptionId: pending.value.id,
      decision: 'approve',
      actor: await actorOf('bureau'),
    })
    expect(approved.ok && approved.value.state).toBe('active')
  })

  it('the gateway refuses 403 agreement_not_accepted without acceptance, and answers within 1 s of accepting', async () => {
    const clock = { now: Date.now() }
    const gw = await startGatewayAt(clock)
    try {
      expect((await verify(gw.url)).status).toBe(200)
      // A new version with no grace (accept-by null): the demo partner is paused at once.
      const id = await approveNew({ effectiveAt: clock.now - DAY_MS })
      const since = performance.now()
      await waitUntilElapsed(since, PROPAGATION_PROMISE_MS)
      expect(await verify(gw.url)).toEqual({ status: 403, code: 'agreement_not_accepted' })

      const admin = await actorOf('partner.admin')
      const status = await getPartnerAgreementStatus(t.db, { partnerId: admin.partnerId!, actor: admin, at: clock.now })
      const coop = status.ok ? status.value.kinds.find((k) => k.kind === 'cooperation')!.current! : null
      expect(coop?.id).toBe(id)
      const accepted = await acceptAgreement(t.db, { versionId: id, shownTextHash: coop!.textHash, actor: admin, now: clock.now })
      expect(accepted.ok).toBe(true)
      await waitUntilElapsed(performance.now(), PROPAGATION_PROMISE_MS)
      expect((await verify(gw.url)).status).toBe(200)
    } finally {
      await gw.stop()
    }
  })

  it('a new version is honoured in grace until its accept-by date, then pauses the partner until accepted', async () => {
    const start = Date.now()
    const clock = { now: start }
    const id = await approveNew({ effectiveAt: start - DAY_MS, acceptBy: start + 10 * DAY_MS })
    const gw = await startGatewayAt(clock)
    try {
      // Accepted version 1 earlier: still answering, acceptance pending.
      expect((await verify(gw.url)).status).toBe(200)
      const admin = await actorOf('partner.admin')
      const grace = await getPartnerAgreementStatus(t.db, {
        partnerId: admin.partnerId!,
        actor: admin,
        at: clock.now,
        withText: false,
      })
      expect(grace.ok && [grace.value.isPending, grace.value.isBlocked]).toEqual([true, false])

      // The accept-by date is in the past of the controlled clock.
      clock.now = start + 11 * DAY_MS
      await waitUntilElapsed(performance.now(), PROPAGATION_PROMISE_MS)
      expect(await verify(gw.url)).toEqual({ status: 403, code: 'agreement_not_accepted' })

      const status = await getPartnerAgreementStatus(t.db, { partnerId: admin.partnerId!, actor: admin, at: clock.now })
      const coop = status.ok ? status.value.kinds.find((k) => k.kind === 'cooperation')!.current! : null
      expect(coop?.id).toBe(id)
      expect(
        (await acceptAgreement(t.db, { versionId: id, shownTextHash: coop!.textHash, actor: admin, now: clock.now })).ok,
      ).toBe(true)
      await vi.waitFor(async () => expect((await verify(gw.url)).status).toBe(200), { timeout: 5_000, interval: 100 })
      const [acceptance] = await t.db
        .select()
        .from(agreementAcceptances)
        .where(and(eq(agreementAcceptances.versionId, id), eq(agreementAcceptances.partnerId, admin.partnerId!)))
      expect(acceptance!.acceptedAt).toBe(clock.now)
    } finally {
      await gw.stop()
    }
  })
})

describe('CLI: agreements:list, agreements:status', () => {
  async function run(...argv: string[]) {
    const out: string[] = []
    const err: string[] = []
    const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) }, { DATABASE_URL: `file:${t.path}` })
    return { code, out: out.join('\n'), err: err.join('\n') }
  }

  it('lists the versions with who accepted each, and a partner’s standing, as JSON', async () => {
    const listed = await run('agreements:list', '--json')
    expect(listed.code).toBe(0)
    const versions = JSON.parse(listed.out) as { kind: string; isCurrent: boolean; acceptedBy: string[] }[]
    expect(
      versions
        .filter((v) => v.isCurrent)
        .map((v) => v.kind)
        .sort(),
    ).toEqual(['cooperation', 'platform_service'])
    expect(versions.every((v) => v.acceptedBy.includes('shengjing-tech'))).toBe(true)

    await approveNew()
    const status = await run('agreements:status', '--partner', 'shengjing-tech', '--json')
    expect(status.code).toBe(0)
    expect(JSON.parse(status.out)).toMatchObject({ partnerCode: 'shengjing-tech', isBlocked: true, isPending: true })
    expect((await run('agreements:status', '--json')).code).toBe(2)
    expect((await run('agreements:status', '--partner', 'nobody', '--json')).code).toBe(1)
  })
})
