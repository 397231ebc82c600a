import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { auditLog, partnerApplications, partners, userInvites, users } from '#db/schema/index.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { makeIdCard } from '#platform/codes/id-card.ts'
import { makeUscc } from '#platform/codes/uscc.ts'
import { userActor } from '#platform/identity/permissions.ts'
import { signIn } from '#platform/identity/sign-in.ts'
import { recordCreditRecord } from '#supervision/credit/record-credit-record.ts'
import { submitPartnerApplication } from '#partner-access/applications/submit-partner-application.ts'
import { addApplicationDocument } from '#partner-access/applications/add-application-document.ts'
import { findApplicationByToken } from '#partner-access/applications/find-application-by-token.ts'
import { listPartnerApplications } from '#partner-access/applications/list-partner-applications.ts'
import { findPartnerApplication } from '#partner-access/applications/find-partner-application.ts'
import {
  approvePartnerApplication,
  rejectPartnerApplication,
  startApplicationReview,
} from '#partner-access/applications/decide-partner-application.ts'
import { acceptUserInvite, findUserInvite } from '#partner-access/applications/accept-user-invite.ts'
import { APPLICATIONS_PER_ADDRESS_PER_HOUR, INVITE_TTL_MS } from '#partner-access/applications/application-rules.ts'
import { DEMO_APPLICATION_NUMBER } from '#seed/seed-applications-demo.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'

const NOW = Date.UTC(2026, 10, 30, 2) // 2026-11-30 10:00 in Shanghai
const PDF = new TextEncoder().encode('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n')
const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])
const PASSWORD = 'Qx7#lantern-Ridge'
const visitor: Actor = { id: null, label: 'applicant', role: 'anonymous' }

async function* chunks(...parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield p
}

const uscc = (n: number) =>
  makeUscc({
    registrationAuthority: '9',
    orgType: '1',
    divisionCode: '210102',
    orgCodeBody8: `MA0T${String(n).padStart(4, '0')}`,
  })
const idCard = (seq: number) => makeIdCard({ divisionCode: '210102', birth: '19900101', sequence3: seq })

const legal = (n = 1) => ({
  kind: 'legal_person' as const,
  name: `沈阳测试科技有限公司${n}`,
  uscc: uscc(n),
  contactName: '王芳',
  contactPhone: '13800001111',
  contactEmail: 'wang@example.cn',
  scenarios: '小微企业贷前核验',
  purpose: 'industrial' as const,
})

async function operatorOf(db: Db): Promise<Actor> {
  return userActor((await db.select().from(users).where(eq(users.username, 'operator')))[0]!)
}

