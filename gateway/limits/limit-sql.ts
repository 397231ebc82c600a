import type { Client } from '@libsql/client'
import type { Db } from '#db/client.ts'
import { nativeStoreOf } from '#db/native.ts'

export type LimitRow = Record<string, unknown>

/**
 * How the shared limits (ADR 0043) run their few statements: on the native connection of an embedded file,
 * prepared once and synchronous (a draw costs no await on the hot path); through @libsql/client otherwise (a
 * `libsql://` server, or DATABASE_NATIVE=off), where every statement is its own atomic round trip. Each statement the
 * limits send is atomic on its own, so neither path needs an interactive transaction.
 */
export interface LimitSql {
  /** The rows of a SELECT or of a statement with RETURNING. */
  all(sql: string, args: unknown[]): LimitRow[] | Promise<LimitRow[]>
  /** Runs a statement; its count of changed rows. */
  run(sql: string, args: unknown[]): number | Promise<number>
}

export function limitSqlOf(db: Db): LimitSql {
  const native = nativeStoreOf(db)
  if (native)
    return {
      all: (sql, args) => native.statement(sql).all(args) as LimitRow[],
      run: (sql, args) => native.statement(sql).run(args).changes,
    }
  // drizzle keeps the client it was made with as `$client` (not in the Db type this project names).
  const client = (db as unknown as { $client: Client }).$client
  return {
    all: async (sql, args) => (await client.execute({ sql, args: args as never })).rows as unknown as LimitRow[],
    run: async (sql, args) => (await client.execute({ sql, args: args as never })).rowsAffected,
  }
}

/** Runs `then` on a value that is there at once (native) or later (client), without an extra tick when it is there. */
export function whenReady<T, R>(value: T | Promise<T>, then: (value: T) => R | Promise<R>): R | Promise<R> {
  return value instanceof Promise ? value.then(then) : then(value)
}
