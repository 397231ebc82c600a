import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase, type Database } from '#db/client.ts'
import { migrateDatabase } from '#db/migrate.ts'
import { SCALES, generateCity } from '#source-systems/simulated/generate-city.ts'
import { seedCity } from '#seed/seed-city.ts'
import { DISTRICT_CODES } from '#platform/reference-data/shenyang.ts'
import { isValidIdCard } from '#platform/codes/id-card.ts'
import { isValidUscc } from '#platform/codes/uscc.ts'
import { getDataKeyring } from '#platform/crypto/data-keyring.ts'
import { isSealedValue, openValue } from '#platform/crypto/sealed-value.ts'
import { sealedColumnsOf } from '#db/sealed-columns.ts'

describe('seedCity (real SQLite file)', () => {
  let dir: string
  let database: Database
  let counts: Record<string, number>
  const progress: { table: string; done: number; total: number }[] = []

  const scalar = async (sql: string): Promise<number> => {
    const rs = await database.client.execute(sql)
    return Number(rs.rows[0]?.[0])
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'seed-city-'))
    database = await openDatabase('file:' + join(dir, 'city.db'))
    await migrateDatabase(database.db)
    counts = await seedCity(database.db, {
      scale: 'small',
      onProgress: (table, done, total) => progress.push({ table, done, total }),
    })
  })

  afterAll(() => {
    database?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('returns the generated row counts, which match the tables', async () => {
    const data = generateCity('small')
    expect(counts).toEqual({
      city_enterprises: data.enterprises.length,
      city_tax_credit_ratings: data.taxCreditRatings.length,
      city_road_segments: data.roadSegments.length,
      city_traffic_flows: data.trafficFlows.length,
      city_hospital_visits: data.hospitalVisits.length,
      city_medical_insurance: data.medicalInsurance.length,
      city_social_security: data.socialSecurity.length,
    })
    expect(counts.city_enterprises).toBe(SCALES.small.enterprises)
    for (const [table, n] of Object.entries(counts)) {
      expect(await scalar(`select count(*) from ${table}`), table).toBe(n)
    }
  })

  it('reports progress ending at the total for every table', () => {
    for (const [table, total] of Object.entries(counts)) {
      const last = progress.filter((p) => p.table === table).at(-1)
      expect(last, table).toEqual({ table, done: total, total })
    }
  })

  it('stores valid codes and only Shenyang districts', async () => {
    const inList = DISTRICT_CODES.map((c) => `'${c}'`).join(',')
    expect(await scalar(`select count(*) from city_enterprises where district_code not in (${inList})`)).toBe(0)
    expect(await scalar(`select count(*) from city_road_segments where district_code not in (${inList})`)).toBe(0)
    expect(await scalar(`select count(distinct district_code) from city_hospital_visits`)).toBe(13)
    expect(await scalar(`select count(*) from city_enterprises where substr(uscc, 3, 6) <> district_code`)).toBe(0)
    const rs = await database.client.execute('select uscc, legal_rep_id_card from city_enterprises')
    for (const row of rs.rows) {
      expect(isValidUscc(String(row[0]))).toBe(true)
      // Stored sealed; opened, it is a valid ID number.
      expect(isSealedValue(row[1])).toBe(true)
      expect(isValidIdCard(openValue(getDataKeyring(), String(row[1]), 'city_enterprises.legal_rep_id_card'))).toBe(true)
    }
  })

  it('keeps references and value ranges consistent', async () => {
    expect(
      await scalar(
        `select count(*) from city_tax_credit_ratings t left join city_enterprises e using (uscc) where e.uscc is null`,
      ),
    ).toBe(0)
    expect(
      await scalar(
        `select count(*) from city_social_security s left join city_enterprises e on e.uscc = s.employer_uscc where e.uscc is null or e.status <> 'active'`,
      ),
    ).toBe(0)
    expect(
      await scalar(
        `select count(*) from city_traffic_flows f left join city_road_segments r on r.code = f.segment_code where r.code is null`,
      ),
    ).toBe(0)
    expect(await scalar(`select count(*) from city_traffic_flows where hour_start % 3600000 <> 0`)).toBe(0)
    expect(await scalar(`select max(hour_start) from city_traffic_flows`)).toBe(Date.UTC(2026, 9, 31, 15))
    expect(await scalar(`select count(*) from city_medical_insurance where fund_paid_fen >= claim_amount_fen`)).toBe(0)
    expect(await scalar(`select count(*) from city_tax_credit_ratings where rating not in ('A','B','M','C','D')`)).toBe(0)
    for (const table of ['city_hospital_visits', 'city_medical_insurance']) {
      const month = await database.client.execute(`select min(month), max(month) from ${table}`)
      expect([month.rows[0]?.[0], month.rows[0]?.[1]], table).toEqual(['2025-11', '2026-10'])
    }
    // Money and counts are stored as integers, not reals.
    expect(await scalar(`select count(*) from city_medical_insurance where typeof(claim_amount_fen) <> 'integer'`)).toBe(0)
    expect(await scalar(`select count(*) from city_social_security where typeof(amount_fen) <> 'integer'`)).toBe(0)
  })

  it('replaces the previous rows when run again (same counts, same first row)', async () => {
    // The sealed columns differ from one seeding to the next (a random IV per value): compared opened.
    const firstRow = async () => {
      const rs = await database.client.execute('select * from city_enterprises order by uscc limit 1')
      const row: Record<string, unknown> = { ...rs.rows[0] }
      for (const c of sealedColumnsOf('city_enterprises'))
        row[c.column] = openValue(getDataKeyring(), String(row[c.column]), c.context)
      return row
    }
    const first = await firstRow()
    const again = await seedCity(database.db, { scale: 'small' })
    expect(again).toEqual(counts)
    expect(await scalar('select count(*) from city_enterprises')).toBe(SCALES.small.enterprises)
    expect(await firstRow()).toEqual(first)
  })
})

describe('seedCity over the client path (no native connection, as with a libsql server)', () => {
  it('stores the same rows as the native fast path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seed-city-paths-'))
    const native = await openDatabase('file:' + join(dir, 'city.db'))
    // An in-memory database has no native connection: seedCity takes the multi-row INSERTs of the client.
    const client = await openDatabase('file::memory:')
    try {
      for (const d of [native, client]) {
        await migrateDatabase(d.db)
        await seedCity(d.db, { scale: 'small' })
      }
      // The tables without sealed columns compare whole, row by row (sealed values differ by their random IV).
      for (const [table, order] of [
        ['city_tax_credit_ratings', 'uscc, year'],
        ['city_traffic_flows', 'segment_code, hour_start'],
        ['city_medical_insurance', '1, 2, 3'],
        ['city_road_segments', 'code'],
      ] as const) {
        const read = async (d: Database) => (await d.client.execute(`select * from ${table} order by ${order}`)).rows
        const [a, b] = [await read(native), await read(client)]
        expect(a.length, table).toBeGreaterThan(0)
        expect(
          a.map((r) => JSON.stringify(r)),
          table,
        ).toEqual(b.map((r) => JSON.stringify(r)))
      }
    } finally {
      native.close()
      client.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
