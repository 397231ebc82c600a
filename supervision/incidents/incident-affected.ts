import { inArray } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { datasets, partners, products } from '#db/schema/index.ts'

/** What an incident affects: products, datasets and partners by code, and/or the platform as a whole. */
export interface IncidentAffected {
  products: string[]
  datasets: string[]
  partners: string[]
  platform: boolean
}

const MAX_CODES = 50

/** `a, b c` (commas, spaces, ideographic commas or new lines) → distinct codes; the forms' way of listing them. */
export function parseCodeList(text: string | null | undefined): string[] {
  if (typeof text !== 'string') return []
  return [...new Set(text.split(/[\s,，、;；]+/).filter((c) => c !== ''))]
}

/**
 * Checks the affected parts exist; returns the field errors (`affectedProducts: 'unknown'`, …) or the clean value.
 * Something must be named: at least one code, or the platform.
 */
export async function checkAffected(
  db: Db,
  affected: Partial<IncidentAffected> | null | undefined,
): Promise<{ value: IncidentAffected; fields: Record<string, string> }> {
  const clean = (list: unknown) =>
    Array.isArray(list) ? [...new Set(list.filter((c): c is string => typeof c === 'string').map((c) => c.trim()))] : []
  const value: IncidentAffected = {
    products: clean(affected?.products),
    datasets: clean(affected?.datasets),
    partners: clean(affected?.partners),
    platform: affected?.platform === true,
  }
  const fields: Record<string, string> = {}
  const check = async (field: string, list: string[], known: (codes: string[]) => Promise<{ code: string }[]>) => {
    if (list.length === 0) return
    if (list.length > MAX_CODES || list.some((c) => c === '' || c.length > 100)) {
      fields[field] = 'invalid'
      return
    }
    const found = new Set((await known(list)).map((k) => k.code))
    if (list.some((c) => !found.has(c))) fields[field] = 'unknown'
  }
  await check('affectedProducts', value.products, (c) =>
    db.select({ code: products.code }).from(products).where(inArray(products.code, c)),
  )
  await check('affectedDatasets', value.datasets, (c) =>
    db.select({ code: datasets.code }).from(datasets).where(inArray(datasets.code, c)),
  )
  await check('affectedPartners', value.partners, (c) =>
    db.select({ code: partners.code }).from(partners).where(inArray(partners.code, c)),
  )
  const none = !value.platform && value.products.length + value.datasets.length + value.partners.length === 0
  if (none) fields.affected = 'required'
  return { value, fields }
}
