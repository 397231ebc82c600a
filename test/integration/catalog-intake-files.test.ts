import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import iconv from 'iconv-lite'
import { and, count, eq, like } from 'drizzle-orm'
import { auditLog, authorizations, cityEnterprises, cityHospitalVisits, datasetRecords } from '#db/schema/index.ts'
import { loadDatasetFile, type FileContent } from '#catalog/datasets/load-dataset-file.ts'
import { findDataset } from '#catalog/datasets/find-dataset.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'
import { openRecord } from '#test/support/open-sealed.ts'
import { actorOf, authorizeThroughDemand, registerTestDataset, unwrap } from './catalog-fixtures.ts'

// File intake (issue 8, "intake never blocks the platform"): encodings, hostile files, the size limit while streaming,
// a client that goes away, and the staging that keeps a half-read file from ever being the data.

const GOOD_CSV = 'id_card,name,age\n210102199001011234,张伟,36\n210102198502022345,李娜,41\n'

/** `n` people rows (id_card, name, age); the row numbered `badAt` (1-based) has an age that is no integer. */
function peopleCsv(n: number, opts: { badAt?: number } = {}): string {
  const lines = ['id_card,name,age']
  for (let i = 1; i <= n; i++) lines.push(`2101${String(i).padStart(14, '0')},姓名${i % 97},${i === opts.badAt ? 'old' : i % 90}`)
  return lines.join('\n') + '\n'
}

/** The bytes as a stream of `size`-byte chunks; `onChunk(i)` runs before chunk i is handed out. */
async function* inChunks(bytes: Uint8Array, size: number, onChunk?: (i: number) => Promise<void> | void) {
  for (let i = 0, at = 0; at < bytes.length; i++, at += size) {
    await onChunk?.(i)
    yield bytes.subarray(at, at + size)
  }
}

