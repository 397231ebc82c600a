import { generateCity, type CityData, type EnterpriseRow } from '#source-systems/simulated/generate-city.ts'

// The base database's city in clear. The store holds natural persons' names, ID numbers and phone numbers only
// sealed (db/sealed-columns.ts), so a test that needs them takes them from the generator that seeded the base
// database (test/support/global-setup.ts: scale `small`, the default seed), never from the database.

let city: CityData | undefined
let enterprises: Map<string, EnterpriseRow> | undefined

export function plainCity(): CityData {
  city ??= generateCity('small')
  return city
}

/** The enterprise `uscc` as generated, personal columns in clear. */
export function plainEnterprise(uscc: string): EnterpriseRow {
  enterprises ??= new Map(plainCity().enterprises.map((e) => [e.uscc, e]))
  const found = enterprises.get(uscc)
  if (!found) throw new Error(`the seed generator made no enterprise ${uscc}`)
  return found
}
