import type { Db } from '#db/client.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { ok, type Result } from '#platform/result.ts'
import { listApiKeys, type ApiKeyListing } from '../keys/list-api-keys.ts'
import type { QuotaStatus } from '../usage/summarize-usage.ts'
import { countPartnerCalls } from './count-partner-calls.ts'
import { expiringKeys } from './get-partner-home.ts'
import { listQuotaStatuses } from './list-quota-statuses.ts'

export interface DeveloperHome {
  /** The partner's keys, newest first; `expiring` marks a usable key that ends within EXPIRING_KEY_DAYS. */
  keys: (ApiKeyListing & { expiring: boolean })[]
  calls: { today: number; thisMonth: number }
  quotas: QuotaStatus[]
}

/**
 * What a partner's developer sees first (issue 16): the partner's keys with their state and end, the soon-ending ones
 * marked, and the calls today and this month against each subscription's quota. Their own partner only; a read.
 */
export async function getDeveloperHome(db: Db, opts: { actor: Actor; now?: number }): Promise<Result<DeveloperHome>> {
  const refused = refuseUnlessPermitted(opts.actor, 'developer_home.view')
  if (refused) return refused
  const partnerId = opts.actor.partnerId!
  const now = opts.now ?? Date.now()
  const [keys, calls, quotas] = await Promise.all([
    listApiKeys(db, { partnerId, now }),
    countPartnerCalls(db, { partnerId, now }),
    listQuotaStatuses(db, { partnerId, now }),
  ])
  const soon = new Set(expiringKeys(keys, now).map((k) => k.id))
  return ok({ keys: keys.map((k) => ({ ...k, expiring: soon.has(k.id) })), calls, quotas })
}
