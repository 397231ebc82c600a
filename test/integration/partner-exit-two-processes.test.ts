import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cityEnterprises } from '#db/schema/index.ts'
import { ACCESS_TTL_MS } from '#gateway/create-gateway.ts'
import { executePartnerExit } from '#partner-access/exits/execute-partner-exit.ts'
import { startPartnerExit } from '#partner-access/exits/start-partner-exit.ts'
import { cliActor } from '#platform/audit/record-audit.ts'
import { demoApiKey } from '#test/support/gateway-server.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'
import {
  startGatewayProcess as startChild,
  stopGatewayProcess as stopChild,
  type GatewayProcess as Child,
} from '#test/support/gateway-process.ts'
import { PROPAGATION_PROMISE_MS, waitUntilElapsed } from '#test/support/wait.ts'

// As gateway-two-processes.test.ts: the real gateway in two other processes over one database file.
const PATH = '/api/v1/verifications/enterprise'

describe('an executed exit stops the partner’s keys in every process within 1 s', () => {
  let t: TestDatabase
  let children: Child[] = []
  let body: string

  beforeAll(async () => {
    t = await createTestDatabase()
    const [row] = await t.db.select({ uscc: cityEnterprises.uscc, name: cityEnterprises.name }).from(cityEnterprises).limit(1)
    body = JSON.stringify(row)
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

  it('answers 200 before, and 403 not_subscribed in both processes 1 s after the execution', async () => {
    // Every cache loaded afresh just before the change (see gateway-two-processes.test.ts for why this cannot flake).
    await new Promise((r) => setTimeout(r, ACCESS_TTL_MS))
    for (const child of children) expect(await call(child)).toEqual({ status: 200, code: null })
    const started = await startPartnerExit(t.db, {
      actor: cliActor(),
      input: { partnerCode: 'shengjing-tech', kind: 'voluntary', reason: '主动退出合作' },
    })
    if (!started.ok) throw new Error(started.error.code)
    // Still answering between notice and exit date.
    for (const child of children) expect((await call(child)).status).toBe(200)
    const executed = await executePartnerExit(t.db, { actor: cliActor(), exitId: started.value.id })
    expect(executed.ok).toBe(true)
    await waitUntilElapsed(performance.now(), PROPAGATION_PROMISE_MS)
    for (const child of children) expect(await call(child)).toEqual({ status: 403, code: 'not_subscribed' })
  })
})
