import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { basename } from 'node:path'
import { cliActor } from '#platform/audit/record-audit.ts'
import { listDatasets } from '#catalog/datasets/list-datasets.ts'
import { findDataset } from '#catalog/datasets/find-dataset.ts'
import { loadDatasetFile } from '#catalog/datasets/load-dataset-file.ts'
import { loadDatasetTable } from '#catalog/datasets/load-dataset-table.ts'
import { pullDatasetInterface } from '#catalog/datasets/pull-dataset-interface.ts'
import type { LoadOutcome } from '#catalog/datasets/load-target.ts'
import { listAuthorizations } from '#catalog/authorizations/list-authorizations.ts'
import { expireAuthorizations } from '#catalog/authorizations/expire-authorizations.ts'
import type { Result } from '#platform/result.ts'
import { formatDay } from '#platform/calendar/shanghai-calendar.ts'
import { print, type CliCommand, type Flags, type Io } from './command.ts'

const day = (ms: number | null) => (ms ? formatDay(ms) : '—')

function reportLoad(io: Io, flags: Flags, result: Result<LoadOutcome>): number {
  if (!result.ok) {
    io.err(`${result.error.code}: ${result.error.message}`)
    return 1
  }
  const o = result.value
  print(io, flags, o, () =>
    [
      `Load ${o.loadId}: ${o.state}, ${o.rowsLoaded}/${o.rowsTotal} rows loaded${o.encoding ? `, read as ${o.encoding}` : ''}${o.checksum ? `, sha256 ${o.checksum}` : ''}`,
      ...(o.error ? [`  ${o.error}`] : []),
      ...o.problems
        .slice(0, 20)
        .map((p) => `  row ${p.row}: ${p.field || '(row)'} ${p.problem}${p.value !== undefined ? ` (${p.value})` : ''}`),
      ...(o.problems.length > 20 ? [`  … and more; see the dataset page for the full report`] : []),
    ].join('\n'),
  )
  return o.state === 'succeeded' ? 0 : 1
}

/** The file's chunks, opened only once the load starts reading (a refused load never opens it). */
async function* readLazily(path: string): AsyncGenerator<Uint8Array> {
  yield* createReadStream(path)
}

// Catalog commands: datasets:list, datasets:load, authorizations:list, authorizations:expire.
export const catalogCommands: Record<string, CliCommand> = {
  'datasets:list': {
    usage: 'datasets:list                               list registered datasets and whether they are authorized now',
    options: {},
    run: async (d, flags, io) => {
      const rows = await listDatasets(d.db)
      print(io, flags, rows, () =>
        rows
          .map(
            (r) =>
              `${r.code.padEnd(14)} ${r.level} ${r.deliveryMode.padEnd(9)} ${r.domain.padEnd(10)} until ${day(r.authorizedUntil).padEnd(10)} ${r.sourceUnitCode.padEnd(18)} ${r.nameZh}`,
          )
          .join('\n'),
      )
      return 0
    },
  },
  'datasets:load': {
    usage:
      'datasets:load --dataset <code> [--file <path>]  load a file (CSV/JSON); without --file: reload a table / pull an interface',
    options: { dataset: { type: 'string' }, file: { type: 'string' } },
    run: async (d, flags, io) => {
      if (typeof flags.dataset !== 'string') {
        io.err('datasets:load needs --dataset <code>')
        return 2
      }
      const actor = cliActor()
      const progress = (phase: string, done: number, total: number) => {
        if (!flags.json) io.out(`  ${phase}${total ? ` ${done}/${total} rows` : '…'}`)
      }
      if (typeof flags.file === 'string') {
        let size: number
        try {
          const info = await stat(flags.file)
          if (!info.isFile()) throw new Error('not a file')
          size = info.size
        } catch (error) {
          io.err(`cannot read ${flags.file}: ${(error as Error).message}`)
          return 2
        }
        if (!flags.json) io.out(`Loading ${basename(flags.file)} (${size.toLocaleString('en')} bytes) into ${flags.dataset}…`)
        // Streamed: the file is read, decoded and checked chunk by chunk, never held whole (catalog/datasets/load-dataset-file.ts).
        const result = await loadDatasetFile(d.db, {
          actor,
          datasetCode: flags.dataset,
          fileName: basename(flags.file),
          content: readLazily(flags.file),
          declaredBytes: size,
          trigger: 'cli',
          onProgress: (p) => {
            if (flags.json) return
            if (p.phase === 'validate' && p.total === 0 && p.bytes !== undefined && size > 0) {
              io.out(`  read ${Math.floor((p.bytes / size) * 100)}%, ${p.done.toLocaleString('en')} rows so far`)
            } else progress(p.phase, p.done, p.total)
          },
        })
        return reportLoad(io, flags, result)
      }
      const dataset = await findDataset(d.db, { code: flags.dataset, loadLimit: 0 })
      if (!dataset) {
        io.err(`dataset_not_found: No dataset ${flags.dataset}`)
        return 1
      }
      if (dataset.deliveryMode === 'file') {
        io.err(`${flags.dataset} is delivered by file: give --file <path>`)
        return 2
      }
      if (dataset.deliveryMode === 'interface') {
        if (!flags.json) io.out(`Pulling ${flags.dataset} from ${dataset.interfaceUrl ?? '(no interface URL)'}…`)
        return reportLoad(io, flags, await pullDatasetInterface(d.db, { actor, datasetCode: flags.dataset, trigger: 'cli' }))
      }
      if (!flags.json) io.out(`Reloading ${flags.dataset} from its source table…`)
      const result = await loadDatasetTable(d.db, {
        actor,
        datasetCode: flags.dataset,
        trigger: 'cli',
        onProgress: (p) => progress(p.phase, p.done, p.total),
      })
      return reportLoad(io, flags, result)
    },
  },
  'authorizations:list': {
    usage: 'authorizations:list [--state active|expired|terminated]  list authorizations and their terms',
    options: { state: { type: 'string' } },
    run: async (d, flags, io) => {
      const state = flags.state as string | undefined
      if (state !== undefined && state !== 'active' && state !== 'expired' && state !== 'terminated') {
        io.err('--state must be active, expired or terminated')
        return 2
      }
      const rows = await listAuthorizations(d.db, { state })
      print(io, flags, rows, () =>
        rows
          .map(
            (r) =>
              `${r.code.padEnd(14)} ${r.state.padEnd(10)} ${r.datasetCode.padEnd(14)} ${day(r.startsAt)} → ${day(r.endsAt)} ${r.deliveryMode.padEnd(9)} ${r.sourceUnitCode}`,
          )
          .join('\n'),
      )
      return 0
    },
  },
  'authorizations:expire': {
    usage: 'authorizations:expire                       run the expiry job now: end due authorizations, delete their data',
    options: {},
    run: async (d, flags, io) => {
      const expired = await expireAuthorizations(d.db, { actor: cliActor() })
      print(io, flags, { expired }, () =>
        expired.length === 0
          ? 'No authorization is due to expire.'
          : [
              `Expired ${expired.length} authorization(s):`,
              ...expired.map(
                (e) =>
                  `  ${e.code} ${e.datasetCode}: ${e.rowsDeleted} rows deleted${e.dataKept ? ' (kept: another authorization is in force)' : ''}`,
              ),
            ].join('\n'),
      )
      return 0
    },
  },
}
