import { readFileSync } from 'node:fs'

let list: ReadonlySet<string> | undefined

/** The shipped list (common-passwords.txt, ~10,000 entries), read once. */
function commonPasswords(): ReadonlySet<string> {
  list ??= new Set(
    readFileSync(new URL('./common-passwords.txt', import.meta.url), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#')),
  )
  return list
}

const LEET: Record<string, string> = { '@': 'a', '4': 'a', '0': 'o', '1': 'i', '!': 'i', '3': 'e', $: 's', '5': 's', '7': 't' }
const deLeet = (text: string) => text.replace(/[@40!1$357]/g, (c) => LEET[c] ?? c)

/**
 * True when the password is a common one, also once decorated as the class rules invite: capitalised, digits or
 * symbols added before or after (`Password@2026`, `!Qwerty123456`), or letters written as digits (`P@ssw0rd`).
 */
export function isCommonPassword(password: string): boolean {
  const set = commonPasswords()
  const lower = password.toLowerCase()
  const core = lower.replace(/^[^a-z]+/, '').replace(/[^a-z]+$/, '')
  const candidates = [
    lower,
    deLeet(lower),
    core,
    deLeet(lower)
      .replace(/^[^a-z]+/, '')
      .replace(/[^a-z]+$/, ''),
  ]
  return candidates.some((c) => c.length >= 4 && set.has(c))
}
