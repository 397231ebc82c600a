import { cliActor } from '#platform/audit/record-audit.ts'
import type { DomainError } from '#platform/result.ts'
import { formatIso } from '#platform/calendar/shanghai-calendar.ts'
import { stopProducts } from '#supervision/emergency/stop-products.ts'
import { resumeProducts } from '#supervision/emergency/resume-products.ts'
import { getEmergencyState } from '#supervision/emergency/get-emergency-state.ts'
import { parseCodeList } from '#supervision/incidents/incident-affected.ts'
import { print, type CliCommand, type Io } from './command.ts'

// The emergency stop (Art. 13; ADR 0029) from a shell: the tool at hand when the UI itself is the problem.
const actor = cliActor()

function failed(io: Io, error: DomainError): number {
  const fields = error.fields
    ? ` (${Object.entries(error.fields)
        .map(([k, v]) => `${k}: ${v}`)
        .join(', ')})`
    : ''
  io.err(`${error.code}: ${error.message}${fields}`)
  return 1
}

export const emergencyCommands: Record<string, CliCommand> = {
  'emergency:stop': {
    usage: 'emergency:stop --reason <r> [--product <code>[,<code>…]]     halt every metered product, or the ones named',
    options: { reason: { type: 'string' }, product: { type: 'string' } },
    run: async (d, flags, io) => {
      if (typeof flags.reason !== 'string' || flags.reason.trim() === '') {
        io.err('emergency:stop needs --reason <why>')
        return 2
      }
      const productCodes = parseCodeList(typeof flags.product === 'string' ? flags.product : '')
      if (flags.product !== undefined && productCodes.length === 0) {
        io.err('--product needs a product code')
        return 2
      }
      const result = await stopProducts(d.db, { productCodes, reason: flags.reason, actor })
      if (!result.ok) return failed(io, result.error)
      const s = result.value
      print(io, flags, s, () =>
        s.scope === 'all'
          ? `Emergency stop: every metered product answers 503 emergency_stop within 1 s (${s.reason})`
          : `Emergency stop: ${s.productCodes.join(', ')} answer 503 emergency_stop within 1 s (${s.reason})`,
      )
      return 0
    },
  },
  'emergency:resume': {
    usage: 'emergency:resume [--product <code>] [--reason <r>]           end every stop in force, or one product’s',
    options: { product: { type: 'string' }, reason: { type: 'string' } },
    run: async (d, flags, io) => {
      if (flags.product !== undefined && (typeof flags.product !== 'string' || flags.product.trim() === '')) {
        io.err('--product needs a product code')
        return 2
      }
      const result = await resumeProducts(d.db, {
        productCode: flags.product as string | undefined,
        reason: flags.reason as string | undefined,
        actor,
      })
      if (!result.ok) return failed(io, result.error)
      const names = result.value.resumed.map((r) => r.productCode ?? 'every product')
      print(io, flags, result.value, () => `Resumed: ${names.join(', ')} (answering again within 1 s)`)
      return 0
    },
  },
  'emergency:status': {
    usage: 'emergency:status                                          the emergency stops in force',
    options: {},
    run: async (d, flags, io) => {
      const state = await getEmergencyState(d.db, { historyLimit: 20 })
      print(io, flags, { active: state.active, isPlatformWide: state.isPlatformWide }, () =>
        state.active.length === 0
          ? 'No emergency stop in force'
          : state.active
              .map((s) => `${s.productCode ?? '*'}  since ${formatIso(s.stoppedAt)}  by ${s.stoppedByLabel}: ${s.reason}`)
              .join('\n'),
      )
      return 0
    },
  },
}
