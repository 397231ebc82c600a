import { eq, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '#db/client.ts'
import { nativeStoreOf } from '#db/native.ts'
import { cityEnterprises } from '#db/schema/index.ts'
import type { components } from '#api-specs/generated/openapi.d.ts'
import { requireOutput } from './dataset-rules.ts'
import { parseInput, parseUscc, usccSubjectOf } from './parse-input.ts'
import type { ProductOperation } from './product-operation.ts'

type VerificationRequest = components['schemas']['EnterpriseVerificationRequest']
type VerificationResult = components['schemas']['VerificationResult']

export const VERIFY_ENTERPRISE_PRODUCT = 'verify-enterprise-identity'

const bodySchema: z.ZodType<VerificationRequest> = z.object({
  uscc: z.string(),
  name: z.string().trim().min(1).max(100),
})

/** Half- and full-width brackets are both in use in registered names; compare them as one. */
function normalizeEnterpriseName(name: string): string {
  return name.trim().replace(/\(/g, '（').replace(/\)/g, '）').replace(/\s+/g, '')
}

const findName = (db: Db) =>
  db
    .select({ name: cityEnterprises.name })
    .from(cityEnterprises)
    .where(eq(cityEnterprises.uscc, sql.placeholder('uscc')))
    .limit(1)

/**
 * 数据核验 (verification): does this unified social credit code belong to an
 * enterprise of this name? Answers only a verdict, never the record (Art. 4, 13).
 */
export function verifyEnterpriseOperation(db: Db): ProductOperation {
  const query = findName(db).prepare()
  // The verification is the busiest product: on the embedded file it reads through a statement prepared once (ADR 0011).
  const native = nativeStoreOf(db)
  const lookup = native
    ? async (uscc: string) => {
        const row = native.statement('select "name" from "city_enterprises" where "uscc" = ? limit 1').get(uscc) as
          { name: string } | undefined
        return row ? [row] : []
      }
    : (uscc: string) => query.execute({ uscc })
  return {
    operationId: 'verifyEnterprise',
    method: 'POST',
    path: '/api/v1/verifications/enterprise',
    productCode: VERIFY_ENTERPRISE_PRODUCT,
    readsBody: true,
    subjectOf: usccSubjectOf,
    async handle({ body, datasets }) {
      const input = parseInput(bodySchema, body, 'Body must be { "uscc": string, "name": string }')
      const uscc = parseUscc(input.uscc)
      requireOutput(datasets.require(cityEnterprises).level, 'verdict')
      const [row] = await lookup(uscc)
      const match = !!row && normalizeEnterpriseName(row.name) === normalizeEnterpriseName(input.name)
      const result: VerificationResult = { match }
      return { status: 200, body: result, meters: { records: row ? 1 : 0 }, subjectKey: uscc }
    },
  }
}
