import { createHash } from 'node:crypto'

// SM3 (GB/T 32905) chains the audit log: docs/decisions/0001-audit-chain-sm3.md.
export const AUDIT_HASH_ALGORITHM = 'sm3'
export const GENESIS_HASH = '0'.repeat(64)

export interface AuditHashInput {
  seq: number
  at: number
  actorId: string | null
  actorLabel: string
  role: string
  action: string
  objectType: string
  objectId: string | null
  requestId: string | null
  detail: string | null
  prevHash: string
}

/** Hash of an entry's content and its predecessor's hash, over a fixed field order. */
export function computeAuditHash(e: AuditHashInput): string {
  const canonical = JSON.stringify([
    e.seq,
    e.at,
    e.actorId,
    e.actorLabel,
    e.role,
    e.action,
    e.objectType,
    e.objectId,
    e.requestId,
    e.detail,
    e.prevHash,
  ])
  return createHash(AUDIT_HASH_ALGORITHM).update(canonical, 'utf8').digest('hex')
}
