import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { desc, eq } from 'drizzle-orm'
import { runCli } from '#cli/platform.ts'
import { apiKeys, auditLog, partners, products, subscriptions } from '#db/schema/index.ts'
import { hashApiKey, isWellFormedApiKey } from '#platform/api-keys/api-key-format.ts'
import { parseDayEnd } from '#platform/calendar/shanghai-calendar.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'

const PRODUCT = 'verify-enterprise-identity'

describe('gateway CLI: subscriptions, keys, suspensions', () => {
  let t: TestDatabase
  beforeEach(async () => {
    t = await createTestDatabase()
  })
  afterEach(() => t.destroy())

  async function run(...argv: string[]) {
    const out: string[] = []
    const err: string[] = []
    const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) }, { DATABASE_URL: `file:${t.path}` })
    return { code, out: out.join('\n'), err: err.join('\n'), json: () => JSON.parse(out.join('\n')) }
  }

  const lastAudit = async () => (await t.db.select().from(auditLog).orderBy(desc(auditLog.seq)).limit(1))[0]!

  it('subscribes for a public-interest purpose (pending, statement required), approves it, and lists it', async () => {
    const noStatement = await run(
      'subscriptions:create',
      '--partner',
      'huimin-service',
      '--product',
      PRODUCT,
      '--purpose',
      'public_interest',
    )
    expect(noStatement.code).toBe(1)
    expect(noStatement.err).toContain('statement: required')
    const badPurpose = await run(
      'subscriptions:create',
      '--partner',
      'huimin-service',
      '--product',
      PRODUCT,
      '--purpose',
      'profit',
    )
    expect(badPurpose.err).toContain('purpose: invalid')

    const created = await run(
      'subscriptions:create',
      '--partner',
      'huimin-service',
      '--product',
      PRODUCT,
      '--purpose',
      'public_interest',
      '--statement',
      '社区养老服务机构准入时核验企业身份',
      '--plan',
      'trial',
      '--json',
    )
    expect(created.code).toBe(0)
    const { id, state, planCode } = created.json()
    expect([state, planCode]).toEqual(['pending', 'trial'])
    expect(await lastAudit()).toMatchObject({ action: 'subscription.create', objectId: id, actorLabel: 'cli' })

    const pending = (await run('subscriptions:list', '--state', 'pending', '--json')).json() as { id: string; state: string }[]
    expect(pending.map((s) => s.id)).toContain(id)
    expect(new Set(pending.map((s) => s.state))).toEqual(new Set(['pending']))
    // One live subscription per purpose (ADR 0032): a second public-interest one is refused.
    expect(
      (
        await run(
          'subscriptions:create',
          '--partner',
          'huimin-service',
          '--product',
          PRODUCT,
          '--purpose',
          'public_interest',
          '--statement',
          '另一个社区公益场景的企业身份核验',
        )
      ).err,
    ).toContain('already_subscribed')

    const approved = await run('subscriptions:approve', id, '--json')
    expect(approved.code).toBe(0)
    expect(approved.json()).toEqual({ id, state: 'active' })
    expect(await lastAudit()).toMatchObject({ action: 'subscription.approve', objectId: id })
    expect((await run('subscriptions:approve', id)).err).toContain('not_pending')
    const listed = (await run('subscriptions:list', '--partner', 'huimin-service', '--json')).json() as {
      id: string
      partnerCode: string
    }[]
    expect(listed.find((s) => s.id === id)).toEqual(
      expect.objectContaining({
        state: 'active',
        purpose: 'public_interest',
        productCode: PRODUCT,
        decidedAt: expect.any(Number),
      }),
    )
    expect(new Set(listed.map((s) => s.partnerCode))).toEqual(new Set(['huimin-service']))
  })

  it('rejects a pending subscription only with a comment', async () => {
    const { id } = (
      await run(
        'subscriptions:create',
        '--partner',
        'huimin-service',
        '--product',
        PRODUCT,
        '--purpose',
        'public_interest',
        '--statement',
        '公益场景：社区服务核验',
        '--json',
      )
    ).json()
    expect((await run('subscriptions:reject', id)).code).toBe(2)
    const rejected = await run('subscriptions:reject', id, '--comment', '不属于公共治理或公益场景')
    expect(rejected.code).toBe(0)
    const [row] = await t.db.select().from(subscriptions).where(eq(subscriptions.id, id))
    expect(row).toMatchObject({ state: 'rejected', decisionComment: '不属于公共治理或公益场景' })
  })

  it('creates a key for a subscription (with expiry and allowlist), rolls it, and revokes it', async () => {
    const [sub] = await t.db
      .select({ id: subscriptions.id })
      .from(subscriptions)
      .where(eq(subscriptions.state, 'active'))
      .limit(1)
    const bad = await run('keys:create', '--subscription', sub!.id, '--ip-allowlist', '10.0.0.0/33')
    expect(bad.code).toBe(1)
    expect(bad.err).toContain('ipAllowlist: invalid_cidr')
    expect((await run('keys:create', '--subscription', sub!.id, '--expires', 'someday')).code).toBe(2)

    const created = await run(
      'keys:create',
      '--subscription',
      sub!.id,
      '--expires',
      '2099-01-31',
      '--ip-allowlist',
      '10.1.2.3/24',
      '--json',
    )
    expect(created.code).toBe(0)
    const k = created.json()
    expect(isWellFormedApiKey(k.key)).toBe(true)
    expect(k).toMatchObject({
      subscriptionId: sub!.id,
      partner: 'shengjing-tech',
      ipAllowlist: '10.1.2.0/24',
      expiresAt: parseDayEnd('2099-01-31'),
    })
    const [row] = await t.db.select().from(apiKeys).where(eq(apiKeys.id, k.id))
    expect(row!.keyHash).toBe(hashApiKey(k.key))
    expect(JSON.stringify(row)).not.toContain(k.key)

    const rollSentAt = Date.now()
    const rolled = await run('keys:roll', k.id, '--grace-hours', '2', '--json')
    const rollAnsweredAt = Date.now()
    expect(rolled.code).toBe(0)
    const r = rolled.json()
    expect(r.replacedKeyId).toBe(k.id)
    // Two hours from the CLI's clock reading, which lies between these two of the same clock however slow the run.
    expect(r.oldKeyValidUntil).toBeGreaterThanOrEqual(rollSentAt + 2 * 3_600_000)
    expect(r.oldKeyValidUntil).toBeLessThanOrEqual(rollAnsweredAt + 2 * 3_600_000)
    const [old] = await t.db.select().from(apiKeys).where(eq(apiKeys.id, k.id))
    expect(old).toMatchObject({ replacedByKeyId: r.id, expiresAt: r.oldKeyValidUntil })
    expect((await run('keys:roll', k.id)).err).toContain('already_rolled')

    const listed = (await run('keys:list', '--partner', 'shengjing-tech', '--json')).json()
    expect(listed.find((x: { id: string }) => x.id === k.id).state).toBe('grace')
    expect(JSON.stringify(listed)).not.toContain(k.key)

    expect((await run('keys:revoke', r.id, '--reason', 'leaked in a log')).code).toBe(0)
    const [revoked] = await t.db.select().from(apiKeys).where(eq(apiKeys.id, r.id))
    expect(revoked).toMatchObject({ revokedReason: 'leaked in a log' })
    expect(revoked!.revokedAt).not.toBeNull()
    expect((await run('keys:revoke', r.id)).err).toContain('already_revoked')
    expect((await run('keys:revoke', 'nope')).err).toContain('key_not_found')
    expect((await run('keys:revoke')).code).toBe(2)
  })

  it('still creates a key by --partner/--product, and refuses a key for a subscription that is not active', async () => {
    const created = await run('keys:create', '--partner', 'shengjing-tech', '--product', PRODUCT, '--json')
    expect(created.code).toBe(0)
    const { id } = (
      await run(
        'subscriptions:create',
        '--partner',
        'huimin-service',
        '--product',
        PRODUCT,
        '--purpose',
        'public_interest',
        '--statement',
        '公益场景：社区服务核验',
        '--json',
      )
    ).json()
    expect((await run('keys:create', '--subscription', id)).err).toContain('subscription_not_active')
    expect((await run('keys:create')).code).toBe(2)
  })

  it('suspends and resumes a product and a partner, with the reason audited', async () => {
    expect((await run('products:suspend', PRODUCT)).code).toBe(2)
    expect((await run('products:suspend', PRODUCT, '--reason', '数据质量核查')).code).toBe(0)
    const [p] = await t.db.select().from(products).where(eq(products.code, PRODUCT))
    expect(p).toMatchObject({ suspensionReason: '数据质量核查' })
    expect((await run('products:suspend', PRODUCT, '--reason', '再次暂停')).err).toContain('already_suspended')
    expect((await run('products:resume', PRODUCT)).code).toBe(0)
    expect((await t.db.select().from(products).where(eq(products.code, PRODUCT)))[0]!.suspendedAt).toBeNull()

    expect((await run('partners:suspend', 'shengjing-tech', '--reason', '违规使用数据')).code).toBe(0)
    expect((await t.db.select().from(partners).where(eq(partners.code, 'shengjing-tech')))[0]!.state).toBe('suspended')
    expect(JSON.parse((await lastAudit()).detail!)).toEqual({ code: 'shengjing-tech', reason: '违规使用数据' })
    expect((await run('partners:resume', 'shengjing-tech')).code).toBe(0)
    expect((await t.db.select().from(partners).where(eq(partners.code, 'shengjing-tech')))[0]!.state).toBe('active')
    expect(JSON.parse((await run('audit:verify', '--json')).out).ok).toBe(true)
  })
})
