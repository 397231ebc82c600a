import { threadId } from 'node:worker_threads'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'drizzle-orm'
import { SQLiteAsyncDialect } from 'drizzle-orm/sqlite-core'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'
import { readOffThread, readRowsOffThread, ReadWorkerError, stopReadWorker } from './read-off-thread.ts'

/**
 * Heavy read-only queries run on a worker thread with its own connection to the file (ADR 0038 addendum): the same rows
 * as the client gives, read off the main thread, errors as errors, and a worker that keeps serving afterwards.
 */
describe('readOffThread', () => {
  let t: TestDatabase
  beforeAll(async () => {
    t = await createTestDatabase()
  })
  afterAll(() => t.destroy())

  const queries = [
    // Text, integers, reals and NULL, with a window function and a parameter list.
    sql`select district_code, count(*) n, avg(registered_capital_wan) mean, null empty,
          rank() over (order by count(*) desc) r
        from city_enterprises where status in ${['active', 'abnormal']} group by district_code order by district_code`,
    sql`select uscc, name from city_enterprises where uscc = ${'no such code'}`,
    sql`select 1.5 x, 'a''b' y, ${42} z`,
  ]

  it('gives the rows db.all gives, read by another thread', async () => {
    for (const query of queries) expect(await readOffThread(t.db, query)).toEqual(await t.db.all(query))
    const { sql: text, params } = new SQLiteAsyncDialect().sqlToQuery(queries[0]!)
    const read = await readRowsOffThread(t.path, text, params)
    expect(read.threadId).not.toBe(threadId)
    expect(read.rows.length).toBeGreaterThan(3)
  })

  it('answers several reads asked at once, each with its own rows', async () => {
    const codes = await t.db.all<{ uscc: string }>(sql`select uscc from city_enterprises order by uscc limit 20`)
    const reads = await Promise.all(
      codes.map((c) => readOffThread<{ uscc: string }>(t.db, sql`select uscc from city_enterprises where uscc = ${c.uscc}`)),
    )
    expect(reads.map((r) => r[0]!.uscc)).toEqual(codes.map((c) => c.uscc))
  })

  it('rejects a bad statement and a write, and keeps serving', async () => {
    await expect(readOffThread(t.db, sql`select * from no_such_table`)).rejects.toBeInstanceOf(ReadWorkerError)
    const before = await t.db.all<{ n: number }>(sql`select count(*) n from city_enterprises`)
    await expect(readOffThread(t.db, sql`delete from city_enterprises`)).rejects.toBeInstanceOf(ReadWorkerError)
    await expect(readOffThread(t.db, sql`delete from city_enterprises returning uscc`)).rejects.toThrow(/readonly|query_only/i)
    expect(before[0]!.n).toBeGreaterThan(0)
    expect(await readOffThread(t.db, sql`select count(*) n from city_enterprises`)).toEqual(before)
  })

  it("starts a new worker when the old one stops, and the old one's exit fails none of the new reads", async () => {
    const { sql: text, params } = new SQLiteAsyncDialect().sqlToQuery(sql`select count(*) n from city_enterprises`)
    const before = await readRowsOffThread(t.path, text, params)
    const stopping = stopReadWorker()
    // Asked while the old worker is still exiting: served by a new one.
    const during = readRowsOffThread(t.path, text, params)
    await stopping
    const after = await during
    expect(after.rows).toEqual(before.rows)
    expect(after.threadId).not.toBe(before.threadId)
    expect((await readRowsOffThread(t.path, text, params)).threadId).toBe(after.threadId)
  })
})
