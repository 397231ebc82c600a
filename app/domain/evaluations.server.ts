// Evaluations (Art. 18–20; ADR 0034). Routes import these through #app/domain.server.ts.
export { createEvaluationScheme } from '#evaluation/schemes/create-evaluation-scheme.ts'
export { listEvaluationSchemes, type SchemeView } from '#evaluation/schemes/find-scheme.ts'
export { DEFAULT_SCHEMES } from '#evaluation/schemes/default-schemes.ts'
export { openEvaluation } from '#evaluation/open-evaluation.ts'
export { submitSelfAssessment } from '#evaluation/submit-self-assessment.ts'
export { addEvaluationEvidence, evaluationEvidenceDirectoryOf } from '#evaluation/evidence/add-evaluation-evidence.ts'
export { findEvaluationEvidence } from '#evaluation/evidence/find-evaluation-evidence.ts'
export { scoreEvaluationSubject } from '#evaluation/score-evaluation-subject.ts'
export { publishEvaluationResult } from '#evaluation/publish-evaluation-result.ts'
export { startAssessmentExit } from '#evaluation/start-assessment-exit.ts'
export {
  findEvaluation,
  findEvaluationSubject,
  listEvaluations,
  listOwnEvaluationSubjects,
  type SubjectDetail,
} from '#evaluation/find-evaluations.ts'
export { EVIDENCE_MAX_BYTES as EVALUATION_EVIDENCE_MAX_BYTES, formatPoints } from '#evaluation/evaluation-rules.ts'
export { MEASURES as EVALUATION_MEASURES } from '#evaluation/measures/measure-subject.ts'
