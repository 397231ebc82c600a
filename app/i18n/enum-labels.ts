import { messages, translate, type Lang, type MessageKey } from './messages.ts'
import { useLang } from './use-t.ts'

/**
 * Every enum column of the schema (`db/schema/*.ts`) and the message-key prefix that labels its values: the label of
 * `value` is the message `<prefix><value>` (ADR 0046). A test (`enum-labels.test.ts`) walks every table of the schema
 * and fails when a column with an enum is missing here or one of its values lacks a Chinese or an English label, so a
 * page never shows a raw `table`, `pending_review` or `trial`.
 */
export const ENUM_LABEL_PREFIXES = {
  'agreementVersions.kind': 'agree.kind.',
  'agreementVersions.state': 'agree.state.',
  'authorizations.deliveryMode': 'catalog.delivery.',
  'authorizations.state': 'catalog.state.',
  'caseEvidence.mediaType': 'enum.mediaType.',
  'ceilingReminders.stage': 'enum.ceilingStage.',
  'cityEnterprises.status': 'enum.enterpriseStatus.',
  'citySocialSecurity.insuranceType': 'enum.insurance.',
  'cityTaxCreditRatings.rating': 'enum.taxRating.',
  'costEntries.category': 'billing.cost.',
  'costEntries.supply': 'billing.supply.',
  'creditRecords.kind': 'enum.creditKind.',
  'creditRecords.subjectType': 'emergency.credit.subject.',
  'creditRecords.severity': 'emergency.credit.severity.',
  'creditRecords.sourceType': 'emergency.credit.source.',
  'datasetFields.type': 'enum.fieldType.',
  'datasetFields.piTag': 'catalog.piTag.',
  'datasetGradings.kind': 'grading.kind.',
  'datasetGradings.level': 'catalog.level.',
  'datasetGradings.previousLevel': 'catalog.level.',
  'datasetLoads.mode': 'catalog.delivery.',
  'datasetLoads.trigger': 'enum.loadTrigger.',
  'datasetLoads.state': 'catalog.state.',
  'datasets.domain': 'catalog.domain.',
  'datasets.level': 'catalog.level.',
  'datasets.deliveryMode': 'catalog.delivery.',
  'datasets.updateFrequency': 'catalog.frequency.',
  'demandItems.retrievalMethod': 'catalog.delivery.',
  'demandItems.state': 'catalog.state.',
  'demandItems.grantedDeliveryMode': 'catalog.delivery.',
  'demandLists.state': 'catalog.state.list_',
  'disclosureEditions.state': 'enum.disclosureState.',
  'drills.kind': 'emergency.drills.kind.',
  'evaluationEvidence.mediaType': 'enum.mediaType.',
  'evaluationSchemes.subjectKind': 'evaluation.kind.',
  'evaluationSubjects.kind': 'evaluation.kind.',
  'evaluationSubjects.state': 'evaluation.state.',
  'gatewayLimitLedger.kind': 'enum.limitKind.',
  'incidentEntries.kind': 'emergency.incidents.entry.',
  'incidents.severity': 'emergency.severity.',
  'incidents.state': 'emergency.incidents.state.',
  'invoiceLines.kind': 'billing.kind.',
  'invoiceLines.chargeUnit': 'billing.unit.',
  'invoiceLines.purpose': 'purpose.',
  'invoiceLines.model': 'billing.model.',
  'invoices.state': 'billing.state.',
  'lagoMirror.kind': 'enum.lagoKind.',
  'lagoOutbox.state': 'feed.state.',
  'modelReleases.purpose': 'purpose.',
  'operationReportVersions.state': 'oreport.state.',
  'operationReports.kind': 'oreport.kind.',
  'operationReports.state': 'oreport.state.',
  'partnerApplicationDocuments.mediaType': 'enum.mediaType.',
  'partnerApplications.kind': 'apply.kind.',
  'partnerApplications.purpose': 'purpose.',
  'partnerApplications.state': 'apply.state.',
  'partnerExits.kind': 'exit.kind.',
  'partnerExits.state': 'exit.state.',
  'partners.kind': 'apply.kind.',
  'partners.state': 'enum.partnerState.',
  'priceBookCharges.chargeUnit': 'billing.unit.',
  'priceBookCharges.model': 'billing.model.',
  'priceBooks.state': 'billing.bookState.',
  'priceCeilings.chargeUnit': 'billing.unit.',
  'productDatasets.outputKind': 'grading.output.',
  'products.form': 'form.',
  'products.level': 'catalog.level.',
  'products.domain': 'catalog.domain.',
  'products.state': 'catalog.state.',
  'rectificationCases.state': 'cases.state.',
  'rectificationCases.reporterKind': 'cases.reporter.',
  'rectificationCases.targetKind': 'cases.target.',
  'reportExports.format': 'enum.exportFormat.',
  'reportExports.state': 'enum.exportState.',
  'sandboxExports.state': 'enum.sandboxExportState.',
  'sandboxJobs.state': 'sandbox.state.',
  'sandboxModels.kind': 'enum.modelKind.',
  'sandboxModels.state': 'enum.modelState.',
  'sessions.stage': 'enum.sessionStage.',
  'signInThrottles.scope': 'enum.throttleScope.',
  'subscriptions.purpose': 'purpose.',
  'subscriptions.state': 'enum.subscriptionState.',
  'supervisionFeedBatches.state': 'feed.state.',
  'supervisionFeedRecords.kind': 'enum.feedRecordKind.',
  'usageEvents.purpose': 'purpose.',
  'users.role': 'role.',
} as const

/** `table.column` of a schema enum column (the drizzle table's export name and the column's property name). */
export type EnumColumn = keyof typeof ENUM_LABEL_PREFIXES

/**
 * The label of one enum value in the user's language; an unknown value (a row written by a newer version) shows
 * itself rather than a message key, and null/empty shows "—".
 */
export function enumLabel(lang: Lang, column: EnumColumn, value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—'
  const key = `${ENUM_LABEL_PREFIXES[column]}${value}`
  return key in messages.zh ? translate(lang, key as MessageKey) : value
}

/** `enumLabel` bound to the user's language: `const label = useEnumLabel(); label('datasets.domain', d.domain)`. */
export function useEnumLabel() {
  const lang = useLang()
  return (column: EnumColumn, value: string | null | undefined) => enumLabel(lang, column, value)
}
