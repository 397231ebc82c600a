import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { count, eq } from 'drizzle-orm'
import { auditLog, cityHospitalVisits, datasetLoads, datasetRecords, datasets } from '#db/schema/index.ts'
import { registerDataset } from '#catalog/datasets/register-dataset.ts'
import { loadDatasetFile } from '#catalog/datasets/load-dataset-file.ts'
import { loadDatasetTable } from '#catalog/datasets/load-dataset-table.ts'
import { pullDatasetInterface } from '#catalog/datasets/pull-dataset-interface.ts'
import { runDuePulls } from '#catalog/datasets/run-due-pulls.ts'
import { findDataset } from '#catalog/datasets/find-dataset.ts'
import { sha256 } from '#catalog/datasets/load-target.ts'
import { server } from '#test/support/msw.ts'
import {
  answer,
  failWith,
  hang,
  networkError,
  rawBody,
  SOURCE_UNIT_API,
  sourceUnitInterface,
} from '#test/mocks/source-unit-interface.ts'
import { formatIso } from '#platform/calendar/shanghai-calendar.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'
import { openRecord } from '#test/support/open-sealed.ts'
import { actorOf, authorizeThroughDemand, PEOPLE_FIELDS, registerTestDataset, unitId, unwrap } from './catalog-fixtures.ts'

const GOOD_CSV = [
  'id_card,name,age,score,verified,born_on,seen_at',
  // seen_at in Shanghai time with its offset: 2026-10-31T08:00 local.
  `210102199001011234,张伟,36,88.5,true,1990-01-01,${formatIso(Date.UTC(2026, 9, 31, 0))}`,
  '210102198502022345,李娜,41,,0,1985-02-02,1761868800000',
  '',
].join('\n')

