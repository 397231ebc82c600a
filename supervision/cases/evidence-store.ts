import { createHash, randomUUID } from 'node:crypto'
import { mkdir, open, rename, rm, stat } from 'node:fs/promises'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import type { EvidenceMediaType } from '#db/schema/cases.ts'
import { sniffEvidenceType } from './case-rules.ts'

/**
 * Where evidence files live: `case-evidence/` beside the database file (the install's data directory, outside the
 * web root and `public/`), or `data/case-evidence` for a database that is not a local file. Files are named by their
 * id only; the name the uploader gave is kept in the database for the download's Content-Disposition.
 */
export function evidenceDirectoryOf(databaseUrl: string, cwd = process.cwd()): string {
  if (!databaseUrl.startsWith('file:')) return resolve(cwd, 'data', 'case-evidence')
  const path = databaseUrl.slice('file:'.length).split('?')[0]!
  return join(dirname(isAbsolute(path) ? path : resolve(cwd, path)), 'case-evidence')
}

export type StoredEvidence =
  | { ok: true; id: string; bytes: number; sha256: string; mediaType: EvidenceMediaType }
  | { ok: false; reason: 'too_large' | 'empty' | 'unsupported_type' | 'interrupted' }

const ID = /^[0-9a-f-]{36}$/

export function evidencePath(directory: string, id: string): string | null {
  return ID.test(id) ? join(directory, id) : null
}

/**
 * Streams an upload to `<dir>/<id>.part`, counting bytes as they arrive (over `maxBytes`: stop reading, delete,
 * `too_large`), hashing it, and keeping its first bytes; then checks the type by those bytes (magic numbers) and only
 * then renames it to `<dir>/<id>`. A refused or interrupted upload leaves no file behind.
 */
export async function storeEvidenceFile(opts: {
  directory: string
  content: AsyncIterable<Uint8Array>
  declaredBytes: number | null
  maxBytes: number
  signal?: AbortSignal
}): Promise<StoredEvidence> {
  if (opts.declaredBytes !== null && opts.declaredBytes > opts.maxBytes) return { ok: false, reason: 'too_large' }
  await mkdir(opts.directory, { recursive: true, mode: 0o700 })
  const id = randomUUID()
  const partial = join(opts.directory, `${id}.part`)
  const file = await open(partial, 'wx', 0o600)
  const hash = createHash('sha256')
  const head: number[] = []
  let bytes = 0
  let failure: 'too_large' | 'interrupted' | null = null
  try {
    for await (const chunk of opts.content) {
      if (opts.signal?.aborted) {
        failure = 'interrupted'
        break
      }
      bytes += chunk.byteLength
      if (bytes > opts.maxBytes) {
        failure = 'too_large'
        break
      }
      for (let i = 0; head.length < 16 && i < chunk.byteLength; i++) head.push(chunk[i]!)
      hash.update(chunk)
      await file.write(chunk)
    }
  } catch {
    failure = 'interrupted'
  } finally {
    await file.close()
  }
  const refuse = async (reason: 'too_large' | 'empty' | 'unsupported_type' | 'interrupted'): Promise<StoredEvidence> => {
    await rm(partial, { force: true })
    return { ok: false, reason }
  }
  if (failure) return refuse(failure)
  if (bytes === 0) return refuse('empty')
  const mediaType = sniffEvidenceType(Uint8Array.from(head))
  if (!mediaType) return refuse('unsupported_type')
  await rename(partial, join(opts.directory, id))
  return { ok: true, id, bytes, sha256: hash.digest('hex'), mediaType }
}

/** Removes a stored file whose database row could not be written (the case changed meanwhile). */
export async function discardEvidenceFile(directory: string, id: string): Promise<void> {
  const path = evidencePath(directory, id)
  if (path) await rm(path, { force: true })
}

/** Whether the file of an evidence row is on disk, and its size. */
export async function evidenceFileSize(directory: string, id: string): Promise<number | null> {
  const path = evidencePath(directory, id)
  if (!path) return null
  try {
    return (await stat(path)).size
  } catch {
    return null
  }
}
