import { and, eq, type SQL } from 'drizzle-orm'
import type { BatchItem } from 'drizzle-orm/batch'
import type { Db } from '#db/client.ts'
import { notifications, users } from '#db/schema/index.ts'

/** What an inbox entry is about: each has its words in app/i18n/supervision-cases-messages.ts (`cases.notice.<kind>`). */
export const NOTIFICATION_KINDS = [
  'case_reported',
  'case_opened',
  'evidence_submitted',
  'case_closed',
  'case_escalated',
  'case_terminated',
  'authorization_suspended',
  'authorization_resumed',
  // Partner exit (issue 12; words in app/i18n/partner-exits-messages.ts)
  'partner_exit_noticed',
  'partner_exited',
  'partner_exit_withdrawn',
  // Evaluations (Art. 18–20, ADR 0034; words in app/i18n/evaluation-messages.ts)
  'evaluation_opened',
  'evaluation_result_published',
  'evaluation_operator_failed',
  // Revenue cap, ceilings and the annual disclosure (ADR 0036; words in app/i18n/disclosure-messages.ts)
  'revenue_cap_80',
  'revenue_cap_100',
  'ceiling_reevaluation_approaching',
  'ceiling_reevaluation_due',
  'disclosure_published',
] as const
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number]

/** Who is told: the bureau, the operator, one partner's administrators, one source unit's people. */
export type Audience =
  | { kind: 'bureau' }
  | { kind: 'operator' }
  | { kind: 'partner'; partnerId: string }
  | { kind: 'source_unit'; sourceUnitId: string }

function audienceCondition(audience: Audience): SQL | undefined {
  switch (audience.kind) {
    case 'bureau':
      return eq(users.role, 'bureau')
    case 'operator':
      return eq(users.role, 'operator')
    case 'partner':
      return and(eq(users.role, 'partner_admin'), eq(users.partnerId, audience.partnerId))
    case 'source_unit':
      return and(eq(users.role, 'source_unit'), eq(users.sourceUnitId, audience.sourceUnitId))
  }
}

/**
 * The inserts that put one entry in the inbox of every user of each audience (one row per user, so each reads its own
 * copy), for the batch of the change they announce: a notification exists exactly when its change does.
 */
export async function notificationStatements(
  db: Db,
  opts: { audiences: Audience[]; kind: NotificationKind; caseId?: string | null; params: Record<string, string>; now: number },
): Promise<BatchItem<'sqlite'>[]> {
  const recipients = new Set<string>()
  for (const audience of opts.audiences) {
    const rows = await db.select({ id: users.id }).from(users).where(audienceCondition(audience))
    for (const row of rows) recipients.add(row.id)
  }
  if (recipients.size === 0) return []
  const params = JSON.stringify(opts.params)
  return [
    db.insert(notifications).values(
      [...recipients].map((userId) => ({
        userId,
        kind: opts.kind,
        caseId: opts.caseId ?? null,
        params,
        createdAt: opts.now,
      })),
    ),
  ]
}
