import type { Db } from '#db/client.ts'
import { formatDay, formatIso } from '#platform/calendar/shanghai-calendar.ts'
import { renderCsv } from '#platform/csv/csv-cell.ts'
import { listCreditRecords, type CreditRecordView } from './list-credit-records.ts'

export type CreditExportFormat = 'csv' | 'json'

/** The platform's own USCC is not on file: the operator appears under this fixed subject id in the export. */
export const OPERATOR_SUBJECT = 'operator'

/** One exported record, in the field names the city's credit platform reads (snake_case, days as YYYY-MM-DD). */
function exportRow(r: CreditRecordView) {
  return {
    record_no: r.code,
    subject_type: r.subjectType,
    subject_code: r.partner?.code ?? OPERATOR_SUBJECT,
    subject_name: r.partner?.name ?? null,
    severity: r.severity,
    source_type: r.sourceType,
    case_ref: r.linkedCase?.code ?? r.caseRef,
    regulator: r.regulatorName,
    occurred_on: formatDay(r.occurredAt),
    expires_on: formatDay(r.expiresAt),
    status: r.status,
    description: r.description,
    recorded_at: formatIso(r.recordedAt),
    revoked_by: r.revocation?.code ?? null,
    revoked_at: r.revocation ? formatIso(r.revocation.at) : null,
    revocation_reason: r.revocation?.reason ?? null,
  }
}

const COLUMNS: readonly (keyof ReturnType<typeof exportRow>)[] = [
  'record_no',
  'subject_type',
  'subject_code',
  'subject_name',
  'severity',
  'source_type',
  'case_ref',
  'regulator',
  'occurred_on',
  'expires_on',
  'status',
  'description',
  'recorded_at',
  'revoked_by',
  'revoked_at',
  'revocation_reason',
]

/**
 * Every violation record (Art. 28) for the city's credit platform, with its status at `now`: CSV (UTF-8 with BOM,
 * formula-safe cells: platform/csv) or JSON (`{ generatedAt, records }`). Revocations appear on the record they
 * withdraw.
 */
export async function exportCreditRecords(
  db: Db,
  opts: { format: CreditExportFormat; now?: number; onlyActive?: boolean; partnerId?: string | null },
): Promise<{ body: string; contentType: string; fileName: string; count: number }> {
  const now = opts.now ?? Date.now()
  const rows = (await listCreditRecords(db, { now, onlyActive: opts.onlyActive, partnerId: opts.partnerId })).map(exportRow)
  const stamp = formatDay(now)
  if (opts.format === 'json') {
    return {
      body: JSON.stringify({ generatedAt: formatIso(now), count: rows.length, records: rows }, null, 2),
      contentType: 'application/json; charset=utf-8',
      fileName: `credit-records-${stamp}.json`,
      count: rows.length,
    }
  }
  return {
    body: renderCsv([COLUMNS, ...rows.map((r) => COLUMNS.map((c) => r[c]))]),
    contentType: 'text/csv; charset=utf-8',
    fileName: `credit-records-${stamp}.csv`,
    count: rows.length,
  }
}
