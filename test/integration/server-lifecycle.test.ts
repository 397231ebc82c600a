import { describe, expect, it, vi } from 'vitest'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase } from '#db/client.ts'
import { cityEnterprises, usageEvents } from '#db/schema/index.ts'
import { DEMO_STATE_FILE } from '#seed/demo-state.ts'

/** A private data directory per install: the demo state file lives beside the database. */
const freshInstall = () => {
  const dir = mkdtempSync(join(tmpdir(), 'sdp-install-'))
  return { dir, path: join(dir, 'platform.db'), remove: () => rmSync(dir, { recursive: true, force: true }) }
}

/** The demo API key a first start printed. */
const printedKey = (output: string) => /Demo API key \(partner shengjing-tech\): (sdp_\S+)/.exec(output)?.[1]

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

// Each test spawns a whole server (and seeds a demo city): generous waits, so a loaded 2-core machine passes too.
describe('server process', { timeout: 150_000 }, () => {
  it('stops with a message naming a bad environment variable', async () => {
    const { exited, output } = startServer({ PORT: 'not-a-port', DATABASE_URL: 'file:/nonexistent/x.db' })
    expect(await exited).toBe(1)
    expect(output()).toContain('PORT')
  })

  it('refuses to start with demo mode off while secrets are missing, naming each', async () => {
    const install = freshInstall()
    try {
      const { exited, output } = startServer({
        DATABASE_URL: `file:${install.path}`,
        DEMO_MODE: 'false',
        SESSION_SECRET: '',
        SUBJECT_HASH_KEY: 'x'.repeat(20),
      })
      expect(await exited).toBe(1)
      expect(output()).toMatch(/SESSION_SECRET: is the development default/)
      expect(output()).toMatch(/SUBJECT_HASH_KEY: too short/)
    } finally {
      install.remove()
    }
  })

  it('gives each demo install its own random passwords and API key, printed at the first start only, kept 0600', async () => {
    const installs = [freshInstall(), freshInstall()]
    try {
      const outputs: string[] = []
      for (const install of installs) {
        const { child, output, listening, exited } = startServer({ DATABASE_URL: `file:${install.path}` })
        await listening
        await vi.waitFor(() => expect(printedKey(output())).toBeDefined(), { timeout: 60_000, interval: 20 })
        child.kill('SIGTERM')
        expect(await exited).toBe(0)
        outputs.push(output())
        expect(statSync(join(install.dir, DEMO_STATE_FILE)).mode & 0o777).toBe(0o600)
      }
      const [first, second] = outputs.map((o) => ({ key: printedKey(o)!, operator: /operator\s+operator\s+(\S+)/.exec(o)?.[1] }))
      expect(first!.key).not.toBe(second!.key)
      expect(first!.operator).toBeDefined()
      expect(first!.operator).not.toBe(second!.operator)

      // The second start of the same install prints where the secrets are, not the secrets.
      const again = startServer({ DATABASE_URL: `file:${installs[0]!.path}` })
      const url = await again.listening
      await vi.waitFor(() => expect(again.output()).toContain(DEMO_STATE_FILE), { timeout: 60_000, interval: 20 })
      expect(again.output()).not.toContain(first!.key)
      expect(again.output()).not.toContain(first!.operator!)
      // …and the install still answers its own key.
      const answer = await fetch(`${url}/api/v1/tools/uscc-validate`, {
        method: 'POST',
        headers: { authorization: `Bearer ${first!.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ uscc: '91210102MA0QW8R76J' }),
      })
      expect(answer.status).toBe(200)
      again.child.kill('SIGTERM')
      expect(await again.exited).toBe(0)
    } finally {
      for (const install of installs) install.remove()
    }
  })

  it('prints the demo accounts and key, and on SIGTERM finishes in-flight calls, flushes metering and exits 0', async () => {
    const install = freshInstall()
    const path = install.path
    try {
      const { child, output, listening, exited } = startServer({ DATABASE_URL: `file:${path}` })
      const url = await listening
      // The demo banner is printed just after the listening line: wait for its last part.
      await vi.waitFor(() => expect(printedKey(output())).toBeDefined(), { timeout: 60_000, interval: 20 })
      const demoApiKey = printedKey(output())!
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
      // The demo's first start wrote a year of history (ADR 0042): count only the events after it.
      const before = Number((await db.client.execute('SELECT coalesce(max(rowid), 0) AS m FROM usage_events')).rows[0]!.m)
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
      const n = Number(
        (await db.client.execute({ sql: 'SELECT count(*) AS n FROM usage_events WHERE rowid > ?', args: [before] })).rows[0]!.n,
      )
      expect(n).toBe(answered)
      db.close()
    } finally {
      install.remove()
    }
  })
})

describe('durable metering across a crash', { timeout: 150_000 }, () => {
  it('after kill -9 mid-load, every answered call has its usage event, and none is written twice', async () => {
    const install = freshInstall()
    const path = install.path
    try {
      const { child, listening, exited, output } = startServer({ DATABASE_URL: `file:${path}`, DEMO_MODE: 'true' })
      const url = await listening
      await vi.waitFor(() => expect(printedKey(output())).toBeDefined(), { timeout: 60_000, interval: 20 })
      const demoApiKey = printedKey(output())!
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
      await vi.waitFor(() => expect(answered.length).toBeGreaterThan(50), { timeout: 60_000, interval: 10 })
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
      install.remove()
    }
  })
})
