import { randomBytes, randomInt, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto'
import { isCommonPassword } from './common-passwords.ts'
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_CLASSES, MIN_PASSWORD_LENGTH } from './policy.ts'

// scrypt from Node's crypto: no native addon to compile, memory-hard, and the
// parameters travel with the hash so they can be raised later without a migration.
const PARAMS = { N: 16384, r: 8, p: 1, keylen: 32 }

function scryptAsync(password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))))
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16)
  const { N, r, p, keylen } = PARAMS
  const key = await scryptAsync(password, salt, keylen, { N, r, p })
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${key.toString('base64')}`
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, saltB64, keyB64] = stored.split('$')
  if (scheme !== 'scrypt' || !n || !r || !p || !saltB64 || !keyB64) return false
  const expected = Buffer.from(keyB64, 'base64')
  const actual = await scryptAsync(password, Buffer.from(saltB64, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  })
  return actual.length === expected.length && timingSafeEqual(actual, expected)
}

export type PasswordProblem =
  'password_too_short' | 'password_too_long' | 'password_too_simple' | 'password_contains_username' | 'password_common'

/**
 * Password rules after GB/T 22239-2019 level 3 (Art. 10): at least 12 characters from at least three of the four
 * classes (upper case, lower case, digits, symbols), not the username (nor containing it), not a common password
 * (common-passwords.txt, also decorated: common-passwords.ts). The first rule broken, or null.
 */
export function checkPasswordPolicy(password: string, opts: { username?: string } = {}): PasswordProblem | null {
  if (password.length < MIN_PASSWORD_LENGTH) return 'password_too_short'
  if (password.length > MAX_PASSWORD_LENGTH) return 'password_too_long'
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length
  if (classes < MIN_PASSWORD_CLASSES) return 'password_too_simple'
  const username = opts.username?.trim().toLowerCase()
  if (username && username.length >= 3 && password.toLowerCase().includes(username)) return 'password_contains_username'
  if (isCommonPassword(password)) return 'password_common'
  return null
}

// Verified against when the username is unknown, so timing does not reveal which usernames exist.
export const DUMMY_PASSWORD_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='

/** A random password meeting the rules (16 characters, every class): an initial password for the CLI to hand out. */
export function generatePassword(length = 16): string {
  const classes = ['abcdefghijkmnpqrstuvwxyz', 'ABCDEFGHJKLMNPQRSTUVWXYZ', '23456789', '!@#%*-_+=']
  const all = classes.join('')
  const chars = classes.map((set) => set[randomInt(set.length)]!)
  while (chars.length < length) chars.push(all[randomInt(all.length)]!)
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1)
    ;[chars[i], chars[j]] = [chars[j]!, chars[i]!]
  }
  return chars.join('')
}
