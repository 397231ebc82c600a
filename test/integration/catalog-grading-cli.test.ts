import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runCli } from '#cli/platform.ts'
import { decideDatasetLevel } from '#catalog/grading/decide-dataset-level.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'
import { actorOf } from './catalog-fixtures.ts'

describe('CLI datasets:levels (Art. 5, ADR 0037): lists; grading is not the CLI’s', () => {
  let t: TestDatabase
  beforeEach(async () => {
    t = await createTestDatabase()
  })
  afterEach(() => t.destroy())

  async function run(...argv: string[]) {
    const out: string[] = []
    const err: string[] = []
    const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) }, { DATABASE_URL: `file:${t.path}` })
    return { code, out: out.join('\n'), err: err.join('\n') }
  }

  it('lists every dataset with its proposed and confirmed level, as JSON and as text', async () => {
    const before = JSON.parse((await run('datasets:levels', '--json')).out)
    expect(before).toContainEqual(
      expect.objectContaining({
        code: 'DS-SCJG-0001',
        sourceUnit: 'market-regulation',
        level: 'L2',
        state: 'proposed',
        personal: true,
        confirmed: null,
      }),
    )
    const scjg = await actorOf(t.db, 'scjg')
    const decided = await decideDatasetLevel(t.db, {
      actor: scjg,
      datasetCode: 'DS-SCJG-0001',
      level: 'L3',
      usageRequirements: '明细不出域',
    })
    expect(decided.ok).toBe(true)
    const after = JSON.parse((await run('datasets:levels', '--json')).out)
    expect(after.find((r: { code: string }) => r.code === 'DS-SCJG-0001')).toMatchObject({
      level: 'L3',
      state: 'confirmed',
      confirmed: { level: 'L3', by: 'scjg' },
      usageRequirements: '明细不出域',
    })
    const text = await run('datasets:levels')
    expect(text.code).toBe(0)
    expect(text.out).toMatch(/DS-SCJG-0001\s+market-regulation\s+L3\s+confirmed/)
  })

  it('has no command that grades, and refuses unknown flags', async () => {
    expect((await run('datasets:grade', 'DS-SCJG-0001', '--level', 'L1')).code).not.toBe(0)
    expect((await run('datasets:levels', '--level', 'L1')).code).not.toBe(0)
  })
})
