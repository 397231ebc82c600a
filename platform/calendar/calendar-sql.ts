import { sql, type SQL, type SQLWrapper } from 'drizzle-orm'
import { OFFSET_SECONDS } from './shanghai-calendar.ts'

// The calendar in SQL: buckets of epoch-millisecond columns by Shanghai day, month or hour, computed by SQLite.

// Real division: SQLite's integer division truncates toward zero, which moves an instant before 1970 up to a second
// later (into the next day from its last second); strftime reads fractional epoch seconds to the millisecond.
const local = (column: SQLWrapper) => sql`${column} / 1000.0 + ${sql.raw(String(OFFSET_SECONDS))}`

/** `YYYY-MM-DD`, the Shanghai day of an epoch-ms column. */
export function sqlDay(column: SQLWrapper): SQL<string> {
  return sql<string>`strftime('%Y-%m-%d', ${local(column)}, 'unixepoch')`
}

/** `YYYY-MM`, the Shanghai month of an epoch-ms column. */
export function sqlMonth(column: SQLWrapper): SQL<string> {
  return sql<string>`strftime('%Y-%m', ${local(column)}, 'unixepoch')`
}

/** `YYYY-MM-DDTHH`, the Shanghai hour of an epoch-ms column. */
export function sqlHour(column: SQLWrapper): SQL<string> {
  return sql<string>`strftime('%Y-%m-%dT%H', ${local(column)}, 'unixepoch')`
}

// Bucket starts as epoch ms (integers: rollup keys, ADR 0047). Exact for instants from 1970 on (SQLite's % keeps the
// sign of a negative dividend).
const OFFSET_MS_SQL = sql.raw(String(OFFSET_SECONDS * 1000))

/** The start (epoch ms) of the Shanghai hour of an epoch-ms column. */
export function sqlHourStartMs(column: SQLWrapper): SQL<number> {
  return sql<number>`(${column} - ((${column} + ${OFFSET_MS_SQL}) % 3600000))`
}

/** The start (epoch ms) of the Shanghai day of an epoch-ms column. */
export function sqlDayStartMs(column: SQLWrapper): SQL<number> {
  return sql<number>`(${column} - ((${column} + ${OFFSET_MS_SQL}) % 86400000))`
}
