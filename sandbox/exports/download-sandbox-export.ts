import { createHash, randomUUID } from 'node:crypto'
import { and, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { sandboxExportDownloads, sandboxExports } from '#db/schema/sandbox.ts'
import { formatIso } from '#platform/calendar/shanghai-calendar.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'

export interface SandboxExportFile {
  downloadId: string
  filename: string
  content: string
  bytes: number
  fingerprint: string
  sha256: string
}

/** The line of the released file after which each download's own watermark lines go (render-export-csv.ts). */
const RELEASED_LINE = /^# 放行时间 released: .*$/m

/**
 * One download of an approved export (issue 13, ADR 0038). A released file downloads repeatedly, each download its own
 * copy: the approved watermark (partner, job, export, release time) plus who downloaded it, when, and a fingerprint
 * unique to this copy. The download, the fingerprint and the SHA-256 of the bytes that leave are recorded with the
 * audit entry in one batch, so a leaked copy traces back to it. Only the requesting partner's people or its key;
 * another partner's export is not found; before approval `409 export_not_approved`. The caller meters `bytes`
 * (`export_bytes`, priced per MB).
 */
export async function downloadSandboxExport(
  db: Db,
  opts: { actor: Actor; exportId: string; now: number; requestId?: string | null },
): Promise<Result<SandboxExportFile>> {
  const denied = refuseUnlessPermitted(opts.actor, 'sandbox_export.download')
  if (denied) return denied
  if (!opts.actor.partnerId) return fail('not_found', 'export_not_found', 'No such export request')
  const [row] = await db
    .select()
    .from(sandboxExports)
    .where(and(eq(sandboxExports.id, opts.exportId), eq(sandboxExports.partnerId, opts.actor.partnerId)))
    .limit(1)
  if (!row) return fail('not_found', 'export_not_found', 'No such export request')
  if (row.state !== 'approved' || row.content === null)
    return fail('conflict', 'export_not_approved', `The export is ${row.state}: it downloads only once approved`)

  const downloadId = randomUUID()
  const fingerprint = createHash('sha256').update(`${row.id}\n${downloadId}\n${row.content}`).digest('hex').slice(0, 32)
  const by = opts.actor.id ?? opts.actor.label
  const stamp = [
    `# 下载 download: ${downloadId} · ${opts.actor.label} · ${formatIso(opts.now)}`,
    `# 指纹 fingerprint: ${fingerprint}`,
  ].join('\n')
  const content = RELEASED_LINE.test(row.content)
    ? row.content.replace(RELEASED_LINE, (line) => `${line}\n${stamp}`)
    : `${stamp}\n${row.content}`
  const bytes = Buffer.byteLength(content, 'utf8')
  const sha256 = createHash('sha256').update(content, 'utf8').digest('hex')
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'sandbox_export.download',
      objectType: 'sandbox_export',
      objectId: row.id,
      requestId: opts.requestId ?? null,
      detail: { jobId: row.jobId, downloadId, fingerprint, sha256, bytes },
    },
    [
      db.insert(sandboxExportDownloads).values({
        id: downloadId,
        exportId: row.id,
        partnerId: row.partnerId,
        downloadedBy: by,
        requestId: opts.requestId ?? null,
        at: opts.now,
        bytes,
        fingerprint,
        sha256,
      }),
    ],
  )
  return ok({ downloadId, filename: `sandbox-export-${row.id}.csv`, content, bytes, fingerprint, sha256 })
}

export interface TracedDownload {
  downloadId: string
  exportId: string
  jobId: string
  partnerId: string
  downloadedBy: string
  requestId: string | null
  at: number
  bytes: number
  sha256: string
}

/** A leaked file's fingerprint (or SHA-256) back to its download: the operator's trace (`sandbox:exports trace`). */
export async function traceExportFingerprint(
  db: Db,
  opts: { actor: Actor; fingerprint: string },
): Promise<Result<TracedDownload>> {
  const denied = refuseUnlessPermitted(opts.actor, 'sandbox_export.review')
  if (denied) return denied
  const value = opts.fingerprint.trim().toLowerCase()
  if (!/^[0-9a-f]{32}$|^[0-9a-f]{64}$/.test(value))
    return fail('validation', 'invalid_fingerprint', 'A fingerprint is 32 hex characters (or a SHA-256 of 64)', {
      fingerprint: 'invalid',
    })
  const [hit] = await db
    .select({ d: sandboxExportDownloads, jobId: sandboxExports.jobId })
    .from(sandboxExportDownloads)
    .innerJoin(sandboxExports, eq(sandboxExports.id, sandboxExportDownloads.exportId))
    .where(value.length === 32 ? eq(sandboxExportDownloads.fingerprint, value) : eq(sandboxExportDownloads.sha256, value))
    .limit(1)
  if (!hit) return fail('not_found', 'fingerprint_not_found', 'No download carries this fingerprint')
  const d = hit.d
  return ok({
    downloadId: d.id,
    exportId: d.exportId,
    jobId: hit.jobId,
    partnerId: d.partnerId,
    downloadedBy: d.downloadedBy,
    requestId: d.requestId,
    at: d.at,
    bytes: d.bytes,
    sha256: d.sha256,
  })
}
