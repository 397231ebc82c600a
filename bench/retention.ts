import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { eq } from 'drizzle-orm'
import { openDatabase } from '#db/client.ts'
import { migrateDatabase } from '#db/migrate.ts'
import { apiKeys, authorizations, datasets, partners, products, subscriptions, users } from '#db/schema/index.ts'
import { seedCity } from '#seed/seed-city.ts'
import { seedPlatform } from '#seed/seed-platform.ts'
import { calendarYear, fromLocal } from '#platform/calendar/shanghai-calendar.ts'
import { cliActor } from '#platform/audit/record-audit.ts'
import { purgeLogs } from '#supervision/retention/purge-logs.ts'
import { setRetentionPolicy } from '#supervision/retention/set-retention-policy.ts'

// Log retention (ADR 0027): what the delete triggers cost. N usage events of an ended subscription, three years old,
// each naming the seed's authorizations in its lineage; then a purge under a 6-month policy. Reports the insert rate
// (no insert trigger: the gateway's hot path is unchanged) and the purge's rows/s, every row re-checked by its trigger.
const N = Number(process.argv[2] ?? 200_000)
const path = join(tmpdir(), `sdp-retention-bench-${process.pid}.db`)
const database = await openDatabase(`file:${path}`)
try {
  const { db, client } = database
  await migrateDatabase(db)
  await seedCity(db, { scale: 'small' })
  await seedPlatform(db)
  const [partner] = await db.select().from(partners).where(eq(partners.code, 'shengjing-tech'))
  const [key] = await db.select().from(apiKeys).where(eq(apiKeys.partnerId, partner!.id)).limit(1)
  const [product] = await db.select().from(products).limit(1)
  const at = fromLocal(calendarYear(Date.now()) - 3, 1, 10)
  // Three ended authorizations in each event's lineage, besides the seed's running ones in the table.
  const [dataset] = await db.select().from(datasets).limit(1)
  const codes = ['BENCH-1', 'BENCH-2', 'BENCH-3']
  for (const code of codes)
    await db.insert(authorizations).values({
      code,
      datasetId: dataset!.id,
      deliveryMode: 'file',
      startsAt: at - 86_400_000 * 365,
      endsAt: at,
      state: 'expired',
      endedAt: at,
    })
  const subscriptionId = crypto.randomUUID()
  await db.insert(subscriptions).values({
    id: subscriptionId,
    partnerId: partner!.id,
    productId: product!.id,
    purpose: 'industrial',
    state: 'ended',
    endedAt: at,
  })
  const started = performance.now()
  const chunk = 2000
  for (let i = 0; i < N; i += chunk) {
    const args: (string | number)[] = []
    const tuples: string[] = []
    for (let j = i; j < Math.min(N, i + chunk); j++) {
      tuples.push('(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
      args.push(
        `bench-${j}`,
        at + j,
        `req_${j}`,
        key!.id,
        subscriptionId,
        partner!.id,
        product!.id,
        'industrial',
        'op',
        200,
        codes.join(','),
      )
    }
    await client.execute({
      sql:
        'INSERT INTO usage_events (id, at, request_id, api_key_id, subscription_id, partner_id, product_id, purpose, operation, status, authorization_codes) VALUES ' +
        tuples.join(', '),
      args,
    })
  }
  const insertSeconds = (performance.now() - started) / 1000
  const [bureau] = await db.select().from(users).where(eq(users.username, 'bureau'))
  await setRetentionPolicy(db, { kind: 'usage', keepMonths: 6, actor: { id: bureau!.id, label: 'bureau', role: 'bureau' } })
  const dryStart = performance.now()
  const dry = await purgeLogs(db, { kind: 'usage', actor: cliActor(), dryRun: true })
  const drySeconds = (performance.now() - dryStart) / 1000
  const purgeStart = performance.now()
  const purged = await purgeLogs(db, { kind: 'usage', actor: cliActor() })
  const purgeSeconds = (performance.now() - purgeStart) / 1000
  if (!purged.ok || !dry.ok) throw new Error('purge failed')
  console.log(
    JSON.stringify(
      {
        events: N,
        authorizationsInLineage: codes.length,
        authorizationsInTable: (await db.select({ id: authorizations.id }).from(authorizations)).length,
        insertRowsPerSecond: Math.round(N / insertSeconds),
        dryRun: { rows: dry.value.rows, seconds: Number(drySeconds.toFixed(2)) },
        purge: {
          rows: purged.value.rows,
          seconds: Number(purgeSeconds.toFixed(2)),
          rowsPerSecond: Math.round(purged.value.rows / purgeSeconds),
        },
      },
      null,
      2,
    ),
  )
} finally {
  database.close()
  for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true })
}
