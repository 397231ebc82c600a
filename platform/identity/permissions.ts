import type { Role } from '#db/schema/identity.ts'
import type { Actor, ActorRole } from '#platform/audit/record-audit.ts'
import { fail, type DomainError } from '#platform/result.ts'

/**
 * Who may do what: every state-changing domain operation, and the actors allowed to run it. The operations check
 * this themselves (`refuseUnlessPermitted`, first thing, before any validation or read), so the UI, the CLI, the
 * jobs and any future caller share one rule; the routes' role guards are the second line. Objects that belong to a
 * partner or a source unit are further limited to that partner's / unit's own actors, inside each operation, and
 * another's object is answered `not_found` (it is not theirs to know about).
 *
 * `cli` — `npm run platform -- …` — is run by a machine operator with shell access to the server, who could as well
 * open the database; it may do what the CLI has commands for today (operations work: loads, expiry, keys,
 * subscriptions and suspensions on the bureau's behalf, closes, payments, Lago), and nothing a person must decide in
 * the UI (price and ceiling decisions, demand reviews, grants, product reviews). `system` is the platform's own jobs:
 * expiry, scheduled interface pulls, the Lago outbox. `partner_api` is a partner's API key at the gateway.
 */
export const PERMISSIONS = {
  // Catalog: datasets and intake (Art. 16)
  'dataset.register': ['operator'],
  'dataset.load_file': ['operator', 'source_unit', 'cli'],
  'dataset.load_table': ['operator', 'source_unit', 'cli'],
  'dataset.pull_interface': ['operator', 'source_unit', 'cli', 'system'],
  // Grading (Art. 5; ADR 0037): the operator proposes a level, the source unit that owns the dataset decides it and its
  // usage requirements (a person's judgement: no CLI); the personal-data floor is lifted by the platform at start.
  'dataset.propose_level': ['operator'],
  'dataset.decide_level': ['source_unit'],
  'dataset.raise_to_floor': ['system', 'cli'],
  // Demand lists (Art. 14–15)
  'demand_list.create': ['operator'],
  'demand_list.submit': ['operator'],
  'demand_item.add': ['operator'],
  'demand_item.update': ['operator'],
  'demand_item.remove': ['operator'],
  'demand_item.resubmit': ['operator'],
  'demand_item.review': ['bureau'],
  'demand_item.refuse': ['source_unit'],
  // Authorizations (Art. 15, 17)
  'authorization.grant': ['source_unit'],
  'authorization.terminate': ['bureau'],
  'authorization.expire': ['cli', 'system'],
  // Products
  'product.create': ['operator'],
  'product.submit': ['operator'],
  'product.review': ['bureau'],
  'product.retire': ['operator', 'bureau'],
  // Gateway: keys, subscriptions, suspensions (Art. 21, 24)
  'api_key.create': ['partner_admin', 'partner_developer', 'cli'],
  'api_key.roll': ['partner_admin', 'partner_developer', 'cli'],
  'api_key.revoke': ['partner_admin', 'partner_developer', 'cli'],
  'subscription.create': ['partner_admin', 'cli'],
  'subscription.decide': ['bureau', 'cli'],
  'product.suspend': ['bureau', 'cli'],
  'product.resume': ['bureau', 'cli'],
  'partner.suspend': ['bureau', 'cli'],
  'partner.resume': ['bureau', 'cli'],
  'report_export.create': ['partner_api'],
  // Scenarios and plans (ADR 0032): the partner changes plan or cancels; the operator versions the plans
  'subscription.change_plan': ['partner_admin', 'cli'],
  'subscription.cancel': ['partner_admin', 'cli'],
  // Cancelled subscriptions past their period's end are marked ended by the scheduler (and the CLI).
  'subscription.end_due': ['cli', 'system'],
  'plan.create': ['operator', 'cli'],
  'plan.update': ['operator', 'cli'],
  // Billing (Art. 21–23)
  'price_ceiling.set': ['bureau'],
  'price_book.propose': ['operator'],
  'price_book.decide': ['bureau'],
  'revenue_cap.set': ['bureau'],
  'compensation_formula.set': ['bureau'],
  'compensation.compute': ['operator'],
  'cost_entry.record': ['operator'],
  'vat_rate.set': ['operator', 'cli'],
  'model_release.record': ['operator', 'cli'],
  'billing_period.close': ['operator', 'cli'],
  'invoice.finalize': ['operator'],
  'invoice.credit': ['operator'],
  'invoice.mark_paid': ['operator', 'cli'],
  'lago.sync': ['operator', 'cli', 'system'],
  // Identity (ADR 0020): sign-in locks, a lost second factor
  'sign_in_lock.lift': ['bureau', 'operator', 'cli'],
  'two_factor.reset': ['bureau', 'operator', 'cli'],
  // Supervision (Art. 24, ADR 0026): third-party auditors granted for a term; the logs they and the bureau read
  'auditor.create': ['bureau', 'cli'],
  'auditor.extend': ['bureau', 'cli'],
  'auditor.end': ['bureau', 'cli'],
  'logs.search': ['bureau', 'auditor', 'cli'],
  'logs.export': ['bureau', 'auditor', 'cli'],
  'audit_chain.verify': ['bureau', 'auditor', 'cli'],
  // Supervision: the log feed to the city's exchange platform (Art. 24; ADR 0025): the job, the CLI, the bureau's "sync now";
  // its state page (an auditor's view of it is an audited read)
  'supervision_feed.sync': ['bureau', 'cli', 'system'],
  'supervision_feed.view': ['bureau', 'auditor', 'cli'],
  // Rectification cases and authorization suspension (Art. 24, 26–27, 29; ADR 0028): a source unit reports, the bureau
  // (also on a regulator's behalf) opens, suspends, verifies, terminates; the party answers with evidence.
  'case.report': ['source_unit', 'bureau'],
  'case.open': ['bureau'],
  'case.submit_evidence': ['operator', 'partner_admin'],
  'case.close': ['bureau'],
  'case.escalate': ['system', 'cli', 'bureau'],
  'case.terminate': ['bureau'],
  'authorization.suspend': ['bureau'],
  'authorization.resume': ['bureau'],
  // Log retention (Art. 17; ADR 0027): the bureau sets how long each kind of log is kept (≥ 6 months); a purge under
  // that policy is operations work (bureau page, CLI, a job); the triggers hold the legal minimum whoever runs it.
  'log_retention_policy.set': ['bureau'],
  'logs.purge': ['bureau', 'cli', 'system'],
  // Credit records (Art. 28), incidents and the emergency stop (Art. 13; ADR 0029): the bureau records violations and
  // withdraws them by a new record; operator and bureau run incidents, stop and resume (the CLI too: it is the tool at
  // hand when the UI is the problem), drill; the operator keeps the emergency plans.
  'credit_record.record': ['bureau'],
  'credit_record.revoke': ['bureau'],
  'incident.open': ['operator', 'bureau'],
  'incident.add_entry': ['operator', 'bureau'],
  'incident.close': ['operator', 'bureau'],
  'emergency.stop': ['operator', 'bureau', 'cli'],
  'emergency.resume': ['operator', 'bureau', 'cli'],
  'emergency_plan.save': ['operator'],
  'drill.record': ['operator', 'bureau'],
  'drill.run': ['operator', 'bureau'],
  // Partner exit (Art. 12(4); ADR 0033): the operator starts any kind, the bureau a breach or bad-credit exit (checked
  // inside); the exit date's job, the CLI and either of them execute it. The bureau sets the concentration threshold.
  'partner_exit.start': ['operator', 'bureau', 'cli'],
  'partner_exit.execute': ['operator', 'bureau', 'cli', 'system'],
  'partner_exit.withdraw': ['operator', 'bureau', 'cli'],
  'concentration_threshold.set': ['bureau'],
  'reapply_rules.set': ['bureau'],
  // Applications to become a partner (Art. 2, 12; ADR 0030): anyone applies (a visitor is `anonymous`); the operator
  // reviews and decides (the CLI too); the applicant's status link and the invite link are their own authority.
  'partner_application.submit': ['anonymous', 'cli'],
  'partner_application.view': ['operator', 'cli'],
  'partner_application.review': ['operator', 'cli'],
  'partner_application.decide': ['operator', 'cli'],
  // Partner agreements (Art. 2, 22; ADR 0031): the operator drafts a version, the bureau approves or returns it (a
  // person's decision, like a price: no CLI); a partner's administrator accepts for its partner.
  'agreement_version.draft': ['operator'],
  'agreement_version.decide': ['bureau'],
  'agreement.accept': ['partner_admin'],
  // Operation reports (Art. 25; ADR 0035): the operator generates a period's report (the CLI prints its figures),
  // writes the narrative and submits; the bureau acknowledges or returns it with comments. Both read them.
  'operation_report.generate': ['operator', 'cli'],
  'operation_report.edit': ['operator'],
  'operation_report.submit': ['operator'],
  'operation_report.decide': ['bureau'],
  'operation_report.view': ['operator', 'bureau', 'cli'],
  // Evaluations (Art. 18–20; ADR 0034): the bureau versions the schemes, opens, scores and publishes; source units and
  // the operator assess themselves and add evidence (their own subject only, checked inside).
  'evaluation_scheme.create': ['bureau'],
  'evaluation.open': ['bureau'],
  'evaluation.self_assess': ['source_unit', 'operator'],
  'evaluation.score': ['bureau'],
  'evaluation.publish': ['bureau'],
  // A partner's team (ADR 0039): its administrator invites developers of the same partner and ends their access.
  'partner_user.invite': ['partner_admin'],
  'partner_user.end_access': ['partner_admin'],
  // Revenue cap warnings and ceiling reminders (ADR 0036): the platform's hourly jobs, and the watch after a payment.
  'revenue_cap.watch': ['system', 'cli'],
  'price_ceiling.remind': ['system', 'cli'],
  // Annual disclosure (65号; ADR 0036): the operator prepares (the CLI too: figures frozen from the records), the bureau
  // publishes; a published edition is public to anyone.
  'disclosure.prepare': ['operator', 'cli'],
  'disclosure.publish': ['bureau'],
  // Sandbox result export (issue 13, ADR 0038): a partner's people ask; operator reviewers decide (two for L3 and above).
  'sandbox_export.request': ['partner_admin', 'partner_developer', 'partner_api'],
  'sandbox_export.review': ['operator'],
  // Its own partner's requests (the partner's people or key) and the reviewers' queue; a released file downloads
  // repeatedly, each download metered as export_bytes and fingerprinted.
  'sandbox_export.view': ['partner_admin', 'partner_developer', 'partner_api'],
  'sandbox_export.download': ['partner_admin', 'partner_developer', 'partner_api'],
  // Reviewed model release (issue 13, ADR 0044): a partner's people (or its key) ask and download once; the operator
  // reviews, and for L3 data and above the bureau after it.
  'sandbox_model.request_release': ['partner_admin', 'partner_developer', 'partner_api'],
  'sandbox_model.review': ['operator', 'bureau'],
  'sandbox_model.download': ['partner_admin', 'partner_developer', 'partner_api'],
  // The partner's and the developer's home pages (issue 16): reads of their own partner's figures.
  'partner_home.view': ['partner_admin'],
  'developer_home.view': ['partner_developer', 'partner_admin'],
} as const satisfies Record<string, readonly ActorRole[]>

