import { cliActor } from '#platform/audit/record-audit.ts'
import { createPlan } from '#partner-access/plans/create-plan.ts'
import { listPlanVersions } from '#partner-access/plans/list-plan-versions.ts'
import { updatePlan } from '#partner-access/plans/update-plan.ts'
import type { PlanInput } from '#partner-access/plans/plan-input.ts'
import type { DomainError } from '#platform/result.ts'
import { print, type CliCommand, type Flags, type Io } from './command.ts'

// Plans (ADR 0032): the operator's versioned rate limit, quota, distinct subjects and key cap. Audited as `cli`.
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

const planOptions = {
  'name-zh': { type: 'string' },
  'name-en': { type: 'string' },
  'rate-limit': { type: 'string' },
  'monthly-quota': { type: 'string' },
  'distinct-subjects': { type: 'string' },
  'max-keys': { type: 'string' },
  'immediate-change': { type: 'boolean' },
} as const

const LIMIT_USAGE =
  '--name-zh <n> --name-en <n> --rate-limit <per minute> [--monthly-quota <calls>|unlimited] [--distinct-subjects <per day>] [--max-keys <n>] [--immediate-change]'

/** A whole number flag; `NaN` marks a bad one (the operation reports it as a field error). */
function whole(value: unknown, fallback: number): number {
  if (value === undefined) return fallback
  return typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : Number.NaN
}

function planInputOf(flags: Flags): PlanInput {
  const quota = flags['monthly-quota']
  return {
    nameZh: typeof flags['name-zh'] === 'string' ? flags['name-zh'] : '',
    nameEn: typeof flags['name-en'] === 'string' ? flags['name-en'] : '',
    rateLimitPerMinute: whole(flags['rate-limit'], Number.NaN),
    monthlyQuota: quota === undefined || quota === 'unlimited' ? null : whole(quota, Number.NaN),
    distinctSubjectsPerDay: whole(flags['distinct-subjects'], 1000),
    maxActiveKeys: whole(flags['max-keys'], 5),
    allowsImmediateChange: flags['immediate-change'] === true,
  }
}

export const plansCommands: Record<string, CliCommand> = {
  'plans:list': {
    usage: 'plans:list                                                 every plan version, with the subscriptions on it',
    options: {},
    run: async (d, flags, io) => {
      const rows = await listPlanVersions(d.db)
      print(io, flags, rows, () =>
        rows
          .map(
            (r) =>
              `${`${r.code}@${r.version}`.padEnd(16)} ${String(r.rateLimitPerMinute).padStart(6)}/min  quota ${String(r.monthlyQuota ?? 'unlimited').padStart(10)}  subjects ${String(r.distinctSubjectsPerDay).padStart(7)}/day  keys ${r.maxActiveKeys}  ${r.allowsImmediateChange ? 'at-once' : 'next-period'}  ${r.subscriptions} subscription(s)${r.isLatest ? '' : '  (replaced)'}`,
          )
          .join('\n'),
      )
      return 0
    },
  },
  'plans:create': {
    usage: `plans:create <code> ${LIMIT_USAGE} [--new-version]   a new plan, or the next version of one`,
    options: { ...planOptions, 'new-version': { type: 'boolean' } },
    positionals: 1,
    run: async (d, flags, io, [code]) => {
      if (!code) {
        io.err('plans:create needs the plan code')
        return 2
      }
      const result = await createPlan(d.db, {
        code,
        input: planInputOf(flags),
        isNewVersion: flags['new-version'] === true,
        actor,
      })
      if (!result.ok) return failed(io, result.error)
      print(io, flags, result.value, () => `Plan ${result.value.code} version ${result.value.version} created`)
      return 0
    },
  },
  'plans:update': {
    usage: `plans:update <code> --version <n> ${LIMIT_USAGE}   in place, only while no subscription uses it`,
    options: { ...planOptions, version: { type: 'string' } },
    positionals: 1,
    run: async (d, flags, io, [code]) => {
      const version = whole(flags.version, Number.NaN)
      if (!code || !Number.isSafeInteger(version)) {
        io.err('plans:update needs the plan code and --version <n>')
        return 2
      }
      const result = await updatePlan(d.db, { code, version, input: planInputOf(flags), actor })
      if (!result.ok) return failed(io, result.error)
      print(io, flags, result.value, () => `Plan ${code} version ${version} updated`)
      return 0
    },
  },
}
