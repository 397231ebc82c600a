import { openDatabase } from '#db/client.ts'
import { migrateDatabase } from '#db/migrate.ts'
import { applyPersonalDataFloor } from '#catalog/grading/apply-personal-data-floor.ts'
import { EnvError, readEnv } from '#platform/env.ts'
import { recordAudit, systemActor } from '#platform/audit/record-audit.ts'
import { DataKeyError, dataKeyringFromEnv, getDataKeyring, useDataKeyring } from '#platform/crypto/data-keyring.ts'
import { rotateDataKey } from '#platform/crypto/rotate-data-key.ts'
import { errorText } from '#platform/error-text.ts'
import { createPlatformServer, type PlatformServer } from './server/create-platform-server.ts'
import { startScheduler, type Scheduler } from './server/scheduler.ts'
import { watchRevenueCap } from '#billing/revenue/watch-revenue-cap.ts'
import { remindCeilingReevaluations } from '#billing/ceilings/remind-ceiling-reevaluations.ts'
import { waitForTurnToServe, workerSlot } from './server/supervisor.ts'
import { expireAuthorizations } from '#catalog/authorizations/expire-authorizations.ts'
import { escalateOverdueCases } from '#supervision/cases/escalate-overdue-cases.ts'
import { executeDueExits } from '#partner-access/exits/execute-partner-exit.ts'
import { endDueSubscriptions } from '#partner-access/subscriptions/end-due-subscriptions.ts'
import { runDuePulls } from '#catalog/datasets/run-due-pulls.ts'
import { resumeReportExports } from '#gateway/reports/resume-report-exports.ts'
import { createDatasetRules } from '#gateway/products/dataset-rules.ts'
import { LAGO_SYNC_INTERVAL_MS, syncLagoOutbox } from '#billing/lago/sync-lago-outbox.ts'
import { SUPERVISION_FEED_INTERVAL_MS, syncSupervisionFeed } from '#supervision/feed/sync-supervision-feed.ts'
import { pruneSignInThrottles } from '#platform/identity/sign-in-locks.ts'
import type { ServerBuild } from '@remix-run/node'
import { rollUpUsage } from '#billing/metering/roll-up-usage.ts'

const USAGE_ROLLUP_INTERVAL_MS = 5_000

/** After a fatal error, in-flight requests get this long to be answered before their connections are cut. */
const FATAL_DRAIN_MS = 3_000
/** A shutdown after a fatal error that takes longer than this (a hung job, a stuck database) is abandoned. */
const FATAL_SHUTDOWN_DEADLINE_MS = 20_000

let platform: PlatformServer | null = null
let scheduler: Scheduler | null = null
let stopping = false

/**
 * Stops accepting, lets in-flight requests finish, commits every pending usage event (the gateway's recorder) and
 * exits with `exitCode`. An answered call's event was committed before its answer was sent (ADR 0002), so the
 * flush is for the calls still in flight; exiting without it would lose none that was acknowledged.
 */
function stopAndExit(reason: string, exitCode: number, opts: { fatal?: boolean } = {}) {
  if (stopping) return
  stopping = true
  if (!platform) {
    // Still loading, or the supervisor's standby: nothing was answered, nothing to flush.
    console.log(`${reason}: stopping (not serving yet).`)
    process.exit(exitCode)
  }
  console.log(`${reason}: finishing in-flight requests and flushing metering…`)
  if (opts.fatal) {
    // The process state is suspect: answer what is in flight quickly, then go (the supervisor starts a fresh one).
    setTimeout(() => platform?.server.closeAllConnections(), FATAL_DRAIN_MS).unref()
    setTimeout(() => {
      console.error(`Shutdown after the fatal error took over ${FATAL_SHUTDOWN_DEADLINE_MS} ms; exiting.`)
      process.exit(exitCode)
    }, FATAL_SHUTDOWN_DEADLINE_MS).unref()
  }
  Promise.resolve(scheduler?.stop())
    .then(() => platform?.close())
    .then(
      () => {
        console.log(exitCode === 0 ? 'Stopped cleanly.' : `Metering flushed; exiting with ${exitCode}.`)
        process.exit(exitCode)
      },
      (error) => {
        console.error('Shutdown failed:', error)
        process.exit(1)
      },
    )
}