export type Operation = keyof typeof PERMISSIONS

/** Every kind of actor, for tests generated over the table. */
export const ACTOR_ROLES: readonly ActorRole[] = [
  'bureau',
  'operator',
  'source_unit',
  'partner_admin',
  'partner_developer',
  'auditor',
  'partner_api',
  'cli',
  'system',
  'anonymous',
]

export function isPermitted(actor: Actor, operation: Operation): boolean {
  return (PERMISSIONS[operation] as readonly ActorRole[]).includes(actor.role)
}

/**
 * Null when `actor` may run `operation`, else the `forbidden` failure to return at once. Partner and source-unit
 * actors without the organisation they act for are refused too: their ownership checks would have nothing to hold.
 */
export function refuseUnlessPermitted(actor: Actor, operation: Operation): { ok: false; error: DomainError } | null {
  if (isPermitted(actor, operation) && hasScope(actor)) return null
  return fail('forbidden', 'forbidden', `${actor.role} may not ${operation.replace(/[._]/g, ' ')}`)
}

function hasScope(actor: Actor): boolean {
  if (actor.role === 'partner_admin' || actor.role === 'partner_developer' || actor.role === 'partner_api')
    return typeof actor.partnerId === 'string' && actor.partnerId !== ''
  if (actor.role === 'source_unit') return typeof actor.sourceUnitId === 'string' && actor.sourceUnitId !== ''
  return true
}

