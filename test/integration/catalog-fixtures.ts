import { eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { sourceUnits, users } from '#db/schema/index.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { registerDataset, type DatasetInput } from '#catalog/datasets/register-dataset.ts'
import { createDemandList } from '#catalog/demands/create-demand-list.ts'
import { addDemandItem } from '#catalog/demands/add-demand-item.ts'
import { submitDemandList } from '#catalog/demands/submit-demand-list.ts'
import { reviewDemandItem } from '#catalog/demands/review-demand-item.ts'
import { grantAuthorization } from '#catalog/authorizations/grant-authorization.ts'
import { formatDay } from '#platform/calendar/shanghai-calendar.ts'

// Shared steps of the catalog integration tests: real domain calls on a real database copy.

export async function actorOf(db: Db, username: string): Promise<Actor & { id: string; sourceUnitId: string | null }> {
  const [u] = await db.select().from(users).where(eq(users.username, username))
  if (!u) throw new Error(`no user ${username}`)
  return { id: u.id, label: u.username, role: u.role, sourceUnitId: u.sourceUnitId, partnerId: u.partnerId }
}

export async function unitId(db: Db, code: string): Promise<string> {
  const [u] = await db.select({ id: sourceUnits.id }).from(sourceUnits).where(eq(sourceUnits.code, code))
  if (!u) throw new Error(`no source unit ${code}`)
  return u.id
}

export function unwrap<T>(result: { ok: true; value: T } | { ok: false; error: { code: string; message: string } }): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`)
  return result.value
}

export const PEOPLE_FIELDS: DatasetInput['fields'] = [
  { name: 'id_card', labelZh: '身份证号', type: 'string', required: true, piTag: 'id_card' },
  { name: 'name', labelZh: '姓名', type: 'string', required: true, piTag: 'name' },
  { name: 'age', labelZh: '年龄', type: 'integer' },
  { name: 'score', labelZh: '评分', type: 'number' },
  { name: 'verified', labelZh: '已核验', type: 'boolean' },
  { name: 'born_on', labelZh: '出生日期', type: 'date' },
  { name: 'seen_at', labelZh: '最近记录', type: 'datetime' },
]

/** Registers a dataset of the market-regulation unit (stored in dataset_records). */
export async function registerTestDataset(db: Db, overrides: Partial<DatasetInput> = {}) {
  const operator = await actorOf(db, 'operator')
  return unwrap(
    await registerDataset(db, {
      actor: operator,
      input: {
        sourceUnitId: await unitId(db, 'market-regulation'),
        nameZh: '测试人员名单',
        nameEn: 'Test people',
        domain: 'credit',
        level: 'L2',
        deliveryMode: 'file',
        fields: PEOPLE_FIELDS,
        ...overrides,
      },
    }),
  )
}

/**
 * Walks a demand for `datasetCode` through the whole workflow (operator drafts
 * and submits, bureau approves, the dataset's source unit grants) and returns
 * the authorization.
 */
export async function authorizeThroughDemand(
  db: Db,
  opts: {
    datasetCode: string
    granter: Actor & { sourceUnitId: string | null }
    deliveryMode?: 'file' | 'table' | 'interface'
    months?: number
    startsAt?: number
  },
) {
  const operator = await actorOf(db, 'operator')
  const bureau = await actorOf(db, 'bureau')
  const list = unwrap(await createDemandList(db, { actor: operator, title: `for ${opts.datasetCode}` }))
  const item = unwrap(
    await addDemandItem(db, {
      actor: operator,
      listCode: list.code,
      input: {
        datasetCode: opts.datasetCode,
        dataDescription: 'd',
        retrievalMethod: opts.deliveryMode ?? 'file',
        usageScenario: 's',
      },
    }),
  )
  unwrap(await submitDemandList(db, { actor: operator, listCode: list.code }))
  unwrap(await reviewDemandItem(db, { actor: bureau, itemId: item.id, decision: 'approve' }))
  const startsAt = opts.startsAt ?? Date.now()
  const granted = unwrap(
    await grantAuthorization(db, {
      actor: opts.granter,
      itemId: item.id,
      deliveryMode: opts.deliveryMode ?? 'file',
      startsOn: formatDay(startsAt),
      termMonths: opts.months ?? 12,
      now: startsAt,
    }),
  )
  return { ...granted, itemId: item.id, listCode: list.code }
}
