/** A year in a disclosure path: four digits, nothing else (anything else is simply not found). */
export function yearParam(text: string | undefined): number | null {
  return text && /^\d{4}$/.test(text) ? Number(text) : null
}
