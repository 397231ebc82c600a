import { createHmac, randomBytes, randomInt } from 'node:crypto'
import { generateApiKey } from '#platform/api-keys/api-key-format.ts'
import { DEMO_USERS } from './platform-fixtures.ts'

/**
 * What a demo install signs in and calls with: a password per demo account and the demo API key. Random per install
 * (never one key and one shared password for every install), generated at the first start and kept in
 * the data directory (seed/demo-state.ts), never in the code.
 */
export interface DemoCredentials {
  /** username → password */
  passwords: Record<string, string>
  /** The demo partner's API key (shown once, like any key; only its hash goes to the database). */
  apiKey: string
}

const LOWER = 'abcdefghijkmnpqrstuvwxyz'
const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ'
const DIGITS = '23456789'
const SYMBOLS = '!@#%*-_+='

/** 16 characters with every class present: meets the password rules (≥ 12, ≥ 3 of 4 classes) with margin. */
export function generateDemoPassword(): string {
  const all = LOWER + UPPER + DIGITS + SYMBOLS
  const pick = (set: string) => set[randomInt(set.length)]!
  const chars = [pick(LOWER), pick(UPPER), pick(DIGITS), pick(SYMBOLS)]
  while (chars.length < 16) chars.push(pick(all))
  // Fisher–Yates, so the class characters are not always first.
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1)
    ;[chars[i], chars[j]] = [chars[j]!, chars[i]!]
  }
  return chars.join('')
}

/**
 * A password for a demo account added after the install was created (a new role in a later version), derived from
 * the install's own secret: every process of the install derives the same one without coordinating, and it meets
 * the password rules like a generated one. Nothing outside the install can derive it.
 */
export function deriveDemoPassword(installSecret: string, username: string): string {
  const bytes = createHmac('sha256', installSecret).update(`demo-password:${username}`).digest()
  const pick = (set: string, i: number) => set[bytes[i]! % set.length]!
  const all = LOWER + UPPER + DIGITS + SYMBOLS
  const chars = [pick(LOWER, 0), pick(UPPER, 1), pick(DIGITS, 2), pick(SYMBOLS, 3)]
  for (let i = 4; chars.length < 16; i++) chars.push(pick(all, i))
  return chars.join('')
}

export function generateDemoCredentials(): DemoCredentials {
  return {
    passwords: Object.fromEntries(DEMO_USERS.map((u) => [u.username, generateDemoPassword()])),
    apiKey: generateApiKey().key,
  }
}

/** A random secret for an environment variable (hex, `bytes` random bytes). */
export function generateSecret(bytes = 32): string {
  return randomBytes(bytes).toString('hex')
}
