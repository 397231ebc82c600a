import { randomFillSync } from 'node:crypto'

/**
 * Time-ordered ids for the hot path (ADR 0040). Each id starts with its millisecond and ends with 80 random bits, so
 * ids made later sort after earlier ones: a new row goes to the right edge of the B-tree that indexes it (the usage
 * events' primary key, their request-id index) instead of a random page, which keeps the pages each group commit
 * writes to the WAL few and hot. The random part comes from a pool filled 4 KiB at a time (one system call per ~400
 * ids, not one per id).
 */

/** Crockford's base32 (ULID's alphabet): its characters are in ASCII order, so the text sorts as the number does. */
const BASE32 = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
const HEX = '0123456789abcdef'

const POOL_BYTES = 4096
const RANDOM_BYTES = 10
const pool = Buffer.allocUnsafe(POOL_BYTES)
let poolAt = POOL_BYTES

/** Offset in `pool` of 10 fresh random bytes. */
function takeRandom(): number {
  if (poolAt + RANDOM_BYTES > POOL_BYTES) {
    randomFillSync(pool)
    poolAt = 0
  }
  const at = poolAt
  poolAt += RANDOM_BYTES
  return at
}

/**
 * A ULID (https://github.com/ulid/spec): 26 characters, 48 bits of milliseconds then 80 random bits, Crockford base32.
 * The usage event's id (and so Lago's transaction id): 26 bytes where a UUID takes 36.
 */
export function newEventId(now: number): string {
  let id = ''
  let time = now
  for (let i = 9; i >= 0; i--) {
    id = BASE32[time % 32]! + id
    time = Math.floor(time / 32)
  }
  const at = takeRandom()
  // 80 bits as two 40-bit halves (exact in a double), 8 characters each.
  for (const start of [at, at + 5]) {
    let half = 0
    for (let i = 0; i < 5; i++) half = half * 256 + pool[start + i]!
    let chunk = ''
    for (let i = 0; i < 8; i++) {
      chunk = BASE32[half % 32]! + chunk
      half = Math.floor(half / 32)
    }
    id += chunk
  }
  return id
}

/**
 * A request id, `req_` + 32 lowercase hex digits as before (clients and tests rely on that form): the first 12 are the
 * millisecond, the other 20 random (80 bits).
 */
export function newRequestId(now: number): string {
  let time = ''
  let t = now
  for (let i = 0; i < 12; i++) {
    time = HEX[t % 16]! + time
    t = Math.floor(t / 16)
  }
  const at = takeRandom()
  return `req_${time}${pool.toString('hex', at, at + RANDOM_BYTES)}`
}

/** The millisecond a ULID was made at. */
export function timeOfEventId(id: string): number {
  let time = 0
  for (let i = 0; i < 10; i++) time = time * 32 + BASE32.indexOf(id[i]!)
  return time
}
