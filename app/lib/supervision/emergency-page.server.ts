import type { AppLoadContext } from '@remix-run/node'
import {
  formatDay,
  getEmergencyState,
  listDrills,
  listEmergencyPlans,
  listPublishedProductCodes,
  recordDrill,
  resumeProducts,
  runStopDrill,
  saveEmergencyPlan,
  stopProducts,
} from '#app/domain.server.ts'
import type { Actor } from '#platform/audit/record-audit.ts'

// What the bureau's and the operator's emergency pages share (Art. 13; ADR 0029): the same reads, the same intents.
// Each route keeps its own role check, form and schema; the operations check the actor's permission themselves.

export async function loadEmergencyPage(context: AppLoadContext) {
  const { db } = context.platform
  return {
    state: await getEmergencyState(db),
    products: await listPublishedProductCodes(db),
    plans: await listEmergencyPlans(db),
    drills: await listDrills(db),
    today: formatDay(Date.now()),
  }
}

export type EmergencyIntent =
  | { intent: 'stop'; scope: 'all' | 'products'; reason: string }
  | { intent: 'resume'; product?: string; reason?: string }
  | { intent: 'savePlan'; code?: string; title?: string; body?: string }
  | { intent: 'recordDrill'; heldOn?: string; scope?: string; outcome?: string; planCode?: string }
  | { intent: 'runDrill'; product: string }

/** One parsed intent of the emergency form, run as its one operation. */
export async function runEmergencyIntent(
  context: AppLoadContext,
  input: EmergencyIntent,
  opts: { actor: Actor; selectedProducts: string[] },
) {
  const { db, requestId } = context.platform
  const { actor } = opts
  switch (input.intent) {
    case 'stop':
      return stopProducts(db, {
        productCodes: input.scope === 'all' ? [] : opts.selectedProducts,
        reason: input.reason,
        actor,
        requestId,
      })
    case 'resume':
      return resumeProducts(db, { productCode: input.product, reason: input.reason, actor, requestId })
    case 'savePlan':
      return saveEmergencyPlan(db, {
        code: input.code ?? '',
        title: input.title ?? '',
        body: input.body ?? '',
        actor,
        requestId,
      })
    case 'recordDrill':
      return recordDrill(db, {
        input: { heldOn: input.heldOn ?? '', scope: input.scope ?? '', outcome: input.outcome ?? '', planCode: input.planCode },
        actor,
        requestId,
      })
    case 'runDrill':
      return runStopDrill(db, { productCode: input.product, actor, requestId })
  }
}
