import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { openDatabase } from '#db/client.ts'
import { migrateDatabase } from '#db/migrate.ts'
import { applyPersonalDataFloor } from '#catalog/grading/apply-personal-data-floor.ts'
import { EnvError, readEnv } from '#platform/env.ts'
import { DataKeyError, dataKeyringFromEnv, useDataKeyring } from '#platform/crypto/data-keyring.ts'
import { COMMANDS } from './commands/index.ts'
import type { Flags, Io } from './commands/command.ts'

// `npm run platform -- <command>`: operations work. Every command takes --json.
function usageText(): string {
  const lines = Object.values(COMMANDS).map((c) => `  ${c.usage}`)
  return `Usage: npm run platform -- <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nOptions: --json (machine-readable output), --help`
}

/** Writes to stdout and waits for `drain` when the pipe is full, so a streamed export never piles up in memory. */
function writeStdout(text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error)
    process.stdout.once('error', onError)
    const flushed = process.stdout.write(text)
    const done = () => {
      process.stdout.off('error', onError)
      resolve()
    }
    if (flushed) done()
    else process.stdout.once('drain', done)
  })
}

export async function runCli(
  argv: string[],
  io: Io = { out: console.log, err: console.error, write: writeStdout },
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  const [command, ...rest] = argv
  if (!command || command === '--help' || command === 'help') {
    io.out(usageText())
    return command ? 0 : 2
  }
  const spec = COMMANDS[command]
  if (!spec) {
    io.err(`Unknown command: ${command}\n\n${usageText()}`)
    return 2
  }
  let flags: Flags
  let positionals: string[] = []
  try {
    const parsed = parseArgs({
      args: rest,
      options: { ...spec.options, json: { type: 'boolean' } },
      strict: true,
      allowPositionals: true,
    })
    flags = parsed.values as Flags
    positionals = parsed.positionals
    if (positionals.length > (spec.positionals ?? 0))
      throw new Error(`Unexpected argument: ${positionals[spec.positionals ?? 0]}`)
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${usageText()}`)
    return 2
  }
  let config
  try {
    config = readEnv(env)
    // A demo install's generated secrets, as the server uses them (ADR 0018): else the CLI would seal with another key
    // than the server reads with. Only read here, never created: the first `npm start` creates them.
    if (config.DEMO_MODE) {
      const demo = await import('#seed/demo-mode.ts')
      const demoDirectory = demo.dataDirectoryOf(config.DATABASE_URL)
      if (existsSync(join(demoDirectory, demo.DEMO_STATE_FILE))) {
        config = demo.withDemoSecrets(config, demo.loadOrCreateDemoState(demoDirectory).state)
      }
    }
    // The keys personal data is sealed under (seed, loads, crypto:rotate-key).
    useDataKeyring(dataKeyringFromEnv(config))
  } catch (error) {
    if (error instanceof EnvError || error instanceof DataKeyError) {
      io.err(error.message)
      return 2
    }
    throw error
  }
  const database = await openDatabase(config.DATABASE_URL, config.DATABASE_AUTH_TOKEN)
  try {
    if (command !== 'db:migrate' && command !== 'db:seed') {
      await migrateDatabase(database.db)
      // The data half of migration 0027 (ADR 0037): personal datasets below L2 lifted, audited.
      await applyPersonalDataFloor(database.db)
    }
    return await spec.run(database, flags, io, positionals)
  } finally {
    database.close()
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runCli(process.argv.slice(2)).then((code) => process.exit(code))
}
