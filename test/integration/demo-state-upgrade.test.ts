import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { checkPasswordPolicy } from '#platform/identity/password.ts'
import { DEMO_STATE_FILE, loadOrCreateDemoState } from '#seed/demo-state.ts'
import { DEMO_USERS } from '#seed/platform-fixtures.ts'

// An install created by an earlier version has no password for a demo account added since (the auditor): its next
// start must give it one — the same in every worker — instead of failing to seed the account.
describe('demo state: accounts added after the install was created', () => {
  const dirs: string[] = []
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })))

  function olderInstall(): { dir: string; missing: string } {
    const dir = mkdtempSync(join(tmpdir(), 'demo-state-'))
    dirs.push(dir)
    const { state } = loadOrCreateDemoState(dir)
    const missing = DEMO_USERS[DEMO_USERS.length - 1]!.username
    delete state.credentials.passwords[missing]
    writeFileSync(join(dir, DEMO_STATE_FILE), JSON.stringify(state), { mode: 0o600 })
    return { dir, missing }
  }

  it('derives the missing password once, keeps it, and reports it as added', () => {
    const { dir, missing } = olderInstall()
    const first = loadOrCreateDemoState(dir)
    expect(first.created).toBe(false)
    expect(first.addedUsers).toEqual([missing])
    const password = first.state.credentials.passwords[missing]!
    expect(checkPasswordPolicy(password, { username: missing })).toBeNull()
    // Kept, private, and not reported again.
    const again = loadOrCreateDemoState(dir)
    expect(again.addedUsers).toEqual([])
    expect(again.state.credentials.passwords[missing]).toBe(password)
    expect(statSync(join(dir, DEMO_STATE_FILE)).mode & 0o777).toBe(0o600)
    expect(JSON.parse(readFileSync(join(dir, DEMO_STATE_FILE), 'utf8')).credentials.passwords[missing]).toBe(password)
  })

  it('two workers reading the same older install at once agree on the password', () => {
    const { dir, missing } = olderInstall()
    const before = readFileSync(join(dir, DEMO_STATE_FILE), 'utf8')
    const a = loadOrCreateDemoState(dir)
    writeFileSync(join(dir, DEMO_STATE_FILE), before, { mode: 0o600 }) // the other worker read the old file too
    const b = loadOrCreateDemoState(dir)
    expect(b.state.credentials.passwords[missing]).toBe(a.state.credentials.passwords[missing])
  })

  it('another install derives another password', () => {
    const one = olderInstall()
    const two = olderInstall()
    const p1 = loadOrCreateDemoState(one.dir).state.credentials.passwords[one.missing]
    const p2 = loadOrCreateDemoState(two.dir).state.credentials.passwords[two.missing]
    expect(p1).not.toBe(p2)
  })
})
