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
