import { eq, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '#db/client.ts'
import { cityEnterprises } from '#db/schema/index.ts'
import { explainUscc } from '#platform/codes/uscc.ts'
import { GatewayError } from '../http/gateway-error.ts'
import type { components } from '../../api-specs/generated/openapi.d.ts'
import type { ProductOperation } from './product-operation.ts'

type VerificationRequest = components['schemas']['EnterpriseVerificationRequest']
type VerificationResult = components['schemas']['EnterpriseVerificationResult']

export const VERIFY_ENTERPRISE_PRODUCT = 'verify-enterprise-identity'

const bodySchema: z.ZodType<VerificationRequest> = z.object({
  uscc: z.string(),
  name: z.string().trim().min(1).max(100),
})

/** Half- and full-width brackets are both in use in registered names; compare them as one. */
export function normalizeEnterpriseName(name: string): string {
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
  return {
    operationId: 'verifyEnterprise',
    method: 'POST',
    path: '/api/v1/verifications/enterprise',
    productCode: VERIFY_ENTERPRISE_PRODUCT,
    readsBody: true,
    async handle({ body }) {
      const parsed = bodySchema.safeParse(body)
      if (!parsed.success) {
        const fields: Record<string, string> = {}
        for (const issue of parsed.error.issues) fields[issue.path.join('.') || 'body'] = issue.code
        throw new GatewayError('validation_failed', 'Body must be { "uscc": string, "name": string }', fields)
      }
      const uscc = parsed.data.uscc.trim().toUpperCase()
      const check = explainUscc(uscc)
      if (!check.valid) {
        throw new GatewayError('validation_failed', `uscc is not a valid unified social credit code (${check.reason})`, {
          uscc: check.reason ?? 'invalid',
        })
      }
      const [row] = await query.execute({ uscc })
      const match = !!row && normalizeEnterpriseName(row.name) === normalizeEnterpriseName(parsed.data.name)
      const result: VerificationResult = { match }
      return { status: 200, body: result, meters: { records: row ? 1 : 0 } }
    },
  }
}
