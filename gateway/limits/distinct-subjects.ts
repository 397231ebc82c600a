import { createHmac, type KeyObject } from 'node:crypto'
import { and, eq, gte, isNotNull, lt } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { usageEvents } from '#db/schema/index.ts'
import { startOfDay, startOfNextDay } from '#platform/calendar/shanghai-calendar.ts'
import { limitSqlOf, type LimitSql } from './limit-sql.ts'

/**
 * Keyed hash of a verified subject (e.g. a USCC): HMAC-SHA-256 under a secret
 * that is not in the database, so the stored hashes cannot be reversed by
 * hashing every possible code (the code space is small).
 */
export function hashSubject(secret: string | KeyObject, subject: string): string {
  return createHmac('sha256', secret).update(subject).digest('hex')
}

/** After a refusal, new subjects are refused without asking the database for this long (ms, the call's clock). */
const REFUSAL_KEPT_MS = 1000
/** Days kept in gateway_subject_days: today and yesterday (a call admitted just before midnight). */
const DAYS_KEPT = 2

/** The subject is added only while the day holds fewer than the plan allows, in one statement. */
const ADMIT_SQL = `INSERT INTO gateway_subject_days (subscription_id, day, subject_hash)
SELECT ?1, CAST(?2 AS INTEGER), ?3 WHERE (
  SELECT count(*) FROM gateway_subject_days WHERE subscription_id = ?1 AND day = CAST(?2 AS INTEGER)) < CAST(?4 AS INTEGER)
ON CONFLICT (subscription_id, day, subject_hash) DO NOTHING`
const KNOWN_SQL = `SELECT subject_hash AS h FROM gateway_subject_days WHERE subscription_id = ?1 AND day = CAST(?2 AS INTEGER)`
const SEED_SQL = `INSERT INTO gateway_subject_days (subscription_id, day, subject_hash)
SELECT ?1, CAST(?2 AS INTEGER), value FROM json_each(?3) WHERE true
ON CONFLICT (subscription_id, day, subject_hash) DO NOTHING`
const RELEASE_SQL = `DELETE FROM gateway_subject_days WHERE subscription_id = ?1 AND day = CAST(?2 AS INTEGER) AND subject_hash = ?3`
const SWEEP_SQL = `DELETE FROM gateway_subject_days WHERE day < CAST(?1 AS INTEGER)`

interface Entry {
  dayStart: number
  nextDayStart: number
  /** Subjects known to be in the day's set (this process's, and everyone's as of the last read). */
  known: Set<string>
  ready: Promise<void> | null
  refusedUntil: number
}

export interface SubjectDecision {
  allowed: boolean
  /** Distinct subjects of the subscription today as this process knows them (this one included, when allowed). */
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

/**
 * Anti-enumeration (Art. 13): at most N distinct subjects per subscription per Shanghai day for verification
 * operations, shared by all of the partner's keys and by every gateway process on the database (ADR 0043). The day's
 * subjects are rows of `gateway_subject_days` (keyed hashes, as in usage_events): a new subject is added in one
 * statement only while the day holds fewer than N, so the processes together never admit more than N. A subject
 * this process already knows costs no I/O; a repeated subject does not count again. The day's set is seeded once per
 * process from the day's usage events (what was answered before the set existed) and kept two days.
 */
export class DistinctSubjectCounter {
  readonly #sql: LimitSql
  readonly #entries = new Map<string, Entry>()
  #sweptDay = 0

  constructor(private readonly db: Db) {
    this.#sql = limitSqlOf(db)
  }

  async admit(subscriptionId: string, subjectHash: string, limit: number, now: number): Promise<SubjectDecision> {
    let entry = this.#entries.get(subscriptionId)
    if (!entry || now >= entry.nextDayStart || now < entry.dayStart) {
      const fresh: Entry = {
        dayStart: startOfDay(now),
        nextDayStart: startOfNextDay(now),
        known: new Set(),
        ready: null,
        refusedUntil: -Infinity,
      }
      fresh.ready = this.#seed(subscriptionId, fresh).then(
        () => {
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
    const current = entry
    const noop = () => undefined
    const answer = (allowed: boolean, release = noop): SubjectDecision => ({
      allowed,
      used: current.known.size,
      resetsAt: current.nextDayStart,
      release,
    })
    if (current.known.has(subjectHash)) return answer(true)
    if (now < current.refusedUntil) return answer(false)
    if ((await this.#sql.run(ADMIT_SQL, [subscriptionId, current.dayStart, subjectHash, limit])) === 1) {
      current.known.add(subjectHash)
      let released = false
      return answer(true, () => {
        if (released) return
        released = true
        current.known.delete(subjectHash)
        current.refusedUntil = -Infinity
        // A failed delete leaves the subject counted: the error is on the safe side.
        try {
          const done = this.#sql.run(RELEASE_SQL, [subscriptionId, current.dayStart, subjectHash])
          if (done instanceof Promise) done.catch(() => undefined)
        } catch {
          /* left counted */
        }
      })
    }
    // Full, or another process added this very subject: the day's set as it is now decides.
    await this.#readKnown(subscriptionId, current)
    if (current.known.has(subjectHash)) return answer(true)
    current.refusedUntil = now + REFUSAL_KEPT_MS
    return answer(false)
  }

  async #seed(subscriptionId: string, entry: Entry): Promise<void> {
    const answered = await loadSubjectHashes(this.db, subscriptionId, entry.dayStart, entry.nextDayStart)
    if (answered.length > 0) await this.#sql.run(SEED_SQL, [subscriptionId, entry.dayStart, JSON.stringify(answered)])
    await this.#readKnown(subscriptionId, entry)
  }

  async #readKnown(subscriptionId: string, entry: Entry): Promise<void> {
    const rows = await this.#sql.all(KNOWN_SQL, [subscriptionId, entry.dayStart])
    entry.known = new Set(rows.map((r) => String(r.h)))
  }

  /** Off the hot path (the gateway's limit timer): deletes the sets of days past, once per day. */
  async sync(now: number): Promise<void> {
    const today = startOfDay(now)
    if (today === this.#sweptDay) return
    this.#sweptDay = today
    let oldest = today
    for (let i = 1; i < DAYS_KEPT; i++) oldest = startOfDay(oldest - 1)
    await this.#sql.run(SWEEP_SQL, [oldest])
  }
}
