import { and, eq, isNull } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { sandboxModels } from '#db/schema/sandbox-models.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import type { LogisticArtifact, TreeArtifact } from './learners.ts'

export interface ModelArtifactFile {
  model: string
  kind: string
  releasedAt: number
  artifact: LogisticArtifact | TreeArtifact
}

/**
 * The one download a release allows (issue 13, ADR 0044): the artifact (coefficients and intercept with the feature
 * names, or the pruned tree), never a training row. The download is claimed by one conditional update, so two at once
 * cannot both have it; a second is refused (`artifact_already_downloaded`). Audited.
 */
export async function downloadModelArtifact(
  db: Db,
  opts: { actor: Actor; modelId: string; now: number; requestId?: string | null },
): Promise<Result<ModelArtifactFile>> {
  const denied = refuseUnlessPermitted(opts.actor, 'sandbox_model.download')
  if (denied) return denied
  if (!opts.actor.partnerId) return fail('not_found', 'model_not_found', 'No such model')
  const own = and(eq(sandboxModels.id, opts.modelId), eq(sandboxModels.partnerId, opts.actor.partnerId))
  const [row] = await db.select().from(sandboxModels).where(own).limit(1)
  if (!row) return fail('not_found', 'model_not_found', 'No such model')
  if (row.state !== 'released') return fail('conflict', 'model_not_released', `The model is ${row.state}`)
  if (row.downloadedAt !== null)
    return fail('conflict', 'artifact_already_downloaded', 'A released model downloads once; this one was downloaded')
  // The claim is the conditional update itself; the audit entry follows the claim that won.
  const claimed = await db
    .update(sandboxModels)
    .set({ downloadedAt: opts.now })
    .where(and(own, eq(sandboxModels.state, 'released'), isNull(sandboxModels.downloadedAt)))
    .returning({ id: sandboxModels.id })
  if (claimed.length !== 1)
    return fail('conflict', 'artifact_already_downloaded', 'A released model downloads once; this one was downloaded')
  await recordAudit(db, {
    actor: opts.actor,
    action: 'sandbox_model.download',
    objectType: 'sandbox_model',
    objectId: row.id,
    requestId: opts.requestId ?? null,
    detail: { kind: row.kind, releasedAt: row.releasedAt, modelReleaseId: row.modelReleaseId },
  })
  return ok({
    model: row.id,
    kind: row.kind,
    releasedAt: row.releasedAt!,
    artifact: JSON.parse(row.artifact) as LogisticArtifact | TreeArtifact,
  })
}
