import type { Role } from '#db/schema/identity.ts'

/**
 * Who may do what in the UI: every route file of app/routes, with the roles that may GET it (its loader, or its page)
 * and POST to it (its action). The role × route × method matrix (test/integration/route-permissions.test.ts) checks
 * each decision over HTTP, for every role and for a visitor who is not signed in; a route file without a decision
 * here fails it. The domain operations behind the actions check their own table too
 * (platform/identity/permissions.ts): this is the first line, that the second.
 *
 * - `public`: anyone, signed in or not (the catalog, the fee schedule, sign-in itself).
 * - `visitor`: only someone not signed in (applying to become a partner, an invite: ADR 0030); a signed-in role gets 403.
 * - a list of roles: those only; another role gets 403, a visitor is sent to sign in.
 * - `null`: the method has no handler here (no loader, or no action).
 */
export type Access = 'public' | 'visitor' | readonly Role[] | null

export interface RouteDecision {
  get: Access
  post: Access
}

const EVERYONE: readonly Role[] = ['bureau', 'operator', 'source_unit', 'partner_admin', 'partner_developer']
/** Every signed-in person, the third-party auditor included: their own account pages (password, second factor). */
const SIGNED_IN: readonly Role[] = [...EVERYONE, 'auditor']
const AUDITOR: readonly Role[] = ['auditor']
/** The log search and its export (ADR 0026): the auditor and the bureau. */
const LOG_READERS: readonly Role[] = ['auditor', 'bureau']
const BUREAU: readonly Role[] = ['bureau']
const OPERATOR: readonly Role[] = ['operator']
const SOURCE_UNIT: readonly Role[] = ['source_unit']
const PARTNER_ADMIN: readonly Role[] = ['partner_admin']
const PARTNER_DEVELOPER: readonly Role[] = ['partner_developer']
const PARTNER_PEOPLE: readonly Role[] = ['partner_admin', 'partner_developer']
const ADMINISTRATORS: readonly Role[] = ['bureau', 'operator']

