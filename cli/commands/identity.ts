import { createUser } from '#platform/identity/create-user.ts'
import { generatePassword } from '#platform/identity/password.ts'
import { liftSignInLocks, listSignInLocks, type LockSelector } from '#platform/identity/sign-in-locks.ts'
import { resetTwoFactor } from '#platform/identity/two-factor-enrolment.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { ROLES, type Role } from '#db/schema/index.ts'
import { print, type CliCommand, type Io } from './command.ts'
import type { DomainError } from '#platform/result.ts'

// Identity commands: accounts, sign-in locks, a lost second factor. Audited as `cli`.
const actor: Actor = { id: null, label: 'cli', role: 'cli' }

function failed(io: Io, error: DomainError): number {
  const fields = error.fields
    ? ` (${Object.entries(error.fields)
        .map(([k, v]) => `${k}: ${v}`)
        .join(', ')})`
    : ''
  io.err(`${error.code}: ${error.message}${fields}`)
  return 1
}

const text = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : null)

export const identityCommands: Record<string, CliCommand> = {
  'users:create': {
    usage:
      'users:create --username <u> --name <display name> --role <role> [--source-unit <id>] [--partner <id>]  a user with a random initial password (printed once; changed at first sign-in)',
    options: {
      username: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string' },
      'source-unit': { type: 'string' },
      partner: { type: 'string' },
    },
    run: async (d, flags, io) => {
      const username = text(flags.username)
      const displayName = text(flags.name)
      const role = text(flags.role)
      if (!username || !displayName || !role || !(ROLES as readonly string[]).includes(role)) {
        io.err(`--username, --name and --role (${ROLES.join(', ')}) are required`)
        return 2
      }
      const password = generatePassword()
      const created = await createUser(d.db, {
        actor,
        input: {
          username,
          displayName,
          role: role as Role,
          password,
          sourceUnitId: text(flags['source-unit']),
          partnerId: text(flags.partner),
          mustChangePassword: true,
        },
      })
      if (!created.ok) return failed(io, created.error)
      print(io, flags, { id: created.value.id, username, initialPassword: password }, () =>
        [
          `Created ${username} (${role}).`,
          `Initial password (shown once; the user must change it at the first sign-in): ${password}`,
        ].join('\n'),
      )
      return 0
    },
  },
  'sign-in-locks:list': {
    usage: 'sign-in-locks:list                          sign-in locks (account × address) and delays (address, account) in force',
    options: {},
    run: async (d, flags, io) => {
      const locks = await listSignInLocks(d.db, { actor })
      if (!locks.ok) return failed(io, locks.error)
      print(io, flags, locks.value, () =>
        locks.value.length === 0
          ? 'No sign-in lock or delay in force.'
          : locks.value
              .map(
                (l) =>
                  `${l.scope.padEnd(16)} ${(l.username ?? '-').padEnd(16)} ${(l.address ?? '-').padEnd(24)} attempts=${l.attempts} refused=${l.refused} until=${new Date(l.blockedUntil).toISOString()}`,
              )
              .join('\n'),
      )
      return 0
    },
  },
  'sign-in-locks:lift': {
    usage: 'sign-in-locks:lift --username <u> | --address <a>   lift every sign-in lock of an account or of an address (audited)',
    options: { username: { type: 'string' }, address: { type: 'string' } },
    run: async (d, flags, io) => {
      const username = text(flags.username)
      const address = text(flags.address)
      if ((username === null) === (address === null)) {
        io.err('give either --username or --address')
        return 2
      }
      const select: LockSelector = username ? { username } : { address: address! }
      const lifted = await liftSignInLocks(d.db, { select, actor })
      if (!lifted.ok) return failed(io, lifted.error)
      print(io, flags, lifted.value, () => `Lifted ${lifted.value.lifted} lock(s).`)
      return 0
    },
  },
  'two-factor:reset': {
    usage:
      "two-factor:reset --username <u>             remove a user's second factor (lost phone, no recovery code left); audited",
    options: { username: { type: 'string' } },
    run: async (d, flags, io) => {
      const username = text(flags.username)
      if (!username) {
        io.err('--username is required')
        return 2
      }
      const reset = await resetTwoFactor(d.db, { username, actor })
      if (!reset.ok) return failed(io, reset.error)
      print(io, flags, { username, reset: true }, () => `Second factor of ${username} removed; their sessions ended.`)
      return 0
    },
  },
}
