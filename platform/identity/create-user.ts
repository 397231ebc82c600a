import { eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { users, type Role } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { randomUUID } from 'node:crypto'
import { checkPasswordPolicy, hashPassword } from './password.ts'

export interface CreateUserInput {
  username: string
  displayName: string
  password: string
  role: Role
  sourceUnitId?: string | null
  partnerId?: string | null
  /** An initial password someone else chose (the CLI): the user must change it at their first sign-in. */
  mustChangePassword?: boolean
  /** A fixed-term account (an auditor's): from this instant it can neither sign in nor use a session (ADR 0026). */
  accessExpiresAt?: number | null
  /** The organisation a third-party account acts for. */
  organization?: string | null
}

/** Creates a user bound to the scope its role requires (a source unit or a partner). */
export async function createUser(
  db: Db,
  opts: { input: CreateUserInput; actor: Actor; requestId?: string; now?: number },
): Promise<Result<{ id: string }>> {
  const { input } = opts
  const now = opts.now ?? Date.now()
  if (!/^[a-z0-9_.-]{3,40}$/.test(input.username)) {
    return fail('validation', 'validation_failed', 'Invalid username', { username: 'username_format' })
  }
  const policy = checkPasswordPolicy(input.password, { username: input.username })
  if (policy) return fail('validation', 'validation_failed', 'Password does not meet the policy', { password: policy })
  if (input.role === 'source_unit' && !input.sourceUnitId) {
    return fail('validation', 'validation_failed', 'A source-unit user needs a source unit', { sourceUnitId: 'required' })
  }
  if ((input.role === 'partner_admin' || input.role === 'partner_developer') && !input.partnerId) {
    return fail('validation', 'validation_failed', 'A partner user needs a partner', { partnerId: 'required' })
  }
  if (input.role === 'auditor' && (!input.accessExpiresAt || !input.organization)) {
    // An auditor is a third party granted a term: never an open-ended account, never without its organisation.
    return fail('validation', 'validation_failed', 'An auditor account needs a term and an organisation', {
      ...(input.accessExpiresAt ? {} : { termEndsOn: 'required' }),
      ...(input.organization ? {} : { organization: 'required' }),
    })
  }
  const [existing] = await db.select({ id: users.id }).from(users).where(eq(users.username, input.username)).limit(1)
  if (existing) return fail('conflict', 'username_taken', 'Username already exists', { username: 'taken' })
  const id = randomUUID()
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'user.create',
      objectType: 'user',
      objectId: id,
      requestId: opts.requestId,
      detail: {
        username: input.username,
        role: input.role,
        mustChangePassword: input.mustChangePassword ?? false,
        ...(input.accessExpiresAt ? { accessExpiresAt: input.accessExpiresAt } : {}),
        ...(input.organization ? { organization: input.organization } : {}),
      },
    },
    [
      db.insert(users).values({
        id,
        username: input.username,
        displayName: input.displayName,
        role: input.role,
        passwordHash: await hashPassword(input.password),
        passwordChangedAt: now,
        mustChangePassword: input.mustChangePassword ?? false,
        sourceUnitId: input.sourceUnitId ?? null,
        partnerId: input.partnerId ?? null,
        accessExpiresAt: input.accessExpiresAt ?? null,
        organization: input.organization ?? null,
      }),
    ],
  )
  return ok({ id })
}
