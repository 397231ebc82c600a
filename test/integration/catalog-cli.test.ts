import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { count, eq } from 'drizzle-orm'
import { authorizations, cityHospitalVisits, cityMedicalInsurance } from '#db/schema/index.ts'
import { runCli } from '#cli/platform.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'

describe('catalog CLI: datasets:list|load, authorizations:list|expire', () => {
  let t: TestDatabase
  let dir: string
  beforeEach(async () => {
    t = await createTestDatabase()
    dir = mkdtempSync(join(tmpdir(), 'sdp-cli-'))
  })
  afterEach(() => {
    t.destroy()
    rmSync(dir, { recursive: true, force: true })
  })

  async function run(...argv: string[]) {
    const out: string[] = []
    const err: string[] = []
    const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) }, { DATABASE_URL: `file:${t.path}` })
    return { code, out: out.join('\n'), err: err.join('\n') }
  }

  it('lists datasets and authorizations as JSON and as text', async () => {
    const datasets = JSON.parse((await run('datasets:list', '--json')).out)
    expect(datasets).toContainEqual(expect.objectContaining({ code: 'DS-SCJG-0001', level: 'L2', deliveryMode: 'table' }))
    expect(datasets.find((d: { code: string }) => d.code === 'DS-SCJG-0002').authorizedUntil).toBeNull()
    expect((await run('datasets:list')).out).toContain('DS-SW-0001')
    const auths = JSON.parse((await run('authorizations:list', '--json', '--state', 'active')).out)
    expect(auths.map((a: { code: string }) => a.code)).toContain('SQ-SCJG-0001')
    expect((await run('authorizations:list', '--state', 'gone')).code).toBe(2)
  })

  it('loads a file with progress, and reports a bad one by row with exit code 1', async () => {
    const good = join(dir, 'visits.csv')
    writeFileSync(good, 'district_code,month,outpatient_visits,inpatient_admissions,emergency_visits\n210102,2026-10,1,2,3\n')
    const loaded = await run('datasets:load', '--dataset', 'DS-WJ-0001', '--file', good)
    expect(loaded.code).toBe(0)
    expect(loaded.out).toContain('Loading visits.csv')
    expect(loaded.out).toMatch(/validate 1\/1 rows/)
    expect(loaded.out).toContain('succeeded, 1/1 rows loaded')
    expect(await t.db.select({ n: count() }).from(cityHospitalVisits)).toEqual([{ n: 1 }])

    const bad = join(dir, 'bad.json')
    writeFileSync(
      bad,
      JSON.stringify([
        { district_code: '210102', month: '2026-10', outpatient_visits: 'many', inpatient_admissions: 1, emergency_visits: 1 },
      ]),
    )
    const rejected = await run('datasets:load', '--dataset', 'DS-WJ-0001', '--file', bad, '--json')
    expect(rejected.code).toBe(1)
    expect(JSON.parse(rejected.out)).toMatchObject({
      state: 'rejected',
      rowsLoaded: 0,
      problems: [{ row: 1, field: 'outpatient_visits', problem: 'not_integer' }],
    })
    expect(await t.db.select({ n: count() }).from(cityHospitalVisits)).toEqual([{ n: 1 }])

    expect((await run('datasets:load', '--dataset', 'DS-NOPE-0001', '--file', good)).err).toContain('dataset_not_found')
    expect((await run('datasets:load', '--file', good)).code).toBe(2)
  })

  it('reloads a table-mode dataset without --file', async () => {
    const result = await run('datasets:load', '--dataset', 'DS-YB-0001', '--json')
    expect(result.code).toBe(0)
    expect(JSON.parse(result.out)).toMatchObject({ state: 'succeeded', rowsLoaded: 156 })
    expect(await t.db.select({ n: count() }).from(cityMedicalInsurance)).toEqual([{ n: 156 }])
  })

  it('authorizations:expire runs the expiry job now', async () => {
    expect(JSON.parse((await run('authorizations:expire', '--json')).out)).toEqual({ expired: [] })
    await t.db
      .update(authorizations)
      .set({ endsAt: Date.now() - 1000 })
      .where(eq(authorizations.code, 'SQ-YB-0001'))
    const result = await run('authorizations:expire')
    expect(result.code).toBe(0)
    expect(result.out).toContain('SQ-YB-0001 DS-YB-0001: 156 rows deleted')
    expect(await t.db.select({ n: count() }).from(cityMedicalInsurance)).toEqual([{ n: 0 }])
  })
})