describe('datasets: registration and intake (Art. 6, 16)', () => {
  let t: TestDatabase
  beforeEach(async () => {
    t = await createTestDatabase()
  })
  afterEach(() => t.destroy())

  const records = async (datasetId: string) =>
    (await t.db.select().from(datasetRecords).where(eq(datasetRecords.datasetId, datasetId))).map((r) =>
      openRecord(JSON.parse(r.data) as Record<string, unknown>),
    )

  describe('registration', () => {
    it.each(['core', 'secret', 'CORE'])('refuses data graded %s with level_not_operable and stores nothing', async (level) => {
      const before = (await t.db.select({ n: count() }).from(datasets))[0]!.n
      const result = await registerDataset(t.db, {
        actor: await actorOf(t.db, 'operator'),
        input: {
          sourceUnitId: await unitId(t.db, 'tax'),
          nameZh: '核心数据',
          nameEn: 'Core',
          domain: 'finance',
          level,
          deliveryMode: 'table',
          fields: PEOPLE_FIELDS,
        },
      })
      expect(result.ok).toBe(false)
      if (!result.ok) {
        expect(result.error.code).toBe('level_not_operable')
        expect(result.error.fields).toEqual({ level: 'level_not_operable' })
      }
      expect((await t.db.select({ n: count() }).from(datasets))[0]!.n).toBe(before)
    })

    it('registers an L1–L4 dataset with its fields, a dataset code and a registration code, audited', async () => {
      const first = await registerTestDataset(t.db)
      const second = await registerTestDataset(t.db, { level: 'L4', nameZh: '第二个' })
      // The unit's seeded datasets are DS-SCJG-0001 and the demo's DS-SCJG-0002.
      expect(first.code).toBe('DS-SCJG-0003')
      expect(second.code).toBe('DS-SCJG-0004')
      expect(first.registrationCode).toMatch(/^SYSJ-DS-\d{4}-\d{4}$/)
      expect(Number(second.registrationCode.slice(-4))).toBe(Number(first.registrationCode.slice(-4)) + 1)
      const detail = await findDataset(t.db, { code: first.code })
      expect(detail?.fields.map((f) => [f.name, f.type, f.piTag])).toEqual(
        PEOPLE_FIELDS.map((f) => [f.name, f.type, f.piTag ?? null]),
      )
      const [entry] = await t.db.select().from(auditLog).where(eq(auditLog.objectId, first.id))
      expect(entry?.action).toBe('dataset.register')
    })

    it('reports bad input per field: unknown level, duplicate field names, an interface without URL', async () => {
      const result = await registerDataset(t.db, {
        actor: await actorOf(t.db, 'operator'),
        input: {
          sourceUnitId: await unitId(t.db, 'tax'),
          nameZh: '',
          nameEn: 'x',
          domain: 'finance',
          level: 'L9',
          deliveryMode: 'interface',
          fields: [
            { name: 'a', type: 'string' },
            { name: 'a', type: 'integer' },
          ],
        },
      })
      expect(result.ok).toBe(false)
      if (!result.ok) expect(result.error.fields).toMatchObject({ nameZh: 'required', level: 'invalid' })
      const second = await registerDataset(t.db, {
        actor: await actorOf(t.db, 'operator'),
        input: {
          sourceUnitId: await unitId(t.db, 'tax'),
          nameZh: 'n',
          nameEn: 'x',
          domain: 'finance',
          level: 'L1',
          deliveryMode: 'interface',
          fields: [
            { name: 'a', type: 'string' },
            { name: 'a', type: 'integer' },
          ],
        },
      })
      expect(second.ok).toBe(false)
      if (!second.ok) expect(second.error.fields).toEqual({ 'fields.1.name': 'duplicate', interfaceUrl: 'required' })
    })
  })

  describe('file intake', () => {
    it('refuses to load a dataset that no authorization covers', async () => {
      const ds = await registerTestDataset(t.db)
      const result = await loadDatasetFile(t.db, {
        actor: await actorOf(t.db, 'operator'),
        datasetCode: ds.code,
        fileName: 'a.csv',
        content: GOOD_CSV,
      })
      expect(result.ok).toBe(false)
      if (!result.ok) expect(result.error.code).toBe('dataset_not_authorized')
      expect(await records(ds.id)).toEqual([])
    })

    it('loads a good CSV: typed rows in the store, lineage with who, rows and the SHA-256', async () => {
      const ds = await registerTestDataset(t.db)
      await authorizeThroughDemand(t.db, { datasetCode: ds.code, granter: await actorOf(t.db, 'scjg') })
      const outcome = unwrap(
        await loadDatasetFile(t.db, {
          actor: await actorOf(t.db, 'operator'),
          datasetCode: ds.code,
          fileName: 'people.csv',
          content: GOOD_CSV,
        }),
      )
      expect(outcome).toMatchObject({ state: 'succeeded', rowsTotal: 2, rowsLoaded: 2, checksum: sha256(GOOD_CSV) })
      expect(await records(ds.id)).toEqual([
        {
          id_card: '210102199001011234',
          name: '张伟',
          age: 36,
          score: 88.5,
          verified: true,
          born_on: '1990-01-01',
          seen_at: Date.UTC(2026, 9, 31, 0),
        },
        {
          id_card: '210102198502022345',
          name: '李娜',
          age: 41,
          score: null,
          verified: false,
          born_on: '1985-02-02',
          seen_at: 1761868800000,
        },
      ])
      const [load] = await t.db.select().from(datasetLoads).where(eq(datasetLoads.id, outcome.loadId))
      expect(load).toMatchObject({
        state: 'succeeded',
        mode: 'file',
        trigger: 'manual',
        actorLabel: 'operator',
        rowsLoaded: 2,
        fileName: 'people.csv',
        checksum: sha256(GOOD_CSV),
      })
    })

    it('rejects a file with one bad row whole: a per-row report, nothing loaded, the previous data kept', async () => {
      const ds = await registerTestDataset(t.db)
      await authorizeThroughDemand(t.db, { datasetCode: ds.code, granter: await actorOf(t.db, 'scjg') })
      const actor = await actorOf(t.db, 'operator')
      unwrap(await loadDatasetFile(t.db, { actor, datasetCode: ds.code, fileName: 'people.csv', content: GOOD_CSV }))
      const rows = [
        { id_card: '210102199001011234', name: '张伟', age: 36 },
        { id_card: '210102199001015678', name: '', age: 'forty' },
        { id_card: '210102199001019999', name: '王芳', born_on: '2026-02-30', colour: 'red' },
        { id_card: '210102199001010000', name: '赵强', seen_at: 'yesterday' },
      ]
      const outcome = unwrap(
        await loadDatasetFile(t.db, { actor, datasetCode: ds.code, fileName: 'bad.json', content: JSON.stringify(rows) }),
      )
      expect(outcome.state).toBe('rejected')
      expect(outcome).toMatchObject({ rowsTotal: 4, rowsLoaded: 0, rowsRejected: 3 })
      expect(outcome.problems).toEqual([
        { row: 2, field: 'name', problem: 'required' },
        { row: 2, field: 'age', problem: 'not_integer', value: 'forty' },
        { row: 3, field: 'colour', problem: 'unknown_field' },
        { row: 3, field: 'born_on', problem: 'not_date', value: '2026-02-30' },
        { row: 4, field: 'seen_at', problem: 'not_datetime', value: 'yesterday' },
      ])
      // Nothing of the bad file: the two rows of the good load are still there.
      expect((await records(ds.id)).map((r) => r.name)).toEqual(['张伟', '李娜'])
      const detail = await findDataset(t.db, { code: ds.code })
      expect(detail?.loads[0]).toMatchObject({ state: 'rejected', rowsRejected: 3, problemCount: 5, fileName: 'bad.json' })
      expect(detail?.loads[0]?.problems).toHaveLength(5)
    })

    it('rejects a malformed CSV and an empty file as a whole', async () => {
      const ds = await registerTestDataset(t.db)
      await authorizeThroughDemand(t.db, { datasetCode: ds.code, granter: await actorOf(t.db, 'scjg') })
      const actor = await actorOf(t.db, 'operator')
      const malformed = unwrap(
        await loadDatasetFile(t.db, {
          actor,
          datasetCode: ds.code,
          fileName: 'x.csv',
          content: 'id_card,name\n"unterminated,x\n',
        }),
      )
      expect(malformed.state).toBe('rejected')
      expect(malformed.error).toMatch(/not valid CSV/)
      const empty = unwrap(
        await loadDatasetFile(t.db, { actor, datasetCode: ds.code, fileName: 'x.csv', content: 'id_card,name\n' }),
      )
      expect(empty).toMatchObject({ state: 'rejected', error: 'the file holds no rows' })
      expect(await records(ds.id)).toEqual([])
    })

    it('loads a file into a typed store table (DS-WJ-0001 → city_hospital_visits), replacing its rows atomically', async () => {
      const csv = [
        'district_code,month,outpatient_visits,inpatient_admissions,emergency_visits',
        '210102,2026-10,1000,50,70',
        '210103,2026-10,2000,80,90',
      ].join('\n')
      const outcome = unwrap(
        await loadDatasetFile(t.db, {
          actor: await actorOf(t.db, 'operator'),
          datasetCode: 'DS-WJ-0001',
          fileName: 'visits.csv',
          content: csv,
        }),
      )
      expect(outcome.state).toBe('succeeded')
      const rows = await t.db.select().from(cityHospitalVisits)
      expect(rows).toEqual([
        { districtCode: '210102', month: '2026-10', outpatientVisits: 1000, inpatientAdmissions: 50, emergencyVisits: 70 },
        { districtCode: '210103', month: '2026-10', outpatientVisits: 2000, inpatientAdmissions: 80, emergencyVisits: 90 },
      ])
      // A NOT NULL store column is required whatever the registration says.
      const missing = unwrap(
        await loadDatasetFile(t.db, {
          actor: await actorOf(t.db, 'operator'),
          datasetCode: 'DS-WJ-0001',
          fileName: 'v.csv',
          content: 'district_code,month\n210102,2026-11\n',
        }),
      )
      expect(missing.state).toBe('rejected')
      expect(missing.problems.map((p) => p.field)).toEqual(['outpatient_visits', 'inpatient_admissions', 'emergency_visits'])
      expect(await t.db.select({ n: count() }).from(cityHospitalVisits)).toEqual([{ n: 2 }])
    })

    it('refuses a file for a dataset whose authorization allows another delivery mode', async () => {
      const result = await loadDatasetFile(t.db, {
        actor: await actorOf(t.db, 'operator'),
        datasetCode: 'DS-SCJG-0001',
        fileName: 'a.csv',
        content: 'uscc\nx\n',
      })
      expect(result.ok).toBe(false)
      if (!result.ok) expect(result.error.code).toBe('delivery_mode_mismatch')
    })
  })

  describe('table intake', () => {
    it('reloads a table-mode dataset from its source system at the seeded scale, recording lineage', async () => {
      const before = await t.db.select().from(cityHospitalVisits)
      const outcome = unwrap(await loadDatasetTable(t.db, { actor: await actorOf(t.db, 'operator'), datasetCode: 'DS-YB-0001' }))
      expect(outcome.state).toBe('succeeded')
      expect(outcome.rowsLoaded).toBe(13 * 12) // 13 districts × 12 months at the small scale
      const again = unwrap(await loadDatasetTable(t.db, { actor: await actorOf(t.db, 'operator'), datasetCode: 'DS-YB-0001' }))
      expect(again.checksum).toBe(outcome.checksum) // deterministic source
      expect(await t.db.select().from(cityHospitalVisits)).toEqual(before) // another dataset's table untouched
      const fileMode = await loadDatasetTable(t.db, { actor: await actorOf(t.db, 'operator'), datasetCode: 'DS-WJ-0001' })
      expect(fileMode.ok || fileMode.error.code).toBe('delivery_mode_mismatch')
    })

    it('a table the platform is not connected to is a failed load in the lineage, with its reason (issue 16)', async () => {
      // The same dataset with its store table taken away: what a newly granted 库表 dataset looks like.
      await t.db.update(datasets).set({ storeTable: null }).where(eq(datasets.code, 'DS-YB-0001'))
      const before = await t.db.select().from(datasetLoads)
      const outcome = unwrap(await loadDatasetTable(t.db, { actor: await actorOf(t.db, 'operator'), datasetCode: 'DS-YB-0001' }))
      expect(outcome.state).toBe('failed')
      const after = await t.db.select().from(datasetLoads)
      expect(after.length).toBe(before.length + 1)
      expect(after.find((l) => !before.some((b) => b.id === l.id))).toMatchObject({
        state: 'failed',
        mode: 'table',
        rowsLoaded: 0,
        error: expect.stringContaining('no_store_table'),
      })
    })
  })

  describe('interface intake (msw)', () => {
    const url = `${SOURCE_UNIT_API}/people`
    const noWait = { backoffMs: 0, sleep: async () => undefined }
    const goodRows = [
      { id_card: '210102199001011234', name: '张伟', age: 36 },
      { id_card: '210102198502022345', name: '李娜' },
    ]

    async function interfaceDataset() {
      const ds = await registerTestDataset(t.db, { deliveryMode: 'interface', interfaceUrl: url, pullEveryMinutes: 60 })
      await authorizeThroughDemand(t.db, {
        datasetCode: ds.code,
        granter: await actorOf(t.db, 'scjg'),
        deliveryMode: 'interface',
      })
      return ds
    }

    it('pulls the records and stores them', async () => {
      const ds = await interfaceDataset()
      const api = sourceUnitInterface(url, [answer(goodRows)])
      server.use(api.handler)
      const outcome = unwrap(
        await pullDatasetInterface(t.db, { actor: await actorOf(t.db, 'operator'), datasetCode: ds.code, ...noWait }),
      )
      expect(outcome).toMatchObject({
        state: 'succeeded',
        rowsLoaded: 2,
        attempts: 1,
        checksum: sha256(JSON.stringify(goodRows)),
      })
      expect(api.calls).toBe(1)
      expect((await records(ds.id)).map((r) => r.name)).toEqual(['张伟', '李娜'])
    })

    it('retries a 503 with exponential backoff and succeeds on the third attempt', async () => {
      const ds = await interfaceDataset()
      const api = sourceUnitInterface(url, [failWith(503), networkError(), answer(goodRows)])
      server.use(api.handler)
      const waits: number[] = []
      const outcome = unwrap(
        await pullDatasetInterface(t.db, {
          actor: await actorOf(t.db, 'operator'),
          datasetCode: ds.code,
          backoffMs: 200,
          sleep: async (ms) => void waits.push(ms),
        }),
      )
      expect(outcome).toMatchObject({ state: 'succeeded', attempts: 3 })
      expect(waits).toEqual([200, 400])
      expect(api.calls).toBe(3)
    })

    it('keeps the last good data when the interface keeps failing, and records the failure', async () => {
      const ds = await interfaceDataset()
      const actor = await actorOf(t.db, 'operator')
      server.use(sourceUnitInterface(url, [answer(goodRows)]).handler)
      unwrap(await pullDatasetInterface(t.db, { actor, datasetCode: ds.code, ...noWait }))
      const failing = sourceUnitInterface(url, [failWith(500)])
      server.use(failing.handler)
      const outcome = unwrap(await pullDatasetInterface(t.db, { actor, datasetCode: ds.code, ...noWait }))
      expect(outcome).toMatchObject({ state: 'failed', attempts: 3, rowsLoaded: 0 })
      expect(outcome.error).toContain('HTTP 500')
      expect(failing.calls).toBe(3)
      expect((await records(ds.id)).map((r) => r.name)).toEqual(['张伟', '李娜'])
      const detail = await findDataset(t.db, { code: ds.code })
      expect(detail?.loads.map((l) => l.state)).toEqual(['failed', 'succeeded'])
      expect(detail?.rowCount).toBe(2)
    })

    it('gives up on a hanging interface after the per-attempt timeout and keeps the data', async () => {
      const ds = await interfaceDataset()
      const actor = await actorOf(t.db, 'operator')
      server.use(sourceUnitInterface(url, [answer(goodRows)]).handler)
      unwrap(await pullDatasetInterface(t.db, { actor, datasetCode: ds.code, ...noWait }))
      const hanging = sourceUnitInterface(url, [hang(5_000)])
      server.use(hanging.handler)
      const outcome = unwrap(
        await pullDatasetInterface(t.db, { actor, datasetCode: ds.code, timeoutMs: 50, attempts: 2, ...noWait }),
      )
      expect(outcome.state).toBe('failed')
      expect(outcome.error).toContain('timed out after 50 ms')
      expect(hanging.calls).toBe(2)
      expect(await records(ds.id)).toHaveLength(2)
    })

    it('does not retry a 404, and rejects invalid JSON or bad rows without touching the data', async () => {
      const ds = await interfaceDataset()
      const actor = await actorOf(t.db, 'operator')
      server.use(sourceUnitInterface(url, [answer(goodRows)]).handler)
      unwrap(await pullDatasetInterface(t.db, { actor, datasetCode: ds.code, ...noWait }))
      const notFound = sourceUnitInterface(url, [failWith(404)])
      server.use(notFound.handler)
      expect(unwrap(await pullDatasetInterface(t.db, { actor, datasetCode: ds.code, ...noWait })).attempts).toBe(1)
      expect(notFound.calls).toBe(1)
      server.use(sourceUnitInterface(url, [rawBody('{"oops"')]).handler)
      expect(unwrap(await pullDatasetInterface(t.db, { actor, datasetCode: ds.code, ...noWait })).error).toContain('valid JSON')
      server.use(sourceUnitInterface(url, [answer([{ id_card: 'x' }])]).handler)
      const rejected = unwrap(await pullDatasetInterface(t.db, { actor, datasetCode: ds.code, ...noWait }))
      expect(rejected.state).toBe('rejected')
      expect(rejected.problems).toEqual([{ row: 1, field: 'name', problem: 'required' }])
      expect(await records(ds.id)).toHaveLength(2)
    })

    it('runDuePulls pulls a due dataset once per schedule period', async () => {
      const ds = await interfaceDataset()
      const api = sourceUnitInterface(url, [answer(goodRows)])
      server.use(api.handler)
      const now = Date.now()
      const first = await runDuePulls(t.db, { now, ...noWait })
      expect(first).toEqual([{ datasetCode: ds.code, state: 'succeeded', error: null }])
      expect(await runDuePulls(t.db, { now: now + 30 * 60_000, ...noWait })).toEqual([])
      expect(await runDuePulls(t.db, { now: now + 61 * 60_000, ...noWait })).toHaveLength(1)
      expect(api.calls).toBe(2)
    })
  })
})