describe('applications to become a partner (Art. 2, 12; ADR 0030)', () => {
  let t: TestDatabase
  let dir: string
  let operator: Actor
  beforeEach(async () => {
    t = await createTestDatabase()
    dir = mkdtempSync(join(tmpdir(), 'sdp-applications-'))
    operator = await operatorOf(t.db)
  })
  afterEach(() => {
    t.destroy()
    rmSync(dir, { recursive: true, force: true })
  })

  const submit = (input: Record<string, unknown>, address = '198.51.100.7', now = NOW) =>
    submitPartnerApplication(t.db, {
      actor: visitor,
      input: input as Parameters<typeof submitPartnerApplication>[1]['input'],
      address,
      now,
    })

  it('accepts each of the three kinds with a valid code, and refuses bad checksums and mismatched codes', async () => {
    const natural = await submit({ ...legal(), kind: 'natural_person', name: '赵六', uscc: '', idNumber: idCard(11) })
    expect(natural).toMatchObject({ ok: true, value: { number: expect.stringMatching(/^SQ-2026-\d{6}$/) } })
    expect(await submit({ ...legal(2), kind: 'unincorporated_org' })).toMatchObject({ ok: true })
    expect(await submit(legal(3))).toMatchObject({ ok: true })

    const good = uscc(4)
    const badUscc = good.slice(0, 17) + (good[17] === '0' ? '1' : '0')
    expect(await submit({ ...legal(4), uscc: badUscc })).toMatchObject({
      ok: false,
      error: { kind: 'validation', fields: { uscc: 'invalid_uscc' } },
    })
    const id = idCard(12)
    const badId = id.slice(0, 17) + (id[17] === '0' ? '1' : '0')
    const refused = await submit({ ...legal(), kind: 'natural_person', uscc: '', idNumber: badId })
    expect(refused).toMatchObject({ ok: false, error: { fields: { idNumber: 'invalid_id_card' } } })
    // A natural person needs the ID number, an organisation the USCC; an unknown kind or purpose is refused.
    expect(await submit({ ...legal(), kind: 'natural_person', idNumber: '' })).toMatchObject({
      ok: false,
      error: { fields: { idNumber: 'required' } },
    })
    expect(await submit({ ...legal(5), uscc: '' })).toMatchObject({ ok: false, error: { fields: { uscc: 'required' } } })
    expect(await submit({ ...legal(6), kind: 'robot' })).toMatchObject({
      ok: false,
      error: { fields: { kind: 'invalid_choice' } },
    })
    expect(await submit({ ...legal(7), purpose: 'military' })).toMatchObject({
      ok: false,
      error: { fields: { purpose: 'invalid_choice' } },
    })
    expect(await submit({ ...legal(8), contactEmail: 'nope' })).toMatchObject({
      ok: false,
      error: { fields: { contactEmail: 'invalid_email' } },
    })
    expect(await submit({ ...legal(9), name: 'x'.repeat(101) })).toMatchObject({
      ok: false,
      error: { fields: { name: 'too_long' } },
    })

    // The ID number and the phone are stored sealed (SM4, ADR 0019) with a blind index for duplicates, never written
    // to the audit log, masked in lists, and open in full on the reviewer's detail page only.
    const stored = await t.db.select().from(partnerApplications).where(eq(partnerApplications.kind, 'natural_person'))
    expect(stored[0]!.idNumber).toMatch(/^sm4:v1:/)
    expect(stored[0]!.contactPhone).toMatch(/^sm4:v1:/)
    expect(JSON.stringify(stored)).not.toContain(idCard(11))
    expect(JSON.stringify(stored)).not.toContain('13800001111')
    if (!natural.ok) throw new Error('not submitted')
    const full = await findPartnerApplication(t.db, { actor: operator, number: natural.value.number })
    expect(full).toMatchObject({ ok: true, value: { application: { idNumber: idCard(11), contactPhone: '13800001111' } } })
    const audit = await t.db
      .select({ detail: auditLog.detail })
      .from(auditLog)
      .where(eq(auditLog.action, 'partner_application.submit'))
    expect(audit.map((a) => a.detail).join('\n')).not.toContain(idCard(11))
    const list = await listPartnerApplications(t.db, { actor: operator })
    const row = list.ok ? list.value.find((r) => r.kind === 'natural_person') : undefined
    expect(row?.idNumber).toBe(`${idCard(11).slice(0, 4)}**********${idCard(11).slice(-4)}`)
    expect(row?.contactPhone).toBe('138****1111')
  })

  it('throttles applications per address and hour; another address is not held back', async () => {
    for (let i = 0; i < APPLICATIONS_PER_ADDRESS_PER_HOUR; i++)
      expect(await submit(legal(20 + i), '2001:db8:1:2::5')).toMatchObject({ ok: true })
    // Same /64, another host: the same network.
    expect(await submit(legal(30), '2001:db8:1:2::99')).toMatchObject({
      ok: false,
      error: { kind: 'rate_limited', code: 'too_many_applications' },
    })
    expect(await submit(legal(31), '203.0.113.50')).toMatchObject({ ok: true })
    // An hour later the address may apply again.
    expect(await submit(legal(32), '2001:db8:1:2::5', NOW + 60 * 60 * 1000 + 1)).toMatchObject({ ok: true })
  })

  it('the status link shows the state; an unknown or malformed token finds nothing', async () => {
    const r = await submit(legal())
    if (!r.ok) throw new Error(r.error.code)
    const view = await findApplicationByToken(t.db, { token: r.value.statusToken })
    expect(view).toMatchObject({ number: r.value.number, state: 'submitted', canUpload: true, invite: null })
    // Stored hashed: the token is nowhere in the row.
    const [row] = await t.db.select().from(partnerApplications).where(eq(partnerApplications.number, r.value.number))
    expect(JSON.stringify(row)).not.toContain(r.value.statusToken)
    expect(await findApplicationByToken(t.db, { token: 'A'.repeat(43) })).toBeNull()
    expect(await findApplicationByToken(t.db, { token: "' OR 1=1 --" })).toBeNull()
  })

  it('takes PDF and image documents by their bytes; hostile files are refused and leave nothing behind', async () => {
    const r = await submit(legal())
    if (!r.ok) throw new Error(r.error.code)
    const add = (
      content: AsyncIterable<Uint8Array>,
      extra: { maxBytes?: number; declaredBytes?: number | null; token?: string } = {},
    ) =>
      addApplicationDocument(t.db, {
        actor: visitor,
        token: extra.token ?? r.value.statusToken,
        fileName: '../../etc/licence.pdf',
        content,
        declaredBytes: extra.declaredBytes ?? null,
        directory: dir,
        maxBytes: extra.maxBytes,
      })
    expect(await add(chunks(PDF))).toMatchObject({ ok: true, value: { mediaType: 'application/pdf' } })
    expect(await add(chunks(PNG))).toMatchObject({ ok: true, value: { mediaType: 'image/png' } })
    const html = new TextEncoder().encode('<html><script>alert(1)</script>')
    expect(await add(chunks(html))).toMatchObject({ ok: false, error: { code: 'unsupported_file_type' } })
    expect(await add(chunks(new TextEncoder().encode('MZ\x90\x00 an exe')))).toMatchObject({
      ok: false,
      error: { code: 'unsupported_file_type' },
    })
    expect(await add(chunks())).toMatchObject({ ok: false, error: { code: 'file_required' } })
    expect(await add(chunks(PDF, new Uint8Array(2048)), { maxBytes: 1024 })).toMatchObject({
      ok: false,
      error: { code: 'file_too_large' },
    })
    expect(await add(chunks(PDF), { declaredBytes: 1e12 })).toMatchObject({ ok: false, error: { code: 'file_too_large' } })
    expect(await add(chunks(PDF), { token: 'B'.repeat(43) })).toMatchObject({ ok: false, error: { kind: 'not_found' } })
    expect(readdirSync(dir)).toHaveLength(2)
    const view = await findApplicationByToken(t.db, { token: r.value.statusToken })
    expect(view?.documents.map((d) => d.fileName)).toEqual(['../../etc/licence.pdf', '../../etc/licence.pdf'])
    // Once the review has started, no more documents.
    expect(await startApplicationReview(t.db, { actor: operator, number: r.value.number })).toMatchObject({ ok: true })
    expect(await add(chunks(PDF))).toMatchObject({ ok: false, error: { code: 'application_not_open' } })
    expect(await findApplicationByToken(t.db, { token: r.value.statusToken })).toMatchObject({
      state: 'under_review',
      canUpload: false,
    })
  })

  it('flags duplicates and shows the credit records of a partner with the same USCC', async () => {
    const [existing] = await t.db.select().from(partners).where(eq(partners.code, 'shengjing-tech'))
    const bureau = userActor((await t.db.select().from(users).where(eq(users.username, 'bureau')))[0]!)
    const credit = await recordCreditRecord(t.db, {
      actor: bureau,
      input: {
        subject: 'partner',
        partnerCode: 'shengjing-tech',
        severity: 'serious',
        source: 'regulator_finding',
        regulatorName: '市场监管局',
        occurredOn: '2026-11-01',
        expiresOn: '2027-11-01',
        description: '超范围使用数据',
      },
      now: NOW,
    })
    expect(credit).toMatchObject({ ok: true })
    const first = await submit({ ...legal(), uscc: existing!.uscc })
    const second = await submit({ ...legal(), uscc: existing!.uscc }, '203.0.113.1')
    if (!first.ok || !second.ok) throw new Error('not submitted')
    const detail = await findPartnerApplication(t.db, { actor: operator, number: second.value.number, now: NOW })
    if (!detail.ok) throw new Error(detail.error.code)
    expect(detail.value.duplicates.partners.map((p) => p.code)).toEqual(['shengjing-tech'])
    expect(detail.value.duplicates.applications.map((a) => a.number)).toEqual([first.value.number])
    expect(detail.value.credit[0]!.isBadCreditExitCandidate).toBe(true)
    expect(detail.value.credit[0]!.records.map((c) => c.description)).toContain('超范围使用数据')
    // A live partner with the USCC is not doubled.
    expect(await approvePartnerApplication(t.db, { actor: operator, number: second.value.number })).toMatchObject({
      ok: false,
      error: { code: 'partner_exists' },
    })
    // Natural persons: the same ID number in another open application.
    const p1 = await submit({ ...legal(), kind: 'natural_person', uscc: '', idNumber: idCard(21) }, '203.0.113.2')
    const p2 = await submit({ ...legal(), kind: 'natural_person', uscc: '', idNumber: idCard(21) }, '203.0.113.3')
    if (!p1.ok || !p2.ok) throw new Error('not submitted')
    const d2 = await findPartnerApplication(t.db, { actor: operator, number: p2.value.number })
    expect(d2.ok && d2.value.duplicates.applications.map((a) => a.number)).toEqual([p1.value.number])
  })

  it('approval creates the partner, its admin without a usable password and a single-use invite; the admin sets a password and signs in', async () => {
    const r = await submit(legal())
    if (!r.ok) throw new Error(r.error.code)
    const approved = await approvePartnerApplication(t.db, { actor: operator, number: r.value.number, now: NOW })
    if (!approved.ok) throw new Error(approved.error.code)
    const { partnerCode, username, inviteToken, inviteExpiresAt } = approved.value
    expect(inviteExpiresAt).toBe(NOW + INVITE_TTL_MS)
    const [partner] = await t.db.select().from(partners).where(eq(partners.code, partnerCode))
    expect(partner).toMatchObject({ name: legal().name, kind: 'legal_person', uscc: legal().uscc, state: 'active' })
    const [admin] = await t.db.select().from(users).where(eq(users.username, username))
    expect(admin).toMatchObject({ role: 'partner_admin', partnerId: partner!.id })
    // No password signs in before the invite is used (not even the stored marker itself).
    expect(await signIn(t.db, { username, password: admin!.passwordHash, address: '127.0.0.1' })).toMatchObject({ ok: false })
    // The invite is stored hashed only.
    const invites = await t.db.select().from(userInvites).where(eq(userInvites.userId, admin!.id))
    expect(invites).toHaveLength(1)
    expect(JSON.stringify(invites)).not.toContain(inviteToken)
    // A second decision on the same application is refused.
    expect(await approvePartnerApplication(t.db, { actor: operator, number: r.value.number })).toMatchObject({
      ok: false,
      error: { code: 'application_decided' },
    })
    expect(await rejectPartnerApplication(t.db, { actor: operator, number: r.value.number, reason: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'application_decided' },
    })

    // The applicant's status page offers the invite; its token opens the same invite.
    expect(await findApplicationByToken(t.db, { token: r.value.statusToken, now: NOW })).toMatchObject({
      state: 'approved',
      invite: { expiresAt: inviteExpiresAt },
    })
    expect(await findUserInvite(t.db, { token: r.value.statusToken, now: NOW })).toMatchObject({ state: 'valid', username })
    expect(await findUserInvite(t.db, { token: inviteToken, now: NOW })).toMatchObject({ state: 'valid', username })

    // Password rules apply; a weak password changes nothing.
    expect(await acceptUserInvite(t.db, { token: inviteToken, password: 'short', now: NOW })).toMatchObject({
      ok: false,
      error: { fields: { password: 'password_too_short' } },
    })
    expect(await acceptUserInvite(t.db, { token: inviteToken, password: PASSWORD, now: NOW + 1000 })).toMatchObject({
      ok: true,
      value: { username },
    })
    expect(await signIn(t.db, { username, password: PASSWORD, address: '127.0.0.1' })).toMatchObject({
      ok: true,
      value: { stage: 'active' },
    })
    // Single use, whichever link: the operator's and the status link are spent together.
    expect(await acceptUserInvite(t.db, { token: inviteToken, password: `${PASSWORD}2`, now: NOW + 2000 })).toMatchObject({
      ok: false,
      error: { code: 'invite_used' },
    })
    expect(await acceptUserInvite(t.db, { token: r.value.statusToken, password: `${PASSWORD}2`, now: NOW + 2000 })).toMatchObject(
      { ok: false, error: { code: 'invite_used' } },
    )
    expect(await findApplicationByToken(t.db, { token: r.value.statusToken, now: NOW + 2000 })).toMatchObject({ invite: null })
    expect(await signIn(t.db, { username, password: `${PASSWORD}2`, address: '127.0.0.1' })).toMatchObject({ ok: false })
    const actions = (await t.db.select({ action: auditLog.action }).from(auditLog)).map((a) => a.action)
    expect(actions).toContain('partner_application.approve')
    expect(actions).toContain('user.accept_invite')
  })

  it('an expired invite is refused with its own code; parallel acceptances set the password once', async () => {
    const r = await submit(legal())
    if (!r.ok) throw new Error(r.error.code)
    const approved = await approvePartnerApplication(t.db, { actor: operator, number: r.value.number, now: NOW })
    if (!approved.ok) throw new Error(approved.error.code)
    const later = NOW + INVITE_TTL_MS
    expect(await findUserInvite(t.db, { token: approved.value.inviteToken, now: later })).toMatchObject({ state: 'expired' })
    expect(await acceptUserInvite(t.db, { token: approved.value.inviteToken, password: PASSWORD, now: later })).toMatchObject({
      ok: false,
      error: { code: 'invite_expired' },
    })
    const results = await Promise.all(
      ['A', 'B', 'C'].map((s) =>
        acceptUserInvite(t.db, { token: approved.value.inviteToken, password: `${PASSWORD}${s}`, now: NOW + 1 }),
      ),
    )
    expect(results.filter((x) => x.ok)).toHaveLength(1)
    expect(results.filter((x) => !x.ok).map((x) => !x.ok && x.error.code)).toEqual(['invite_used', 'invite_used'])
  })

  it('rejection needs a reason, which the applicant reads; parallel decisions record one', async () => {
    const r = await submit(legal())
    if (!r.ok) throw new Error(r.error.code)
    expect(await rejectPartnerApplication(t.db, { actor: operator, number: r.value.number, reason: '  ' })).toMatchObject({
      ok: false,
      error: { fields: { reason: 'required' } },
    })
    const [a, b] = await Promise.all([
      rejectPartnerApplication(t.db, { actor: operator, number: r.value.number, reason: '资质材料不全' }),
      approvePartnerApplication(t.db, { actor: operator, number: r.value.number }),
    ])
    expect([a.ok, b.ok].filter(Boolean)).toHaveLength(1)
    const view = await findApplicationByToken(t.db, { token: r.value.statusToken })
    if (a.ok) {
      expect(view).toMatchObject({ state: 'rejected', reason: '资质材料不全' })
      expect(
        await t.db
          .select()
          .from(partners)
          .where(eq(partners.code, `p-${r.value.number.slice(3).toLowerCase()}`)),
      ).toHaveLength(0)
    } else expect(view).toMatchObject({ state: 'approved' })
  })

  it('refuses every reviewing step to anyone but the operator and the CLI', async () => {
    const r = await submit(legal())
    if (!r.ok) throw new Error(r.error.code)
    const partnerAdmin = userActor((await t.db.select().from(users).where(eq(users.username, 'partner.admin')))[0]!)
    const bureau = userActor((await t.db.select().from(users).where(eq(users.username, 'bureau')))[0]!)
    for (const actor of [visitor, partnerAdmin, bureau]) {
      expect(await listPartnerApplications(t.db, { actor })).toMatchObject({ ok: false, error: { kind: 'forbidden' } })
      expect(await findPartnerApplication(t.db, { actor, number: r.value.number })).toMatchObject({
        ok: false,
        error: { kind: 'forbidden' },
      })
      expect(await approvePartnerApplication(t.db, { actor, number: r.value.number })).toMatchObject({
        ok: false,
        error: { kind: 'forbidden' },
      })
      expect(await rejectPartnerApplication(t.db, { actor, number: r.value.number, reason: 'x' })).toMatchObject({
        ok: false,
        error: { kind: 'forbidden' },
      })
    }
    // A signed-in user is not a visitor: applying is done signed out.
    expect(await submitPartnerApplication(t.db, { actor: partnerAdmin, input: legal(2), address: '203.0.113.9' })).toMatchObject({
      ok: false,
      error: { kind: 'forbidden' },
    })
  })

  it('the seed holds one pending application with a PDF document', async () => {
    const detail = await findPartnerApplication(t.db, { actor: operator, number: DEMO_APPLICATION_NUMBER })
    expect(detail).toMatchObject({
      ok: true,
      value: { application: { state: 'submitted', kind: 'legal_person' }, documents: [{ mediaType: 'application/pdf' }] },
    })
  })
})
