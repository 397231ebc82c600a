import { count } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { cityEnterprises, cityRoadSegments } from '#db/schema/index.ts'
import {
  DEFAULT_SEED,
  generateEnterprises,
  generateHospitalVisits,
  generateMedicalInsurance,
  generateRoadSegments,
  generateSocialSecurity,
  generateTaxCreditRatings,
  generateTrafficFlows,
  SCALES,
  type ScaleName,
} from './generate-city.ts'
import { createRng } from './random.ts'
import type { SourceSystems } from '../source-systems.ts'

// The source units' systems, simulated: a table is what the deterministic city generator makes for it with the
// default seed at the scale the platform's store was seeded with (so a reload reproduces the seeded rows); an
// interface is a real HTTP request to the dataset's configured endpoint.

/** The scale the platform store was seeded with, from tables no authorization end ever empties first. */
export async function inferSeedScale(db: Db): Promise<ScaleName> {
  const [enterprises] = await db.select({ n: count() }).from(cityEnterprises)
  if ((enterprises?.n ?? 0) > 0) return enterprises!.n >= SCALES.city.enterprises ? 'city' : 'small'
  // city_road_segments is no dataset's store, so it survives the end of every authorization.
  const [segments] = await db.select({ n: count() }).from(cityRoadSegments)
  return (segments?.n ?? 0) >= SCALES.city.roadSegments ? 'city' : 'small'
}

/** The source unit's current rows for a store table, keyed by property name (as drizzle inserts them). */
export function generateStoreTable(storeTable: string, scale: ScaleName, seed = DEFAULT_SEED): object[] {
  const spec = SCALES[scale]
  const root = createRng(seed)
  const enterprises = () => [...generateEnterprises(root.fork('enterprises'), { count: spec.enterprises })]
  const segments = () => generateRoadSegments(root.fork('road-segments'), spec.roadSegments)
  switch (storeTable) {
    case 'city_enterprises':
      return enterprises()
    case 'city_tax_credit_ratings':
      return [...generateTaxCreditRatings(root.fork('tax'), enterprises(), spec.taxYears)]
    case 'city_road_segments':
      return segments()
    case 'city_traffic_flows':
      return [...generateTrafficFlows(root.fork('traffic'), segments(), spec.trafficDays)]
    case 'city_hospital_visits':
      return [...generateHospitalVisits(root.fork('hospital'), spec.statsMonths)]
    case 'city_medical_insurance':
      return [...generateMedicalInsurance(root.fork('medical-insurance'), spec.statsMonths)]
    case 'city_social_security':
      return [...generateSocialSecurity(root.fork('social-security'), enterprises(), spec.persons, spec.socialSecurityMonths)]
    default:
      throw new Error(`no generator for store table ${storeTable}`)
  }
}

export const simulatedSourceSystems: SourceSystems = {
  async readTable(db, { storeTable }) {
    const scale = await inferSeedScale(db)
    return { rows: generateStoreTable(storeTable, scale), origin: `${storeTable}@${scale}` }
  },
  // Looked up at call time, so a test's msw interception of the global fetch applies.
  fetchInterface: (url, init) => fetch(url, init),
}
