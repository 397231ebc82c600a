import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { and, eq } from 'drizzle-orm'
import { authorizations, cityEnterprises, datasets, users } from '#db/schema/index.ts'
import { ACCESS_TTL_MS } from '#gateway/create-gateway.ts'
import { userActor } from '#platform/identity/permissions.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { suspendAuthorization } from '#catalog/authorizations/suspend-authorization.ts'
import { resumeAuthorization } from '#catalog/authorizations/resume-authorization.ts'
import { demoApiKey } from '#test/support/gateway-server.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'
import {
  startGatewayProcess as startChild,
  stopGatewayProcess as stopChild,
  type GatewayProcess as Child,
} from '#test/support/gateway-process.ts'
import { PROPAGATION_PROMISE_MS, waitUntilElapsed } from '#test/support/wait.ts'

// Two real gateway processes over one database (bench/gateway-target.ts), as gateway-two-processes.test.ts: the
// bureau suspends an authorization here, in a third process; both must answer 423 authorization_suspended to a
// request sent 1 s later, and 200 again 1 s after the resumption (ADR 0028).
const PATH = '/api/v1/verifications/enterprise'

describe('an authorization suspended and resumed, seen through the API’s answers in two processes within 1 s', () => {
  let t: TestDatabase
  let children: Child[] = []
  let body: string
  let bureau: Actor
  let code: string

  beforeAll(async () => {
    t = await createTestDatabase()
    const [row] = await t.db.select({ uscc: cityEnterprises.uscc, name: cityEnterprises.name }).from(cityEnterprises).limit(1)
    body = JSON.stringify(row)
    bureau = userActor((await t.db.select().from(users).where(eq(users.username, 'bureau')))[0]!)
    const [auth] = await t.db
      .select({ code: authorizations.code })
      .from(authorizations)
      .innerJoin(datasets, eq(datasets.id, authorizations.datasetId))
      .where(and(eq(datasets.code, 'DS-SCJG-0001'), eq(authorizations.state, 'active')))
    code = auth!.code
    children = await Promise.all([startChild(`file:${t.path}`), startChild(`file:${t.path}`)])
  }, 60_000)
  afterAll(async () => {
    await Promise.all(children.map(stopChild))
    t?.destroy()
  })

  async function call(child: Child): Promise<{ status: number; code: string | null }> {
    const res = await fetch(child.url + PATH, {
      method: 'POST',
      headers: { authorization: `Bearer ${demoApiKey}`, 'content-type': 'application/json' },
      body,
    })
    const json = (await res.json()) as { error?: { code: string } }
    return { status: res.status, code: json.error?.code ?? null }
  }

  it('423 authorization_suspended after the suspension, 200 after the resumption; the data never left', async () => {
    const rowsBefore = Number((await t.client.execute('SELECT count(*) AS n FROM city_enterprises')).rows[0]!.n)
    // Each process answers 200 with its caches freshly loaded, so each holds the old state for a whole TTL.
    await new Promise((r) => setTimeout(r, ACCESS_TTL_MS))
    for (const child of children) expect(await call(child)).toEqual({ status: 200, code: null })
    const suspended = await suspendAuthorization(t.db, { actor: bureau, code, reason: '整改期间暂停数据供给' })
    expect(suspended.ok).toBe(true)
    await waitUntilElapsed(performance.now(), PROMISE_MS)
    for (const child of children) expect(await call(child)).toEqual({ status: 423, code: 'authorization_suspended' })

    const resumed = await resumeAuthorization(t.db, { actor: bureau, code, reason: '整改完成' })
    expect(resumed.ok).toBe(true)
    await waitUntilElapsed(performance.now(), PROMISE_MS)
    for (const child of children) expect(await call(child)).toEqual({ status: 200, code: null })
    expect(Number((await t.client.execute('SELECT count(*) AS n FROM city_enterprises')).rows[0]!.n)).toBe(rowsBefore)
    // The refusals were logged as such, never billed.
    const refused = await t.client.execute("SELECT count(*) AS n FROM rejected_calls WHERE code = 'authorization_suspended'")
    expect(Number(refused.rows[0]!.n)).toBe(2)
  })
})

const PROMISE_MS = PROPAGATION_PROMISE_MS
