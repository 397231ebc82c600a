import { asc, count, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { cityEnterprises, users } from '#db/schema/index.ts'
import { apiKeyFromBody } from '#gateway/keys/api-key-format.ts'
import { DEMO_API_KEY_BODY, DEMO_PASSWORD, DEMO_USERS } from './platform-fixtures.ts'
import { seedCity } from './seed-city.ts'
import { seedPlatform } from './seed-platform.ts'

/** On a fresh database, seeds the synthetic city and the demo organisations; otherwise leaves data alone. */
export async function ensureDemoCity(db: Db, opts: { scale: 'small' | 'city'; log?: (line: string) => void }): Promise<void> {
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
  if (userCount < DEMO_USERS.length) await seedPlatform(db)
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

export function printDemoAccess(
  baseUrl: string,
  example: { uscc: string; name: string } | null,
  print: (line: string) => void = console.log,
): void {
  const key = apiKeyFromBody(DEMO_API_KEY_BODY).key
  print('')
  print('Demo accounts (demo mode only; password for all: ' + DEMO_PASSWORD + ')')
  for (const u of DEMO_USERS) print(`  ${u.role.padEnd(18)} ${u.username.padEnd(14)} ${u.displayName}`)
  print('')
  print(`Demo API key (partner shengjing-tech): ${key}`)
  print(`  curl -s -X POST ${baseUrl}/api/v1/verifications/enterprise \\`)
  print(`    -H "Authorization: Bearer ${key}" -H "Content-Type: application/json" \\`)
  print(`    -d '${JSON.stringify(example ?? { uscc: '<a code from the registry>', name: '<its name>' })}'`)
  print('')
}
