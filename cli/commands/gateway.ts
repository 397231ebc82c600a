import { cliActor } from '#platform/audit/record-audit.ts'
import { createSubscription } from '#partner-access/subscriptions/create-subscription.ts'
import { decideSubscription } from '#partner-access/subscriptions/decide-subscription.ts'
import { cancelSubscription } from '#partner-access/subscriptions/cancel-subscription.ts'
import { endDueSubscriptions } from '#partner-access/subscriptions/end-due-subscriptions.ts'
import { changeSubscriptionPlan } from '#partner-access/subscriptions/change-subscription-plan.ts'
import { listSubscriptions } from '#partner-access/subscriptions/list-subscriptions.ts'
import { createApiKeyForProduct } from '#partner-access/keys/create-api-key-for-product.ts'
import { createApiKeyForSubscription } from '#partner-access/keys/create-api-key-for-subscription.ts'
import { listApiKeys } from '#partner-access/keys/list-api-keys.ts'
import { revokeApiKey } from '#partner-access/keys/revoke-api-key.ts'
import { rollApiKey } from '#partner-access/keys/roll-api-key.ts'
import { listPartners } from '#partner-access/partners/list-partners.ts'
import { suspendProduct } from '#partner-access/suspensions/suspend-product.ts'
import { resumeProduct } from '#partner-access/suspensions/resume-product.ts'
import { suspendPartner } from '#partner-access/suspensions/suspend-partner.ts'
import { resumePartner } from '#partner-access/suspensions/resume-partner.ts'
import type { DomainError } from '#platform/result.ts'
import { print, type CliCommand, type Io } from './command.ts'

// Partner-access commands: subscriptions, keys, suspensions. The CLI acts as a system actor, audited as `cli`.
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

function needs(io: Io, value: unknown, message: string): value is string {
  if (typeof value === 'string' && value.trim() !== '') return true
  io.err(message)
  return false
}

const time = (ms: number | null) => (ms === null ? '—' : new Date(ms).toISOString())

