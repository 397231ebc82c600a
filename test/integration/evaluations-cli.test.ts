import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runCli } from '#cli/platform.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'

describe('evaluations CLI: evaluations:list', () => {
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

  it('lists the demo evaluation with every subject’s result, as JSON and as text', async () => {
    const json = await run('evaluations:list', '--json')
    expect(json.code).toBe(0)
    const { evaluations } = JSON.parse(json.out) as {
      evaluations: {
        code: string
        subjects: { kind: string; code: string | null; state: string; total: string; passed: boolean }[]
      }[]
    }
    expect(evaluations).toHaveLength(1)
    const unit = evaluations[0]!.subjects.find((s) => s.code === 'market-regulation')!
    expect(unit).toMatchObject({ kind: 'source_unit', state: 'published', passed: true })
    expect(unit.total).toMatch(/^\d{1,3}\.\d{2}$/)
    const text = await run('evaluations:list')
    expect(text.code).toBe(0)
    expect(text.out).toContain(evaluations[0]!.code)
    expect(text.out).toContain('market-regulation')
    expect((await run('evaluations:list', '--bogus')).code).not.toBe(0)
  })
})
