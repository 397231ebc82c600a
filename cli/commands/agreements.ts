import { cliActor } from '#platform/audit/record-audit.ts'
import { formatDay, formatIso } from '#platform/calendar/shanghai-calendar.ts'
import { listAgreementVersions } from '#partner-access/agreements/list-agreement-versions.ts'
import { getPartnerAgreementStatus } from '#partner-access/agreements/get-partner-agreement-status.ts'
import { print, type CliCommand } from './command.ts'

// Partner agreements (Art. 2, 22; ADR 0031): agreements:list, agreements:status.
export const agreementsCommands: Record<string, CliCommand> = {
  'agreements:list': {
    usage:
      'agreements:list                              agreement versions (current ones marked) and the partners that accepted each',
    options: {},
    run: async (d, flags, io) => {
      const rows = (await listAgreementVersions(d.db)).map(({ bodyZh: _zh, bodyEn: _en, ...v }) => v)
      print(io, flags, rows, () =>
        rows.length === 0
          ? 'No agreement version.'
          : rows
              .map(
                (v) =>
                  `${v.kind.padEnd(17)} v${String(v.version).padEnd(3)} ${v.state.padEnd(9)}${v.isCurrent ? ' CURRENT' : '        '} effective ${formatDay(v.effectiveAt)} accept by ${v.acceptBy ? formatDay(v.acceptBy) : '—'}  ${v.titleZh}\n    accepted by: ${v.acceptedBy.join(', ') || '—'}`,
              )
              .join('\n'),
      )
      return 0
    },
  },
  'agreements:status': {
    usage: "agreements:status --partner <code>           a partner's standing: current versions, accepted, in grace or blocking",
    options: { partner: { type: 'string' } },
    run: async (d, flags, io) => {
      if (typeof flags.partner !== 'string' || !flags.partner) {
        io.err('--partner <code> is required')
        return 2
      }
      const result = await getPartnerAgreementStatus(d.db, { partnerCode: flags.partner, actor: cliActor(), withText: false })
      if (!result.ok) {
        io.err(result.error.message)
        return 1
      }
      const s = result.value
      const value = {
        ...s,
        kinds: s.kinds.map((k) => ({ ...k, current: k.current && { ...k.current, text: undefined, textHash: undefined } })),
      }
      print(io, flags, value, () =>
        [
          `${s.partnerCode} ${s.partnerName}: ${s.isBlocked ? 'BLOCKED (agreement_not_accepted)' : s.isPending ? 'acceptance pending' : 'all current agreements accepted'}`,
          ...s.kinds.map(
            (k) =>
              `  ${k.kind.padEnd(17)} current ${k.current ? `v${k.current.version}` : '—'}  ${k.isCurrentAccepted ? 'accepted' : k.isInGrace ? `in grace until ${formatDay(k.current!.acceptBy!)}` : 'NOT ACCEPTED'}${k.acceptance ? `  last: v${k.acceptance.version} by ${k.acceptance.userName} ${formatIso(k.acceptance.acceptedAt)} ${k.acceptance.hashAlgorithm}:${k.acceptance.textHash.slice(0, 16)}…` : ''}`,
          ),
        ].join('\n'),
      )
      return 0
    },
  },
}
