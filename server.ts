import { openDatabase } from '#db/client.ts'
import { migrateDatabase } from '#db/migrate.ts'
import { ensureDemoCity, findExampleEnterprise, printDemoAccess } from '#db/seed/ensure-demo-city.ts'
import { EnvError, readEnv } from '#platform/env.ts'
import { createPlatformServer } from './server/create-platform-server.ts'
import { startScheduler } from './server/scheduler.ts'
import { expireAuthorizations } from '#catalog/authorizations/expire-authorizations.ts'
import { runDuePulls } from '#catalog/datasets/run-due-pulls.ts'
import { resumeReportExports } from '#gateway/reports/resume-report-exports.ts'
import { createDatasetRules } from '#gateway/products/dataset-rules.ts'
import { LAGO_SYNC_INTERVAL_MS, syncLagoOutbox } from '#billing/lago/sync-lago-outbox.ts'

async function main() {
  let env
  try {
    env = readEnv()
  } catch (error) {
    if (error instanceof EnvError) {
      console.error(error.message)
      process.exit(1)
    }
    throw error
  }
  const database = await openDatabase(env.DATABASE_URL, env.DATABASE_AUTH_TOKEN)
  await migrateDatabase(database.db)
  if (env.DEMO_MODE) {
    await ensureDemoCity(database.db, { scale: env.SEED_SCALE, log: (line) => console.log(line) })
  }
  const platform = await createPlatformServer({ database, env })
  // Report exports left queued or running by a stopped process start again here.
  await resumeReportExports(database.db, { datasetRules: createDatasetRules(database.db) })
  console.log(`Shenyang public data platform listening on ${platform.url} (gateway at ${platform.url}/api/v1)`)
  if (env.DEMO_MODE) printDemoAccess(platform.url, await findExampleEnterprise(database.db))

  // Jobs are idempotent, so several server processes may each run them.
  const scheduler = startScheduler(
    [
      // Art. 17: on expiry access closes at once (the gateway checks endsAt itself); the job deletes the data.
      {
        name: 'authorizations:expire',
        everyMs: 60 * 60_000,
        runAtStart: true,
        run: (now) => expireAuthorizations(database.db, { now }),
      },
      // Art. 16: interface-delivered datasets are pulled on their schedule.
      { name: 'datasets:pull', everyMs: 60_000, run: (now) => runDuePulls(database.db, { now }) },
      // Usage mirrored to Lago through the outbox; a no-op unless LAGO_API_URL and LAGO_API_KEY are set.
      { name: 'lago:sync', everyMs: LAGO_SYNC_INTERVAL_MS, run: (now) => syncLagoOutbox(database.db, { now }) },
    ],
    { onError: (job, error) => console.error(`[job ${job}] failed:`, error) },
  )

  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    console.log(`${signal}: finishing in-flight requests and flushing metering…`)
    scheduler
      .stop()
      .then(() => platform.close())
      .then(
        () => {
          console.log('Stopped cleanly.')
          process.exit(0)
        },
        (error) => {
          console.error('Shutdown failed:', error)
          process.exit(1)
        },
      )
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
}

void main()
