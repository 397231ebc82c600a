import { integer, text } from 'drizzle-orm/sqlite-core'
import { randomUUID } from 'node:crypto'

// Shared column helpers. Time is stored as epoch milliseconds (integer) so that
// ordering and range queries are cheap and unambiguous across time zones.
export const id = () =>
  text('id')
    .primaryKey()
    .$defaultFn(() => randomUUID())
export const createdAt = () =>
  integer('created_at', { mode: 'number' })
    .notNull()
    .$defaultFn(() => Date.now())
export const timestamp = (name: string) => integer(name, { mode: 'number' })
/** Money in integer fen (分). Never floats: see docs/decisions/0003-money-in-fen.md. */
export const fen = (name: string) => integer(name, { mode: 'number' })
/** Unit prices and other exact decimals as text, computed with decimal.js. */
export const decimalText = (name: string) => text(name)
