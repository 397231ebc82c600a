import { afterEach, describe, expect, it, vi } from 'vitest'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { eq } from 'drizzle-orm'
import { apiKeys, auditLog, cityEnterprises, partners, usageEvents } from '#db/schema/index.ts'
import { createGateway, type Gateway } from '#gateway/create-gateway.ts'
import { createApiKey } from '#partner-access/keys/create-api-key.ts'
import { createProductOperations } from '#gateway/products/index.ts'
import type { ProductOperation } from '#gateway/products/product-operation.ts'
import { cliActor } from '#platform/audit/record-audit.ts'
import { FAULT_PATHS } from '#test/support/fault-injection.ts'
import { demoApiKey } from '#test/support/gateway-server.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'
import { startSupervised, type Supervised } from '#test/support/supervised.ts'

const PATH = '/api/v1/verifications/enterprise'
/** How long a restarted worker may take to answer again: generous, the 2 s figure belongs to the bench. */
const ANSWER_AGAIN_MS = 30_000
const until = { timeout: ANSWER_AGAIN_MS, interval: 50 }

describe('npm start: the supervisor', () => {
  let t: TestDatabase | null = null
  let supervised: Supervised | null = null
  afterEach(async () => {
    if (supervised && supervised.child.exitCode === null && supervised.child.signalCode === null) {
      supervised.child.kill('SIGKILL') // its workers leave when their channel to it closes
      await supervised.exited
    }
    supervised = null
    t?.destroy()
    t = null
  })

  async function enterprise() {
    const [row] = await t!.db.select({ uscc: cityEnterprises.uscc, name: cityEnterprises.name }).from(cityEnterprises).limit(1)
    return JSON.stringify(row)
  }

  /** One metered call: its status and request id, or status 0 when the connection failed. */
  async function call(url: string, body: string, key = demoApiKey): Promise<{ status: number; requestId: string | null }> {
    try {
      const res = await fetch(url + PATH, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body,
      })
      await res.arrayBuffer()
      return { status: res.status, requestId: res.headers.get('x-request-id') }
    } catch {
      return { status: 0, requestId: null }
    }
  }

  /** Waits until the worker serving now (not `previousPid`) answers a metered call; returns its URL. */
  async function answersAgain(s: Supervised, previousPid: number, body: string): Promise<string> {
    return vi.waitFor(async () => {
      expect(s.servingPid()).not.toBe(previousPid)
      const url = s.url()
      expect((await call(url, body)).status).toBe(200)
      return url
    }, until)
  }

  /** Clients calling in a loop until stopped; every 2xx request id is kept. */
  function load(url: string, body: string, clients = 8) {
    const answered: string[] = []
    const statuses: number[] = []
    let stopped = false
    const loops = Array.from({ length: clients }, async () => {
      while (!stopped) {
        const r = await call(url, body)
        statuses.push(r.status)
        if (r.status === 200) answered.push(r.requestId!)
        if (r.status === 0) return // the worker is gone
      }
    })
    return {
      answered,
      statuses,
      async stop() {
        stopped = true
        await Promise.all(loops)
      },
    }
  }

  async function expectEachAnsweredCallMeteredOnce(answered: string[]) {
    const events = await t!.db.select({ requestId: usageEvents.requestId }).from(usageEvents)
    const recorded = new Set(events.map((e) => e.requestId))
    expect(answered.filter((id) => !recorded.has(id))).toEqual([])
    expect(recorded.size).toBe(events.length)
  }

  async function restartEntries() {
    const rows = await t!.db.select().from(auditLog).where(eq(auditLog.action, 'platform.restarted'))
    return rows.map((r) => ({ actor: r.actorLabel, role: r.role, detail: JSON.parse(r.detail ?? '{}') }))
  }

  it('after kill -9 of the serving worker it answers again, records the restart, and loses or doubles no event; SIGTERM stops it', async () => {
    t = await createTestDatabase()
    const body = await enterprise()
    const s = (supervised = startSupervised(t))
    const firstUrl = await answersAgain(s, NaN, body)
    const firstPid = s.servingPid()

    const calls = load(firstUrl, body)
    await vi.waitFor(() => expect(calls.answered.length).toBeGreaterThanOrEqual(50), until)
    process.kill(firstPid, 'SIGKILL')
    await calls.stop()

    await answersAgain(s, firstPid, body)
    expect(s.output()).toMatch(new RegExp(`worker ${firstPid} died \\(signal SIGKILL\\)`))
    expect(await restartEntries()).toEqual([
      {
        actor: 'supervisor',
        role: 'system',
        detail: expect.objectContaining({ previousPid: firstPid, signal: 'SIGKILL', code: null, restart: 1 }),
      },
    ])
    await expectEachAnsweredCallMeteredOnce(calls.answered)

    // A clean stop: the worker drains and flushes, the supervisor exits 0 and starts nothing more.
    s.child.kill('SIGTERM')
    expect(await s.exited).toEqual({ code: 0, signal: null })
    expect(s.output()).toContain('Stopped cleanly.')
    expect(await restartEntries()).toHaveLength(1)
  }, 120_000)

  it('an exception that escapes a request handler: in-flight calls are answered and metered, metering is flushed, the worker exits 1 and a fresh one serves', async () => {
    t = await createTestDatabase()
    const body = await enterprise()
    // A key of its own: its last-used time is written by the recorder's flush (else every 5 s), so it shows the flush.
    const [partner] = await t.db.select({ id: partners.id }).from(partners).where(eq(partners.code, 'shengjing-tech'))
    const created = await createApiKey(t.db, { partnerId: partner!.id, name: 'supervisor-test', actor: cliActor('test') })
    if (!created.ok) throw new Error(created.error.message)
    const s = (supervised = startSupervised(t))
    const url = await answersAgain(s, NaN, body)
    const pid = s.servingPid()

    const calls = load(url, body)
    await vi.waitFor(() => expect(calls.answered.length).toBeGreaterThanOrEqual(20), until)
    expect((await call(url, body, created.value.key)).status).toBe(200)
    const fault = await fetch(url + FAULT_PATHS.throw).then(
      (r) => r.status,
      () => 0,
    )
    expect(fault).toBe(0) // that request has no answer: its handler threw
    await calls.stop()

    await answersAgain(s, pid, body)
    expect(s.output()).toContain('Fatal uncaughtException: Error: injected fault: thrown inside a request handler')
    expect(s.output()).toContain('Metering flushed; exiting with 1.')
    expect(s.output()).toMatch(new RegExp(`worker ${pid} died \\(code 1\\)`))
    expect(calls.statuses.filter((status) => status >= 500)).toEqual([])
    await expectEachAnsweredCallMeteredOnce(calls.answered)
    const [key] = await t.db.select({ lastUsedAt: apiKeys.lastUsedAt }).from(apiKeys).where(eq(apiKeys.id, created.value.id))
    expect(key!.lastUsedAt).not.toBeNull()
    expect(await restartEntries()).toEqual([
      expect.objectContaining({ detail: expect.objectContaining({ previousPid: pid, code: 1, signal: null }) }),
    ])
  }, 120_000)

  it('an exception thrown from a timer outside any request ends the worker the same way, and it is restarted', async () => {
    t = await createTestDatabase()
    const body = await enterprise()
    const s = (supervised = startSupervised(t))
    const url = await answersAgain(s, NaN, body)
    const pid = s.servingPid()
    expect((await fetch(url + FAULT_PATHS.throwLater)).status).toBe(202)
    await answersAgain(s, pid, body)
    expect(s.output()).toContain('Fatal uncaughtException: Error: injected fault: thrown from a timer')
    expect(s.output()).toMatch(new RegExp(`worker ${pid} died \\(code 1\\)`))
  }, 120_000)

  it('a rejected promise nobody awaits is logged and the same worker keeps serving', async () => {
    t = await createTestDatabase()
    const body = await enterprise()
    const s = (supervised = startSupervised(t))
    const url = await answersAgain(s, NaN, body)
    const pid = s.servingPid()
    expect((await fetch(url + FAULT_PATHS.reject)).status).toBe(202)
    await vi.waitFor(() => expect(s.output()).toContain('Unhandled promise rejection (serving on)'), until)
    expect((await call(url, body)).status).toBe(200)
    expect(s.servingPid()).toBe(pid)
    expect(s.output()).not.toContain('died')
  }, 120_000)

  it('does not restart a worker that never came up (bad environment): it exits 1 naming the variable', async () => {
    t = await createTestDatabase()
    const s = (supervised = startSupervised(t, { PORT: 'not-a-port' }))
    expect(await s.exited).toEqual({ code: 1, signal: null })
    expect(s.output()).toContain('PORT')
    expect(s.output()).toContain('before it ever listened; not restarting')
  }, 120_000)
})

