import { asc, count, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { cityEnterprises, users } from '#db/schema/index.ts'
import { DEMO_USERS } from './platform-fixtures.ts'
import type { DemoCredentials } from './demo-credentials.ts'
import { seedCity } from './seed-city.ts'
import { seedPlatform } from './seed-platform.ts'

/** Calls in the demo's year of history by seed scale: the small city gets a small history. */
const SMALL_OR_FULL = { small: 6_000, city: undefined } as const

/** On a fresh database, seeds the synthetic city and the demo organisations; otherwise leaves data alone. */
export async function ensureDemoCity(
  db: Db,
  opts: { scale: 'small' | 'city'; credentials: DemoCredentials; log?: (line: string) => void },
): Promise<void> {
  const log = opts.log ?? (() => undefined)
  const [{ n: enterpriseCount } = { n: 0 }] = await db.select({ n: count() }).from(cityEnterprises)
  if (enterpriseCount === 0) {
    log(`Seeding the synthetic city (scale: ${opts.scale}); this happens once…`)
    const started = Date.now()
    let lastTable = ''
    const counts = await seedCity(db, {
      scale: opts.scale,
      onProgress: (table, done, total) => {
        if (table !== lastTable || done === total) {
          if (done === total) log(`  ${table}: ${total.toLocaleString('en')} rows`)
          lastTable = table
        }
      },
    })
    const rows = Object.values(counts).reduce((a, b) => a + b, 0)
    log(`Seeded ${rows.toLocaleString('en')} rows in ${((Date.now() - started) / 1000).toFixed(1)} s.`)
  }
  const [{ n: userCount } = { n: 0 }] = await db.select({ n: count() }).from(users)
  if (userCount < DEMO_USERS.length) {
    // A fresh demo install also gets a year of history (seed/seed-history-demo.ts); skipped where users exist already.
    const started = Date.now()
    await seedPlatform(db, {
      credentials: opts.credentials,
      history: userCount === 0 ? { log, events: SMALL_OR_FULL[opts.scale] } : false,
    })
    if (userCount === 0)
      log(`Seeded the demo platform and its year of history in ${((Date.now() - started) / 1000).toFixed(1)} s.`)
  }
}

/** A registered enterprise to put in the printed curl line, so the first call a visitor makes answers true. */
export async function findExampleEnterprise(db: Db): Promise<{ uscc: string; name: string } | null> {
  const [row] = await db
    .select({ uscc: cityEnterprises.uscc, name: cityEnterprises.name })
    .from(cityEnterprises)
    .where(eq(cityEnterprises.status, 'active'))
    .orderBy(asc(cityEnterprises.uscc))
    .limit(1)
  return row ?? null
}

/**
 * The demo accounts, their passwords and the demo API key: printed once, at the install's first start (they are
 * secrets; later starts print only where to find them — see printDemoPointer).
 */
export function printDemoAccess(
  baseUrl: string,
  example: { uscc: string; name: string } | null,
  credentials: DemoCredentials,
  statePath: string,
  print: (line: string) => void = console.log,
): void {
  const key = credentials.apiKey
  print('')
  print(`Demo accounts (demo mode; generated for this install, printed this once, kept in ${statePath}):`)
  for (const u of DEMO_USERS) {
    print(`  ${u.role.padEnd(18)} ${u.username.padEnd(14)} ${credentials.passwords[u.username] ?? ''}  ${u.displayName}`)
  }
  print('')
  print(`Demo API key (partner shengjing-tech): ${key}`)
  print(`  curl -s -X POST ${baseUrl}/api/v1/verifications/enterprise \\`)
  print(`    -H "Authorization: Bearer ${key}" -H "Content-Type: application/json" \\`)
  print(`    -d '${JSON.stringify(example ?? { uscc: '<a code from the registry>', name: '<its name>' })}'`)
  print('')
}

/** Later starts of a demo install: where the accounts and the key are, never the secrets themselves. */
export function printDemoPointer(
  baseUrl: string,
  statePath: string,
  print: (line: string) => void = console.log,
  added: { username: string; password: string }[] = [],
): void {
  print('')
  print(`Demo mode: the demo accounts' passwords and the demo API key were printed at the first start and are kept in`)
  print(`  ${statePath} (readable by this user only). Sign in at ${baseUrl}/login.`)
  if (added.length) {
    // Accounts this version added to an older install: new passwords, printed this once like the first ones.
    print('New demo accounts in this version:')
    for (const a of added) {
      const user = DEMO_USERS.find((u) => u.username === a.username)
      print(`  ${(user?.role ?? '').padEnd(18)} ${a.username.padEnd(14)} ${a.password}  ${user?.displayName ?? ''}`)
    }
  }
  print('')
}
