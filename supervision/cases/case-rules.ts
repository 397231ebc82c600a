import type { EvidenceMediaType } from '#db/schema/cases.ts'

/** Evidence files above this are refused (413): scans and photos of a rectification fit well under it. */
export const EVIDENCE_MAX_BYTES = 10 * 1024 * 1024

/** At most this many evidence files per case: a case is not a file share. */
export const EVIDENCE_MAX_FILES = 20

/**
 * Art. 29: the bureau's and the source units' own queues have deadlines too. Kept simple (ADR 0028): a demand item
 * awaits the bureau's review, or a source unit's grant or refusal, for at most this many calendar days from the day it
 * reached that queue; past it the item is flagged overdue on the queue owner's dashboard.
 */
export const QUEUE_DEADLINE_DAYS = 10

/** A case's rectification deadline is at least tomorrow and at most this many days ahead. */
export const CASE_DEADLINE_MAX_DAYS = 366

export const TEXT_LIMITS = { report: 2000, finding: 2000, rule: 300, resolution: 1000, regulator: 100, reason: 500 } as const

/**
 * The file's type by its first bytes (magic numbers), never by its name or the type the browser claims: PDF
 * (`%PDF-`), PNG (its 8-byte signature), JPEG (`FF D8 FF`). Anything else — HTML, SVG, scripts, archives, empty — is
 * null and refused.
 */
export function sniffEvidenceType(head: Uint8Array): EvidenceMediaType | null {
  const starts = (bytes: number[]) => head.length >= bytes.length && bytes.every((b, i) => head[i] === b)
  if (starts([0x25, 0x50, 0x44, 0x46, 0x2d])) return 'application/pdf'
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png'
  if (starts([0xff, 0xd8, 0xff])) return 'image/jpeg'
  return null
}

/** The file extension a download gets, from the sniffed type (the uploaded name's own extension is not trusted). */
export const EXTENSION_OF: Record<EvidenceMediaType, string> = {
  'application/pdf': 'pdf',
  'image/png': 'png',
  'image/jpeg': 'jpg',
}

/** Checks a free-text field: trimmed, required or not, and at most `max` characters. */
export function checkText(
  value: string | null | undefined,
  field: string,
  max: number,
  required: boolean,
): { text: string | null; error?: { field: string; code: 'required' | 'too_long' } } {
  const text = (value ?? '').trim()
  if (!text) return required ? { text: null, error: { field, code: 'required' } } : { text: null }
  if (text.length > max) return { text: null, error: { field, code: 'too_long' } }
  return { text }
}
