import { eq, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '#db/client.ts'
import { nativeStoreOf } from '#db/native.ts'
import { cityEnterprises } from '#db/schema/index.ts'
import type { components } from '#api-specs/generated/openapi.d.ts'
import { isValidIdCard } from '#platform/codes/id-card.ts'
import { matchesBlindIndex } from '#platform/crypto/blind-index.ts'
import { getDataKeyring } from '#platform/crypto/data-keyring.ts'
import { GatewayError } from '../http/gateway-error.ts'
import { requireOutput } from './dataset-rules.ts'
import { parseInput, parseUscc, usccSubjectOf } from './parse-input.ts'
import type { ProductOperation } from './product-operation.ts'

type CheckRequest = components['schemas']['LegalRepresentativeCheckRequest']
type VerificationResult = components['schemas']['VerificationResult']

const VERIFY_LEGAL_REPRESENTATIVE_PRODUCT = 'verify-legal-representative'

const bodySchema: z.ZodType<CheckRequest> = z
  .object({
    uscc: z.string(),
    personName: z.string().trim().min(1).max(50),
    idNumber: z
      .string()
      .trim()
      .regex(/^\d{17}[\dXx]$/),
  })
  .strict()

// The registered name and ID number are stored sealed: the check compares their keyed blind indexes (SM3-HMAC of the
// normalised values, platform/crypto/blind-index.ts) and never decrypts them.
const findRepresentative = (db: Db) =>
  db
    .select({ nameIndex: cityEnterprises.legalRepNameBidx, idCardIndex: cityEnterprises.legalRepIdCardBidx })
    .from(cityEnterprises)
    .where(eq(cityEnterprises.uscc, sql.placeholder('uscc')))
    .limit(1)

/**
 * 法定代表人核验 (verification): is this person (name + resident ID number) the registered legal representative of
 * the enterprise? Only the verdict leaves the platform — not which item failed, nor the registered values.
 */
export function verifyLegalRepresentativeOperation(db: Db): ProductOperation {
  const query = findRepresentative(db).prepare()
  // A verification on the hot path: on the embedded file it reads through a statement prepared once (ADR 0011).
  const native = nativeStoreOf(db)
  const lookup = native
    ? async (uscc: string) => {
        const row = native
          .statement(
            'select "legal_rep_name_bidx" as "nameIndex", "legal_rep_id_card_bidx" as "idCardIndex" from "city_enterprises" where "uscc" = ? limit 1',
          )
          .get(uscc) as { nameIndex: string; idCardIndex: string } | undefined
        return row ? [row] : []
      }
    : (uscc: string) => query.execute({ uscc })
  return {
    operationId: 'verifyLegalRepresentative',
    method: 'POST',
    path: '/api/v1/verifications/legal-representative',
    productCode: VERIFY_LEGAL_REPRESENTATIVE_PRODUCT,
    readsBody: true,
    subjectOf: usccSubjectOf,
    async handle({ body, datasets }) {
      const input = parseInput(bodySchema, body, 'Body must be { "uscc": string, "personName": string, "idNumber": string }')
      const uscc = parseUscc(input.uscc)
      const idNumber = input.idNumber.toUpperCase()
      if (!isValidIdCard(idNumber)) {
        throw new GatewayError(
          'validation_failed',
          'idNumber is not a valid resident ID number (check character or date of birth)',
          {
            idNumber: 'check_digit',
          },
        )
      }
      requireOutput(datasets.require(cityEnterprises).level, 'verdict')
      const [row] = await lookup(uscc)
      const keyring = getDataKeyring()
      // Both compared whatever the first gave: the answer's timing says no more than the verdict which item failed.
      const isIdCard = !!row && matchesBlindIndex(keyring, row.idCardIndex, 'id_card', idNumber)
      const isName = !!row && matchesBlindIndex(keyring, row.nameIndex, 'name', input.personName)
      const match = isIdCard && isName
      const result: VerificationResult = { match }
      return { status: 200, body: result, meters: { records: row ? 1 : 0 }, subjectKey: uscc }
    },
  }
}
