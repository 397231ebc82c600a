import { randomUUID } from 'node:crypto'
import { and, eq, gt, isNull, min, or } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { apiKeys, partners, plans, subscriptions } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { isOwnPartnerObject, refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { generateApiKey } from '#platform/api-keys/api-key-format.ts'
import { parseIpAllowlist } from '#platform/api-keys/ip-allowlist.ts'
import { parseDayEnd } from '#platform/calendar/shanghai-calendar.ts'

/** Active keys allowed when the partner has no active subscription yet (the plans' default). */
const DEFAULT_MAX_ACTIVE_KEYS = 5

/** The cap of a key bound to one subscription (ADR 0032): its plan's, counting only the keys bound to it. */
async function subscriptionKeyCap(
  db: Db,
  partnerId: string,
  subscriptionId: string,
  now: number,
): Promise<Result<{ cap: number; scope: ReturnType<typeof eq> }>> {
  const [sub] = await db
    .select({ state: subscriptions.state, endsAt: subscriptions.endsAt, cap: plans.maxActiveKeys })
    .from(subscriptions)
    .leftJoin(plans, and(eq(plans.code, subscriptions.planCode), eq(plans.version, subscriptions.planVersion)))
    .where(and(eq(subscriptions.id, subscriptionId), eq(subscriptions.partnerId, partnerId)))
    .limit(1)
  // Another partner's subscription is not found, as any object not theirs.
  if (!sub) return fail('not_found', 'subscription_not_found', 'No such subscription', { subscriptionId: 'unknown' })
  if (sub.state !== 'active' || (sub.endsAt !== null && sub.endsAt <= now)) {
    return fail('conflict', 'subscription_not_active', `The subscription is ${sub.state}`, { subscriptionId: 'not_active' })
  }
  return ok({ cap: sub.cap ?? DEFAULT_MAX_ACTIVE_KEYS, scope: eq(apiKeys.subscriptionId, subscriptionId) })
}

/** The smallest cap among the plans of the partner's active subscriptions: every key serves all of them. */
async function activeKeyCap(db: Db, partnerId: string): Promise<number> {
  const [row] = await db
    .select({ cap: min(plans.maxActiveKeys) })
    .from(subscriptions)
    .innerJoin(plans, and(eq(plans.code, subscriptions.planCode), eq(plans.version, subscriptions.planVersion)))
    .where(and(eq(subscriptions.partnerId, partnerId), eq(subscriptions.state, 'active')))
  return row?.cap ?? DEFAULT_MAX_ACTIVE_KEYS
}

export interface CreatedApiKey {
  id: string
  /** Shown once; only its hash is stored. */
  key: string
  displayPrefix: string
  expiresAt: number | null
  ipAllowlist: string | null
  subscriptionId: string | null
}

/**
 * A new API key for a partner: scoped to the partner's subscriptions, with an
 * optional expiry and IP allowlist (CIDRs). Returns the key itself once; the
 * database keeps only its SHA-256 (docs/decisions/0005-api-key-format-and-hash.md).
 *
 * The expiry is a day, as people give it (`expiresOn`, `YYYY-MM-DD`, Asia/Shanghai): the key works through the end of
 * that day (23:59:59 in Shanghai). Today is allowed; an earlier day is `past`, anything else `invalid`.
 */
export async function createApiKey(
  db: Db,
  opts: {
    partnerId: string
    name: string
    actor: Actor
    /** The last day the key works, `YYYY-MM-DD` in Asia/Shanghai; none (or empty) for a key that does not expire. */
    expiresOn?: string | null
    ipAllowlist?: string | null
    /** The subscription the key serves (ADR 0032): its purpose and plan decide the price; none = partner-wide. */
    subscriptionId?: string | null
    requestId?: string
    now?: number
  },
): Promise<Result<CreatedApiKey>> {
  const denied = refuseUnlessPermitted(opts.actor, 'api_key.create')
  if (denied) return denied
  // A partner's people create keys for their own partner only; another partner is not found.
  if (!isOwnPartnerObject(opts.actor, opts.partnerId)) return fail('not_found', 'partner_not_found', 'No such partner')
  const now = opts.now ?? Date.now()
  const name = opts.name.trim()
  if (name.length < 1 || name.length > 60)
    return fail('validation', 'validation_failed', 'Key name must be 1–60 characters', { name: 'length' })
  const expiry = expiryOf(opts.expiresOn, now)
  if (!expiry.ok) return expiry
  const expiresAt = expiry.value
  const allowlist = parseIpAllowlist(opts.ipAllowlist)
  if (!allowlist.ok) {
    return fail('validation', 'validation_failed', `Not an IP address or CIDR: ${allowlist.invalid.join(', ')}`, {
      ipAllowlist: 'invalid_cidr',
    })
  }
  const [partner] = await db
    .select({ id: partners.id, state: partners.state })
    .from(partners)
    .where(eq(partners.id, opts.partnerId))
    .limit(1)
  if (!partner) return fail('not_found', 'partner_not_found', 'No such partner')
  if (partner.state !== 'active') return fail('conflict', 'partner_not_active', 'The partner is not active')
  // Limits are per subscription and keys are self-service: a cap on active keys keeps keys from multiplying.
  const subscriptionId = opts.subscriptionId?.trim() || null
  let cap: number
  let scope: ReturnType<typeof eq> | undefined
  if (subscriptionId) {
    const bound = await subscriptionKeyCap(db, opts.partnerId, subscriptionId, now)
    if (!bound.ok) return bound
    ;({ cap, scope } = bound.value)
  } else {
    cap = await activeKeyCap(db, opts.partnerId)
  }
  const active = await db.$count(
    apiKeys,
    and(
      eq(apiKeys.partnerId, opts.partnerId),
      scope,
      isNull(apiKeys.revokedAt),
      or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, now)),
    ),
  )
  if (active >= cap) {
    return fail(
      'conflict',
      'key_limit_reached',
      `This partner already has ${active} active keys, the most its plan allows (${cap}); revoke one first`,
    )
  }
  const id = randomUUID()
  const { key, hash, displayPrefix } = generateApiKey()
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'api_key.create',
      objectType: 'api_key',
      objectId: id,
      requestId: opts.requestId,
      detail: { partnerId: opts.partnerId, subscriptionId, displayPrefix, name, expiresAt, ipAllowlist: allowlist.normalized },
    },
    [
      db.insert(apiKeys).values({
        id,
        partnerId: opts.partnerId,
        subscriptionId,
        name,
        keyHash: hash,
        displayPrefix,
        createdByUserId: opts.actor.id,
        expiresAt,
        ipAllowlist: allowlist.normalized,
      }),
    ],
  )
  return ok({ id, key, displayPrefix, expiresAt, ipAllowlist: allowlist.normalized, subscriptionId })
}

/** The end of the `expiresOn` day in Shanghai (null: no expiry), or why it cannot be the key's last day. */
function expiryOf(expiresOn: string | null | undefined, now: number): Result<number | null> {
  const text = (expiresOn ?? '').trim()
  if (text === '') return ok(null)
  const end = parseDayEnd(text)
  if (end === null)
    return fail('validation', 'validation_failed', 'The expiry must be a date, YYYY-MM-DD', { expiresOn: 'invalid' })
  if (end <= now) return fail('validation', 'validation_failed', 'The expiry must be today or later', { expiresOn: 'past' })
  return ok(end)
}
