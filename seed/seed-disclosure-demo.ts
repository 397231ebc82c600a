import { count, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { disclosureEditions, users } from '#db/schema/index.ts'
import { calendarYear, fromLocal } from '#platform/calendar/shanghai-calendar.ts'
import { userActor } from '#platform/identity/permissions.ts'
import { prepareDisclosure } from '#disclosure/editions/prepare-disclosure.ts'
import { publishDisclosure } from '#disclosure/editions/publish-disclosure.ts'

/**
 * The demo's annual disclosure (ADR 0036): last year's edition, prepared by the operator from the seeded records with a
 * short narrative and published by the bureau on 20 March (within the deadline), through the same operations as the
 * pages. Skipped when any edition exists. One read of the records and two inserts: it keeps the first start fast.
 */
export async function seedDisclosureDemo(db: Db, now = Date.now()): Promise<void> {
  const [{ n } = { n: 0 }] = await db.select({ n: count() }).from(disclosureEditions)
  if (n > 0) return
  const [operator] = await db.select().from(users).where(eq(users.username, 'operator'))
  const [bureau] = await db.select().from(users).where(eq(users.role, 'bureau')).limit(1)
  if (!operator || !bureau) return
  const year = calendarYear(now) - 1
  const at = Math.min(now, fromLocal(year + 1, 3, 20, 10))
  const prepared = await prepareDisclosure(db, {
    year,
    actor: userActor(operator),
    now: at,
    narrative: {
      overview: `本披露依据发改价格〔2025〕65号，公开 ${year} 年度沈阳市公共数据授权运营情况。`,
      implementers: '运营单位负责平台建设与运营；数据产品由合作方依托平台开发，原始数据不出域。',
      resources: '授权数据资源以数源单位授权为准，授权期满即删除平台存储的数据。',
      products: '公共治理、公益事业使用免费，仍计量调用量。',
      fees: '收费标准均不高于市发展改革部门核定的上限收费标准。',
      cap: '最高准许收入仅计入产业用途成本；共用成本按调用量分摊。',
    },
  })
  if (!prepared.ok) throw new Error(`seed disclosure: prepare: ${prepared.error.code}`)
  const published = await publishDisclosure(db, { year, version: prepared.value.version, actor: userActor(bureau), now: at })
  if (!published.ok) throw new Error(`seed disclosure: publish: ${published.error.code}`)
}
