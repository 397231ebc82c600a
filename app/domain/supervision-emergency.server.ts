// Credit records (Art. 28), incidents and the emergency stop (Art. 13) as the UI may call them.
export { recordCreditRecord } from '#supervision/credit/record-credit-record.ts'
export { revokeCreditRecord } from '#supervision/credit/revoke-credit-record.ts'
export {
  listCreditRecords,
  listActiveCreditRecords,
  findBadCreditExitCandidates,
} from '#supervision/credit/list-credit-records.ts'
export { exportCreditRecords } from '#supervision/credit/export-credit-records.ts'
export { openIncident } from '#supervision/incidents/open-incident.ts'
export { addIncidentEntry } from '#supervision/incidents/add-incident-entry.ts'
export { closeIncident } from '#supervision/incidents/close-incident.ts'
export { listIncidents, getIncident } from '#supervision/incidents/list-incidents.ts'
export { parseCodeList } from '#supervision/incidents/incident-affected.ts'
export { stopProducts } from '#supervision/emergency/stop-products.ts'
export { resumeProducts } from '#supervision/emergency/resume-products.ts'
export { getEmergencyState } from '#supervision/emergency/get-emergency-state.ts'
export { saveEmergencyPlan } from '#supervision/emergency/save-emergency-plan.ts'
export { listEmergencyPlans } from '#supervision/emergency/list-emergency-plans.ts'
export { recordDrill } from '#supervision/emergency/record-drill.ts'
export { listDrills } from '#supervision/emergency/list-drills.ts'
export { runStopDrill } from '#supervision/emergency/run-stop-drill.ts'
export { listPublishedProductCodes } from '#supervision/emergency/list-stoppable-products.ts'