// The last line of defence (ADR 0013). Request paths catch their own failures; an exception that still escapes
// leaves the process in an unknown state (Node's advice: do not resume), so it drains, flushes and exits non-zero,
// and the supervisor (`npm start`) starts a fresh process.
process.on('uncaughtException', (error, origin) => {
  console.error(`Fatal ${origin}:`, error)
  stopAndExit('Fatal error', 1, { fatal: true }) // a no-op if a shutdown is already under way
})
// A rejected promise nobody awaited unwinds no synchronous code: the process is intact, so it keeps serving (and
// the request, if one waited on it, is answered by its own path's timeout or catch). Logged so it gets fixed.
process.on('unhandledRejection', (reason) => {
  console.error('Unhandled promise rejection (serving on):', reason)
})
process.on('SIGTERM', () => stopAndExit('SIGTERM', 0))
process.on('SIGINT', () => stopAndExit('SIGINT', 0))

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
  // Everything slow to load is loaded before the turn to serve: under the supervisor this process may be the standby,
  // and a promoted standby only has to open the database and listen.
  const build = (await import(new URL('./build/index.js', import.meta.url).href)) as ServerBuild
  const { restart } = await waitForTurnToServe()
  // Demo mode is an explicit state of the install: random secrets, passwords and a demo key made at its first start
  // and kept in the data directory (0600); a secret set in the environment still wins (ADR 0018).
  // The demo install (seed/) is loaded only in demo mode: a production process never loads seed code.
  const demoMode = env.DEMO_MODE ? await import('#seed/demo-mode.ts') : null
  const demo = demoMode ? demoMode.loadOrCreateDemoState(demoMode.dataDirectoryOf(env.DATABASE_URL)) : null
  if (demoMode && demo) env = demoMode.withDemoSecrets(env, demo.state)
  try {
    // The keys natural persons' data is sealed under (ADR 0019): DATA_ENCRYPTION_KEY, or demo mode's generated one.
    useDataKeyring(dataKeyringFromEnv(env))
  } catch (error) {
    if (!(error instanceof DataKeyError)) throw error
    console.error(error.message)
    process.exit(1)
  }
  const database = await openDatabase(env.DATABASE_URL, env.DATABASE_AUTH_TOKEN)
  await migrateDatabase(database.db)
  // The data half of migration 0027: personal datasets graded below L2 before the floor are lifted, audited (ADR 0037).
  await applyPersonalDataFloor(database.db)
  if (restart) {
    // Recorded before this process answers anything, so whoever sees it up again can find why it went down.
    await recordAudit(database.db, {
      actor: systemActor('supervisor'),
      action: 'platform.restarted',
      objectType: 'platform',
      detail: { ...restart, pid: process.pid, previousPid: restart.pid },
    }).catch((error: unknown) => console.error('Could not record the restart in the audit log:', error))
  }
  if (demoMode && demo) {
    // A demo store from before personal data was sealed: sealed now, under the demo key (a no-op once done; not
    // repeated by a worker the supervisor restarts, so a failover stays quick).
    if (!restart)
      await rotateDataKey(database.db, { keyring: getDataKeyring(), actor: systemActor('demo') }).then(
        (r) => r.resealed > 0 && console.log(`Sealed ${r.resealed} rows of personal data under key ${r.keyId}.`),
        // Sealed under a key this install no longer has (its demo state was deleted, the database kept): unreadable.
        (error: unknown) => console.error(`Personal data in the store cannot be read: ${errorText(error)}`),
      )
    await demoMode.ensureDemoCity(database.db, {
      scale: env.SEED_SCALE,
      credentials: demo.state.credentials,
      log: (line) => console.log(line),
    })
  }
  const started = await createPlatformServer({ database, env, build })
  platform = started
  // Report exports left queued or running by a stopped process start again here: in the first worker slot only, so that
  // with WORKERS > 1 the other slots do not run the same jobs again (ADR 0043).
  if (workerSlot() === 0) await resumeReportExports(database.db, { datasetRules: createDatasetRules(database.db) })
  console.log(`Shenyang public data platform listening on ${started.url} (gateway at ${started.url}/api/v1)`)
  if (demoMode && demo?.created) {
    const example = await demoMode.findExampleEnterprise(database.db)
    demoMode.printDemoAccess(started.url, example, demo.state.credentials, demo.path)
  } else if (demoMode && demo) {
    const added = demo.addedUsers.map((username) => ({ username, password: demo.state.credentials.passwords[username]! }))
    demoMode.printDemoPointer(started.url, demo.path, console.log, added)
  }

  // Jobs are idempotent, so several server processes may each run them.
  scheduler = startScheduler(
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
      // Usage of the month in progress rolled up per hour and day from a seq watermark (ADR 0047), off the hot path.
      {
        name: 'usage:rollup',
        everyMs: USAGE_ROLLUP_INTERVAL_MS,
        runAtStart: true,
        run: (now) => rollUpUsage(database.db, { now }),
      },
      // Usage mirrored to Lago through the outbox; a no-op unless LAGO_API_URL and LAGO_API_KEY are set.
      { name: 'lago:sync', everyMs: LAGO_SYNC_INTERVAL_MS, run: (now) => syncLagoOutbox(database.db, { now }) },
      // Art. 24: the logs go to the city's exchange platform (ADR 0025); a no-op unless SUPERVISION_FEED_URL is set.
      {
        name: 'supervision:feed',
        everyMs: SUPERVISION_FEED_INTERVAL_MS,
        run: (now) => syncSupervisionFeed(database.db, { now }),
      },
      // Art. 27: open rectification cases past their deadline day escalate (ADR 0028).
      {
        name: 'cases:escalate',
        everyMs: 60 * 60_000,
        runAtStart: true,
        run: async (now) => {
          const result = await escalateOverdueCases(database.db, { now })
          if (!result.ok) throw new Error(result.error.message)
        },
      },
      // Art. 12(4): exits whose date has come are executed (ADR 0033); keys stop within the gateway's 1 s.
      {
        name: 'partners:exit-due',
        everyMs: 60_000,
        runAtStart: true,
        run: (now) => executeDueExits(database.db, { actor: systemActor('exit-job'), now }),
      },
      // Cancelled subscriptions past their period's end are marked ended (ADR 0032); the gateway refuses them from endsAt anyway.
      {
        name: 'subscriptions:end-due',
        everyMs: 60_000,
        runAtStart: true,
        run: (now) => endDueSubscriptions(database.db, { actor: systemActor('subscription-job'), now }),
      },
      // 65号: the operator and the bureau are told when paid revenue crosses 80% / 100% of the cap; the bureau when a
      // ceiling's re-evaluation date approaches or comes (ADR 0036). Both idempotent.
      {
        name: 'billing:cap-watch',
        everyMs: 60 * 60_000,
        runAtStart: true,
        run: (now) => watchRevenueCap(database.db, { now, actor: systemActor('revenue-cap-watch') }),
      },
      {
        name: 'billing:ceiling-reminders',
        everyMs: 60 * 60_000,
        runAtStart: true,
        run: (now) => remindCeilingReevaluations(database.db, { now, actor: systemActor('ceiling-reminders') }),
      },
      // Sign-in counts idle for a day are forgotten (familiar addresses kept: ADR 0020).
      { name: 'sign-in:prune', everyMs: 60 * 60_000, run: (now) => pruneSignInThrottles(database.db, { now }) },
    ],
    { onError: (job, error) => console.error(`[job ${job}] failed:`, error) },
  )
}

main().catch((error: unknown) => {
  console.error('Could not start:', error)
  process.exit(1)
})
