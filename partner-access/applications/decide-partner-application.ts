import { eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { partnerApplications, partners, userInvites, users } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { formatDay } from '#platform/calendar/shanghai-calendar.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { mayApplyAgain } from '../exits/reapply-rules.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { hashToken, INVITE_TTL_MS, newToken, OPEN_APPLICATION_STATES } from './application-rules.ts'
import { isLostApplicationTransition, transitionApplication } from './application-transition.ts'

/** Marks an application taken up by a reviewer (`submitted` → `under_review`): the applicant sees it, and can no longer add documents. */
export async function startApplicationReview(
  db: Db,
  opts: { actor: Actor; number: string; requestId?: string | null; now?: number },
): Promise<Result<{ number: string }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'partner_application.review')
  if (denied) return denied
  const [app] = await db.select().from(partnerApplications).where(eq(partnerApplications.number, opts.number)).limit(1)
  if (!app) return fail('not_found', 'application_not_found', `No application ${opts.number}`)
  if (app.state !== 'submitted') return fail('conflict', 'application_not_submitted', `Application ${app.number} is ${app.state}`)
  try {
    await recordAudit(
      db,
      {
        actor: opts.actor,
        action: 'partner_application.start_review',
        objectType: 'partner_application',
        objectId: app.id,
        requestId: opts.requestId,
        detail: { number: app.number },
      },
      [
        transitionApplication(db, {
          id: app.id,
          from: ['submitted'],
          to: 'under_review',
          set: { reviewStartedAt: opts.now ?? Date.now() },
        }),
      ],
    )
  } catch (error) {
    if (isLostApplicationTransition(error))
      return fail('conflict', 'application_not_submitted', `Application ${app.number} changed meanwhile`)
    throw error
  }
  return ok({ number: app.number })
}

/**
 * Rejects an open application with a reason the applicant reads on the status page.
 */
export async function rejectPartnerApplication(
  db: Db,
  opts: { actor: Actor; number: string; reason: string; requestId?: string | null; now?: number },
): Promise<Result<{ number: string }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'partner_application.decide')
  if (denied) return denied
  const reason = opts.reason.trim()
  if (reason.length === 0) return fail('validation', 'validation_failed', 'A rejection needs a reason', { reason: 'required' })
  if (reason.length > 1000) return fail('validation', 'validation_failed', 'The reason is too long', { reason: 'too_long' })
  const [app] = await db.select().from(partnerApplications).where(eq(partnerApplications.number, opts.number)).limit(1)
  if (!app) return fail('not_found', 'application_not_found', `No application ${opts.number}`)
  if (!(OPEN_APPLICATION_STATES as readonly string[]).includes(app.state))
    return fail('conflict', 'application_decided', `Application ${app.number} is ${app.state}`)
  const now = opts.now ?? Date.now()
  try {
    await recordAudit(
      db,
      {
        actor: opts.actor,
        action: 'partner_application.reject',
        objectType: 'partner_application',
        objectId: app.id,
        requestId: opts.requestId,
        detail: { number: app.number, reason },
      },
      [
        transitionApplication(db, {
          id: app.id,
          from: OPEN_APPLICATION_STATES,
          to: 'rejected',
          set: { decidedAt: now, decidedByUserId: opts.actor.id, decidedByLabel: opts.actor.label, reason },
        }),
      ],
    )
  } catch (error) {
    if (isLostApplicationTransition(error))
      return fail('conflict', 'application_decided', `Application ${app.number} changed meanwhile`)
    throw error
  }
  return ok({ number: app.number })
}

/**
 * Approves an open application: in one batch with its audit entry, the partner (code from the application number),
 * its administrator (role partner_admin, no usable password: the stored hash is no scrypt hash, so no password
 * matches) and a single-use invite, valid INVITE_TTL_MS. The invite token is answered once (the operator sends it);
 * the applicant's status link opens the same invite (ADR 0030), so the link itself is nowhere stored.
 */
export async function approvePartnerApplication(
  db: Db,
  opts: { actor: Actor; number: string; requestId?: string | null; now?: number },
): Promise<Result<{ number: string; partnerCode: string; username: string; inviteToken: string; inviteExpiresAt: number }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'partner_application.decide')
  if (denied) return denied
  const [app] = await db.select().from(partnerApplications).where(eq(partnerApplications.number, opts.number)).limit(1)
  if (!app) return fail('not_found', 'application_not_found', `No application ${opts.number}`)
  if (!(OPEN_APPLICATION_STATES as readonly string[]).includes(app.state))
    return fail('conflict', 'application_decided', `Application ${app.number} is ${app.state}`)
  if (app.uscc) {
    const [same] = await db
      .select({ code: partners.code, state: partners.state })
      .from(partners)
      .where(eq(partners.uscc, app.uscc))
      .limit(1)
    // An exited partner may come back when its exit kind allows (the bureau's reapply rules, ADR 0033); a live one is
    // not doubled.
    if (same && same.state !== 'exited')
      return fail('conflict', 'partner_exists', `Partner ${same.code} already has this USCC`, { uscc: 'duplicate' })
    if (same) {
      const again = await mayApplyAgain(db, { uscc: app.uscc, now: opts.now })
      if (!again.allowed)
        return fail('conflict', 'reapply_barred', `A former partner may apply again from ${formatDay(again.from!)}`, {
          uscc: 'reapply_barred',
        })
    }
  }
  const now = opts.now ?? Date.now()
  const partnerId = crypto.randomUUID()
  const userId = crypto.randomUUID()
  const partnerCode = `p-${app.number.slice(3).toLowerCase()}`
  const username = `${partnerCode}-admin`
  const inviteToken = newToken()
  const inviteExpiresAt = now + INVITE_TTL_MS
  try {
    await recordAudit(
      db,
      {
        actor: opts.actor,
        action: 'partner_application.approve',
        objectType: 'partner_application',
        objectId: app.id,
        requestId: opts.requestId,
        detail: { number: app.number, partner: partnerCode, partnerId, admin: username, inviteExpiresAt },
      },
      [
        db
          .insert(partners)
          .values({ id: partnerId, code: partnerCode, name: app.name, kind: app.kind, uscc: app.uscc, createdAt: now }),
        db.insert(users).values({
          id: userId,
          username,
          displayName: app.contactName,
          role: 'partner_admin',
          passwordHash: 'invite-pending',
          partnerId,
          createdAt: now,
        }),
        db.insert(userInvites).values({
          tokenHash: hashToken(inviteToken),
          userId,
          applicationId: app.id,
          expiresAt: inviteExpiresAt,
          createdAt: now,
        }),
        transitionApplication(db, {
          id: app.id,
          from: OPEN_APPLICATION_STATES,
          to: 'approved',
          set: { decidedAt: now, decidedByUserId: opts.actor.id, decidedByLabel: opts.actor.label, partnerId },
        }),
      ],
    )
  } catch (error) {
    if (isLostApplicationTransition(error))
      return fail('conflict', 'application_decided', `Application ${app.number} changed meanwhile`)
    throw error
  }
  return ok({ number: app.number, partnerCode, username, inviteToken, inviteExpiresAt })
}
