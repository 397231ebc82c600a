import { approvePartnerApplication, rejectPartnerApplication } from '#partner-access/applications/decide-partner-application.ts'
import { listPartnerApplications } from '#partner-access/applications/list-partner-applications.ts'
import { APPLICATION_STATES, type ApplicationState } from '#db/schema/index.ts'
import { cliActor } from '#platform/audit/record-audit.ts'
import { formatDay } from '#platform/calendar/shanghai-calendar.ts'
import { print, type CliCommand } from './command.ts'

// Applications to become a partner (ADR 0030): applications:list, applications:approve, applications:reject.
export const applicationsCommands: Record<string, CliCommand> = {
  'applications:list': {
    usage:
      'applications:list [--state <state>] [--json]      applications to become a partner, newest first (ID numbers, phones masked)',
    options: { state: { type: 'string' } },
    run: async (d, flags, io) => {
      const state = typeof flags.state === 'string' ? flags.state : null
      if (state !== null && !(APPLICATION_STATES as readonly string[]).includes(state)) {
        io.err(`--state must be one of ${APPLICATION_STATES.join(', ')}`)
        return 2
      }
      const result = await listPartnerApplications(d.db, {
        actor: cliActor(),
        states: state ? [state as ApplicationState] : undefined,
      })
      if (!result.ok) {
        io.err(`${result.error.code}: ${result.error.message}`)
        return 1
      }
      const rows = result.value
      print(io, flags, rows, () =>
        rows.length === 0
          ? 'No application.'
          : rows
              .map(
                (r) =>
                  `${r.number}  ${r.state.padEnd(12)} ${r.kind.padEnd(18)} ${(r.uscc ?? r.idNumber ?? '').padEnd(18)} ${formatDay(r.submittedAt)}  ${r.name}`,
              )
              .join('\n'),
      )
      return 0
    },
  },
  'applications:approve': {
    usage:
      'applications:approve <number> [--json]            approve: creates the partner, its admin and a 72 h invite link (shown once)',
    options: {},
    positionals: 1,
    run: async (d, flags, io, positionals) => {
      const number = positionals[0]
      if (!number) {
        io.err('usage: applications:approve <number>')
        return 2
      }
      const result = await approvePartnerApplication(d.db, { actor: cliActor(), number })
      if (!result.ok) {
        io.err(`${result.error.code}: ${result.error.message}`)
        return 1
      }
      const v = result.value
      const invitePath = `/invite/${v.inviteToken}`
      print(
        io,
        flags,
        { number: v.number, partnerCode: v.partnerCode, username: v.username, invitePath, inviteExpiresAt: v.inviteExpiresAt },
        () =>
          [
            `Approved ${v.number}: partner ${v.partnerCode}, administrator ${v.username}.`,
            `Invite link (shown once, valid until ${new Date(v.inviteExpiresAt).toISOString()}): ${invitePath}`,
          ].join('\n'),
      )
      return 0
    },
  },
  'applications:reject': {
    usage: 'applications:reject <number> --reason <text> [--json]   reject with a reason the applicant reads',
    options: { reason: { type: 'string' } },
    positionals: 1,
    run: async (d, flags, io, positionals) => {
      const number = positionals[0]
      if (!number || typeof flags.reason !== 'string') {
        io.err('usage: applications:reject <number> --reason <text>')
        return 2
      }
      const result = await rejectPartnerApplication(d.db, { actor: cliActor(), number, reason: flags.reason })
      if (!result.ok) {
        io.err(`${result.error.code}: ${result.error.message}`)
        return 1
      }
      print(io, flags, { number, state: 'rejected' }, () => `Rejected ${number}.`)
      return 0
    },
  },
}