describe('a request whose handler throws', () => {
  let t: TestDatabase
  let gateway: Gateway
  let server: Server
  afterEach(async () => {
    server.closeAllConnections()
    await new Promise((r) => server.close(r))
    await gateway.close()
    t.destroy()
  })

  it('is answered 500 with the JSON error, synchronously or asynchronously thrown, and the next call is answered', async () => {
    t = await createTestDatabase()
    const throwing = (path: string, handle: ProductOperation['handle']): ProductOperation => ({
      operationId: `throws${path}`,
      method: 'POST',
      path: `/api/v1/test/${path}`,
      productCode: 'verify-enterprise-identity',
      readsBody: false,
      handle,
    })
    const errors: string[] = []
    gateway = createGateway({
      db: t.db,
      onError: (error) => errors.push((error as Error).message),
      operations: [
        ...createProductOperations(t.db),
        // A handler that throws before it returns its promise, and one whose promise rejects later.
        throwing('sync', () => {
          throw new Error('thrown synchronously')
        }),
        throwing('async', async () => {
          await new Promise((r) => setImmediate(r))
          throw new Error('thrown asynchronously')
        }),
      ],
    })
    server = createServer((req, res) => gateway.handle(req, res))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const post = (path: string, body = '{}') =>
      fetch(base + path, {
        method: 'POST',
        headers: { authorization: `Bearer ${demoApiKey}`, 'content-type': 'application/json' },
        body,
      })
    const [row] = await t.db.select({ uscc: cityEnterprises.uscc, name: cityEnterprises.name }).from(cityEnterprises).limit(1)

    for (const path of ['/api/v1/test/sync', '/api/v1/test/async']) {
      const res = await post(path)
      expect(res.status).toBe(500)
      const json = (await res.json()) as { error: { code: string; requestId: string } }
      expect(json.error.requestId).toBe(res.headers.get('x-request-id'))
      expect((await post(PATH, JSON.stringify(row))).status).toBe(200)
    }
    expect(errors).toEqual(['thrown synchronously', 'thrown asynchronously'])
  })
})
