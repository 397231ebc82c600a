import { and, asc, eq, isNull } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { sessions, users } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { addCalendarMonths, formatDay, parseDay, startOfDay, startOfNextDay } from '#platform/calendar/shanghai-calendar.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { createUser } from './create-user.ts'
import { generatePassword } from './password.ts'
import { refuseUnlessPermitted } from './permissions.ts'

/** The longest term the bureau grants an auditor at once (ADR 0026); a longer engagement is extended. */
export const AUDITOR_MAX_TERM_MONTHS = 12

/**
 * A term's last day (`YYYY-MM-DD`, Shanghai, inclusive) → the instant access ends (the next midnight). Refused unless
 * it is today or later and at most 12 calendar months from today.
 */
export function auditorTermEnd(termEndsOn: string, now: number): Result<number> {
  const day = parseDay(termEndsOn)
  if (day === null) return fail('validation', 'validation_failed', 'Invalid date', { termEndsOn: 'invalid_date' })
  if (day < startOfDay(now))
    return fail('validation', 'term_in_past', 'The term cannot end before today', { termEndsOn: 'term_in_past' })
  if (day > addCalendarMonths(startOfDay(now), AUDITOR_MAX_TERM_MONTHS)) {
    return fail('validation', 'term_too_long', 'A term is at most one year', { termEndsOn: 'term_too_long' })
  }
  return ok(startOfNextDay(day))
}

export interface AuditorAccount {
  id: string
  username: string
  displayName: string
  organization: string | null
  accessExpiresAt: number
  /** The term's last day, `YYYY-MM-DD`. */
  termEndsOn: string
  isActive: boolean
  lastLoginAt: number | null
}

/**
 * Creates a third-party auditor's account for a fixed term (Art. 24): read-only by role, with a random initial
 * password shown once to the bureau, to be changed at the first sign-in (like `users:create`).
 */
export async function createAuditor(
  db: Db,
  opts: {
    actor: Actor
    input: { username: string; displayName: string; organization: string; termEndsOn: string }
    requestId?: string | null
    now?: number
  },
): Promise<Result<{ id: string; username: string; initialPassword: string; accessExpiresAt: number }>> {
  const refused = refuseUnlessPermitted(opts.actor, 'auditor.create')
  if (refused) return refused
  const now = opts.now ?? Date.now()
  const { input } = opts
  const fields: Record<string, string> = {}
  if (input.displayName.trim() === '' || input.displayName.length > 100) fields.displayName = 'required'
  if (input.organization.trim() === '' || input.organization.length > 200) fields.organization = 'required'
  const end = auditorTermEnd(input.termEndsOn, now)
  if (!end.ok) Object.assign(fields, end.error.fields)
  if (Object.keys(fields).length > 0 || !end.ok) {
    const code = !end.ok && Object.keys(fields).length === 1 ? end.error.code : 'validation_failed'
    return fail('validation', code, 'Invalid auditor account', fields)
  }
  const initialPassword = generatePassword()
  const created = await createUser(db, {
    actor: opts.actor,
    requestId: opts.requestId ?? undefined,
    now,
    input: {
      username: input.username,
      displayName: input.displayName.trim(),
      organization: input.organization.trim(),
      password: initialPassword,
      role: 'auditor',
      mustChangePassword: true,
      accessExpiresAt: end.value,
    },
  })
  if (!created.ok) return created
  return ok({ id: created.value.id, username: input.username, initialPassword, accessExpiresAt: end.value })
}

async function findAuditor(db: Db, username: string) {
  const [user] = await db.select().from(users).where(eq(users.username, username)).limit(1)
  if (!user) return fail('not_found', 'not_found', 'No such account')
  if (user.role !== 'auditor')
    return fail('validation', 'not_an_auditor', 'That account is not an auditor account', { username: 'not_an_auditor' })
  return ok(user)
}

/** Sets an auditor's term to end on another day (at most 12 months from today); audited with the old and new end. */
export async function extendAuditorTerm(
  db: Db,
  opts: { actor: Actor; username: string; termEndsOn: string; requestId?: string | null; now?: number },
): Promise<Result<{ accessExpiresAt: number }>> {
  const refused = refuseUnlessPermitted(opts.actor, 'auditor.extend')
  if (refused) return refused
  const now = opts.now ?? Date.now()
  const user = await findAuditor(db, opts.username)
  if (!user.ok) return user
  const end = auditorTermEnd(opts.termEndsOn, now)
  if (!end.ok) return end
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'auditor.extend',
      objectType: 'user',
      objectId: user.value.id,
      requestId: opts.requestId,
      detail: { from: user.value.accessExpiresAt, to: end.value, termEndsOn: opts.termEndsOn },
    },
    [db.update(users).set({ accessExpiresAt: end.value }).where(eq(users.id, user.value.id))],
  )
  return ok({ accessExpiresAt: end.value })
}

/** Ends an auditor's access now: the account can no longer sign in, and its open sessions end with it. */
export async function endAuditorAccess(
  db: Db,
  opts: { actor: Actor; username: string; reason?: string; requestId?: string | null; now?: number },
): Promise<Result<{ accessExpiresAt: number }>> {
  const refused = refuseUnlessPermitted(opts.actor, 'auditor.end')
  if (refused) return refused
  const now = opts.now ?? Date.now()
  const user = await findAuditor(db, opts.username)
  if (!user.ok) return user
  const reason = (opts.reason ?? '').trim().slice(0, 500)
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'auditor.end',
      objectType: 'user',
      objectId: user.value.id,
      requestId: opts.requestId,
      detail: { from: user.value.accessExpiresAt, to: now, ...(reason ? { reason } : {}) },
    },
    [
      db.update(users).set({ accessExpiresAt: now }).where(eq(users.id, user.value.id)),
      db
        .update(sessions)
        .set({ endedAt: now })
        .where(and(eq(sessions.userId, user.value.id), isNull(sessions.endedAt))),
    ],
  )
  return ok({ accessExpiresAt: now })
}

/** The auditor accounts, for the bureau's page and the CLI. */
export async function listAuditors(db: Db, opts: { actor: Actor; now?: number }): Promise<Result<AuditorAccount[]>> {
  const refused = refuseUnlessPermitted(opts.actor, 'auditor.extend')
  if (refused) return refused
  const now = opts.now ?? Date.now()
  const rows = await db.select().from(users).where(eq(users.role, 'auditor')).orderBy(asc(users.username))
  return ok(
    rows.map((u) => {
      const expires = u.accessExpiresAt ?? now
      return {
        id: u.id,
        username: u.username,
        displayName: u.displayName,
        organization: u.organization,
        accessExpiresAt: expires,
        termEndsOn: formatDay(expires - 1),
        isActive: now < expires,
        lastLoginAt: u.lastLoginAt,
      }
    }),
  )
}
