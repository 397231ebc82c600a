import { messages, translate, type Lang, type MessageKey } from '#app/i18n/messages.ts'
import { useLang } from '#app/i18n/use-t.ts'

/**
 * The areas whose messages hold `<area>.error.<code>` sentences, in the order a code is looked up. `login`: the sign-in
 * pages' own wording of a refusal (a lock reads differently there than before a consequential action).
 */
export const ERROR_AREAS = [
  'catalog',
  'gateway',
  'billing',
  'auth',
  'login',
  'cases',
  'feed',
  'emergency',
  'apply',
  'agree',
  'exit',
  'concentration',
  'plans',
  'team',
  'evaluation',
  'oreport',
  'grading',
  'disclosure',
  'sandbox',
  'logs',
  'common',
] as const
export type ErrorArea = (typeof ERROR_AREAS)[number]

/**
 * A stable error code (a domain failure's `code`, a field code from the form kit) as a sentence in the user's
 * language: the one translator of error codes for every page. The page's own area is tried first (the same code may
 * read differently per area), then the others; an unknown code reads "Not done (code)".
 */
export function errorMessage(
  lang: Lang,
  code: string,
  opts: { area?: ErrorArea; vars?: Record<string, string | number> } = {},
): string {
  const areas = opts.area ? [opts.area, ...ERROR_AREAS.filter((a) => a !== opts.area)] : ERROR_AREAS
  // `detail` and `code` are used by some sentences; empty unless the caller gives them.
  const vars = { detail: '', code, ...opts.vars }
  for (const area of areas) {
    const key = `${area}.error.${code}`
    if (key in messages.zh) return translate(lang, key as MessageKey, vars)
  }
  return translate(lang, 'error.generic', { code })
}

/** `errorMessage` bound to the user's language (and the page's area). */
export function useErrorMessage(area?: ErrorArea) {
  const lang = useLang()
  return (code: string, vars?: Record<string, string | number>) => errorMessage(lang, code, { area, vars })
}
