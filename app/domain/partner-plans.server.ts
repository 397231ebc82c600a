// Scenarios and plans (ADR 0032): what the UI may call. Routes import them through #app/domain.server.ts.
export { changeSubscriptionPlan } from '#partner-access/subscriptions/change-subscription-plan.ts'
export { cancelSubscription } from '#partner-access/subscriptions/cancel-subscription.ts'
export { createPlan } from '#partner-access/plans/create-plan.ts'
export { updatePlan } from '#partner-access/plans/update-plan.ts'
export { listPlanVersions } from '#partner-access/plans/list-plan-versions.ts'
