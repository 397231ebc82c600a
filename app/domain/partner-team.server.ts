// A partner's team (ADR 0039): what the UI may call. Routes import them through #app/domain.server.ts.
export { invitePartnerDeveloper, reissueDeveloperInvite } from '#partner-access/team/invite-partner-developer.ts'
export { listPartnerTeam } from '#partner-access/team/list-partner-team.ts'
export { endDeveloperAccess } from '#partner-access/team/end-developer-access.ts'
