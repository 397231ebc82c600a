// Applications to become a partner (ADR 0030): the visitor's form and status link, the operator's review, the invite.
export { submitPartnerApplication } from '#partner-access/applications/submit-partner-application.ts'
export { addApplicationDocument } from '#partner-access/applications/add-application-document.ts'
export { findApplicationByToken, type ApplicationStatusView } from '#partner-access/applications/find-application-by-token.ts'
export { listPartnerApplications, type ApplicationListRow } from '#partner-access/applications/list-partner-applications.ts'
export {
  findApplicationDocument,
  findPartnerApplication,
  type PartnerApplicationDetail,
} from '#partner-access/applications/find-partner-application.ts'
export {
  approvePartnerApplication,
  rejectPartnerApplication,
  startApplicationReview,
} from '#partner-access/applications/decide-partner-application.ts'
export { acceptUserInvite, findUserInvite } from '#partner-access/applications/accept-user-invite.ts'
export {
  applicationDocumentDirectoryOf,
  DOCUMENT_MAX_BYTES,
  DOCUMENT_MAX_FILES,
} from '#partner-access/applications/application-rules.ts'
