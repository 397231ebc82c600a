// Partner agreements (ADR 0031): the domain functions the UI may call. Routes import them through #app/domain.server.ts.
export { draftAgreementVersion } from '#partner-access/agreements/draft-agreement-version.ts'
export { decideAgreementVersion } from '#partner-access/agreements/decide-agreement-version.ts'
export { listAgreementVersions } from '#partner-access/agreements/list-agreement-versions.ts'
export { acceptAgreement } from '#partner-access/agreements/accept-agreement.ts'
export { getPartnerAgreementStatus } from '#partner-access/agreements/get-partner-agreement-status.ts'
export { findSignedAgreement } from '#partner-access/agreements/find-signed-agreement.ts'
export { renderAcceptancePdf } from '#partner-access/agreements/render-acceptance-pdf.ts'
