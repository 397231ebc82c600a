import { cliActor } from '#platform/audit/record-audit.ts'
import { createAuditor, endAuditorAccess, extendAuditorTerm, listAuditors } from '#platform/identity/auditor-accounts.ts'
import type { DomainError } from '#platform/result.ts'
import { exportLogs } from '#supervision/logs/export-logs.ts'
import { verifyAuditChainFor } from '#supervision/logs/verify-chain.ts'
import { print, type CliCommand, type Flags, type Io } from './command.ts'

// Log export, the audit chain and auditor accounts (ADR 0026). Audited as `cli`, like every command.
const actor = cliActor('cli')

/** A refusal: one line, or with --json `{"error":{code,message,fields}}` on stderr; exit code 1. */
function failed(io: Io, flags: Flags, error: DomainError): number {
  if (flags.json) {
    io.err(JSON.stringify({ error: { code: error.code, message: error.message, fields: error.fields ?? {} } }))
    return 1
  }
  const fields = error.fields
    ? ` (${Object.entries(error.fields)
        .map(([k, v]) => `${k}: ${v}`)
        .join(', ')})`
    : ''
  io.err(`${error.code}: ${error.message}${fields}`)
  return 1
}

const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '')

export const logsCommands: Record<string, CliCommand> = {
  'logs:export': {
    usage:
      'logs:export --kind usage|refusals|audit|loads|exports [--from <YYYY-MM-DD>] [--to <YYYY-MM-DD>] [--partner <code>] [--product <code>] [--dataset <code>] [--source-unit <code>] [--request-id <id>] [--format csv|json]  the rows to stdout as a stream, newest first: CSV with a header, or json = NDJSON (one object a line); dates are Shanghai days, --to inclusive',
    options: {
      kind: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      partner: { type: 'string' },
      product: { type: 'string' },
      dataset: { type: 'string' },
      'source-unit': { type: 'string' },
      'request-id': { type: 'string' },
      text: { type: 'string' },
      format: { type: 'string' },
    },
    run: async (d, flags, io) => {
      const format = text(flags.format) || 'csv'
      if (format !== 'csv' && format !== 'json') {
        return failed(io, flags, {
          kind: 'validation',
          code: 'validation_failed',
          message: '--format is csv or json',
          fields: { format: 'invalid' },
        })
      }
      const input = {
        kind: text(flags.kind) || undefined,
        from: text(flags.from),
        to: text(flags.to),
        partner: text(flags.partner),
        product: text(flags.product),
        dataset: text(flags.dataset),
        sourceUnit: text(flags['source-unit']),
        requestId: text(flags['request-id']),
        text: text(flags.text),
      }
      if (!input.kind) {
        return failed(io, flags, {
          kind: 'validation',
          code: 'validation_failed',
          message: '--kind is required',
          fields: { kind: 'required' },
        })
      }
      const result = await exportLogs(d.db, { actor, input, format: format === 'json' ? 'ndjson' : 'csv' })
      if (!result.ok) return failed(io, flags, result.error)
      const reader = result.value.stream.getReader()
      const decoder = new TextDecoder('utf-8', { ignoreBOM: true })
      let rest = ''
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        const chunk = rest + decoder.decode(value, { stream: true })
        const cut = chunk.lastIndexOf('\n')
        rest = chunk.slice(cut + 1)
        if (cut < 0) continue
        // Whole lines only; stdout's own writer waits for the pipe (io.write), so a slow reader slows the export.
        if (io.write) await io.write(chunk.slice(0, cut + 1))
        else for (const line of chunk.slice(0, cut).split('\n')) io.out(line.replace(/\r$/, ''))
      }
      if (rest !== '') {
        if (io.write) await io.write(rest)
        else io.out(rest)
      }
      return 0
    },
  },
  'audit:verify': {
    usage: 'audit:verify                                 walks the whole audit chain: intact, or the first bad entry',
    options: {},
    run: async (d, flags, io) => {
      const report = await verifyAuditChainFor(d.db, { actor })
      if (!report.ok) return failed(io, flags, report.error)
      const r = report.value
      print(io, flags, r, () =>
        r.ok
          ? `The audit chain is intact: ${r.entries} entries, the last #${r.lastSeq}.`
          : `The audit chain is broken: ${r.message}`,
      )
      return r.ok ? 0 : 1
    },
  },
  'auditors:create': {
    usage:
      'auditors:create --username <u> --name <name> --organization <org> --until <YYYY-MM-DD>  a third-party auditor for a term (≤ 1 year; initial password printed once)',
    options: {
      username: { type: 'string' },
      name: { type: 'string' },
      organization: { type: 'string' },
      until: { type: 'string' },
    },
    run: async (d, flags, io) => {
      const created = await createAuditor(d.db, {
        actor,
        input: {
          username: text(flags.username),
          displayName: text(flags.name),
          organization: text(flags.organization),
          termEndsOn: text(flags.until),
        },
      })
      if (!created.ok) return failed(io, flags, created.error)
      print(io, flags, created.value, () =>
        [
          `Created auditor ${created.value.username}, through ${text(flags.until)}.`,
          `Initial password (shown once; changed at the first sign-in): ${created.value.initialPassword}`,
        ].join('\n'),
      )
      return 0
    },
  },
  'auditors:extend': {
    usage: 'auditors:extend --username <u> --until <YYYY-MM-DD>     moves the end of an auditor’s term (≤ 1 year from today)',
    options: { username: { type: 'string' }, until: { type: 'string' } },
    run: async (d, flags, io) => {
      const result = await extendAuditorTerm(d.db, { actor, username: text(flags.username), termEndsOn: text(flags.until) })
      if (!result.ok) return failed(io, flags, result.error)
      print(io, flags, result.value, () => `${text(flags.username)}: access until ${text(flags.until)} (inclusive).`)
      return 0
    },
  },
  'auditors:end': {
    usage: 'auditors:end --username <u> [--reason <r>]              ends an auditor’s access now (sessions too)',
    options: { username: { type: 'string' }, reason: { type: 'string' } },
    run: async (d, flags, io) => {
      const result = await endAuditorAccess(d.db, { actor, username: text(flags.username), reason: text(flags.reason) })
      if (!result.ok) return failed(io, flags, result.error)
      print(io, flags, result.value, () => `${text(flags.username)}: access ended.`)
      return 0
    },
  },
  'auditors:list': {
    usage: 'auditors:list                                the auditor accounts and their terms',
    options: {},
    run: async (d, flags, io) => {
      const list = await listAuditors(d.db, { actor })
      if (!list.ok) return failed(io, flags, list.error)
      print(io, flags, list.value, () =>
        list.value.length === 0
          ? 'No auditor accounts.'
          : list.value
              .map(
                (a) =>
                  `${a.username.padEnd(16)} ${a.termEndsOn} ${a.isActive ? 'active ' : 'expired'} ${a.organization ?? ''} ${a.displayName}`,
              )
              .join('\n'),
      )
      return 0
    },
  },
}
