import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { apiKeys, partners } from '#db/schema/index.ts'
import { cliActor } from '#platform/audit/record-audit.ts'
import { DAY_MS, formatDay, fromLocal, parseDayEnd } from '#platform/calendar/shanghai-calendar.ts'
import { createApiKey } from '#partner-access/keys/create-api-key.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'

// A key's expiry is a day in Asia/Shanghai (`expiresOn`): the key works through the end of that day.
describe('createApiKey: expiresOn, the last Shanghai day a key works', () => {
  let t: TestDatabase
  let partnerId: string
  beforeEach(async () => {
    t = await createTestDatabase()
    const [p] = await t.db.select({ id: partners.id }).from(partners).where(eq(partners.code, 'shengjing-tech'))
    partnerId = p!.id
  })
  afterEach(() => t.destroy())

  const create = (expiresOn: string | null | undefined, now?: number) =>
    createApiKey(t.db, { partnerId, name: 'expiry test', actor: cliActor(), expiresOn, now })
  const stored = async (id: string) => (await t.db.select().from(apiKeys).where(eq(apiKeys.id, id)))[0]!.expiresAt

  it('runs through 23:59:59 of the given Shanghai day, whatever the server’s zone', async () => {
    const created = await create('2099-01-31')
    expect(created.ok).toBe(true)
    if (!created.ok) return
    expect(created.value.expiresAt).toBe(fromLocal(2099, 1, 31, 23, 59, 59))
    // 2099-01-31 15:59:59 UTC.
    expect(created.value.expiresAt).toBe(Date.UTC(2099, 0, 31, 15, 59, 59))
    expect(await stored(created.value.id)).toBe(created.value.expiresAt)
  })

  it('accepts today (the key works until tonight) and refuses yesterday as past', async () => {
    // 00:30 in Shanghai is still the previous day in UTC: "today" is the Shanghai date.
    const now = fromLocal(2026, 6, 1, 0, 30)
    const today = await create('2026-06-01', now)
    expect(today.ok && today.value.expiresAt).toBe(fromLocal(2026, 6, 1, 23, 59, 59))
    const yesterday = await create('2026-05-31', now)
    expect(yesterday.ok || yesterday.error).toMatchObject({ kind: 'validation', fields: { expiresOn: 'past' } })
    const longAgo = await create(formatDay(now - 400 * DAY_MS), now)
    expect(longAgo.ok || longAgo.error.fields).toEqual({ expiresOn: 'past' })
    // In the last second of today, today's end has passed.
    const late = await create('2026-06-01', parseDayEnd('2026-06-01')! + 500)
    expect(late.ok || late.error.fields).toEqual({ expiresOn: 'past' })
  })

  it('no expiry when none (or nothing) is given', async () => {
    for (const none of [undefined, null, '', '   ']) {
      const created = await create(none)
      expect(created.ok && created.value.expiresAt).toBeNull()
    }
  })

  it('refuses what is not a real date as invalid, and stores nothing', async () => {
    const before = await t.db.$count(apiKeys)
    for (const text of [
      '2099-02-30',
      '2099-13-01',
      '2099-1-31',
      '31/01/2099',
      'someday',
      '2099-01-31T23:59:59+09:00',
      '2099-01-31T10:00:00Z',
      '+02099-01-31',
      '2099-01-31\u0000',
      '9'.repeat(100_000),
    ]) {
      const created = await create(text)
      expect(created.ok || created.error, text.slice(0, 30)).toMatchObject({
        code: 'validation_failed',
        fields: { expiresOn: 'invalid' },
      })
    }
    expect(await t.db.$count(apiKeys)).toBe(before)
  })
})
