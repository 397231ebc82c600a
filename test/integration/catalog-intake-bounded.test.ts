import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { count, eq } from 'drizzle-orm'
import { datasetRecords } from '#db/schema/index.ts'
import { loadDatasetFile } from '#catalog/datasets/load-dataset-file.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'
import { actorOf, authorizeThroughDemand, registerTestDataset, unwrap } from './catalog-fixtures.ts'

// Intake at scale (issue 15: 10,000,000 rows under 300 MB, measured by `npm run bench:intake`): the loader's memory
// is bounded because it never reads further ahead of what it has stored than a few chunks. Checked structurally, not
// by timing or heap size: before the file hands out each chunk, the rows of all but the last few chunks must already
// be in the store. A loader that buffered the file (or its rows) would have stored nothing by then.

const ROWS_PER_CHUNK = 1_000
const CHUNKS = 24
/** How far the loader may be behind: the head it reads before choosing where to scan, one chunk in the worker, one being stored. */
const CHUNKS_AHEAD = 3

describe('file intake keeps memory bounded on a large file (issue 15)', () => {
  let t: TestDatabase
  beforeEach(async () => {
    t = await createTestDatabase()
  })
  afterEach(() => t.destroy())

  it(`stores each chunk's rows before reading more than ${CHUNKS_AHEAD} chunks ahead (${(ROWS_PER_CHUNK * CHUNKS).toLocaleString('en')} rows)`, async () => {
    const ds = await registerTestDataset(t.db)
    await authorizeThroughDemand(t.db, { datasetCode: ds.code, granter: await actorOf(t.db, 'scjg') })
    const stored = async () =>
      (await t.db.select({ n: count() }).from(datasetRecords).where(eq(datasetRecords.datasetId, ds.id)))[0]!.n
    const lags: number[] = []

    // The file is made chunk by chunk as the loader asks for it: nothing of it exists ahead of the loader either.
    async function* file(): AsyncGenerator<Uint8Array> {
      for (let chunk = 0; chunk < CHUNKS; chunk++) {
        const handedOut = chunk * ROWS_PER_CHUNK
        lags.push(handedOut - (await stored()))
        let text = chunk === 0 ? 'id_card,name,age\n' : ''
        for (let i = handedOut + 1; i <= handedOut + ROWS_PER_CHUNK; i++) {
          text += `2101${String(i).padStart(14, '0')},姓名${i % 97},${i % 90}\n`
        }
        yield Buffer.from(text)
      }
    }

    const outcome = unwrap(
      await loadDatasetFile(t.db, {
        actor: await actorOf(t.db, 'operator'),
        datasetCode: ds.code,
        fileName: 'large.csv',
        content: file(),
      }),
    )
    expect(outcome).toMatchObject({ state: 'succeeded', rowsLoaded: ROWS_PER_CHUNK * CHUNKS })
    expect(lags).toHaveLength(CHUNKS)
    // Never more than CHUNKS_AHEAD chunks' rows read and not yet stored, at any point of the file.
    expect(Math.max(...lags)).toBeLessThanOrEqual(CHUNKS_AHEAD * ROWS_PER_CHUNK)
    // And the loader did store as it read (the check above would hold trivially for a file of one or two chunks).
    expect(lags.at(-1)).toBeLessThan((CHUNKS - 1) * ROWS_PER_CHUNK)
  }, 180_000)
})
