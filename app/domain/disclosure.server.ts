// Annual disclosure (65号; ADR 0036) and the revenue cap's warnings, for the UI. Routes import through #app/domain.server.ts.
export { prepareDisclosure } from '#disclosure/editions/prepare-disclosure.ts'
export { publishDisclosure } from '#disclosure/editions/publish-disclosure.ts'
export {
  getDisclosure,
  listDisclosureEditions,
  listPublishedDisclosures,
  type DisclosureView,
} from '#disclosure/editions/get-disclosure.ts'
export { getDisclosureReminder } from '#disclosure/editions/get-disclosure-reminder.ts'
export { renderDisclosurePdf, perUnitText } from '#disclosure/pdf/render-disclosure-pdf.ts'
export { NARRATIVE_SECTIONS, NARRATIVE_MAX } from '#disclosure/editions/disclosure-narrative.ts'
export { countCeilingsDueForReevaluation } from '#billing/ceilings/count-ceilings-due.ts'
