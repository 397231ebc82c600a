import { z } from 'zod'

/** The operator's own words, one per section of the edition (plain text; shown escaped, never as HTML). */
export const NARRATIVE_SECTIONS = ['overview', 'implementers', 'resources', 'products', 'fees', 'cap'] as const
export type NarrativeSection = (typeof NARRATIVE_SECTIONS)[number]
export type DisclosureNarrative = Record<NarrativeSection, string>

export const NARRATIVE_MAX = 4000

export const narrativeSchema = z
  .object(
    Object.fromEntries(
      NARRATIVE_SECTIONS.map((s) => [
        s,
        z
          .string({ invalid_type_error: 'invalid' })
          .max(NARRATIVE_MAX, 'too_long')
          // Control characters other than line breaks and tabs have no place in a public text.
          .refine((v) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(v), 'invalid_characters')
          .transform((v) => v.replace(/\r\n?/g, '\n').trim())
          .default(''),
      ]),
    ) as Record<NarrativeSection, z.ZodDefault<z.ZodEffects<z.ZodEffects<z.ZodString, string, string>, string, string>>>,
  )
  .strict()

export const emptyNarrative = (): DisclosureNarrative =>
  Object.fromEntries(NARRATIVE_SECTIONS.map((s) => [s, ''])) as DisclosureNarrative

export function parseStoredNarrative(text: string): DisclosureNarrative {
  try {
    const parsed = narrativeSchema.safeParse(JSON.parse(text))
    return parsed.success ? parsed.data : emptyNarrative()
  } catch {
    return emptyNarrative()
  }
}
