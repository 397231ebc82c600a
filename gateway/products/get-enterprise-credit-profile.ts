import { eq, sql, type SQL } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { nativeStoreOf } from '#db/native.ts'
import { cityEnterprises, cityTaxCreditRatings } from '#db/schema/index.ts'
import { sealedColumnsOf } from '#db/sealed-columns.ts'
import { DISTRICT_BY_CODE, INDUSTRY_BY_CODE } from '#platform/reference-data/shenyang.ts'
import type { components } from '#api-specs/generated/openapi.d.ts'
import { shapeRecord } from '#catalog/output-rules/shape-record.ts'
import { checkOutput } from '#catalog/output-rules/output-rules.ts'
import { DEFAULT_MASKING_POLICY } from '#catalog/desensitization/masking-policy.ts'
import { getDataKeyring } from '#platform/crypto/data-keyring.ts'
import { openValue } from '#platform/crypto/sealed-value.ts'
import { GatewayError } from '../http/gateway-error.ts'
import { requireOutput, type DatasetRules } from './dataset-rules.ts'
import { parseUscc } from './parse-input.ts'
import type { ProductOperation } from './product-operation.ts'

type CreditProfile = components['schemas']['EnterpriseCreditProfile']
type TaxBand = CreditProfile['taxCredit']['band']

const ENTERPRISE_CREDIT_PROFILE_PRODUCT = 'enterprise-credit-profile'

const BAND_OF_RATING: Record<string, TaxBand> = { A: 'high', B: 'high', M: 'medium', C: 'low', D: 'low' }

const RATINGS_SUBQUERY = `(select group_concat(r.year || ':' || r.rating, ',') from (select t.year as year, t.rating as rating from city_tax_credit_ratings t where t.uscc = "city_enterprises"."uscc" order by t.year) r)`

const REGISTRY_COLUMNS =
  'uscc, name, legal_rep_name, legal_rep_id_card, legal_rep_phone, registered_capital_wan, industry, district_code, status, founded_on, address'
const NATIVE_ENTERPRISE_SQL = `select ${REGISTRY_COLUMNS}, ${RATINGS_SUBQUERY} as ratings from city_enterprises where uscc = ? limit 1`

/** A registry row under the registry's own column names, which the catalog's field tags refer to. */
interface RegistryRecord {
  uscc: string
  name: string
  legal_rep_name: string
  legal_rep_id_card: string
  legal_rep_phone: string
  registered_capital_wan: number
  industry: string
  district_code: string
  status: (typeof cityEnterprises.$inferSelect)['status']
  founded_on: string
  address: string
}

// One round trip: the registry row and, in a correlated subquery, its ratings as `year:rating,...` (oldest first).
const findEnterprise = (db: Db) =>
  db
    .select({
      row: cityEnterprises,
      // Written out: drizzle drops the table qualifiers of columns inside a select's sql, uncorrelating the subquery.
      ratings: sql.raw(RATINGS_SUBQUERY) as SQL<string | null>,
    })
    .from(cityEnterprises)
    .where(eq(cityEnterprises.uscc, sql.placeholder('uscc')))
    .limit(1)

/**
 * 企业信用画像 (service): the registry record shaped by the registry's level (L2 → personal fields masked) and a
 * verdict over the tax credit ratings (L3 → a band and good standing, never the ratings). The levels are read from
 * the catalog on every call (cached 500 ms), so a re-grading changes the answer at once.
 */
