import { createHmac, type KeyObject } from 'node:crypto'
import { and, eq, gte, isNotNull, lt } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { usageEvents } from '#db/schema/index.ts'
import { startOfDay, startOfNextDay } from '#platform/calendar/shanghai-calendar.ts'

/**
 * Keyed hash of a verified subject (e.g. a USCC): HMAC-SHA-256 under a secret
 * that is not in the database, so the stored hashes cannot be reversed by
 * hashing every possible code (the code space is small).
 */
export function hashSubject(secret: string | KeyObject, subject: string): string {
  return createHmac('sha256', secret).update(subject).digest('hex')
}

interface Entry {
  dayStart: number
  nextDayStart: number
  hashes: Set<string>
  ready: Promise<void> | null
  touched: boolean
  syncedAt: number
}

export interface SubjectDecision {
  allowed: boolean
  /** Distinct subjects of the subscription today (this one included, when allowed). */
  used: number
  /** Start of the next Shanghai day: when a refused subscription may check new subjects again. */
  resetsAt: number
  /** Forget a subject that this call added, when the call ends unanswered. */
  release: () => void
}

/** Distinct subject hashes a subscription had answered in [from, to), whichever of its keys asked. */
async function loadSubjectHashes(db: Db, subscriptionId: string, from: number, to: number): Promise<string[]> {
  const rows = await db
    .selectDistinct({ h: usageEvents.subjectHash })
    .from(usageEvents)
    .where(
      and(
        eq(usageEvents.subscriptionId, subscriptionId),
        gte(usageEvents.at, from),
        lt(usageEvents.at, to),
        isNotNull(usageEvents.subjectHash),
      ),
    )
  return rows.map((r) => r.h!)
}

// Events carry the time they were admitted but commit a little later; a sync looks back this far.
const SYNC_OVERLAP_MS = 10_000

/**
 * Anti-enumeration (Art. 13): at most N distinct subjects per subscription per
 * Shanghai day for verification operations, shared by all of the partner's keys
 * (a second key or a roll does not reset it); a repeated subject does not count
 * again. Seeded from usage_events.subject_hash on a subscription-day's first call (so it
 * survives restarts), then kept in memory; `sync()` adds the hashes other
 * processes recorded since the last sync (incremental, off the hot path).
 */
export class DistinctSubjectCounter {
  #entries = new Map<string, Entry>()
  constructor(private readonly db: Db) {}

  async admit(subscriptionId: string, subjectHash: string, limit: number, now: number): Promise<SubjectDecision> {
    let entry = this.#entries.get(subscriptionId)
    if (!entry || now >= entry.nextDayStart || now < entry.dayStart) {
      const dayStart = startOfDay(now)
      const nextDayStart = startOfNextDay(now)
      const fresh: Entry = { dayStart, nextDayStart, hashes: new Set(), ready: null, touched: true, syncedAt: now }
      fresh.ready = loadSubjectHashes(this.db, subscriptionId, dayStart, nextDayStart).then(
        (hashes) => {
          for (const h of hashes) fresh.hashes.add(h)
          fresh.ready = null
        },
        (error: unknown) => {
          if (this.#entries.get(subscriptionId) === fresh) this.#entries.delete(subscriptionId)
          throw error
        },
      )
      this.#entries.set(subscriptionId, fresh)
      entry = fresh
    }
    if (entry.ready) await entry.ready
    entry.touched = true
    const current = entry
    const noop = () => undefined
    if (current.hashes.has(subjectHash))
      return { allowed: true, used: current.hashes.size, resetsAt: current.nextDayStart, release: noop }
    if (current.hashes.size >= limit)
      return { allowed: false, used: current.hashes.size, resetsAt: current.nextDayStart, release: noop }
    current.hashes.add(subjectHash)
    return {
      allowed: true,
      used: current.hashes.size,
      resetsAt: current.nextDayStart,
      release: () => {
        if (this.#entries.get(subscriptionId) === current) current.hashes.delete(subjectHash)
      },
    }
  }

  /** Adds the subjects other processes answered for the subscriptions used since the last sync. */
  async sync(now: number): Promise<void> {
    for (const [subscriptionId, entry] of this.#entries) {
      if (!entry.touched || entry.ready) continue
      entry.touched = false
      const from = Math.max(entry.dayStart, entry.syncedAt - SYNC_OVERLAP_MS)
      entry.syncedAt = now
      for (const h of await loadSubjectHashes(this.db, subscriptionId, from, entry.nextDayStart)) entry.hashes.add(h)
    }
  }
}