export const gatewayCommands: Record<string, CliCommand> = {
  'subscriptions:create': {
    usage:
      'subscriptions:create --partner <code> --product <code> --purpose industrial|public_interest [--scenario <text>] [--volume <calls/month>] [--statement <text>] [--plan <code>]',
    options: {
      partner: { type: 'string' },
      product: { type: 'string' },
      purpose: { type: 'string' },
      statement: { type: 'string' },
      plan: { type: 'string' },
      scenario: { type: 'string' },
      volume: { type: 'string' },
    },
    run: async (d, flags, io) => {
      if (!needs(io, flags.partner, 'subscriptions:create needs --partner <code>')) return 2
      if (!needs(io, flags.product, 'subscriptions:create needs --product <code>')) return 2
      if (!needs(io, flags.purpose, 'subscriptions:create needs --purpose industrial|public_interest')) return 2
      const volume = typeof flags.volume === 'string' ? Number(flags.volume) : null
      if (volume !== null && (flags.volume === '' || !Number.isSafeInteger(volume) || volume < 0)) {
        io.err('--volume must be a whole number of calls per month')
        return 2
      }
      const result = await createSubscription(d.db, {
        scenario: flags.scenario as string | undefined,
        expectedMonthlyVolume: volume,
        partner: { code: flags.partner },
        productCode: flags.product,
        purpose: flags.purpose,
        statement: flags.statement as string | undefined,
        planCode: flags.plan as string | undefined,
        actor,
      })
      if (!result.ok) return failed(io, result.error)
      const s = result.value
      print(io, flags, s, () =>
        s.state === 'pending'
          ? `Subscription ${s.id} created, pending the bureau's approval (public interest): npm run platform -- subscriptions:approve ${s.id}`
          : `Subscription ${s.id} active: ${s.partnerCode} → ${s.productCode} (${s.purpose}, plan ${s.planCode})`,
      )
      return 0
    },
  },
  'subscriptions:cancel': {
    usage: 'subscriptions:cancel <id>                                  ends at the end of this billing period (pending: now)',
    options: {},
    positionals: 1,
    run: async (d, flags, io, [id]) => {
      if (!needs(io, id, 'subscriptions:cancel needs the subscription id')) return 2
      const result = await cancelSubscription(d.db, { subscriptionId: id, actor })
      if (!result.ok) return failed(io, result.error)
      const c = result.value
      print(io, flags, c, () =>
        c.state === 'ended' ? `Subscription ${id} ended` : `Subscription ${id} cancelled: it ends at ${time(c.endsAt)}`,
      )
      return 0
    },
  },
  'subscriptions:end-due': {
    usage:
      'subscriptions:end-due                                      mark cancelled subscriptions past their end as ended (the scheduler does it every minute)',
    options: {},
    run: async (d, flags, io) => {
      const done = await endDueSubscriptions(d.db, { actor })
      print(io, flags, done, () =>
        done.ended.length === 0
          ? 'No subscription is due to end.'
          : `${done.ended.length} subscription(s) ended: ${done.ended.join(', ')}`,
      )
      return 0
    },
  },
  'subscriptions:change-plan': {
    usage: 'subscriptions:change-plan <id> --plan <code> [--now]       from the next billing period, or at once where allowed',
    options: { plan: { type: 'string' }, now: { type: 'boolean' } },
    positionals: 1,
    run: async (d, flags, io, [id]) => {
      if (!needs(io, id, 'subscriptions:change-plan needs the subscription id')) return 2
      if (!needs(io, flags.plan, 'subscriptions:change-plan needs --plan <code>')) return 2
      const result = await changeSubscriptionPlan(d.db, {
        subscriptionId: id,
        planCode: flags.plan,
        isImmediate: flags.now === true,
        actor,
      })
      if (!result.ok) return failed(io, result.error)
      const c = result.value
      print(io, flags, c, () =>
        c.isImmediate
          ? `Subscription ${id} is on ${c.planCode} v${c.planVersion} now`
          : `Subscription ${id} moves to ${c.planCode} v${c.planVersion} at ${time(c.effectiveAt)}`,
      )
      return 0
    },
  },
  'subscriptions:approve': {
    usage: 'subscriptions:approve <id> [--comment <c>]                the bureau approves a public-interest subscription',
    options: { comment: { type: 'string' } },
    positionals: 1,
    run: async (d, flags, io, [id]) => {
      if (!needs(io, id, 'subscriptions:approve needs the subscription id')) return 2
      const result = await decideSubscription(d.db, {
        subscriptionId: id,
        decision: 'approve',
        comment: flags.comment as string | undefined,
        actor,
      })
      if (!result.ok) return failed(io, result.error)
      print(io, flags, result.value, () => `Subscription ${id} approved: active, free of charge (Art. 21)`)
      return 0
    },
  },
  'subscriptions:reject': {
    usage: 'subscriptions:reject <id> --comment <c>                   the bureau rejects a public-interest subscription',
    options: { comment: { type: 'string' } },
    positionals: 1,
    run: async (d, flags, io, [id]) => {
      if (!needs(io, id, 'subscriptions:reject needs the subscription id')) return 2
      if (!needs(io, flags.comment, 'subscriptions:reject needs --comment <why>')) return 2
      const result = await decideSubscription(d.db, { subscriptionId: id, decision: 'reject', comment: flags.comment, actor })
      if (!result.ok) return failed(io, result.error)
      print(io, flags, result.value, () => `Subscription ${id} rejected`)
      return 0
    },
  },
  'subscriptions:list': {
    usage: 'subscriptions:list [--partner <code>] [--state pending|active|rejected|ended]',
    options: { partner: { type: 'string' }, state: { type: 'string' } },
    run: async (d, flags, io) => {
      const states = ['pending', 'active', 'rejected', 'ended'] as const
      const state = flags.state as (typeof states)[number] | undefined
      if (state !== undefined && !states.includes(state)) {
        io.err('--state must be pending, active, rejected or ended')
        return 2
      }
      let partnerId: string | null = null
      if (typeof flags.partner === 'string') {
        const partner = (await listPartners(d.db)).find((p) => p.code === flags.partner)
        if (!partner) {
          io.err(`partner_not_found: no partner with code ${flags.partner}`)
          return 1
        }
        partnerId = partner.id
      }
      const rows = await listSubscriptions(d.db, { partnerId, state })
      print(io, flags, rows, () =>
        rows.length === 0
          ? 'No subscriptions.'
          : rows
              .map(
                (r) =>
                  `${r.id}  ${r.state.padEnd(8)} ${r.purpose.padEnd(15)} ${`${r.planCode}@${r.planVersion}`.padEnd(12)} ${r.partnerCode.padEnd(16)} ${r.productCode}${r.endsAt !== null ? `  ends ${time(r.endsAt)}` : ''}  ${r.scenario ?? ''}`,
              )
              .join('\n'),
      )
      return 0
    },
  },
  'keys:create': {
    usage:
      'keys:create --subscription <id> | --partner <code> --product <code> [--name <n>] [--expires <date>] [--ip-allowlist <cidrs>]  (printed once)',
    options: {
      subscription: { type: 'string' },
      partner: { type: 'string' },
      product: { type: 'string' },
      name: { type: 'string' },
      expires: { type: 'string' },
      'ip-allowlist': { type: 'string' },
    },
    run: async (d, flags, io) => {
      // `--expires 2027-01-31`: the key works through that day (Shanghai); the operation reads and checks the date.
      const expiresOn = typeof flags.expires === 'string' ? flags.expires : null
      const ipAllowlist = flags['ip-allowlist'] as string | undefined
      const name = flags.name as string | undefined
      let result
      if (typeof flags.subscription === 'string') {
        result = await createApiKeyForSubscription(d.db, {
          subscriptionId: flags.subscription,
          name,
          expiresOn,
          ipAllowlist,
          actor,
        })
      } else if (typeof flags.partner === 'string' && typeof flags.product === 'string') {
        if (expiresOn !== null || ipAllowlist) {
          io.err('--expires and --ip-allowlist go with --subscription <id>')
          return 2
        }
        result = await createApiKeyForProduct(d.db, { partnerCode: flags.partner, productCode: flags.product, name, actor })
      } else {
        io.err('keys:create needs --subscription <id>, or --partner <code> and --product <code>')
        return 2
      }
      if (!result.ok && result.error.fields?.expiresOn === 'invalid') {
        io.err('--expires must be a date (2027-01-31)')
        return 2
      }
      if (!result.ok) return failed(io, result.error)
      const k = result.value
      print(
        io,
        flags,
        {
          id: k.id,
          key: k.key,
          displayPrefix: k.displayPrefix,
          partner: k.partnerCode,
          product: k.productCode,
          ...('subscriptionId' in k
            ? { subscriptionId: k.subscriptionId, expiresAt: k.expiresAt, ipAllowlist: k.ipAllowlist }
            : {}),
        },
        () => [`API key created (shown once; only its hash is stored):`, `  id:  ${k.id}`, `  key: ${k.key}`].join('\n'),
      )
      return 0
    },
  },
  'keys:list': {
    usage: "keys:list --partner <code>                                 a partner's keys (never the keys themselves)",
    options: { partner: { type: 'string' } },
    run: async (d, flags, io) => {
      if (!needs(io, flags.partner, 'keys:list needs --partner <code>')) return 2
      const partner = (await listPartners(d.db)).find((p) => p.code === flags.partner)
      if (!partner) {
        io.err(`partner_not_found: no partner with code ${flags.partner}`)
        return 1
      }
      const rows = await listApiKeys(d.db, { partnerId: partner.id })
      print(
        io,
        flags,
        rows,
        () =>
          rows
            .map((r) => `${r.id}  ${r.displayPrefix}…  ${r.state.padEnd(8)} expires ${time(r.expiresAt)}  ${r.name}`)
            .join('\n') || 'No keys.',
      )
      return 0
    },
  },
  'keys:revoke': {
    usage: 'keys:revoke <id> [--reason <r>]                            revoke at once (every process within 1 s)',
    options: { reason: { type: 'string' } },
    positionals: 1,
    run: async (d, flags, io, [id]) => {
      if (!needs(io, id, 'keys:revoke needs the key id')) return 2
      const result = await revokeApiKey(d.db, { keyId: id, partnerId: null, reason: flags.reason as string | undefined, actor })
      if (!result.ok) return failed(io, result.error)
      print(io, flags, result.value, () => `Key ${result.value.displayPrefix}… revoked`)
      return 0
    },
  },
  'keys:roll': {
    usage: 'keys:roll <id> [--grace-hours N]                           new key; the old one works N more hours (default 24)',
    options: { 'grace-hours': { type: 'string' } },
    positionals: 1,
    run: async (d, flags, io, [id]) => {
      if (!needs(io, id, 'keys:roll needs the key id')) return 2
      const graceHours = flags['grace-hours'] === undefined ? 24 : Number(flags['grace-hours'])
      if (!Number.isFinite(graceHours)) {
        io.err('--grace-hours must be a number')
        return 2
      }
      const result = await rollApiKey(d.db, { keyId: id, partnerId: null, graceHours, actor })
      if (!result.ok) return failed(io, result.error)
      const k = result.value
      print(
        io,
        flags,
        {
          id: k.id,
          key: k.key,
          displayPrefix: k.displayPrefix,
          replacedKeyId: k.replacedKeyId,
          oldKeyValidUntil: k.oldKeyValidUntil,
        },
        () =>
          [
            `New API key (shown once; only its hash is stored):`,
            `  id:  ${k.id}`,
            `  key: ${k.key}`,
            `The old key ${k.replacedKeyId} works until ${time(k.oldKeyValidUntil)}.`,
          ].join('\n'),
      )
      return 0
    },
  },
  'products:suspend': {
    usage: 'products:suspend <code> --reason <r>                       the bureau suspends a product (423 product_suspended)',
    options: { reason: { type: 'string' } },
    positionals: 1,
    run: async (d, flags, io, [code]) => {
      if (!needs(io, code, 'products:suspend needs the product code')) return 2
      if (!needs(io, flags.reason, 'products:suspend needs --reason <r>')) return 2
      const result = await suspendProduct(d.db, { productCode: code, reason: flags.reason, actor })
      if (!result.ok) return failed(io, result.error)
      print(io, flags, result.value, () => `Product ${code} suspended`)
      return 0
    },
  },
  'products:resume': {
    usage: 'products:resume <code> [--reason <r>]                      lift a product suspension',
    options: { reason: { type: 'string' } },
    positionals: 1,
    run: async (d, flags, io, [code]) => {
      if (!needs(io, code, 'products:resume needs the product code')) return 2
      const result = await resumeProduct(d.db, { productCode: code, reason: flags.reason as string | undefined, actor })
      if (!result.ok) return failed(io, result.error)
      print(io, flags, result.value, () => `Product ${code} resumed`)
      return 0
    },
  },
  'partners:suspend': {
    usage: 'partners:suspend <code> --reason <r>                       the bureau suspends a partner (423 partner_suspended)',
    options: { reason: { type: 'string' } },
    positionals: 1,
    run: async (d, flags, io, [code]) => {
      if (!needs(io, code, 'partners:suspend needs the partner code')) return 2
      if (!needs(io, flags.reason, 'partners:suspend needs --reason <r>')) return 2
      const result = await suspendPartner(d.db, { partnerCode: code, reason: flags.reason, actor })
      if (!result.ok) return failed(io, result.error)
      print(io, flags, result.value, () => `Partner ${code} suspended`)
      return 0
    },
  },
  'partners:resume': {
    usage: 'partners:resume <code> [--reason <r>]                      lift a partner suspension',
    options: { reason: { type: 'string' } },
    positionals: 1,
    run: async (d, flags, io, [code]) => {
      if (!needs(io, code, 'partners:resume needs the partner code')) return 2
      const result = await resumePartner(d.db, { partnerCode: code, reason: flags.reason as string | undefined, actor })
      if (!result.ok) return failed(io, result.error)
      print(io, flags, result.value, () => `Partner ${code} resumed`)
      return 0
    },
  },
}