export function getEnterpriseCreditProfileOperation(db: Db): ProductOperation {
  const enterpriseQuery = findEnterprise(db).prepare()
  // On the embedded file the lookup runs through a statement prepared once (ADR 0011); the columns come back under
  // the registry's own names. Elsewhere drizzle's row is renamed to the same shape.
  const native = nativeStoreOf(db)
  const loadEnterprise = native
    ? async (uscc: string): Promise<{ record: RegistryRecord; ratings: string | null } | undefined> => {
        const found = native.statement(NATIVE_ENTERPRISE_SQL).get(uscc) as
          (RegistryRecord & { ratings: string | null }) | undefined
        if (!found) return undefined
        const { ratings, ...record } = found
        return { record, ratings }
      }
    : async (uscc: string): Promise<{ record: RegistryRecord; ratings: string | null } | undefined> => {
        const [found] = await enterpriseQuery.execute({ uscc })
        if (!found) return undefined
        const r = found.row
        return {
          ratings: found.ratings,
          record: {
            uscc: r.uscc,
            name: r.name,
            legal_rep_name: r.legalRepName,
            legal_rep_id_card: r.legalRepIdCard,
            legal_rep_phone: r.legalRepPhone,
            registered_capital_wan: r.registeredCapitalWan,
            industry: r.industry,
            district_code: r.districtCode,
            status: r.status,
            founded_on: r.foundedOn,
            address: r.address,
          },
        }
      }
  return {
    operationId: 'getEnterpriseCreditProfile',
    method: 'GET',
    path: '/api/v1/services/enterprise-credit-profile/{uscc}',
    productCode: ENTERPRISE_CREDIT_PROFILE_PRODUCT,
    readsBody: false,
    async handle({ params, datasets }) {
      const uscc = parseUscc(params.uscc ?? '')
      const registry = datasets.require(cityEnterprises)
      const tax = datasets.require(cityTaxCreditRatings)
      requireOutput(tax.level, 'verdict')
      const found = await loadEnterprise(uscc)
      if (!found) throw new GatewayError('not_found', 'No enterprise with this code')
      const ratings = (found.ratings ?? '')
        .split(',')
        .filter(Boolean)
        .map((pair) => ({ year: Number(pair.slice(0, pair.indexOf(':'))), rating: pair.slice(pair.indexOf(':') + 1) }))
        .sort((a, b) => a.year - b.year)
      // The record under the registry's own column names, which the catalog's field tags refer to.
      const row = openForOutput(found.record, registry)
      const shaped = shapeRecord(registry.level, { ...row }, registry.fields)
      if (!shaped.ok) throw new GatewayError('validation_failed', shaped.error.message, shaped.error.fields)
      const record = shaped.value.record
      const latest = ratings.at(-1)
      const industry = INDUSTRY_BY_CODE.get(row.industry)
      const district = DISTRICT_BY_CODE.get(row.district_code)
      const profile: CreditProfile = {
        uscc: text(record.uscc),
        name: String(record.name),
        status: row.status,
        industry: { code: row.industry, nameZh: industry?.zh ?? row.industry, nameEn: industry?.en ?? row.industry },
        district: {
          code: row.district_code,
          nameZh: district?.zh ?? row.district_code,
          nameEn: district?.en ?? row.district_code,
        },
        foundedOn: row.founded_on,
        registeredCapitalWan: row.registered_capital_wan,
        legalRepresentative: {
          name: text(record.legal_rep_name),
          idNumber: text(record.legal_rep_id_card),
          phone: text(record.legal_rep_phone),
        },
        address: text(record.address),
        taxCredit: {
          band: latest ? (BAND_OF_RATING[latest.rating] ?? 'unrated') : 'unrated',
          latestYear: latest?.year ?? null,
          goodStanding: ratings.length > 0 && ratings.every((r) => r.rating !== 'C' && r.rating !== 'D'),
        },
        disclosure: { registryLevel: registry.level, taxCreditLevel: tax.level, fieldsMasked: shaped.value.fieldsMasked },
      }
      return { status: 200, body: profile, meters: { records: 1 + ratings.length, fieldsMasked: shaped.value.fieldsMasked } }
    },
  }
}

/**
 * The record with the sealed personal columns opened, but only those the answer can show: none when the registry's
 * level lets no record out (shapeRecord refuses it below), and no field its tag withholds at that level (maskRecord
 * turns it into null whatever it holds). The output is the same as from a store in clear; the masks apply to the
 * opened values.
 */
function openForOutput(record: RegistryRecord, registry: DatasetRules): RegistryRecord {
  if (!checkOutput(registry.level, 'record').ok) return record
  const keyring = getDataKeyring()
  const policy = DEFAULT_MASKING_POLICY[registry.level]
  const opened = { ...record }
  for (const column of sealedColumnsOf('city_enterprises')) {
    const name = column.column as 'legal_rep_name' | 'legal_rep_id_card' | 'legal_rep_phone'
    const tag = registry.fields.find((f) => f.name === name)?.piTag
    if (tag && policy[tag] === 'redact') continue
    opened[name] = openValue(keyring, record[name], column.context)
  }
  return opened
}

const text = (value: string | number | boolean | null | undefined): string | null =>
  value === null || value === undefined ? null : String(value)
