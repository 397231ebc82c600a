import { describe, expect, it, vi } from 'vitest'
import { spawn, type ChildProcess } from 'node:child_process'
import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { count } from 'drizzle-orm'
import { openDatabase } from '#db/client.ts'
import { cityEnterprises, usageEvents } from '#db/schema/index.ts'
import { demoApiKey } from '#test/support/gateway-server.ts'

// These start the real `server.ts` as `npm start` does (after `remix build`).
function startServer(env: Record<string, string>): {
  child: ChildProcess
  output: () => string
  listening: Promise<string>
  exited: Promise<number | null>
} {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], {
    env: { ...process.env, NODE_ENV: 'production', SEED_SCALE: 'small', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  const listening = new Promise<string>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString()
      const m = out.match(/listening on (http:\/\/\S+) /)
      if (m) resolve(m[1]!)
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)))
  })
  listening.catch(() => undefined) // a test that expects the exit awaits it instead
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
  return { child, output: () => out, listening, exited }
}

describe('server process', () => {
  it('stops with a message naming a bad environment variable', async () => {
    const { exited, output } = startServer({ PORT: 'not-a-port', DATABASE_URL: 'file:/nonexistent/x.db' })
    expect(await exited).toBe(1)
    expect(output()).toContain('PORT')
  })

  it('prints the demo accounts and key, and on SIGTERM finishes in-flight calls, flushes metering and exits 0', async () => {
    const path = join(tmpdir(), `sdp-lifecycle-${process.pid}.db`)
    try {
      const { child, output, listening, exited } = startServer({ DATABASE_URL: `file:${path}` })
      const url = await listening
      // The demo banner is printed just after the listening line: wait for its last part.
      await vi.waitFor(() => expect(output()).toContain(demoApiKey), { timeout: 10_000, interval: 20 })
      expect(output()).toContain('partner.admin')

      const db = await openDatabase(`file:${path}`)
      const [enterprise] = await db.db
        .select({ uscc: cityEnterprises.uscc, name: cityEnterprises.name })
        .from(cityEnterprises)
        .limit(1)
      const fire = () =>
        fetch(`${url}/api/v1/verifications/enterprise`, {
          method: 'POST',
          headers: { authorization: `Bearer ${demoApiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify(enterprise),
        }).then(
          (r) => r.status,
          () => 0,
        )
      expect(await fire()).toBe(200)
      // Signal as soon as the burst's first answer arrives, while the rest are in flight.
      let signalled = false
      const burst = Array.from({ length: 200 }, () =>
        fire().then((status) => {
          if (!signalled) {
            signalled = true
            child.kill('SIGTERM')
          }
          return status
        }),
      )
      const statuses = [200, ...(await Promise.all(burst))]
      expect(await exited).toBe(0)
      expect(output()).toContain('Stopped cleanly')
      const answered = statuses.filter((s) => s === 200).length
      expect(answered).toBeGreaterThan(0)
      const [{ n } = { n: -1 }] = await db.db.select({ n: count() }).from(usageEvents)
      expect(n).toBe(answered)
      db.close()
    } finally {
      for (const s of ['', '-wal', '-shm']) rmSync(path + s, { force: true })
    }
  })
})

describe('durable metering across a crash', () => {
  it('after kill -9 mid-load, every answered call has its usage event, and none is written twice', async () => {
    const path = join(tmpdir(), `sdp-crash-${process.pid}.db`)
    try {
      const { child, listening, exited } = startServer({ DATABASE_URL: `file:${path}`, DEMO_MODE: 'true' })
      const url = await listening
      const db = await openDatabase(`file:${path}`)
      const [enterprise] = await db.db
        .select({ uscc: cityEnterprises.uscc, name: cityEnterprises.name })
        .from(cityEnterprises)
        .limit(1)
      const answered: string[] = []
      let stop = false
      const worker = async () => {
        while (!stop) {
          try {
            const res = await fetch(`${url}/api/v1/verifications/enterprise`, {
              method: 'POST',
              headers: { authorization: `Bearer ${demoApiKey}`, 'content-type': 'application/json' },
              body: JSON.stringify(enterprise),
            })
            if (res.status === 200) answered.push(res.headers.get('x-request-id')!)
            await res.arrayBuffer()
          } catch {
            return // the server is gone
          }
        }
      }
      const workers = Array.from({ length: 20 }, worker)
      // Killed mid-load once a good number of calls were answered, however long a loaded machine takes to get there.
      await vi.waitFor(() => expect(answered.length).toBeGreaterThan(50), { timeout: 20_000, interval: 10 })
      child.kill('SIGKILL')
      stop = true
      await Promise.all(workers)
      await exited
      expect(answered.length).toBeGreaterThan(50)
      const events = await db.db.select({ id: usageEvents.id, requestId: usageEvents.requestId }).from(usageEvents)
      const recorded = new Set(events.map((e) => e.requestId))
      expect(answered.filter((id) => !recorded.has(id))).toEqual([])
      expect(recorded.size).toBe(events.length)
      db.close()
    } finally {
      for (const s of ['', '-wal', '-shm']) rmSync(path + s, { force: true })
    }
  })
})