export const ROUTE_PERMISSIONS: Record<string, RouteDecision> = {
  // Public pages and sign-in
  '_index.tsx': { get: 'public', post: null },
  'catalog._index.tsx': { get: 'public', post: null },
  'catalog.$code.tsx': { get: 'public', post: null },
  'fees.tsx': { get: 'public', post: null },
  // The annual disclosure (65号, ADR 0036): public once published; the operator prepares, the bureau publishes.
  'disclosure._index.tsx': { get: 'public', post: null },
  'disclosure.$year.tsx': { get: 'public', post: null },
  'disclosure.$year_.pdf.tsx': { get: 'public', post: null },
  'login.tsx': { get: 'public', post: 'public' },
  'login_.two-factor.tsx': { get: 'public', post: 'public' },
  'lang.tsx': { get: 'public', post: 'public' },
  'logout.tsx': { get: 'public', post: 'public' },
  // Every signed-in user's own account
  'account.password.tsx': { get: SIGNED_IN, post: SIGNED_IN },
  'account.two-factor.tsx': { get: SIGNED_IN, post: SIGNED_IN },
  'account.step-up.tsx': { get: SIGNED_IN, post: SIGNED_IN },
  // Administrators: sign-in locks (ADR 0020)
  'security.sign-in-locks.tsx': { get: ADMINISTRATORS, post: ADMINISTRATORS },
  // The data bureau: supervision, reviews, prices and ceilings
  'bureau._index.tsx': { get: BUREAU, post: null },
  'bureau.disclosure.tsx': { get: BUREAU, post: BUREAU },
  'operator.disclosure.tsx': { get: OPERATOR, post: OPERATOR },
  'bureau.audit.tsx': { get: BUREAU, post: null },
  'bureau.auditors.tsx': { get: BUREAU, post: BUREAU },
  // The third-party auditor (ADR 0026): read-only; the log search and its export are the bureau's too
  'audit._index.tsx': { get: AUDITOR, post: null },
  'audit.logs.tsx': { get: LOG_READERS, post: null },
  'audit.logs_.export.tsx': { get: LOG_READERS, post: null },
  'bureau.authorizations.tsx': { get: BUREAU, post: BUREAU },
  'bureau.compensation.tsx': { get: BUREAU, post: BUREAU },
  'bureau.demands.tsx': { get: BUREAU, post: BUREAU },
  'bureau.pricing.tsx': { get: BUREAU, post: BUREAU },
  // Plans (ADR 0032): the bureau reads them; the operator defines and versions them
  'bureau.plans.tsx': { get: BUREAU, post: null },
  'bureau.products.tsx': { get: BUREAU, post: BUREAU },
  'bureau.subscriptions.tsx': { get: BUREAU, post: BUREAU },
  'bureau.suspensions.tsx': { get: BUREAU, post: BUREAU },
  // Credit records, incidents and the emergency stop (ADR 0029)
  'bureau.emergency.tsx': { get: BUREAU, post: BUREAU },
  'bureau.incidents.tsx': { get: BUREAU, post: BUREAU },
  'bureau.incidents.$code.tsx': { get: BUREAU, post: BUREAU },
  'bureau.credit.tsx': { get: BUREAU, post: BUREAU },
  'bureau.credit_.export.tsx': { get: BUREAU, post: null },
  'bureau.retention.tsx': { get: BUREAU, post: BUREAU },
  // Partner exit and the concentration watch (ADR 0033)
  'operator.exits.tsx': { get: OPERATOR, post: OPERATOR },
  // Sandbox model release review (ADR 0044)
  'operator.sandbox-models.tsx': { get: OPERATOR, post: OPERATOR },
  'bureau.sandbox-models.tsx': { get: BUREAU, post: BUREAU },
  'operator.sandbox-exports.tsx': { get: OPERATOR, post: OPERATOR },
  'bureau.exits.tsx': { get: BUREAU, post: BUREAU },
  // Operation reports (Art. 25; ADR 0035): the operator generates and submits, the bureau decides; both download
  'operator.reports.tsx': { get: OPERATOR, post: OPERATOR },
  'operator.reports_.$period.tsx': { get: OPERATOR, post: OPERATOR },
  'bureau.reports.tsx': { get: BUREAU, post: null },
  'bureau.reports_.$period.tsx': { get: BUREAU, post: BUREAU },
  'reports.$period.download.tsx': { get: ADMINISTRATORS, post: null },
  'bureau.concentration.tsx': { get: BUREAU, post: BUREAU },
  'partner.exit.tsx': { get: PARTNER_ADMIN, post: null },
  'partner.team.tsx': { get: PARTNER_ADMIN, post: PARTNER_ADMIN },
  'partner.exit_.$id.certificate.tsx': { get: PARTNER_ADMIN, post: null },
  // Evaluations (ADR 0034): the bureau runs them; source units and the operator assess themselves; partners see results
  'bureau.evaluations._index.tsx': { get: BUREAU, post: BUREAU },
  'bureau.evaluations.$code.tsx': { get: BUREAU, post: BUREAU },
  'source-unit.evaluations.tsx': { get: SOURCE_UNIT, post: SOURCE_UNIT },
  'operator.evaluations.tsx': { get: OPERATOR, post: OPERATOR },
  'partner.evaluations.tsx': { get: PARTNER_ADMIN, post: null },
  'evaluations.subjects.$id.evidence.tsx': { get: null, post: ['source_unit', 'operator'] },
  'bureau.evaluations_.evidence.$id.tsx': { get: BUREAU, post: null },
  'source-unit.evaluations_.evidence.$id.tsx': { get: SOURCE_UNIT, post: null },
  'operator.evaluations_.evidence.$id.tsx': { get: OPERATOR, post: null },
  // The log feed to the exchange platform (ADR 0025): the auditor reads its state (an audited read); only the bureau sends now
  'bureau.supervision-feed.tsx': { get: ['bureau', 'auditor'], post: BUREAU },
  // The operator: datasets, demands, products, pricing proposals, invoices
  'operator._index.tsx': { get: OPERATOR, post: null },
  'operator.compensation.tsx': { get: OPERATOR, post: OPERATOR },
  'operator.datasets._index.tsx': { get: OPERATOR, post: OPERATOR },
  'operator.datasets.$code.tsx': { get: OPERATOR, post: OPERATOR },
  'operator.datasets.$code_.upload.tsx': { get: null, post: OPERATOR },
  'operator.demands._index.tsx': { get: OPERATOR, post: OPERATOR },
  'operator.demands.$code.tsx': { get: OPERATOR, post: OPERATOR },
  'operator.invoices._index.tsx': { get: OPERATOR, post: OPERATOR },
  'operator.invoices.$id.tsx': { get: OPERATOR, post: OPERATOR },
  'operator.invoices.$id_.csv.tsx': { get: OPERATOR, post: null },
  'operator.invoices.$id_.pdf.tsx': { get: OPERATOR, post: null },
  'operator.lago.tsx': { get: OPERATOR, post: OPERATOR },
  'operator.pricing.tsx': { get: OPERATOR, post: OPERATOR },
  'operator.plans.tsx': { get: OPERATOR, post: OPERATOR },
  'operator.products._index.tsx': { get: OPERATOR, post: OPERATOR },
  'operator.revenue.tsx': { get: OPERATOR, post: null },
  'operator.usage.tsx': { get: OPERATOR, post: null },
  'operator.emergency.tsx': { get: OPERATOR, post: OPERATOR },
  'operator.incidents.tsx': { get: OPERATOR, post: OPERATOR },
  'operator.incidents.$code.tsx': { get: OPERATOR, post: OPERATOR },
  'operator.credit.tsx': { get: OPERATOR, post: null },
  // A source unit: its own demands, authorizations and compensation
  'source-unit._index.tsx': { get: SOURCE_UNIT, post: null },
  'source-unit.authorizations.tsx': { get: SOURCE_UNIT, post: null },
  'source-unit.compensation.tsx': { get: SOURCE_UNIT, post: null },
  'source-unit.demands.tsx': { get: SOURCE_UNIT, post: SOURCE_UNIT },
  'source-unit.datasets._index.tsx': { get: SOURCE_UNIT, post: null },
  'source-unit.datasets.$code.tsx': { get: SOURCE_UNIT, post: SOURCE_UNIT },
  // A partner's administrator: subscriptions, usage, its own invoices
  'partner._index.tsx': { get: PARTNER_ADMIN, post: null },
  'partner.invoices._index.tsx': { get: PARTNER_ADMIN, post: null },
  'partner.invoices.$id.tsx': { get: PARTNER_ADMIN, post: null },
  'partner.invoices.$id_.csv.tsx': { get: PARTNER_ADMIN, post: null },
  'partner.invoices.$id_.pdf.tsx': { get: PARTNER_ADMIN, post: null },
  'partner.subscriptions.tsx': { get: PARTNER_ADMIN, post: PARTNER_ADMIN },
  'partner.usage.tsx': { get: PARTNER_ADMIN, post: null },
  // A partner's developers (and its administrator for keys and docs)
  'developer._index.tsx': { get: PARTNER_DEVELOPER, post: null },
  'developer.docs.tsx': { get: PARTNER_PEOPLE, post: null },
  'developer.keys.tsx': { get: PARTNER_PEOPLE, post: PARTNER_PEOPLE },
  'developer.usage.tsx': { get: PARTNER_DEVELOPER, post: null },
  'developer.sandbox_.models.tsx': { get: PARTNER_PEOPLE, post: PARTNER_PEOPLE },
  'developer.sandbox.tsx': { get: PARTNER_PEOPLE, post: PARTNER_PEOPLE },
  // Rectification cases, evidence and the inbox (ADR 0028)
  'bureau.cases._index.tsx': { get: BUREAU, post: BUREAU },
  'bureau.cases.$code.tsx': { get: BUREAU, post: BUREAU },
  'bureau.cases.$code_.evidence.$id.tsx': { get: BUREAU, post: null },
  'operator.cases._index.tsx': { get: OPERATOR, post: null },
  'operator.cases.$code.tsx': { get: OPERATOR, post: null },
  'operator.cases.$code_.evidence.$id.tsx': { get: OPERATOR, post: null },
  'partner.cases._index.tsx': { get: PARTNER_ADMIN, post: null },
  'partner.cases.$code.tsx': { get: PARTNER_ADMIN, post: null },
  'partner.cases.$code_.evidence.$id.tsx': { get: PARTNER_ADMIN, post: null },
  'cases.$code.evidence.tsx': { get: null, post: ['operator', 'partner_admin'] },
  'source-unit.cases.tsx': { get: SOURCE_UNIT, post: SOURCE_UNIT },
  'inbox.tsx': { get: EVERYONE, post: EVERYONE },
  // Applying to become a partner (ADR 0030): the form, the status link and the invite are public (the token in the
  // path is the authority); the review is the operator's.
  'apply.tsx': { get: 'public', post: 'visitor' },
  'apply_.status.$token.tsx': { get: 'public', post: null },
  'apply_.status.$token_.documents.tsx': { get: null, post: 'visitor' },
  'invite.$token.tsx': { get: 'public', post: 'visitor' },
  'operator.applications._index.tsx': { get: OPERATOR, post: null },
  'operator.applications.$number.tsx': { get: OPERATOR, post: OPERATOR },
  'operator.applications.$number_.documents.$id.tsx': { get: OPERATOR, post: null },
  // Partner agreements (ADR 0031): the operator drafts, the bureau decides, a partner's administrator accepts
  'operator.agreements.tsx': { get: OPERATOR, post: OPERATOR },
  'bureau.agreements.tsx': { get: BUREAU, post: BUREAU },
  'partner.agreements.tsx': { get: PARTNER_ADMIN, post: PARTNER_ADMIN },
  'partner.agreements.$id_.pdf.tsx': { get: PARTNER_ADMIN, post: null },
}

/**
 * Objects that belong to one partner: asked for by another partner's people, a 404 (not a 403: they are not theirs
 * to know about). The test fills `{id}` with an invoice of another partner than the signed-in one.
 */
export const PARTNER_OWNED_ROUTES = ['partner.invoices.$id.tsx', 'partner.invoices.$id_.csv.tsx', 'partner.invoices.$id_.pdf.tsx']
