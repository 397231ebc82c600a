import { z } from 'zod'
import type { components } from '#api-specs/generated/openapi.d.ts'
import { DISTRICT_BY_CODE, SHENYANG_CITY_CODE } from '#platform/reference-data/shenyang.ts'
import { explainUscc } from '#platform/codes/uscc.ts'
import { parseInput } from './parse-input.ts'
import type { ProductOperation } from './product-operation.ts'

type ValidateRequest = components['schemas']['UsccValidateRequest']
type ValidateResult = components['schemas']['UsccValidateResult']

const USCC_VALIDATE_PRODUCT = 'uscc-validate'

const bodySchema: z.ZodType<ValidateRequest> = z.object({ uscc: z.string().min(1).max(64) }).strict()

/**
 * 统一社会信用代码校验 (tool): GB 32100-2015 length, alphabet and check character, with the code's parts. Says
 * whether the registering division is in Shenyang, never whether an enterprise holds the code.
 */
export function validateUsccOperation(): ProductOperation {
  return {
    operationId: 'validateUscc',
    method: 'POST',
    path: '/api/v1/tools/uscc-validate',
    productCode: USCC_VALIDATE_PRODUCT,
    readsBody: true,
    async handle({ body }) {
      const input = parseInput(bodySchema, body, 'Body must be { "uscc": string } (1–64 characters)')
      const normalized = input.uscc.trim().toUpperCase()
      const x = explainUscc(normalized)
      const result: ValidateResult = { valid: x.valid, normalized }
      if (x.reason) result.reason = x.reason
      if (x.position !== undefined) result.position = x.position
      if (x.divisionCode !== undefined) {
        result.parts = {
          registrationAuthority: x.registrationAuthority!,
          orgType: x.orgType!,
          divisionCode: x.divisionCode,
          organizationCode: x.organizationCode!,
          organizationCodeValid: x.organizationCodeValid!,
          checkChar: x.checkChar!,
          expectedCheckChar: x.expectedCheckChar!,
        }
        const district = DISTRICT_BY_CODE.get(x.divisionCode)
        const isCity = x.divisionCode === SHENYANG_CITY_CODE
        result.division = {
          code: x.divisionCode,
          inShenyang: !!district || isCity,
          nameZh: district?.zh ?? (isCity ? '沈阳市' : null),
        }
      }
      return { status: 200, body: result, meters: { records: 0 } }
    },
  }
}
