import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { eq } from 'drizzle-orm'
import { apiKeys, authorizations, cityEnterprises, datasets, partners } from '#db/schema/index.ts'
import { createApiKey } from '#gateway/keys/create-api-key.ts'
import { revokeApiKey } from '#gateway/keys/revoke-api-key.ts'
import { suspendProduct } from '#gateway/suspensions/suspend-product.ts'
import { resumeProduct } from '#gateway/suspensions/resume-product.ts'
import { suspendPartner } from '#gateway/suspensions/suspend-partner.ts'
import { resumePartner } from '#gateway/suspensions/resume-partner.ts'
import { systemActor, type Actor } from '#platform/audit/record-audit.ts'
import { demoApiKey } from '#test/support/gateway-server.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'

// The real gateway alone on node:http in its own process (the bench's target): `{type:'ready', port}` once listening.
const TARGET = fileURLToPath(new URL('../../bench/gateway-target.ts', import.meta.url))
const PATH = '/api/v1/verifications/enterprise'
const bureau: Actor = { id: null, label: 'bureau', role: 'bureau' }
const PROMISE_MS = 1000

interface Child {
  process: ChildProcess
  url: string
}

function startChild(dbUrl: string): Promise<Child> {
  return new Promise((resolve, reject) => {
    const child = fork(TARGET, [dbUrl], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
    child.once('exit', (code) => reject(new Error(`gateway process exited with ${code}`)))
    child.on('message', (m: { type: string; port?: number }) => {
      if (m.type === 'ready') resolve({ process: child, url: `http://127.0.0.1:${m.port}` })
    })
  })
}

function stopChild(child: Child): Promise<void> {
  return new Promise((resolve) => {
    if (child.process.exitCode !== null) return resolve()
    child.process.removeAllListeners('exit')
    child.process.once('exit', () => resolve())
    child.process.send({ type: 'stop' })
  })
}

describe('a change made in one process is seen by two other gateway processes within 1 second', () => {
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

  async function call(child: Child, key: string): Promise<{ status: number; code: string | null }> {
    const res = await fetch(child.url + PATH, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body,
    })
    const json = (await res.json()) as { error?: { code: string } }
    return { status: res.status, code: json.error?.code ?? null }
  }

  /**
   * Both processes answer 200 (their caches are warm); `change` runs here, in a
   * third process's connection; then each process is polled until it answers
   * `code`. Returns the milliseconds each took, and checks it stays refused.
   */
  async function timeToRefusal(key: string, change: () => Promise<unknown>, code: string): Promise<number[]> {
    for (const child of children) expect(await call(child, key)).toEqual({ status: 200, code: null })
    await change()
    const changedAt = performance.now()
    const latencies = await Promise.all(
      children.map(async (child) => {
        for (;;) {
          // Measured to when the request was sent: a request sent 1 s after the change must see it.
          const sentAfter = performance.now() - changedAt
          const answer = await call(child, key)
          const elapsed = performance.now() - changedAt
          if (answer.code === code) return sentAfter
          expect(answer.status, `still answering after ${Math.round(elapsed)} ms`).toBe(200)
          if (elapsed > 3 * PROMISE_MS) throw new Error(`not refused after ${Math.round(elapsed)} ms`)
          await new Promise((r) => setTimeout(r, 20))
        }
      }),
    )
    for (const child of children) expect((await call(child, key)).code).toBe(code)
    return latencies
  }

  it('revocation: key_revoked in both processes within 1 s', async () => {
    const partnerId = (await t.db.select({ id: partners.id }).from(partners).where(eq(partners.code, 'shengjing-tech')))[0]!.id
    const created = await createApiKey(t.db, { partnerId, name: 'two-process', actor: systemActor('cli') })
    if (!created.ok) throw new Error(created.error.message)
    const latencies = await timeToRefusal(
      created.value.key,
      () => revokeApiKey(t.db, { keyId: created.value.id, partnerId: null, actor: systemActor('cli') }),
      'key_revoked',
    )
    for (const ms of latencies) expect(ms).toBeLessThan(PROMISE_MS)
    const [row] = await t.db.select({ revokedAt: apiKeys.revokedAt }).from(apiKeys).where(eq(apiKeys.id, created.value.id))
    expect(row!.revokedAt).not.toBeNull()
  })

  it('product suspension: product_suspended in both processes within 1 s, and answering again after resuming', async () => {
    const latencies = await timeToRefusal(
      demoApiKey,
      () => suspendProduct(t.db, { productCode: 'verify-enterprise-identity', reason: '监督检查', actor: bureau }),
      'product_suspended',
    )
    for (const ms of latencies) expect(ms).toBeLessThan(PROMISE_MS)
    await resumeProduct(t.db, { productCode: 'verify-enterprise-identity', actor: bureau })
    await new Promise((r) => setTimeout(r, PROMISE_MS))
    for (const child of children) expect((await call(child, demoApiKey)).status).toBe(200)
  })

  it('partner suspension: partner_suspended in both processes within 1 s', async () => {
    const latencies = await timeToRefusal(
      demoApiKey,
      () => suspendPartner(t.db, { partnerCode: 'shengjing-tech', reason: '监督检查', actor: bureau }),
      'partner_suspended',
    )
    for (const ms of latencies) expect(ms).toBeLessThan(PROMISE_MS)
    await resumePartner(t.db, { partnerCode: 'shengjing-tech', actor: bureau })
    await new Promise((r) => setTimeout(r, PROMISE_MS))
  })

  it('authorization end: authorization_ended in both processes within 1 s', async () => {
    const [dataset] = await t.db.select({ id: datasets.id }).from(datasets).where(eq(datasets.code, 'DS-SCJG-0001'))
    const latencies = await timeToRefusal(
      demoApiKey,
      // The catalog's termination, done from another process: state and end time change.
      () =>
        t.db
          .update(authorizations)
          .set({ state: 'terminated', endsAt: Date.now(), endedAt: Date.now(), endedReason: 'test' })
          .where(eq(authorizations.datasetId, dataset!.id)),
      'authorization_ended',
    )
    for (const ms of latencies) expect(ms).toBeLessThan(PROMISE_MS)
  })
})
