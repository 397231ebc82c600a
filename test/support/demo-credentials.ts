import { inject } from 'vitest'

/**
 * The demo accounts' passwords and the demo API key of this test run: random, generated when the base database was
 * seeded (global-setup.ts), like every demo install's. Nothing in the code knows them in advance.
 */
const credentials = inject('demoCredentials')

export const demoApiKey: string = credentials.apiKey

/** The password of a demo account (`operator`, `bureau`, `scjg`, `partner.admin`, `partner.dev`). */
export function demoPassword(username: string): string {
  const password = credentials.passwords[username]
  if (!password) throw new Error(`no demo account ${username}`)
  return password
}
