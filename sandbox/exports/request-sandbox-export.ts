import { randomUUID } from 'node:crypto'
import { eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { sandboxExports, sandboxJobs } from '#db/schema/sandbox.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { isOwnPartnerObject, refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import type { SandboxJobResult } from '../jobs/run-sandbox-job.ts'

/** Levels whose results need a second reviewer before they leave (issue 13). */
const TWO_REVIEWS = new Set(['L3', 'L4'])

/**
 * A partner's person asks to take a released job's result out of the sandbox. The automatic checks are the job's own
 * disclosure control (only a released job qualifies); the request is then held for operator review — two distinct
 * reviewers when the job read L3 data. One request per job. Another partner's job is not found.
 */
export async function requestSandboxExport(
  db: Db,
  opts: { actor: Actor; jobId: string; now: number },
): Promise<Result<{ id: string; reviewsRequired: number }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'sandbox_export.request')
  if (denied) return denied
  const [job] = await db.select().from(sandboxJobs).where(eq(sandboxJobs.id, opts.jobId)).limit(1)
  if (!job || !isOwnPartnerObject(opts.actor, job.partnerId)) return fail('not_found', 'job_not_found', 'No such sandbox job')
  if (job.state !== 'released' || job.result === null)
    return fail('conflict', 'job_not_released', 'Only a result that passed disclosure control can be exported')
  const [existing] = await db.select({ id: sandboxExports.id }).from(sandboxExports).where(eq(sandboxExports.jobId, job.id))
  if (existing) return fail('conflict', 'export_already_requested', 'An export of this job has already been requested')
  const level = (JSON.parse(job.result) as SandboxJobResult).level
  const reviewsRequired = TWO_REVIEWS.has(level) ? 2 : 1
  const id = randomUUID()
  try {
    await recordAudit(
      db,
      {
        actor: opts.actor,
        action: 'sandbox_export.request',
        objectType: 'sandbox_export',
        objectId: id,
        detail: { jobId: job.id, level, reviewsRequired },
      },
      [
        db.insert(sandboxExports).values({
          id,
          jobId: job.id,
          partnerId: job.partnerId,
          subscriptionId: job.subscriptionId,
          requestedByUserId: opts.actor.id ?? opts.actor.label,
          requestedAt: opts.now,
          level,
          reviewsRequired,
          state: 'pending',
        }),
      ],
    )
  } catch (error) {
    // Two requests at once: the unique index on the job lets one through.
    if (/UNIQUE/i.test(String((error as Error).message ?? error)))
      return fail('conflict', 'export_already_requested', 'An export of this job has already been requested')
    throw error
  }
  return ok({ id, reviewsRequired })
}
