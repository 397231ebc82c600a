import { and, eq, isNull, lt, or } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { recoveryCodes, users } from '#db/schema/index.ts'
import { hashRecoveryCode, isRecoveryCodeShape, isTotpCodeShape, matchTotp, openTotpSecret } from './totp.ts'

export type SecondFactorKind = 'totp' | 'recovery_code'

/**
 * Checks a code of the user's second factor and uses it up: a TOTP's time step is recorded (the same code, or an
 * earlier one, is refused afterwards), a recovery code is marked used. Both claims are single conditional updates,
 * so two requests racing with one code cannot both pass. Returns what matched, or null.
 */
export async function checkSecondFactorCode(
  db: Db,
  opts: { userId: string; code: string; now: number },
): Promise<SecondFactorKind | null> {
  const code = opts.code.trim()
  const [user] = await db
    .select({ totpSecret: users.totpSecret, totpLastTimeStep: users.totpLastTimeStep, totpEnabledAt: users.totpEnabledAt })
    .from(users)
    .where(eq(users.id, opts.userId))
    .limit(1)
  if (!user?.totpSecret || user.totpEnabledAt === null) return null
  if (isTotpCodeShape(code)) {
    const step = await matchTotp({
      secret: openTotpSecret(user.totpSecret),
      code,
      now: opts.now,
      afterTimeStep: user.totpLastTimeStep,
    })
    if (step === null) return null
    const claimed = await db
      .update(users)
      .set({ totpLastTimeStep: step })
      .where(and(eq(users.id, opts.userId), or(isNull(users.totpLastTimeStep), lt(users.totpLastTimeStep, step))))
      .returning({ id: users.id })
    return claimed.length === 1 ? 'totp' : null
  }
  if (isRecoveryCodeShape(code)) {
    const used = await db
      .update(recoveryCodes)
      .set({ usedAt: opts.now })
      .where(
        and(
          eq(recoveryCodes.userId, opts.userId),
          eq(recoveryCodes.codeHash, hashRecoveryCode(code)),
          isNull(recoveryCodes.usedAt),
        ),
      )
      .returning({ userId: recoveryCodes.userId })
    return used.length === 1 ? 'recovery_code' : null
  }
  return null
}
