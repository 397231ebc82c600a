// Grading by the source units and the personal-data floor (Art. 5; ADR 0037). Routes import these through
// #app/domain.server.ts.
export { listDatasetLevels, findDatasetGrading } from '#catalog/grading/list-dataset-levels.ts'
export { proposeDatasetLevel } from '#catalog/grading/propose-dataset-level.ts'
export { decideDatasetLevel } from '#catalog/grading/decide-dataset-level.ts'
export { USAGE_REQUIREMENTS_MAX_LENGTH, PROPOSAL_NOTE_MAX_LENGTH } from '#catalog/grading/grading-rules.ts'
export type { DatasetLevelRow, DatasetGradingDetail, GradingStep } from '#catalog/grading/list-dataset-levels.ts'
