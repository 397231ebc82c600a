import { SECTION_KEYS } from '../figures/figure-types.ts'

// The operator's words beside the figures: a summary and one text per section. Plain text (rendered as text, never
// HTML, in the page and the PDF), each at most NARRATIVE_MAX_LENGTH characters.

export const NARRATIVE_KEYS = ['summary', ...SECTION_KEYS] as const
export type NarrativeKey = (typeof NARRATIVE_KEYS)[number]
export type Narrative = Partial<Record<NarrativeKey, string>>

export const NARRATIVE_MAX_LENGTH = 5000
export const BUREAU_COMMENT_MAX_LENGTH = 2000

// Control characters other than tab and newline have no place in a report (and break the PDF's text layout).
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f\u2028\u2029]/

/** The narrative from a form or a stored JSON text: known keys only, trimmed, CRLF → LF; field errors by key. */
export function readNarrative(
  input: Record<string, unknown>,
): { ok: true; narrative: Narrative } | { ok: false; fields: Record<string, string> } {
  const narrative: Narrative = {}
  const fields: Record<string, string> = {}
  for (const key of NARRATIVE_KEYS) {
    const raw = input[key]
    if (raw === undefined || raw === null) continue
    if (typeof raw !== 'string') {
      fields[key] = 'invalid'
      continue
    }
    const text = raw.replace(/\r\n?/g, '\n').trim()
    if (text.length > NARRATIVE_MAX_LENGTH) fields[key] = 'too_long'
    else if (CONTROL.test(text)) fields[key] = 'invalid'
    else if (text !== '') narrative[key] = text
  }
  return Object.keys(fields).length > 0 ? { ok: false, fields } : { ok: true, narrative }
}

export function parseStoredNarrative(text: string): Narrative {
  try {
    const value = JSON.parse(text) as unknown
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const read = readNarrative(value as Record<string, unknown>)
      if (read.ok) return read.narrative
    }
  } catch {
    // A stored narrative is always written by saveReportNarrative; an unreadable one shows as empty.
  }
  return {}
}