describe('file intake: encodings, hostile files, streaming and staging (issue 8)', () => {
  let t: TestDatabase
  beforeEach(async () => {
    t = await createTestDatabase()
  })
  afterEach(() => t.destroy())

  async function fileDataset() {
    const ds = await registerTestDataset(t.db)
    await authorizeThroughDemand(t.db, { datasetCode: ds.code, granter: await actorOf(t.db, 'scjg') })
    return ds
  }
  async function load(
    datasetCode: string,
    fileName: string,
    content: FileContent,
    more: Partial<Parameters<typeof loadDatasetFile>[1]> = {},
  ) {
    return loadDatasetFile(t.db, { actor: await actorOf(t.db, 'operator'), datasetCode, fileName, content, ...more })
  }
  /** Every row dataset_records holds for the dataset, staged or not. */
  const rawRows = async (datasetId: string) =>
    (await t.db.select().from(datasetRecords).where(eq(datasetRecords.datasetId, datasetId))).map(
      (r): Record<string, unknown> & { loadId: string } => ({
        ...openRecord(JSON.parse(r.data) as Record<string, unknown>),
        loadId: r.loadId,
      }),
    )
  const rowCount = async (code: string) => (await findDataset(t.db, { code }))!.rowCount

  describe('encodings', () => {
    it('loads a GB18030 (GBK) export as GB18030 and keeps the encoding with the load for lineage', async () => {
      const ds = await fileDataset()
      const bytes = iconv.encode(GOOD_CSV, 'gb18030')
      const outcome = unwrap(await load(ds.code, 'export.csv', bytes))
      expect(outcome).toMatchObject({ state: 'succeeded', rowsLoaded: 2, encoding: 'gb18030' })
      expect((await rawRows(ds.id)).map((r) => r.name)).toEqual(['张伟', '李娜'])
      const detail = await findDataset(t.db, { code: ds.code })
      expect(detail?.loads[0]).toMatchObject({ state: 'succeeded', encoding: 'gb18030', fileName: 'export.csv' })
      const [entry] = await t.db.select().from(auditLog).where(eq(auditLog.action, 'dataset.load')).orderBy(auditLog.seq)
      expect(JSON.parse(entry!.detail!)).toMatchObject({ code: ds.code, encoding: 'gb18030' })
    })

    it('loads UTF-16 with a byte-order mark, and UTF-8 with one', async () => {
      const ds = await fileDataset()
      const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(GOOD_CSV, 'utf16le')])
      expect(unwrap(await load(ds.code, 'a.csv', utf16))).toMatchObject({ state: 'succeeded', encoding: 'utf-16le' })
      expect((await rawRows(ds.id)).map((r) => r.name)).toEqual(['张伟', '李娜'])
      const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(GOOD_CSV)])
      expect(unwrap(await load(ds.code, 'b.csv', bom))).toMatchObject({ state: 'succeeded', encoding: 'utf-8' })
    })

    it('refuses a Big5 file by name, loads nothing garbled, and records the refusal', async () => {
      const ds = await fileDataset()
      unwrap(await load(ds.code, 'good.csv', GOOD_CSV))
      const big5 = iconv.encode(
        'id_card,name,age\n210102199001011234,陳偉強,36\n210102198502022345,張麗華,41\n'.repeat(4),
        'big5',
      )
      const outcome = unwrap(await load(ds.code, 'big5.csv', big5))
      expect(outcome).toMatchObject({ state: 'rejected', reason: 'encoding', rowsLoaded: 0 })
      expect(outcome.error).toMatch(/neither UTF-8 .* nor GB18030/)
      expect((await rawRows(ds.id)).map((r) => r.name)).toEqual(['张伟', '李娜'])
      expect((await findDataset(t.db, { code: ds.code }))?.loads[0]).toMatchObject({ state: 'rejected', fileName: 'big5.csv' })
    })
  })

  describe('hostile files', () => {
    it('refuses, row by row, repeated keys, __proto__ keys and bad rows, keeping the previous data', async () => {
      const ds = await fileDataset()
      unwrap(await load(ds.code, 'good.csv', GOOD_CSV))
      const json =
        '[{"id_card":"210102199001011234","name":"张伟","age":36},' +
        '{"id_card":"210102199001015678","name":"李娜","name":"王芳"},' +
        '{"id_card":"210102199001019999","name":"赵强","__proto__":{"polluted":true}},' +
        '{"id_card":210102199001010000,"name":"钱七"}]'
      const outcome = unwrap(await load(ds.code, 'bad.json', json))
      expect(outcome).toMatchObject({ state: 'rejected', reason: 'rows', rowsTotal: 4, rowsRejected: 2 })
      expect(outcome.problems).toEqual([
        { row: 2, field: 'name', problem: 'duplicate_key', value: 'name' },
        { row: 3, field: '__proto__', problem: 'unknown_field' },
      ])
      expect(({} as Record<string, unknown>).polluted).toBeUndefined()
      expect((await rawRows(ds.id)).map((r) => r.name)).toEqual(['张伟', '李娜'])
      const detail = await findDataset(t.db, { code: ds.code })
      expect(detail?.loads[0]).toMatchObject({ state: 'rejected', problemCount: 2, rowsRejected: 2 })
    })

    it('keeps an ID number sent as a JSON number digit for digit', async () => {
      const ds = await fileDataset()
      unwrap(await load(ds.code, 'n.json', '[{"id_card":210102199001011234,"name":"张伟"}]'))
      expect((await rawRows(ds.id))[0]?.id_card).toBe('210102199001011234')
    })

    it('refuses deep nesting with the row, and a JSON file that is not an array, with lineage', async () => {
      const ds = await fileDataset()
      const deep = unwrap(await load(ds.code, 'deep.json', `[{"id_card":"1","name":"a"},{"name":${'['.repeat(50_000)}`))
      expect(deep).toMatchObject({ state: 'rejected', reason: 'format', problems: [{ row: 2, field: '', problem: 'too_deep' }] })
      const object = unwrap(await load(ds.code, 'one.json', '{"id_card":"1","name":"a"}'))
      expect(object).toMatchObject({ state: 'rejected', reason: 'format' })
      expect(object.error).toMatch(/must hold an array of records/)
      expect((await findDataset(t.db, { code: ds.code }))?.loads.map((l) => l.state)).toEqual(['rejected', 'rejected'])
      expect(await rawRows(ds.id)).toEqual([])
    })

    it('refuses a CSV header naming a field twice, and reports short or long lines by row', async () => {
      const ds = await fileDataset()
      const header = unwrap(await load(ds.code, 'h.csv', 'id_card,name,name\n1,a,b\n'))
      expect(header).toMatchObject({ state: 'rejected', problems: [{ row: 0, field: 'name', problem: 'duplicate_key' }] })
      const lines = unwrap(await load(ds.code, 'l.csv', 'id_card,name,age\n1,a,3\n2,b\n3,c,4,extra\n'))
      expect(lines.problems).toEqual([
        { row: 2, field: '', problem: 'field_count', value: '2 of 3' },
        { row: 3, field: '', problem: 'field_count', value: '4 of 3' },
      ])
    })

    it('refuses an empty file', async () => {
      const ds = await fileDataset()
      expect(unwrap(await load(ds.code, 'e.csv', new Uint8Array(0)))).toMatchObject({ state: 'rejected', reason: 'empty' })
    })
  })

  describe('streaming and staging', () => {
    it('stages a big file out of sight while it streams, then swaps it in whole and removes the old rows', async () => {
      const ds = await fileDataset()
      unwrap(await load(ds.code, 'good.csv', GOOD_CSV))
      const bytes = Buffer.from(peopleCsv(20_000))
      const seenWhileLoading: number[] = []
      const outcome = unwrap(
        await load(
          ds.code,
          'big.csv',
          inChunks(bytes, 16 * 1024, async (i) => {
            if (i === 20) seenWhileLoading.push(await rowCount(ds.code))
          }),
        ),
      )
      expect(outcome).toMatchObject({ state: 'succeeded', rowsLoaded: 20_000, encoding: 'utf-8' })
      // Midway the dataset still held its two rows: the staged ones were not its data yet.
      expect(seenWhileLoading).toEqual([2])
      const rows = await rawRows(ds.id)
      expect(rows).toHaveLength(20_000)
      expect(new Set(rows.map((r) => r.loadId))).toEqual(new Set([outcome.loadId]))
      expect(await rowCount(ds.code)).toBe(20_000)
    })

    it('leaves nothing staged when the last row of a big file is bad', async () => {
      const ds = await fileDataset()
      unwrap(await load(ds.code, 'good.csv', GOOD_CSV))
      const outcome = unwrap(
        await load(ds.code, 'big.csv', inChunks(Buffer.from(peopleCsv(20_000, { badAt: 20_000 })), 32 * 1024)),
      )
      expect(outcome).toMatchObject({
        state: 'rejected',
        reason: 'rows',
        rowsTotal: 20_000,
        rowsRejected: 1,
        problems: [{ row: 20_000, field: 'age', problem: 'not_integer', value: 'old' }],
      })
      expect((await rawRows(ds.id)).map((r) => r.name)).toEqual(['张伟', '李娜'])
    })

    it('stops reading as soon as the file passes the size limit, and records the refusal', async () => {
      const ds = await fileDataset()
      let pulled = 0
      async function* endless() {
        const line = Buffer.from('210102199001011234,张伟,36\n'.repeat(2000))
        yield Buffer.from('id_card,name,age\n')
        for (;;) {
          pulled++
          yield line
        }
      }
      const outcome = unwrap(await load(ds.code, 'endless.csv', endless(), { maxBytes: 1024 * 1024 }))
      expect(outcome).toMatchObject({ state: 'rejected', reason: 'too_large', rowsLoaded: 0, checksum: null })
      expect(outcome.error).toMatch(/over 1 MB/)
      expect(pulled).toBeLessThanOrEqual(Math.ceil((1024 * 1024) / (2000 * 30)) + 2)
      expect(await rawRows(ds.id)).toEqual([])
      expect((await findDataset(t.db, { code: ds.code }))?.loads[0]).toMatchObject({ state: 'rejected' })
    })

    it('refuses a file whose announced size is over the limit without reading it', async () => {
      const ds = await fileDataset()
      async function* untouchable(): AsyncGenerator<Uint8Array> {
        throw new Error('the content was read')
      }
      const outcome = unwrap(await load(ds.code, 'x.csv', untouchable(), { declaredBytes: 300 * 1024 * 1024 }))
      expect(outcome).toMatchObject({ state: 'rejected', reason: 'too_large' })
    })

    it('records a stream that breaks off (the client went away) as a failed load, nothing kept', async () => {
      const ds = await fileDataset()
      unwrap(await load(ds.code, 'good.csv', GOOD_CSV))
      async function* breaksOff() {
        yield* inChunks(Buffer.from(peopleCsv(20_000)).subarray(0, 200_000), 16 * 1024)
        throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' })
      }
      const outcome = unwrap(await load(ds.code, 'cut.csv', breaksOff()))
      expect(outcome).toMatchObject({ state: 'failed', reason: 'interrupted', rowsLoaded: 0 })
      expect((await rawRows(ds.id)).map((r) => r.name)).toEqual(['张伟', '李娜'])
      // A body that simply ends when the client hangs up is caught by the request's abort signal.
      const controller = new AbortController()
      const cut = unwrap(
        await load(
          ds.code,
          'cut2.csv',
          inChunks(Buffer.from(peopleCsv(100)), 1024, (i) => {
            if (i === 1) controller.abort()
          }),
          { signal: controller.signal },
        ),
      )
      expect(cut).toMatchObject({ state: 'failed', reason: 'interrupted' })
      expect(await rowCount(ds.code)).toBe(2)
    })

    it('loads several big files at once, two scans at a time', async () => {
      const datasets = [await fileDataset(), await fileDataset(), await fileDataset()]
      const outcomes = await Promise.all(
        datasets.map(async (ds) => unwrap(await load(ds.code, 'big.csv', inChunks(Buffer.from(peopleCsv(15_000)), 32 * 1024)))),
      )
      expect(outcomes.map((o) => [o.state, o.rowsLoaded])).toEqual(datasets.map(() => ['succeeded', 15_000]))
      for (const ds of datasets) expect(await rowCount(ds.code)).toBe(15_000)
    })

    it('runs one load of a store at a time', async () => {
      const ds = await fileDataset()
      let release!: () => void
      const held = new Promise<void>((r) => (release = r))
      let started!: () => void
      const isStarted = new Promise<void>((r) => (started = r))
      const first = load(
        ds.code,
        'a.csv',
        inChunks(Buffer.from(peopleCsv(5000)), 8 * 1024, async (i) => {
          if (i === 1) {
            started()
            await held
          }
        }),
      )
      await isStarted
      const second = await load(ds.code, 'b.csv', GOOD_CSV)
      expect(second.ok || second.error.code).toBe('load_in_progress')
      release()
      expect(unwrap(await first).state).toBe('succeeded')
      expect(unwrap(await load(ds.code, 'b.csv', GOOD_CSV)).state).toBe('succeeded')
    })

    it('does not let the data in when the authorization ends while the file streams (Art. 17)', async () => {
      const ds = await fileDataset()
      const outcome = unwrap(
        await load(
          ds.code,
          'late.csv',
          inChunks(Buffer.from(peopleCsv(10_000)), 16 * 1024, async (i) => {
            if (i === 5)
              await t.db
                .update(authorizations)
                .set({ endsAt: Date.now() - 1 })
                .where(eq(authorizations.datasetId, ds.id))
          }),
        ),
      )
      expect(outcome).toMatchObject({ state: 'failed', reason: 'authorization_ended', rowsLoaded: 0 })
      expect(await rawRows(ds.id)).toEqual([])
    })
  })

  describe('typed store tables', () => {
    const stagingTables = async () =>
      (
        await t.client.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%\\_\\_load\\_%' ESCAPE '\\'")
      ).rows.map((r) => String(r.name))

    it('swaps a whole city_enterprises file in, keeping the table’s secondary indexes under their names', async () => {
      await authorizeThroughDemand(t.db, { datasetCode: 'DS-SCJG-0001', granter: await actorOf(t.db, 'scjg') })
      const indexes = async () =>
        (await t.client.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'city_enterprises'")).rows
          .map((r) => String(r.name))
          .sort()
      const before = await indexes()
      const header =
        'uscc,name,legal_rep_name,legal_rep_id_card,legal_rep_phone,registered_capital_wan,industry,district_code,status,founded_on,address'
      const lines = [header]
      for (let i = 0; i < 3000; i++) {
        lines.push(
          `91210102MA0${String(i).padStart(6, '0')}X,企业${i},张伟,210102199001011234,13800000000,${i},I,210102,存续,2020-01-0${1 + (i % 9)},沈阳市和平区`,
        )
      }
      const outcome = unwrap(await load('DS-SCJG-0001', 'enterprises.csv', lines.join('\n')))
      expect(outcome).toMatchObject({ state: 'succeeded', rowsLoaded: 3000 })
      expect(await t.db.select({ n: count() }).from(cityEnterprises)).toEqual([{ n: 3000 }])
      const [one] = await t.db.select().from(cityEnterprises).where(eq(cityEnterprises.uscc, '91210102MA0000042X'))
      expect(one).toMatchObject({ name: '企业42', registeredCapitalWan: 42 })
      expect(await indexes()).toEqual(before)
      expect(before).toEqual(expect.arrayContaining(['city_enterprises_district_idx', 'city_enterprises_name_idx']))
      expect(await stagingTables()).toEqual([])
    })

    it('drops the staging table a crashed process left behind', async () => {
      // No process can have this id (above Linux's largest pid_max): its load died with it.
      await t.client.execute(
        'CREATE TABLE "city_hospital_visits__load_4194305" (district_code text, month text, outpatient_visits integer)',
      )
      const csv = 'district_code,month,outpatient_visits,inpatient_admissions,emergency_visits\n210102,2026-10,1,2,3\n'
      expect(unwrap(await load('DS-WJ-0001', 'v.csv', csv)).state).toBe('succeeded')
      expect(await stagingTables()).toEqual([])
    })

    it('refuses a repeated primary key by row, leaving the table as it was and no staging table behind', async () => {
      const before = await t.db.select().from(cityHospitalVisits)
      const csv = [
        'district_code,month,outpatient_visits,inpatient_admissions,emergency_visits',
        '210102,2026-10,1000,50,70',
        '210103,2026-10,2000,80,90',
        '210102,2026-10,1,1,1',
      ].join('\n')
      const outcome = unwrap(await load('DS-WJ-0001', 'visits.csv', csv))
      expect(outcome).toMatchObject({
        state: 'rejected',
        reason: 'rows',
        problems: [{ row: 3, field: 'district_code, month', problem: 'duplicate_key' }],
      })
      expect(outcome.error).toMatch(/row 3 repeats the key \(district_code, month\) of an earlier row/)
      expect(await t.db.select().from(cityHospitalVisits)).toEqual(before)
      expect(await stagingTables()).toEqual([])
      expect(
        await t.db
          .select({ n: count() })
          .from(datasetRecords)
          .where(and(like(datasetRecords.loadId, outcome.loadId))),
      ).toEqual([{ n: 0 }])
    })
  })
})
