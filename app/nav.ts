import type { Role } from '#db/schema/identity.ts'
import type { MessageKey } from '#app/i18n/messages.ts'

/** The header's links per role (after the catalog and home links). */
export const ROLE_NAV: Record<Role, { to: string; label: MessageKey }[]> = {
  bureau: [
    { to: '/bureau/demands', label: 'nav.demandReview' },
    { to: '/bureau/products', label: 'nav.productReview' },
    { to: '/bureau/subscriptions', label: 'nav.subscriptionReview' },
    { to: '/bureau/authorizations', label: 'nav.authorizations' },
    { to: '/bureau/suspensions', label: 'nav.suspensions' },
    { to: '/bureau/emergency', label: 'emergency.nav.emergency' },
    { to: '/bureau/incidents', label: 'emergency.nav.incidents' },
    { to: '/bureau/credit', label: 'emergency.nav.credit' },
    { to: '/bureau/cases', label: 'cases.nav.cases' },
    { to: '/bureau/pricing', label: 'nav.pricing' },
    { to: '/bureau/agreements', label: 'agree.nav' },
    { to: '/bureau/compensation', label: 'nav.compensation' },
    { to: '/bureau/audit', label: 'nav.audit' },
    { to: '/bureau/retention', label: 'nav.retention' },
    { to: '/audit/logs', label: 'nav.logSearch' },
    { to: '/bureau/auditors', label: 'nav.auditors' },
    { to: '/bureau/supervision-feed', label: 'nav.supervisionFeed' },
    { to: '/security/sign-in-locks', label: 'nav.signInLocks' },
  ],
  operator: [
    { to: '/operator/datasets', label: 'nav.datasets' },
    { to: '/operator/applications', label: 'apply.nav' },
    { to: '/operator/demands', label: 'nav.demands' },
    { to: '/operator/products', label: 'nav.products' },
    { to: '/operator/usage', label: 'nav.usage' },
    { to: '/operator/revenue', label: 'nav.revenue' },
    { to: '/operator/pricing', label: 'nav.pricing' },
    { to: '/operator/agreements', label: 'agree.nav' },
    { to: '/operator/invoices', label: 'nav.invoices' },
    { to: '/operator/emergency', label: 'emergency.nav.emergency' },
    { to: '/operator/incidents', label: 'emergency.nav.incidents' },
    { to: '/operator/credit', label: 'emergency.nav.credit' },
    { to: '/operator/cases', label: 'cases.nav.cases' },
    { to: '/security/sign-in-locks', label: 'nav.signInLocks' },
  ],
  source_unit: [
    { to: '/source-unit/demands', label: 'nav.myDemands' },
    { to: '/source-unit/authorizations', label: 'nav.authorizations' },
    { to: '/source-unit/compensation', label: 'nav.compensation' },
    { to: '/source-unit/cases', label: 'cases.nav.report' },
  ],
  partner_admin: [
    { to: '/partner/agreements', label: 'agree.nav' },
    { to: '/partner/subscriptions', label: 'nav.subscriptions' },
    { to: '/partner/usage', label: 'nav.usage' },
    { to: '/partner/invoices', label: 'nav.invoices' },
    { to: '/partner/cases', label: 'cases.nav.cases' },
  ],
  partner_developer: [
    { to: '/developer/keys', label: 'nav.keys' },
    { to: '/developer/docs', label: 'nav.apiDocs' },
    { to: '/developer/usage', label: 'nav.usage' },
  ],
  auditor: [
    { to: '/audit/logs', label: 'nav.logSearch' },
    { to: '/bureau/supervision-feed', label: 'nav.supervisionFeed' },
  ],
}
