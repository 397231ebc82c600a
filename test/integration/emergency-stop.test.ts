import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { eq } from 'drizzle-orm'
import { auditLog, cityEnterprises, emergencyStops, rejectedCalls, usageEvents } from '#db/schema/index.ts'
import { ACCESS_TTL_MS } from '#gateway/create-gateway.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { stopProducts } from '#supervision/emergency/stop-products.ts'
import { resumeProducts } from '#supervision/emergency/resume-products.ts'
import { getEmergencyState } from '#supervision/emergency/get-emergency-state.ts'
import { callGateway } from '#test/support/openapi.ts'
import { demoApiKey, startGateway, type GatewayHarness } from '#test/support/gateway-server.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'
import {
  startGatewayProcess as startChild,
  stopGatewayProcess as stopChild,
  type GatewayProcess as Child,
} from '#test/support/gateway-process.ts'
import { PROPAGATION_PROMISE_MS, waitUntilElapsed } from '#test/support/wait.ts'

// The emergency stop (Art. 13; ADR 0029): one action halts every metered product or a chosen few, every gateway
// process answers 503 emergency_stop within 1 s, and one action resumes them.

const VERIFY = '/api/v1/verifications/enterprise'
const USCC = '/api/v1/tools/uscc-validate'
const VERIFY_PRODUCT = 'verify-enterprise-identity'
const USCC_PRODUCT = 'uscc-validate'
const operator: Actor = { id: null, label: 'operator', role: 'operator' }
const bureau: Actor = { id: null, label: 'bureau', role: 'bureau' }

describe('the emergency stop, seen by two other gateway processes within 1 s', () => {
  let t: TestDatabase
  let children: Child[] = []
  let verifyBody: string

  beforeAll(async () => {
    t = await createTestDatabase()
    const [row] = await t.db.select({ uscc: cityEnterprises.uscc, name: cityEnterprises.name }).from(cityEnterprises).limit(1)
    verifyBody = JSON.stringify(row)
    children = await Promise.all([startChild(`file:${t.path}`), startChild(`file:${t.path}`)])
  }, 60_000)
  afterAll(async () => {
    await Promise.all(children.map(stopChild))
    t?.destroy()
  })

  async function call(child: Child, path: string): Promise<{ status: number; code: string | null }> {
    const body = path === VERIFY ? verifyBody : JSON.stringify({ uscc: '91210100MA0Y6X4T1K' })
    const res = await fetch(child.url + path, {
      method: 'POST',
      headers: { authorization: `Bearer ${demoApiKey}`, 'content-type': 'application/json' },
      body,
    })
    const json = (await res.json()) as { error?: { code: string } }
    return { status: res.status, code: json.error?.code ?? null }
  }

  /** Both processes answer `path` with 200, with every cached state loaded afresh (see gateway-two-processes). */
  async function expectAnswering(path: string) {
    for (const child of children) expect(await call(child, path), `${child.url} ${path}`).toEqual({ status: 200, code: null })
  }

  /**
   * The promise, as gateway-two-processes checks it: each process answers 200 with a fresh cache, the change is made
   * here (a third process's connection), and once 1 s has passed each process must answer the new way. A slower
   * machine only makes the second look later, never wrong.
   */
  async function afterPromise(change: () => Promise<unknown>) {
    await change()
    await waitUntilElapsed(performance.now(), PROPAGATION_PROMISE_MS)
  }

  it('a stop of one product: 503 emergency_stop in both processes within 1 s, the other products still answer', async () => {
    await new Promise((r) => setTimeout(r, ACCESS_TTL_MS))
    await expectAnswering(VERIFY)
    await expectAnswering(USCC)
    await afterPromise(async () => {
      const stopped = await stopProducts(t.db, {
        productCodes: [VERIFY_PRODUCT],
        reason: '疑似数据泄露，紧急止损',
        actor: operator,
      })
      expect(stopped.ok).toBe(true)
    })
    for (const child of children) {
      expect(await call(child, VERIFY)).toEqual({ status: 503, code: 'emergency_stop' })
      expect(await call(child, USCC)).toEqual({ status: 200, code: null })
    }
  })

  it('resuming: both processes answer again within 1 s', async () => {
    await afterPromise(async () =>
      expect((await resumeProducts(t.db, { productCode: VERIFY_PRODUCT, actor: bureau })).ok).toBe(true),
    )
    await expectAnswering(VERIFY)
    await expectAnswering(USCC)
  })

  it('a platform-wide stop halts every product in both processes, and one resume lifts it', async () => {
    await new Promise((r) => setTimeout(r, ACCESS_TTL_MS))
    await expectAnswering(USCC)
    await afterPromise(() => stopProducts(t.db, { reason: '平台遭受攻击，全部暂停', actor: bureau }))
    for (const child of children) {
      expect(await call(child, VERIFY)).toEqual({ status: 503, code: 'emergency_stop' })
      expect(await call(child, USCC)).toEqual({ status: 503, code: 'emergency_stop' })
    }
    await afterPromise(() => resumeProducts(t.db, { actor: operator, reason: '已处置' }))
    await expectAnswering(VERIFY)
    await expectAnswering(USCC)
  })
})

