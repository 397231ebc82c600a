import { spawn, type ChildProcess } from 'node:child_process'
import type { TestDatabase } from './test-database.ts'

/**
 * `npm start`'s supervisor (server/supervisor.ts) over a private database copy, with the test-only faults loaded
 * (test/support/fault-injection.ts). Its output is kept to follow which worker serves where.
 */
export interface Supervised {
  child: ChildProcess
  output: () => string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** Pid of the worker named last as serving, and the URL printed last. */
  servingPid: () => number
  /** Pids of every worker named as serving, in order. */
  servingPids: () => number[]
  url: () => string
}

export function startSupervised(t: TestDatabase, env: Record<string, string> = {}): Supervised {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--import', './test/support/fault-injection.ts', 'server/supervisor.ts'],
    {
      env: {
        ...process.env,
        NODE_ENV: 'production',
        DEMO_MODE: 'false',
        SESSION_SECRET: 'supervisor-test-session-secret-0123456789',
        SUBJECT_HASH_KEY: 'supervisor-test-subject-hash-key-0123456789',
        // Outside demo mode production needs a data key of its own (the base database's values stay unread here).
        DATA_ENCRYPTION_KEY: `supervisor-test:${'5e'.repeat(32)}`,
        HOST: '127.0.0.1',
        PORT: '0',
        DATABASE_URL: `file:${t.path}`,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let out = ''
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.once('exit', (code, signal) => r({ code, signal })),
  )
  const all = (pattern: RegExp) => [...out.matchAll(pattern)].map((m) => m[1]!)
  return {
    child,
    output: () => out,
    exited,
    servingPid: () => Number(all(/\[supervisor\] worker (\d+) serves/g).at(-1) ?? NaN),
    servingPids: () => all(/\[supervisor\] worker (\d+) serves/g).map(Number),
    url: () => all(/listening on (http:\/\/\S+) /g).at(-1) ?? '',
  }
}
