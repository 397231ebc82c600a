import { randomUUID } from 'node:crypto'
import { and, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { agreementAcceptances, agreementVersions, users } from '#db/schema/index.ts'
import { currentVersionOf } from '#platform/agreements/agreement-standing.ts'
import { loadApprovedAgreementVersions } from '#platform/agreements/load-agreement-state.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { AGREEMENT_HASH_ALGORITHM, hashAgreementText, renderAgreementText } from './render-agreement-text.ts'

const HASH_PATTERN = /^[0-9a-f]{64}$/

/**
 * A partner's administrator accepts the current version of an agreement for its partner (Art. 22; ADR 0031). The page
 * posts the hash of the text it showed; the text is rendered again now and must hash the same (a price decided in
 * between changes the generated section: the partner is shown the new text), so the record holds the exact text shown.
 * Recorded: the user's name, the time, the client address, the text and its hash (SM3, the audit chain's algorithm).
 */
export async function acceptAgreement(
  db: Db,
  opts: {
    versionId: string
    shownTextHash: string
    clientAddress?: string | null
    actor: Actor
    requestId?: string
    now?: number
  },
): Promise<Result<{ id: string; textHash: string; hashAlgorithm: string; acceptedAt: number }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'agreement.accept')
  if (denied) return denied
  const partnerId = opts.actor.partnerId ?? ''
  if (!HASH_PATTERN.test(opts.shownTextHash))
    return fail('validation', 'validation_failed', 'The shown text hash is malformed', { shownTextHash: 'invalid' })
  const now = opts.now ?? Date.now()
  const [version] = await db.select().from(agreementVersions).where(eq(agreementVersions.id, opts.versionId)).limit(1)
  if (!version || version.state !== 'approved')
    return fail('not_found', 'agreement_version_not_found', 'No such agreement version')
  const current = currentVersionOf(await loadApprovedAgreementVersions(db), version.kind, now)
  if (current?.id !== version.id)
    return fail('conflict', 'not_current_version', 'Only the current version of an agreement can be accepted')
  const [already] = await db
    .select({ id: agreementAcceptances.id })
    .from(agreementAcceptances)
    .where(and(eq(agreementAcceptances.versionId, version.id), eq(agreementAcceptances.partnerId, partnerId)))
    .limit(1)
  if (already) return fail('conflict', 'already_accepted', 'Your partner has already accepted this version')
  const text = await renderAgreementText(db, version, now)
  const textHash = hashAgreementText(text)
  if (textHash !== opts.shownTextHash)
    return fail('conflict', 'agreement_text_changed', 'The agreement text changed since it was shown: read it again')
  const [user] = opts.actor.id
    ? await db.select({ displayName: users.displayName }).from(users).where(eq(users.id, opts.actor.id)).limit(1)
    : []
  const userName = user?.displayName ?? opts.actor.label
  const clientAddress = opts.clientAddress?.slice(0, 64) ?? null
  const id = randomUUID()
  try {
    await recordAudit(
      db,
      {
        actor: opts.actor,
        action: 'agreement.accept',
        objectType: 'agreement_acceptance',
        objectId: id,
        requestId: opts.requestId,
        detail: {
          partnerId,
          versionId: version.id,
          kind: version.kind,
          version: version.version,
          clientAddress,
          hashAlgorithm: AGREEMENT_HASH_ALGORITHM,
          textHash,
        },
      },
      [
        db.insert(agreementAcceptances).values({
          id,
          versionId: version.id,
          partnerId,
          userId: opts.actor.id,
          userName,
          acceptedAt: now,
          clientAddress,
          renderedText: text,
          hashAlgorithm: AGREEMENT_HASH_ALGORITHM,
          textHash,
        }),
      ],
    )
  } catch (error) {
    // Two administrators accepting at once: the unique (version, partner) keeps one record.
    if (String(error).includes('UNIQUE'))
      return fail('conflict', 'already_accepted', 'Your partner has already accepted this version')
    throw error
  }
  return ok({ id, textHash, hashAlgorithm: AGREEMENT_HASH_ALGORITHM, acceptedAt: now })
}
