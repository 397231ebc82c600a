import { randomUUID } from 'node:crypto'
import { desc, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { agreementVersions, AGREEMENT_KINDS, type AgreementKind } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'

export const AGREEMENT_TITLE_MAX_LENGTH = 200
export const AGREEMENT_BODY_MAX_LENGTH = 50_000

/**
 * The operator drafts a new version of an agreement (Art. 22; ADR 0031): title and body in Chinese and English, the
 * effective date, and the date by which partners that accepted an earlier version must accept this one. The bureau
 * approves it before it can become current.
 */
export async function draftAgreementVersion(
  db: Db,
  opts: {
    kind: AgreementKind
    titleZh: string
    titleEn: string
    bodyZh: string
    bodyEn: string
    effectiveAt: number
    acceptBy?: number | null
    actor: Actor
    requestId?: string
    now?: number
  },
): Promise<Result<{ id: string; kind: AgreementKind; version: number }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'agreement_version.draft')
  if (denied) return denied
  const fields: Record<string, string> = {}
  if (!(AGREEMENT_KINDS as readonly string[]).includes(opts.kind)) fields.kind = 'invalid'
  for (const [name, value, max] of [
    ['titleZh', opts.titleZh, AGREEMENT_TITLE_MAX_LENGTH],
    ['titleEn', opts.titleEn, AGREEMENT_TITLE_MAX_LENGTH],
    ['bodyZh', opts.bodyZh, AGREEMENT_BODY_MAX_LENGTH],
    ['bodyEn', opts.bodyEn, AGREEMENT_BODY_MAX_LENGTH],
  ] as const) {
    const trimmed = value.trim()
    if (!trimmed) fields[name] = 'required'
    else if (trimmed.length > max) fields[name] = 'length'
  }
  if (!Number.isSafeInteger(opts.effectiveAt) || opts.effectiveAt <= 0) fields.effectiveAt = 'invalid'
  const acceptBy = opts.acceptBy ?? null
  if (acceptBy !== null && (!Number.isSafeInteger(acceptBy) || acceptBy < opts.effectiveAt)) fields.acceptBy = 'before_effective'
  if (Object.keys(fields).length > 0) return fail('validation', 'validation_failed', 'The draft is incomplete', fields)

  const now = opts.now ?? Date.now()
  const id = randomUUID()
  const [last] = await db
    .select({ version: agreementVersions.version })
    .from(agreementVersions)
    .where(eq(agreementVersions.kind, opts.kind))
    .orderBy(desc(agreementVersions.version))
    .limit(1)
  const version = (last?.version ?? 0) + 1
  try {
    await recordAudit(
      db,
      {
        actor: opts.actor,
        action: 'agreement_version.draft',
        objectType: 'agreement_version',
        objectId: id,
        requestId: opts.requestId,
        detail: { kind: opts.kind, version, effectiveAt: opts.effectiveAt, acceptBy },
      },
      [
        db.insert(agreementVersions).values({
          id,
          kind: opts.kind,
          version,
          titleZh: opts.titleZh.trim(),
          titleEn: opts.titleEn.trim(),
          bodyZh: opts.bodyZh.trim(),
          bodyEn: opts.bodyEn.trim(),
          effectiveAt: opts.effectiveAt,
          acceptBy,
          state: 'draft',
          draftedByUserId: opts.actor.id,
          draftedAt: now,
        }),
      ],
    )
  } catch (error) {
    // Two drafts of one kind at once: the unique (kind, version) lets one in.
    if (String(error).includes('UNIQUE'))
      return fail('conflict', 'concurrent_draft', 'Another draft was saved at the same time: retry')
    throw error
  }
  return ok({ id, kind: opts.kind, version })
}