/**
 * The partner whose objects `actor` is limited to, or null when it acts for the platform (bureau, operator, CLI,
 * jobs). An object of another partner is `not_found` for it.
 */
export function partnerScope(actor: Actor): string | null {
  const partnerRole = actor.role === 'partner_admin' || actor.role === 'partner_developer' || actor.role === 'partner_api'
  // A partner actor without its partner sees nothing (refuseUnlessPermitted refuses it first anyway).
  return partnerRole ? (actor.partnerId ?? '\u0000none') : null
}

/** The source unit whose objects `actor` is limited to, or null when it acts for the platform. */
export function sourceUnitScope(actor: Actor): string | null {
  return actor.role === 'source_unit' ? (actor.sourceUnitId ?? '\u0000none') : null
}

/** Whether an object owned by `ownerId` (a partner) is visible to `actor`. */
export function isOwnPartnerObject(actor: Actor, ownerId: string | null | undefined): boolean {
  const scope = partnerScope(actor)
  return scope === null || scope === ownerId
}

/** Whether an object owned by `ownerId` (a source unit) is visible to `actor`. */
export function isOwnSourceUnitObject(actor: Actor, ownerId: string | null | undefined): boolean {
  const scope = sourceUnitScope(actor)
  return scope === null || scope === ownerId
}

/** The actor for a signed-in user: their role and the organisation they act for. */
export function userActor(user: {
  id: string
  username: string
  role: Role
  partnerId: string | null
  sourceUnitId: string | null
}): Actor {
  return { id: user.id, label: user.username, role: user.role, partnerId: user.partnerId, sourceUnitId: user.sourceUnitId }
}

/** Thrown by the few operations that answer a report rather than a Result (jobs: expiry, the Lago outbox). */
export class PermissionError extends Error {
  readonly kind = 'forbidden'
  readonly code = 'forbidden'
  constructor(
    readonly actorRole: ActorRole,
    readonly operation: Operation,
  ) {
    super(`${actorRole} may not ${operation.replace(/[._]/g, ' ')}`)
    this.name = 'PermissionError'
  }
}

/** For operations without a Result: throws PermissionError unless `actor` may run `operation`. */
export function assertPermitted(actor: Actor, operation: Operation): void {
  if (refuseUnlessPermitted(actor, operation)) throw new PermissionError(actor.role, operation)
}
