import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCli } from '#cli/platform.ts'
import { isWellFormedApiKey, hashApiKey } from '#platform/api-keys/api-key-format.ts'
import { apiKeys } from '#db/schema/index.ts'
import { eq } from 'drizzle-orm'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'

describe('npm run platform -- <command>', () => {
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

  it('prints usage and exits non-zero for unknown commands and bad flags', async () => {
    const unknown = await run('db:explode')
    expect(unknown.code).toBe(2)
    expect(unknown.err).toContain('Unknown command: db:explode')
    expect(unknown.err).toContain('Usage:')
    const badFlag = await run('partners:list', '--colour')
    expect(badFlag.code).toBe(2)
    expect(badFlag.err).toContain('--colour')
    expect((await run()).code).toBe(2)
    expect((await run('usage:summary', '--days', 'ten')).code).toBe(2)
  })

  it('lists partners and products as JSON', async () => {
    const partners = await run('partners:list', '--json')
    expect(partners.code).toBe(0)
    expect(JSON.parse(partners.out).map((p: { code: string }) => p.code)).toContain('shengjing-tech')
    const products = JSON.parse((await run('products:list', '--json')).out)
    expect(products).toContainEqual(
      expect.objectContaining({ code: 'verify-enterprise-identity', form: 'verification', state: 'published' }),
    )
  })

  it('creates a key once, storing only its hash', async () => {
    const created = await run('keys:create', '--partner', 'shengjing-tech', '--product', 'verify-enterprise-identity', '--json')
    expect(created.code).toBe(0)
    const { id, key } = JSON.parse(created.out)
    expect(isWellFormedApiKey(key)).toBe(true)
    const [row] = await t.db.select().from(apiKeys).where(eq(apiKeys.id, id))
    expect(row!.keyHash).toBe(hashApiKey(key))
    expect(JSON.stringify(row)).not.toContain(key)
  })

  it('refuses a key for a product the partner does not subscribe to', async () => {
    const refused = await run('keys:create', '--partner', 'huimin-service', '--product', 'verify-enterprise-identity')
    expect(refused.code).toBe(1)
    expect(refused.err).toContain('not_subscribed')
    expect((await run('keys:create', '--partner', 'nobody', '--product', 'verify-enterprise-identity')).err).toContain(
      'partner_not_found',
    )
  })

  it('summarises usage and verifies the audit chain', async () => {
    const summary = await run('usage:summary', '--partner', 'shengjing-tech', '--json')
    expect(summary.code).toBe(0)
    expect(JSON.parse(summary.out).totalCalls).toBe(0)
    expect(JSON.parse((await run('audit:verify', '--json')).out).ok).toBe(true)
  })

  it('seeds a fresh database deterministically at small scale', async () => {
    const path = join(tmpdir(), `sdp-cli-seed-${process.pid}.db`)
    try {
      const out: string[] = []
      const code = await runCli(
        ['db:seed', '--scale', 'small', '--json'],
        { out: (l) => out.push(l), err: (l) => out.push(l) },
        { DATABASE_URL: `file:${path}` },
      )
      expect(code).toBe(0)
      const first = JSON.parse(out.join('\n'))
      expect(first.counts.city_enterprises).toBe(2000)
      const again: string[] = []
      await runCli(
        ['db:seed', '--scale', 'small', '--json'],
        { out: (l) => again.push(l), err: (l) => again.push(l) },
        { DATABASE_URL: `file:${path}` },
      )
      expect(JSON.parse(again.join('\n')).counts).toEqual(first.counts)
      const badScale = await runCli(
        ['db:seed', '--scale', 'huge'],
        { out: () => undefined, err: () => undefined },
        { DATABASE_URL: `file:${path}` },
      )
      expect(badScale).toBe(2)
    } finally {
      for (const s of ['', '-wal', '-shm']) rmSync(path + s, { force: true })
    }
  })
})
