import Database from 'libsql'
import type { Db } from './client.ts'

type Statement = Database.Statement<unknown[]>

/**
 * A second, native connection to the embedded database file for the gateway's hot statements (the usage-event
 * insert, the verification lookup). `@libsql/client` re-prepares every statement on every call and wraps each in
 * promises; here the statements are prepared once and run synchronously (docs/decisions/0011-native-hot-path.md).
 * Only for `file:` URLs; with a libsql server every query takes the client path.
 */
export class NativeStore {
  readonly #db: Database.Database
  readonly #statements = new Map<string, Statement>()
  #begin: Statement | undefined
  #commit: Statement | undefined
  #rollback: Statement | undefined

  /** The database file: a worker thread that reads much (model training, ADR 0044) opens its own connection to it. */
  readonly path: string

  constructor(path: string) {
    this.path = path
    this.#db = new Database(path)
    this.#db.exec('PRAGMA journal_mode = WAL')
    this.#db.exec('PRAGMA synchronous = NORMAL')
    this.#db.exec('PRAGMA busy_timeout = 5000')
  }

  /** A prepared statement, cached by its SQL text. */
  statement(sql: string): Statement {
    let stmt = this.#statements.get(sql)
    if (!stmt) {
      stmt = this.#db.prepare(sql)
      this.#statements.set(sql, stmt)
    }
    return stmt
  }

  /**
   * Runs `fn` inside one write transaction, synchronously: nothing else in this process can interleave, so the
   * transaction never stays open across an await (the deadlock ADR 0002 warns about cannot happen).
   */
  transaction<T>(fn: () => T): T {
    // BEGIN/COMMIT prepared once: libsql's own `transaction()` builds its wrappers anew and parses BEGIN and COMMIT
    // again on every call (ADR 0040).
    const begin = (this.#begin ??= this.#db.prepare('BEGIN'))
    const commit = (this.#commit ??= this.#db.prepare('COMMIT'))
    begin.run()
    try {
      const result = fn()
      commit.run()
      return result
    } catch (error) {
      if (this.#db.inTransaction) (this.#rollback ??= this.#db.prepare('ROLLBACK')).run()
      throw error
    }
  }

  close(): void {
    this.#db.close()
  }
}

const natives = new WeakMap<Db, NativeStore>()

export function attachNativeStore(db: Db, native: NativeStore): void {
  natives.set(db, native)
}

/** The native store of this database handle, or undefined (libsql server URL, or a handle without one). */
export function nativeStoreOf(db: Db): NativeStore | undefined {
  return natives.get(db)
}
