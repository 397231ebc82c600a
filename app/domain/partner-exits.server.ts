// Partner exit (Art. 12(4)) and the concentration watch (Art. 12(5); ADR 0033). Routes import these through
// #app/domain.server.ts.
export { startPartnerExit, BUREAU_EXIT_KINDS, EXIT_KINDS } from '#partner-access/exits/start-partner-exit.ts'
export { executePartnerExit } from '#partner-access/exits/execute-partner-exit.ts'
export { withdrawPartnerExit } from '#partner-access/exits/withdraw-partner-exit.ts'
export { listPartnerExits, type PartnerExitView } from '#partner-access/exits/list-partner-exits.ts'
export { findReapplyRules, mayApplyAgain, MAX_REAPPLY_MONTHS, REAPPLY_AFTER_MONTHS } from '#partner-access/exits/reapply-rules.ts'
export { setReapplyRules } from '#partner-access/exits/set-reapply-rules.ts'
export { renderExitCertificatePdf } from '#partner-access/exits/render-exit-certificate-pdf.ts'
export { getMarketConcentration } from '#supervision/concentration/get-market-concentration.ts'
export { renderConcentrationChart } from '#supervision/concentration/render-concentration-chart.ts'
export { setConcentrationThreshold } from '#supervision/concentration/set-concentration-threshold.ts'
