import { systemActor } from '#platform/audit/record-audit.ts'
import { getDataKeyring } from '#platform/crypto/data-keyring.ts'
import { rotateDataKey, type RotationProgress } from '#platform/crypto/rotate-data-key.ts'
import { SealedValueError } from '#platform/crypto/sealed-value.ts'
import { print, type CliCommand, type Io } from './command.ts'

// Personal data at rest (docs/decisions/0019-sm4-personal-data-at-rest.md).

/** Progress per table on stderr: redrawn in place on a terminal, else one line per tenth. */
function progressDisplay(io: Io) {
  const tty = io.err === console.error && process.stderr.isTTY
  let last = ''
  return (p: RotationProgress) => {
    const ratio = p.total > 0 ? Math.min(1, p.done / p.total) : 1
    const filled = Math.round(ratio * 30)
    const line = `${p.table.padEnd(21)} [${'#'.repeat(filled)}${'-'.repeat(30 - filled)}] ${String(Math.round(ratio * 100)).padStart(3)}%  ${p.done.toLocaleString('en-US')}/${p.total.toLocaleString('en-US')} rows`
    if (tty) {
      process.stderr.write(`\r${line}${ratio === 1 ? '\n' : ''}`)
      return
    }
    const step = `${p.table}:${Math.floor(ratio * 10)}`
    if (step !== last) {
      last = step
      io.err(line)
    }
  }
}

export const cryptoCommands: Record<string, CliCommand> = {
  'crypto:rotate-key': {
    usage:
      'crypto:rotate-key [--batch N]               re-seal personal data and blind indexes under the first key of DATA_ENCRYPTION_KEY (resumable)',
    options: { batch: { type: 'string' } },
    run: async (d, flags, io) => {
      const batchSize = flags.batch === undefined ? undefined : Number(flags.batch)
      if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= 10_000)) {
        io.err('--batch must be an integer from 1 to 10000')
        return 2
      }
      const keyring = getDataKeyring()
      if (!flags.json) {
        io.out(
          `Re-sealing under key ${keyring.current.id} (keyring: ${keyring.keys.map((k) => k.id).join(', ')}); safe to stop and run again.`,
        )
      }
      try {
        const report = await rotateDataKey(d.db, {
          keyring,
          actor: systemActor('cli'),
          batchSize,
          onProgress: flags.json ? undefined : progressDisplay(io),
        })
        const older = keyring.keys.slice(1).map((k) => k.id)
        print(io, flags, { ...report, keysNoLongerNeeded: older }, () =>
          [
            ...report.tables.map((t) => `  ${t.table.padEnd(21)} ${t.done.toLocaleString('en-US')} rows re-sealed`),
            `Every personal value and blind index is under key ${report.keyId}.`,
            older.length > 0
              ? `The older keys (${older.join(', ')}) may now be dropped from DATA_ENCRYPTION_KEY.`
              : 'The keyring holds no older key.',
          ].join('\n'),
        )
        return 0
      } catch (error) {
        if (!(error instanceof SealedValueError)) throw error
        // Batches done so far are committed: after the fix, a new run resumes from here.
        io.err(
          error.problem === 'unknown_key'
            ? `${error.message}: add that key after the current one in DATA_ENCRYPTION_KEY and run again.`
            : `${error.message}. The store was altered; nothing more was re-sealed.`,
        )
        return 1
      }
    },
  },
}
