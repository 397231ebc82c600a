import { z } from 'zod'
import type { components } from '#api-specs/generated/openapi.d.ts'
import type { District } from '#platform/reference-data/shenyang.ts'
import { parseInput } from './parse-input.ts'
import type { ProductOperation } from './product-operation.ts'
import { standardizeShenyangAddress } from './shenyang-address.ts'

type StandardizeRequest = components['schemas']['AddressStandardizeRequest']
type StandardizeResult = components['schemas']['AddressStandardizeResult']

const ADDRESS_STANDARDIZE_PRODUCT = 'address-standardize'

const bodySchema: z.ZodType<StandardizeRequest> = z.object({ address: z.string().trim().min(1).max(200) }).strict()

const named = (d: District) => ({ code: d.code, nameZh: d.zh, nameEn: d.en })

/** 地址标准化 (tool): a free-form address → 沈阳市<district><street><number>号, over the platform's reference data. */
export function standardizeAddressOperation(): ProductOperation {
  return {
    operationId: 'standardizeAddress',
    method: 'POST',
    path: '/api/v1/tools/address-standardize',
    productCode: ADDRESS_STANDARDIZE_PRODUCT,
    readsBody: true,
    async handle({ body }) {
      const input = parseInput(bodySchema, body, 'Body must be { "address": string } (1–200 characters)')
      const out = standardizeShenyangAddress(input.address)
      const result: StandardizeResult = {
        standardized: out.standardized,
        district: out.district && named(out.district),
        street: out.street,
        houseNumber: out.houseNumber,
        matchedBy: out.matchedBy,
        candidates: out.candidates.map(named),
      }
      return { status: 200, body: result, meters: { records: 0 } }
    },
  }
}
