import { and, count, desc, eq, gte, like } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { partnerApplications } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { errorText } from '#platform/error-text.ts'
import { formatDay } from '#platform/calendar/shanghai-calendar.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { normalizeAddress } from '#platform/identity/sign-in-throttle.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import {
  APPLICATION_THROTTLE_WINDOW_MS,
  APPLICATIONS_PER_ADDRESS_PER_HOUR,
  applicationInputSchema,
  hashToken,
  idNumberIndex,
  newToken,
  sealIdNumber,
  sealPhone,
  type ApplicationInput,
} from './application-rules.ts'

/**
 * A visitor applies to become a partner (Art. 2): the subject's code checked by its checksum, at most
 * APPLICATIONS_PER_ADDRESS_PER_HOUR from one address. Answers the application number and the status token — shown
 * once, stored only as its SHA-256.
 */
export async function submitPartnerApplication(
  db: Db,
  opts: { actor: Actor; input: ApplicationInput; address: string | null; requestId?: string | null; now?: number },
): Promise<Result<{ id: string; number: string; statusToken: string }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'partner_application.submit')
  if (denied) return denied
  const parsed = applicationInputSchema.safeParse(opts.input)
  if (!parsed.success) {
    const fields: Record<string, string> = {}
    for (const issue of parsed.error.issues) fields[String(issue.path[0] ?? 'form')] ??= issue.message
    return fail('validation', 'validation_failed', 'The application is incomplete or invalid', fields)
  }
  const input = parsed.data
  const now = opts.now ?? Date.now()
  const address = normalizeAddress(opts.address)
  const [{ n } = { n: 0 }] = await db
    .select({ n: count() })
    .from(partnerApplications)
    .where(
      and(eq(partnerApplications.address, address), gte(partnerApplications.createdAt, now - APPLICATION_THROTTLE_WINDOW_MS)),
    )
  if (n >= APPLICATIONS_PER_ADDRESS_PER_HOUR)
    return fail('rate_limited', 'too_many_applications', 'Too many applications from this address; try again in an hour')

  const token = newToken()
  const year = formatDay(now).slice(0, 4)
  for (let attempt = 0; ; attempt++) {
    const [last] = await db
      .select({ number: partnerApplications.number })
      .from(partnerApplications)
      .where(like(partnerApplications.number, `SQ-${year}-%`))
      .orderBy(desc(partnerApplications.number))
      .limit(1)
    const number = `SQ-${year}-${String(Number(last?.number.slice(8) ?? 0) + 1).padStart(6, '0')}`
    const id = crypto.randomUUID()
    try {
      await recordAudit(
        db,
        {
          actor: opts.actor,
          action: 'partner_application.submit',
          objectType: 'partner_application',
          objectId: id,
          requestId: opts.requestId,
          // No ID number or phone in the audit log: the row holds them, the log names the application.
          detail: { number, kind: input.kind, name: input.name, uscc: input.uscc || null, purpose: input.purpose, address },
        },
        [
          db.insert(partnerApplications).values({
            id,
            number,
            kind: input.kind,
            name: input.name,
            uscc: input.kind === 'natural_person' ? null : input.uscc,
            idNumber: input.kind === 'natural_person' ? sealIdNumber(input.idNumber) : null,
            idNumberBidx: input.kind === 'natural_person' ? idNumberIndex(input.idNumber) : null,
            contactName: input.contactName,
            contactPhone: sealPhone(input.contactPhone),
            contactEmail: input.contactEmail,
            scenarios: input.scenarios,
            purpose: input.purpose,
            statusTokenHash: hashToken(token),
            address,
            createdAt: now,
          }),
        ],
      )
      return ok({ id, number, statusToken: token })
    } catch (error) {
      // Two applications took the same number at once: the unique index refused one; it takes the next.
      if (attempt < 5 && errorText(error).includes('partner_applications.number')) continue
      throw error
    }
  }
}
