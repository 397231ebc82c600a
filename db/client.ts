import { createClient, type Client } from '@libsql/client'
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql'
import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import * as schema from './schema/index.ts'
import { attachNativeStore, NativeStore } from './native.ts'

export type Db = LibSQLDatabase<typeof schema>

/** DATABASE_NATIVE=off: no native fast path (ADR 0011, 0040) even for an embedded file (ADR 0043). */
export function nativePathSwitchedOff(env: Record<string, string | undefined> = process.env): boolean {
  return env.DATABASE_NATIVE === 'off'
}

export interface Database {
  db: Db
  client: Client
  url: string
  close(): void
}

/**
 * Opens the platform database. For an embedded file it creates the folder and
 * sets WAL (readers never block the writer; a commit is in the WAL before the
 * call returns, so a killed process loses nothing that was acknowledged:
 * docs/decisions/0002-embedded-sqlite-wal-and-group-commit.md).
 *
 * Never use interactive transactions (`db.transaction`) on the embedded file:
 * the libsql client opens a second connection for them, which can deadlock the
 * single JS thread against the first. Use `db.batch([...])`: atomic and synchronous.
 */
export async function openDatabase(url: string, authToken?: string): Promise<Database> {
  if (url.startsWith('file:')) {
    const path = url.slice('file:'.length)
    if (path && path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true })
  }
  const client = createClient({ url, authToken })
  if (url.startsWith('file:')) {
    await client.execute('PRAGMA journal_mode = WAL')
    await client.execute('PRAGMA synchronous = NORMAL')
    await client.execute('PRAGMA busy_timeout = 5000')
    await client.execute('PRAGMA foreign_keys = ON')
    // A REPLACE that deletes a conflicting row fires the delete triggers only with this on: without it, INSERT OR
    // REPLACE would rewrite a log row past its retention triggers (ADR 0027).
    await client.execute('PRAGMA recursive_triggers = ON')
  }
  const db = drizzle(client, { schema })
  const filePath = url.startsWith('file:') ? url.slice('file:'.length) : null
  // DATABASE_NATIVE=off takes the path a `libsql://` URL takes (every query through @libsql/client) over the same
  // file: the test suite runs part of itself so (vitest project `client-path`), and it is a switch for diagnosis.
  const native = filePath && filePath !== ':memory:' && !nativePathSwitchedOff() ? new NativeStore(filePath) : undefined
  if (native) attachNativeStore(db, native)
  return {
    db,
    client,
    url,
    close: () => {
      native?.close()
      client.close()
    },
  }
}
