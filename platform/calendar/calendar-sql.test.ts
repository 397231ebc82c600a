import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { createClient, type Client } from '@libsql/client'
import { asc, eq } from 'drizzle-orm'
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql'
import { integer, sqliteTable } from 'drizzle-orm/sqlite-core'
import { sqlDay, sqlHour, sqlMonth } from './calendar-sql.ts'
import { DAY_MS, formatDay, formatMonth, fromLocal, localParts } from './shanghai-calendar.ts'

const instants = sqliteTable('instants', { id: integer('id').primaryKey(), at: integer('at').notNull() })

// SQLite writes the years 0000–9999; every other instant of that range, and the edges of days, months and years.
const MIN = fromLocal(0, 1, 1)
const MAX = fromLocal(10_000, 1, 1) - 1
const edges = [2026, 2027, 1970, 1969, 1900, 2000, 2100, 0, 1, 9999].flatMap((year) =>
  [1, 2, 3, 12].flatMap((month) => {
    const start = fromLocal(year, month, 1)
    return [start, start - 1, start + 1, start - 999, start - 1000, start + DAY_MS - 1]
  }),
)
const sample = [
  ...edges,
  0,
  -1,
  1,
  MIN,
  MAX,
  ...fc.sample(fc.integer({ min: MIN, max: MAX }), 3000),
  ...fc.sample(fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2040, 0, 1) }), 1000),
].filter((t) => t >= MIN && t <= MAX)

describe('the calendar in SQL (a real SQLite, through libsql)', () => {
  let client: Client
  let db: LibSQLDatabase
  beforeAll(async () => {
    client = createClient({ url: ':memory:' })
    db = drizzle(client)
    await client.execute('create table instants (id integer primary key, at integer not null)')
    for (let i = 0; i < sample.length; i += 500)
      await db.insert(instants).values(sample.slice(i, i + 500).map((at, j) => ({ id: i + j, at })))
  })
  afterAll(() => client.close())

  it('buckets every instant into the Shanghai day, month and hour that formatDay and localParts give', async () => {
    const rows = await db
      .select({ at: instants.at, day: sqlDay(instants.at), month: sqlMonth(instants.at), hour: sqlHour(instants.at) })
      .from(instants)
      .orderBy(asc(instants.id))
    expect(rows).toHaveLength(sample.length)
    const mismatches = rows.filter(
      (r) =>
        r.day !== formatDay(r.at) ||
        r.month !== formatMonth(r.at) ||
        r.hour !== `${formatDay(r.at)}T${String(localParts(r.at).hour).padStart(2, '0')}`,
    )
    expect(mismatches).toEqual([])
  })

  it('starts the Shanghai day and month at 16:00 UTC the evening before, before 1970 too', async () => {
    const bucketsOf = async (ms: number) =>
      (
        await db
          .select({ day: sqlDay(instants.at), month: sqlMonth(instants.at), hour: sqlHour(instants.at) })
          .from(instants)
          .where(eq(instants.at, ms))
          .limit(1)
      )[0]
    expect(await bucketsOf(fromLocal(2027, 1, 1))).toEqual({ day: '2027-01-01', month: '2027-01', hour: '2027-01-01T00' })
    expect(await bucketsOf(fromLocal(2027, 1, 1) - 1)).toEqual({ day: '2026-12-31', month: '2026-12', hour: '2026-12-31T23' })
    // Integer division would truncate these toward zero, into the next day.
    expect(await bucketsOf(fromLocal(1969, 1, 1) - 1)).toEqual({ day: '1968-12-31', month: '1968-12', hour: '1968-12-31T23' })
    expect(await bucketsOf(fromLocal(1970, 1, 1) - 999)).toEqual({ day: '1969-12-31', month: '1969-12', hour: '1969-12-31T23' })
  })
})
