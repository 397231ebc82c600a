import { like, sql } from 'drizzle-orm'
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core'
import type { Db } from '#db/client.ts'
import { errorText } from '#platform/error-text.ts'
import { calendarYear } from '#platform/calendar/shanghai-calendar.ts'

// Registration and workflow codes are `<PREFIX>-<YYYY>-<NNNN>` (docs/decisions/0008-catalog-authorization-lifecycle.md):
// the year is the Asia/Shanghai calendar year, the number the next one free for that prefix and year.

/** The next free `<prefix>-<year>-<NNNN>` in `column` (a unique text column). */
export async function nextSequenceCode(db: Db, column: SQLiteColumn, prefix: string, now = Date.now()): Promise<string> {
  return nextNumberedCode(db, column, `${prefix}-${calendarYear(now)}-`)
}

/** The next free `<head><NNNN>` in `column`. */
export async function nextNumberedCode(db: Db, column: SQLiteColumn, head: string): Promise<string> {
  const [row] = await db
    .select({ max: sql<number | null>`max(cast(substr(${column}, ${head.length + 1}) as integer))` })
    .from(column.table)
    .where(like(column, `${head}%`))
  const next = (row?.max ?? 0) + 1
  return `${head}${String(next).padStart(4, '0')}`
}

export const isUniqueViolation = (error: unknown) => /UNIQUE constraint failed/i.test(errorText(error))

/**
 * Runs `attempt` again when it lost a race for a freshly numbered code (a UNIQUE
 * violation): the next attempt reads the sequence again. Anything else is rethrown.
 */
export async function retryOnCodeRace<T>(attempt: () => Promise<T>, tries = 8): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt()
    } catch (error) {
      if (i >= tries || !isUniqueViolation(error)) throw error
    }
  }
}
