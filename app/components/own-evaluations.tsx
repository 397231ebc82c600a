import { useActionData, useLoaderData, useRevalidator, useSearchParams } from '@remix-run/react'
import type { FormReply } from '#app/forms/action-reply.server.ts'
import { useT } from '#app/i18n/use-t.ts'
import type { loadOwnEvaluations } from '#app/lib/evaluation-route.server.ts'
import { EvaluationEvidenceUpload, SelfAssessmentForm, SubjectResult } from './evaluation-view.tsx'

/** The source unit's and the operator's page: each evaluation, the self-assessment while open, results and history. */
export function OwnEvaluationsPage({ mode, base }: { mode: 'self' | 'partner'; base: string }) {
  const { subjects } = useLoaderData<Awaited<ReturnType<typeof loadOwnEvaluations>>>()
  const reply = useActionData<FormReply>() ?? null
  const [params] = useSearchParams()
  const revalidator = useRevalidator()
  const t = useT()
  return (
    <>
      <h1>{t(mode === 'self' ? 'evaluation.own.title' : 'evaluation.partner.title')}</h1>
      <p className="lead">{t(mode === 'self' ? 'evaluation.own.intro' : 'evaluation.partner.intro')}</p>
      {params.get('submitted') && !reply && (
        <p className="notice" role="status" data-testid="self-assessment-done">
          {t('evaluation.selfAssessment.submitted')}
        </p>
      )}
      {subjects.length === 0 && <p className="muted">{t('evaluation.none')}</p>}
      {subjects.map((detail) => (
        <div key={detail.subject.id}>
          <SubjectResult detail={detail} evidenceHref={(id) => `${base}/evidence/${id}`} />
          {mode === 'self' && detail.canSelfAssess && (
            <div className="panel">
              <h3>{t('evaluation.selfAssessment')}</h3>
              <SelfAssessmentForm detail={detail} reply={reply} />
              <EvaluationEvidenceUpload subjectId={detail.subject.id} onDone={() => revalidator.revalidate()} />
            </div>
          )}
          {mode === 'self' && !detail.canSelfAssess && detail.subject.state !== 'published' && (
            <p className="muted">{t('evaluation.selfAssessment.closed', { deadline: detail.evaluation.deadlineOn })}</p>
          )}
        </div>
      ))}
    </>
  )
}