describe('the emergency stop in one gateway: the answer, the refusal log, the rules of the operations', () => {
  let h: GatewayHarness
  beforeEach(async () => {
    h = await startGateway()
  })
  afterEach(() => h.stop())

  it('answers the documented 503 emergency_stop, logs the refusal against the key, and bills nothing', async () => {
    const [row] = await h.database.db
      .select({ uscc: cityEnterprises.uscc, name: cityEnterprises.name })
      .from(cityEnterprises)
      .limit(1)
    expect((await stopProducts(h.database.db, { productCodes: [VERIFY_PRODUCT], reason: '应急演练', actor: operator })).ok).toBe(
      true,
    )
    const { res, body } = await callGateway(h.baseUrl, 'POST', VERIFY, { demoKey: demoApiKey, body: row })
    expect(res.status).toBe(503)
    expect(body.error.code).toBe('emergency_stop')
    const requestId = res.headers.get('x-request-id')!
    await vi.waitFor(async () => {
      const [logged] = await h.database.db.select().from(rejectedCalls).where(eq(rejectedCalls.requestId, requestId))
      expect(logged).toMatchObject({ status: 503, code: 'emergency_stop', operation: 'verifyEnterprise' })
    })
    expect(await h.database.db.select().from(usageEvents).where(eq(usageEvents.requestId, requestId))).toEqual([])
  })

  it('audits the stop and the resume, with the reason and the scope', async () => {
    const db = h.database.db
    const stopped = await stopProducts(db, {
      productCodes: [VERIFY_PRODUCT, USCC_PRODUCT],
      reason: '上游数据异常',
      actor: bureau,
    })
    if (!stopped.ok) throw new Error(stopped.error.code)
    expect(stopped.value).toMatchObject({ scope: 'products', productCodes: [VERIFY_PRODUCT, USCC_PRODUCT] })
    const state = await getEmergencyState(db)
    expect(state.active.map((s) => s.productCode).sort()).toEqual([USCC_PRODUCT, VERIFY_PRODUCT])
    expect(state.isPlatformWide).toBe(false)
    const [audit] = await db.select().from(auditLog).where(eq(auditLog.action, 'emergency.stop'))
    expect(JSON.parse(audit!.detail!)).toMatchObject({ scope: 'products', reason: '上游数据异常' })

    expect((await resumeProducts(db, { productCode: USCC_PRODUCT, actor: bureau })).ok).toBe(true)
    expect((await getEmergencyState(db)).active.map((s) => s.productCode)).toEqual([VERIFY_PRODUCT])
    expect((await resumeProducts(db, { actor: bureau })).ok).toBe(true)
    expect((await getEmergencyState(db)).active).toEqual([])
    expect(await db.select().from(auditLog).where(eq(auditLog.action, 'emergency.resume'))).toHaveLength(2)
  })

  it('refuses what is not a stop, and changes nothing', async () => {
    const db = h.database.db
    const count = async () => (await db.select().from(emergencyStops)).length
    const refusals = [
      await stopProducts(db, { reason: '', actor: operator }),
      await stopProducts(db, { reason: 'x'.repeat(501), actor: operator }),
      await stopProducts(db, { productCodes: ['no-such-product'], reason: '理由充分的', actor: operator }),
      await stopProducts(db, {
        productCodes: Array.from({ length: 201 }, (_, i) => `p${i}`),
        reason: '理由充分的',
        actor: operator,
      }),
      await stopProducts(db, { reason: '理由充分的', actor: { id: null, label: 'p', role: 'partner_admin', partnerId: 'x' } }),
      await resumeProducts(db, { actor: operator }),
      await resumeProducts(db, { productCode: VERIFY_PRODUCT, actor: operator }),
    ]
    expect(refusals.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual([
      'validation_failed',
      'validation_failed',
      'product_not_found',
      'validation_failed',
      'forbidden',
      'not_stopped',
      'not_stopped',
    ])
    expect(await count()).toBe(0)
    // A product cannot be stopped twice, nor anything under a platform-wide stop; nor resumed alone out of one.
    expect((await stopProducts(db, { productCodes: [VERIFY_PRODUCT], reason: '第一次停止', actor: operator })).ok).toBe(true)
    const twice = await stopProducts(db, { productCodes: [VERIFY_PRODUCT], reason: '第二次停止', actor: operator })
    expect(twice.ok || twice.error.code).toBe('already_stopped')
    expect((await stopProducts(db, { reason: '全部停止', actor: operator })).ok).toBe(true)
    const underAll = await stopProducts(db, { productCodes: [USCC_PRODUCT], reason: '再停一个', actor: operator })
    expect(underAll.ok || underAll.error.code).toBe('already_stopped')
    const alone = await resumeProducts(db, { productCode: USCC_PRODUCT, actor: operator })
    expect(alone.ok || alone.error.code).toBe('stopped_platform_wide')
    expect(await count()).toBe(2)
  })
})
