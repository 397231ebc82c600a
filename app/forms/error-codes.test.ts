import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { messages } from '#app/i18n/messages.ts'
import { ERROR_AREAS, errorMessage } from './error-message.ts'

// Every error code a domain operation can return is written `fail('<kind>', '<code>', ...)` (platform/result.ts).
// This scan finds them all, and each must read as a sentence in both languages, never as "Not done (code)".
const DOMAIN_DIRS = [
  'catalog',
  'gateway',
  'partner-access',
  'billing',
  'supervision',
  'source-systems',
  'platform',
  'disclosure',
  'evaluation',
  'sandbox',
  'reporting',
  'server',
  'app',
]
// …and the metered API's refusals, `new GatewayError('<code>', ...)`, which the usage pages list.
const FAIL_CALL = /\bfail\(\s*'([a-z_]+)',\s*'([a-z0-9_]+)'|\bGatewayError\(\s*()'([a-z0-9_]+)'/g

function failCodes(): Map<string, string> {
  const codes = new Map<string, string>()
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name)
      if (statSync(path).isDirectory()) walk(path)
      else if (/\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name))
        for (const m of readFileSync(path, 'utf8').matchAll(FAIL_CALL)) {
          const code = m[2] ?? m[4]!
          if (!codes.has(code)) codes.set(code, path)
        }
    }
  }
  for (const dir of DOMAIN_DIRS) walk(dir)
  return codes
}

describe('error codes', () => {
  const codes = failCodes()

  it('finds the domain error codes (the scan itself works)', () => {
    expect(codes.size).toBeGreaterThan(150)
    expect(codes.has('not_found') || codes.has('product_not_found')).toBe(true)
  })

  it('words every code a domain can return, in Chinese and in English', () => {
    const unworded: string[] = []
    for (const [code, path] of codes) {
      const area = ERROR_AREAS.find((a) => `${a}.error.${code}` in messages.zh)
      if (!area) unworded.push(`${code} (${path})`)
      else {
        for (const lang of ['zh', 'en'] as const)
          if (!errorMessage(lang, code).trim() || errorMessage(lang, code) === messages[lang]['error.generic'])
            unworded.push(`${code}: empty ${lang} sentence`)
      }
    }
    expect(unworded).toEqual([])
  })

  it('reads an unknown code as "not done (code)" rather than a message key', () => {
    expect(errorMessage('en', 'no_such_code_ever')).toBe('Not done (no_such_code_ever)')
  })
})
