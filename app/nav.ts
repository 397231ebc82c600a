import type { Role } from '#db/schema/identity.ts'
import type { MessageKey } from '#app/i18n/messages.ts'

/** One link of the navigation. */
export interface NavEntry {
  to: string
  label: MessageKey
}

/**
 * A group of links, shown as one disclosure menu (its label on the button). A group of a single entry is shown as that
 * entry's link, so a group can start small. ADR 0041: a few groups per role keep the navigation on one line at 1366 px.
 */
export interface NavGroup {
  label: MessageKey
  items: NavEntry[]
}

/** The header's links per role, in groups (after the catalog, fees and home links). Add an entry to the group it fits. */
export const ROLE_NAV: Record<Role, NavGroup[]> = {
  bureau: [
    {
      label: 'shell.group.reviews',
      items: [
        { to: '/bureau/demands', label: 'nav.demandReview' },
        { to: '/bureau/products', label: 'nav.productReview' },
        { to: '/bureau/subscriptions', label: 'nav.subscriptionReview' },
        { to: '/bureau/authorizations', label: 'nav.authorizations' },
        { to: '/bureau/sandbox-models', label: 'models.review.nav' },
      ],
    },
    {
      label: 'shell.group.supervision',
      items: [
        { to: '/bureau/suspensions', label: 'nav.suspensions' },
        { to: '/bureau/emergency', label: 'emergency.nav.emergency' },
        { to: '/bureau/incidents', label: 'emergency.nav.incidents' },
        { to: '/bureau/credit', label: 'emergency.nav.credit' },
        { to: '/bureau/cases', label: 'cases.nav.cases' },
        { to: '/bureau/exits', label: 'exit.nav.exits' },
        { to: '/bureau/reports', label: 'oreport.nav' },
        { to: '/bureau/disclosure', label: 'disclosure.nav' },
        { to: '/bureau/evaluations', label: 'evaluation.nav' },
      ],
    },
    {
      label: 'shell.group.market',
      items: [
        { to: '/bureau/pricing', label: 'nav.pricing' },
        { to: '/bureau/plans', label: 'plans.nav' },
        { to: '/bureau/agreements', label: 'agree.nav' },
        { to: '/bureau/compensation', label: 'nav.compensation' },
        { to: '/bureau/concentration', label: 'exit.nav.concentration' },
      ],
    },
    {
      label: 'shell.group.logs',
      items: [
        { to: '/bureau/audit', label: 'nav.audit' },
        { to: '/audit/logs', label: 'nav.logSearch' },
        { to: '/bureau/retention', label: 'nav.retention' },
        { to: '/bureau/supervision-feed', label: 'nav.supervisionFeed' },
      ],
    },
    {
      label: 'shell.group.security',
      items: [
        { to: '/bureau/auditors', label: 'nav.auditors' },
        { to: '/security/sign-in-locks', label: 'nav.signInLocks' },
      ],
    },
  ],
  operator: [
    {
      label: 'shell.group.data',
      items: [
        { to: '/operator/datasets', label: 'nav.datasets' },
        { to: '/operator/demands', label: 'nav.demands' },
        { to: '/operator/products', label: 'nav.products' },
      ],
    },
    {
      label: 'shell.group.partners',
      items: [
        { to: '/operator/applications', label: 'apply.nav' },
        { to: '/operator/agreements', label: 'agree.nav' },
        { to: '/operator/exits', label: 'exit.nav.exits' },
        { to: '/operator/sandbox-models', label: 'models.review.nav' },
        { to: '/operator/sandbox-exports', label: 'opExports.nav' },
      ],
    },
    {
      label: 'shell.group.billing',
      items: [
        { to: '/operator/usage', label: 'nav.usage' },
        { to: '/operator/revenue', label: 'nav.revenue' },
        { to: '/operator/pricing', label: 'nav.pricing' },
        { to: '/operator/plans', label: 'plans.nav' },
        { to: '/operator/invoices', label: 'nav.invoices' },
      ],
    },
    {
      label: 'shell.group.supervision',
      items: [
        { to: '/operator/emergency', label: 'emergency.nav.emergency' },
        { to: '/operator/incidents', label: 'emergency.nav.incidents' },
        { to: '/operator/credit', label: 'emergency.nav.credit' },
        { to: '/operator/cases', label: 'cases.nav.cases' },
        { to: '/operator/reports', label: 'oreport.nav' },
        { to: '/operator/disclosure', label: 'disclosure.nav' },
        { to: '/operator/evaluations', label: 'evaluation.nav' },
      ],
    },
    { label: 'shell.group.security', items: [{ to: '/security/sign-in-locks', label: 'nav.signInLocks' }] },
  ],
  source_unit: [
    { label: 'shell.group.work', items: [{ to: '/source-unit/demands', label: 'nav.myDemands' }] },
    {
      label: 'shell.group.data',
      items: [
        { to: '/source-unit/authorizations', label: 'nav.authorizations' },
        { to: '/source-unit/datasets', label: 'grading.nav' },
      ],
    },
    { label: 'shell.group.billing', items: [{ to: '/source-unit/compensation', label: 'nav.compensation' }] },
    {
      label: 'shell.group.supervision',
      items: [
        { to: '/source-unit/cases', label: 'cases.nav.report' },
        { to: '/source-unit/evaluations', label: 'evaluation.nav' },
      ],
    },
  ],
  partner_admin: [
    { label: 'shell.group.services', items: [{ to: '/partner/subscriptions', label: 'nav.subscriptions' }] },
    { label: 'shell.group.usage', items: [{ to: '/partner/usage', label: 'nav.usage' }] },
    { label: 'shell.group.billing', items: [{ to: '/partner/invoices', label: 'nav.invoices' }] },
    {
      label: 'shell.group.partnership',
      items: [
        { to: '/partner/agreements', label: 'agree.nav' },
        { to: '/partner/cases', label: 'cases.nav.cases' },
        { to: '/partner/team', label: 'team.nav' },
        { to: '/partner/exit', label: 'exit.nav.myExit' },
        { to: '/partner/evaluations', label: 'evaluation.nav' },
      ],
    },
  ],
  partner_developer: [
    {
      label: 'shell.group.api',
      items: [
        { to: '/developer/keys', label: 'nav.keys' },
        { to: '/developer/sandbox', label: 'sandbox.nav' },
        { to: '/developer/sandbox/models', label: 'models.nav' },
      ],
    },
    { label: 'shell.group.docs', items: [{ to: '/developer/docs', label: 'nav.apiDocs' }] },
    { label: 'shell.group.usage', items: [{ to: '/developer/usage', label: 'nav.usage' }] },
  ],
  auditor: [
    { label: 'shell.group.logs', items: [{ to: '/audit/logs', label: 'nav.logSearch' }] },
    { label: 'shell.group.supervision', items: [{ to: '/bureau/supervision-feed', label: 'nav.supervisionFeed' }] },
  ],
}

/** Every link of a role's navigation, in order (tests, and whoever needs the flat list). */
export function navEntries(role: Role): NavEntry[] {
  return ROLE_NAV[role].flatMap((group) => group.items)
}
