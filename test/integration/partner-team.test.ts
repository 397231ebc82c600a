import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { eq, ne } from 'drizzle-orm'
import { auditLog, partners, sessions, userInvites, users } from '#db/schema/index.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { userActor } from '#platform/identity/permissions.ts'
import { getSessionUser } from '#platform/identity/get-session-user.ts'
import { signIn } from '#platform/identity/sign-in.ts'
import { acceptUserInvite, findUserInvite } from '#partner-access/applications/accept-user-invite.ts'
import { INVITE_TTL_MS } from '#partner-access/applications/application-rules.ts'
import { endDeveloperAccess } from '#partner-access/team/end-developer-access.ts'
import { invitePartnerDeveloper, reissueDeveloperInvite } from '#partner-access/team/invite-partner-developer.ts'
import { listPartnerTeam } from '#partner-access/team/list-partner-team.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'

const NOW = Date.UTC(2026, 10, 30, 2)
const PASSWORD = 'Qx7#lantern-Ridge'

// A partner's team (ADR 0034): the administrator invites developers of the same partner, hands over the link once,
// and ends their access; nobody reaches another partner's accounts.
describe("a partner's team", () => {
  let t: TestDatabase
  let admin: Actor
  let otherAdmin: Actor
  const actorOf = async (username: string) => userActor((await t.db.select().from(users).where(eq(users.username, username)))[0]!)
  beforeEach(async () => {
    t = await createTestDatabase()
    admin = await actorOf('partner.admin')
    // Another partner's administrator (the small seed has one admin account; the operations go by the actor's partner).
    const [other] = await t.db.select().from(partners).where(ne(partners.id, admin.partnerId!)).limit(1)
    otherAdmin = { id: null, label: 'other.admin', role: 'partner_admin', partnerId: other!.id }
  })
  afterEach(() => t.destroy())

  it('invites a developer who sets a password through the link, signs in, and is listed active', async () => {
    const invited = await invitePartnerDeveloper(t.db, {
      actor: admin,
      input: { username: ' New.Dev ', displayName: '李开发' },
      now: NOW,
    })
    expect(invited).toMatchObject({ ok: true, value: { username: 'new.dev', inviteExpiresAt: NOW + INVITE_TTL_MS } })
    if (!invited.ok) return
    const [row] = await t.db.select().from(users).where(eq(users.username, 'new.dev'))
    expect(row).toMatchObject({ role: 'partner_developer', partnerId: admin.partnerId, passwordHash: 'invite-pending' })
    // The token is stored only as its hash; the invite page names the account and its partner.
    const stored = await t.db.select().from(userInvites).where(eq(userInvites.userId, row!.id))
    expect(stored).toHaveLength(1)
    expect(stored[0]!.tokenHash).not.toContain(invited.value.inviteToken)
    expect(await findUserInvite(t.db, { token: invited.value.inviteToken, now: NOW })).toMatchObject({
      state: 'valid',
      role: 'partner_developer',
      username: 'new.dev',
    })
    expect((await listPartnerTeam(t.db, { actor: admin, now: NOW })).find((m) => m.username === 'new.dev')).toMatchObject({
      state: 'invited',
      role: 'partner_developer',
    })
    // No password matches before the invite is used.
    expect(await signIn(t.db, { username: 'new.dev', password: 'invite-pending', now: NOW })).toMatchObject({ ok: false })
    expect(await acceptUserInvite(t.db, { token: invited.value.inviteToken, password: PASSWORD, now: NOW + 1000 })).toMatchObject(
      {
        ok: true,
      },
    )
    const signed = await signIn(t.db, { username: 'new.dev', password: PASSWORD, now: NOW + 2000 })
    expect(signed).toMatchObject({ ok: true, value: { user: { role: 'partner_developer' } } })
    expect((await listPartnerTeam(t.db, { actor: admin, now: NOW + 3000 })).find((m) => m.username === 'new.dev')?.state).toBe(
      'active',
    )
    const [audit] = await t.db.select().from(auditLog).where(eq(auditLog.action, 'partner_user.invite'))
    expect(audit).toBeDefined()
    expect(JSON.stringify(audit)).not.toContain(invited.value.inviteToken)
  })

  it('refuses bad names, taken names and other roles, and changes nothing', async () => {
    const before = (await t.db.select().from(users)).length
    for (const username of ['ab', 'UPPER CASE', 'x'.repeat(41), "a'; drop table users;--", '管理员'])
      expect(
        await invitePartnerDeveloper(t.db, { actor: admin, input: { username, displayName: '某人' }, now: NOW }),
      ).toMatchObject({
        ok: false,
        error: { kind: 'validation', fields: { username: 'username_format' } },
      })
    expect(await invitePartnerDeveloper(t.db, { actor: admin, input: { username: 'ok-name', displayName: ' ' } })).toMatchObject({
      ok: false,
      error: { fields: { displayName: 'required' } },
    })
    expect(
      await invitePartnerDeveloper(t.db, { actor: admin, input: { username: 'partner.dev', displayName: '重名' } }),
    ).toMatchObject({
      ok: false,
      error: { kind: 'conflict', code: 'username_taken' },
    })
    for (const who of ['partner.dev', 'operator', 'bureau'])
      expect(
        await invitePartnerDeveloper(t.db, { actor: await actorOf(who), input: { username: 'sneaky', displayName: 'x' } }),
      ).toMatchObject({ ok: false, error: { kind: 'forbidden' } })
    expect((await t.db.select().from(users)).length).toBe(before)
  })

  it('of two parallel invites of one name, exactly one succeeds', async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        invitePartnerDeveloper(t.db, { actor: admin, input: { username: 'twin', displayName: '双' } }),
      ),
    )
    expect(results.filter((r) => r.ok)).toHaveLength(1)
    expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.error.code === 'username_taken')).toBe(true)
  })

  it("ends a developer's access: sessions end at once, sign-in refused; another partner's admin sees not_found", async () => {
    const invited = await invitePartnerDeveloper(t.db, {
      actor: admin,
      input: { username: 'leaver', displayName: '离职者' },
      now: NOW,
    })
    if (!invited.ok) throw new Error('invite failed')
    await acceptUserInvite(t.db, { token: invited.value.inviteToken, password: PASSWORD, now: NOW })
    const signed = await signIn(t.db, { username: 'leaver', password: PASSWORD, now: NOW + 1000 })
    if (!signed.ok) throw new Error('sign-in failed')
    expect(await getSessionUser(t.db, { token: signed.value.token, now: NOW + 2000 })).toMatchObject({
      user: { username: 'leaver' },
    })

    expect(await endDeveloperAccess(t.db, { actor: otherAdmin, username: 'leaver', now: NOW + 3000 })).toMatchObject({
      ok: false,
      error: { kind: 'not_found' },
    })
    expect(await endDeveloperAccess(t.db, { actor: admin, username: 'partner.admin', now: NOW + 3000 })).toMatchObject({
      ok: false,
      error: { kind: 'not_found' },
    })
    expect(await endDeveloperAccess(t.db, { actor: admin, username: 'leaver', now: NOW + 3000 })).toMatchObject({ ok: true })
    const [session] = await t.db.select().from(sessions).where(eq(sessions.userId, invited.value.userId))
    expect(session!.endedAt).toBe(NOW + 3000)
    expect(await getSessionUser(t.db, { token: signed.value.token, now: NOW + 4000 })).not.toMatchObject({
      user: { username: 'leaver' },
    })
    expect(await signIn(t.db, { username: 'leaver', password: PASSWORD, now: NOW + 5000 })).toMatchObject({ ok: false })
    expect(await endDeveloperAccess(t.db, { actor: admin, username: 'leaver', now: NOW + 6000 })).toMatchObject({
      ok: false,
      error: { code: 'access_ended' },
    })
    expect((await listPartnerTeam(t.db, { actor: admin, now: NOW + 7000 })).find((m) => m.username === 'leaver')?.state).toBe(
      'ended',
    )
    // Another partner's list never shows this partner's accounts.
    expect((await listPartnerTeam(t.db, { actor: otherAdmin })).some((m) => m.username === 'leaver')).toBe(false)
  })

  it('reissues an expired invite: the old link stops, the new one works; not for an account with a password', async () => {
    const first = await invitePartnerDeveloper(t.db, { actor: admin, input: { username: 'late', displayName: '迟到' }, now: NOW })
    if (!first.ok) throw new Error('invite failed')
    const later = NOW + INVITE_TTL_MS + 1
    expect((await listPartnerTeam(t.db, { actor: admin, now: later })).find((m) => m.username === 'late')?.state).toBe(
      'invite_expired',
    )
    const again = await reissueDeveloperInvite(t.db, { actor: admin, username: 'late', now: later })
    if (!again.ok) throw new Error('reissue failed')
    expect(await acceptUserInvite(t.db, { token: first.value.inviteToken, password: PASSWORD, now: later + 1 })).toMatchObject({
      ok: false,
    })
    expect(await acceptUserInvite(t.db, { token: again.value.inviteToken, password: PASSWORD, now: later + 1 })).toMatchObject({
      ok: true,
    })
    expect(await reissueDeveloperInvite(t.db, { actor: admin, username: 'late', now: later + 2 })).toMatchObject({
      ok: false,
      error: { code: 'invite_not_needed' },
    })
    expect(await reissueDeveloperInvite(t.db, { actor: otherAdmin, username: 'late', now: later + 2 })).toMatchObject({
      ok: false,
      error: { kind: 'not_found' },
    })
  })
})
