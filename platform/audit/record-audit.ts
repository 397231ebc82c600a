import { desc } from 'drizzle-orm'
import type { BatchItem } from 'drizzle-orm/batch'
import type { Db } from '#db/client.ts'
import { auditLog, type Role } from '#db/schema/index.ts'
import { errorText } from '#platform/error-text.ts'
import { computeAuditHash, GENESIS_HASH } from './audit-hash.ts'

/**
 * Who acts: a signed-in user (their role, and the partner or source unit they belong to: operations check ownership
 * against these), a partner's API key (`partner_api`), the CLI (`cli`: a machine operator with shell access) or one of
 * the platform's own jobs (`system`). What each may do: platform/identity/permissions.ts.
 */
export type ActorRole = Role | 'partner_api' | 'cli' | 'system' | 'anonymous'

/** Who did it. `cli`, `system` and `anonymous` (a sign-in with an unknown username) actors carry no user id. */
export interface Actor {
  id: string | null
  label: string
  role: ActorRole
  /** The partner a partner_admin / partner_developer / partner_api actor belongs to. */
  partnerId?: string | null
  /** The source unit a source_unit actor belongs to. */
  sourceUnitId?: string | null
}

/** The platform's own background jobs (expiry, scheduled pulls, Lago sync, report jobs). */
export const systemActor = (label = 'system'): Actor => ({ id: null, label, role: 'system' })

/** `npm run platform -- …`: run by a machine operator with shell access (docs/SECURITY.md). */
export const cliActor = (label = 'cli'): Actor => ({ id: null, label, role: 'cli' })

export interface AuditEntry {
  actor: Actor
  action: string
  objectType: string
  objectId?: string | null
  requestId?: string | null
  detail?: Record<string, unknown> | null
}

const tails = new WeakMap<Db, Promise<unknown>>()

/**
 * Commits `changes` and the audit entry describing them in one atomic batch, so
 * a state change and its audit record can never exist without each other.
 * Appends are serialised in-process; across processes the `seq` primary key
 * makes a racing writer fail, re-read the tail and retry.
 */
export async function recordAudit(db: Db, entry: AuditEntry, changes: BatchItem<'sqlite'>[] = []): Promise<number> {
  const previous = tails.get(db) ?? Promise.resolve()
  const run = previous.catch(() => undefined).then(() => appendWithRetry(db, entry, changes))
  tails.set(db, run)
  return run
}

async function appendWithRetry(db: Db, entry: AuditEntry, changes: BatchItem<'sqlite'>[]): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const [last] = await db.select({ seq: auditLog.seq, hash: auditLog.hash }).from(auditLog).orderBy(desc(auditLog.seq)).limit(1)
    const row = {
      seq: (last?.seq ?? 0) + 1,
      at: Date.now(),
      actorId: entry.actor.id,
      actorLabel: entry.actor.label,
      role: entry.actor.role,
      action: entry.action,
      objectType: entry.objectType,
      objectId: entry.objectId ?? null,
      requestId: entry.requestId ?? null,
      detail: entry.detail ? JSON.stringify(entry.detail) : null,
      prevHash: last?.hash ?? GENESIS_HASH,
    }
    const hash = computeAuditHash(row)
    try {
      const statements: [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]] = [
        db.insert(auditLog).values({ ...row, hash }),
        ...changes,
      ]
      await db.batch(statements)
      return row.seq
    } catch (error) {
      const isSeqRace = errorText(error).includes('audit_log.seq')
      if (!isSeqRace || attempt >= 20) throw error
    }
  }
}
