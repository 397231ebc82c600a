import { and, desc, eq, inArray, sql } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import {
  evaluationEvidence,
  evaluations,
  evaluationSubjects,
  partnerExits,
  partners,
  sourceUnits,
  type EvaluationSubjectKind,
  type EvaluationSubjectState,
} from '#db/schema/index.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { formatDay } from '#platform/calendar/shanghai-calendar.ts'
import { SELF_ASSESSING_KINDS, type Period } from './evaluation-rules.ts'
import { INCENTIVE_BASIS, measureSubject, type MeasuredFigure } from './measures/measure-subject.ts'
import { findScheme, type SchemeView } from './schemes/find-scheme.ts'
import { canSeeSubject, isSubjectItself, loadVisibleSubject, parseJsonObject, type SubjectRow } from './subject-access.ts'

// The reads of evaluations (ADR 0034): the bureau sees everything; each party its own subjects, and of them only what is
// its own to see — never another's self-assessment or evidence (another's subject is simply not found).

export interface EvaluationSummary {
  id: string
  code: string
  title: string
  period: string
  deadlineOn: string
  deadlineAt: number
  openedAt: number
  subjects: number
  submitted: number
  scored: number
  published: number
  failed: number
}

const isBureau = (actor: Actor) => actor.role === 'bureau' || actor.role === 'cli'

/** Every evaluation, newest first, with its subjects counted by state (the bureau and the CLI). */
export async function listEvaluations(db: Db, opts: { actor: Actor }): Promise<EvaluationSummary[]> {
  if (!isBureau(opts.actor)) return []
  const rows = await db
    .select({
      e: evaluations,
      subjects: sql<number>`count(${evaluationSubjects.id})`,
      submitted: sql<number>`coalesce(sum(${evaluationSubjects.submittedAt} IS NOT NULL), 0)`,
      scored: sql<number>`coalesce(sum(${evaluationSubjects.state} IN ('scored', 'published')), 0)`,
      published: sql<number>`coalesce(sum(${evaluationSubjects.state} = 'published'), 0)`,
      failed: sql<number>`coalesce(sum(${evaluationSubjects.state} = 'published' AND ${evaluationSubjects.passed} = 0), 0)`,
    })
    .from(evaluations)
    .leftJoin(evaluationSubjects, eq(evaluationSubjects.evaluationId, evaluations.id))
    .groupBy(evaluations.id)
    .orderBy(desc(evaluations.openedAt), desc(evaluations.code))
  return rows.map((r) => ({
    id: r.e.id,
    code: r.e.code,
    title: r.e.title,
    period: r.e.period,
    deadlineOn: r.e.deadlineOn,
    deadlineAt: r.e.deadlineAt,
    openedAt: r.e.openedAt,
    subjects: Number(r.subjects),
    submitted: Number(r.submitted),
    scored: Number(r.scored),
    published: Number(r.published),
    failed: Number(r.failed),
  }))
}

export interface SubjectSummary {
  id: string
  kind: EvaluationSubjectKind
  name: string
  code: string | null
  state: EvaluationSubjectState
  submittedAt: number | null
  evidence: number
  totalHundredths: number | null
  passed: boolean | null
  publishedAt: number | null
  exit: { state: string; exitAt: number; exitOn: string } | null
}

/** One evaluation and its subjects (the bureau), or null. */
export async function findEvaluation(
  db: Db,
  opts: { actor: Actor; code: string },
): Promise<{ evaluation: EvaluationSummary; subjects: SubjectSummary[] } | null> {
  if (!isBureau(opts.actor) || typeof opts.code !== 'string') return null
  const summary = (await listEvaluations(db, opts)).find((e) => e.code === opts.code.trim())
  if (!summary) return null
  const rows = await db
    .select({
      s: evaluationSubjects,
      unitName: sourceUnits.nameZh,
      unitCode: sourceUnits.code,
      partnerName: partners.name,
      partnerCode: partners.code,
      evidence: sql<number>`(SELECT count(*) FROM ${evaluationEvidence} WHERE ${evaluationEvidence.subjectId} = ${evaluationSubjects.id})`,
    })
    .from(evaluationSubjects)
    .leftJoin(sourceUnits, eq(sourceUnits.id, evaluationSubjects.sourceUnitId))
    .leftJoin(partners, eq(partners.id, evaluationSubjects.partnerId))
    .where(eq(evaluationSubjects.evaluationId, summary.id))
    .orderBy(evaluationSubjects.kind, sourceUnits.code, partners.code)
  const partnerIds = rows.map((r) => r.s.partnerId).filter((id): id is string => !!id)
  const exits =
    partnerIds.length > 0
      ? await db
          .select({ partnerId: partnerExits.partnerId, state: partnerExits.state, exitAt: partnerExits.exitAt })
          .from(partnerExits)
          .where(
            and(
              inArray(partnerExits.partnerId, partnerIds),
              eq(partnerExits.kind, 'assessment'),
              eq(partnerExits.sourceRef, summary.code),
            ),
          )
      : []
  return {
    evaluation: summary,
    subjects: rows.map((r) => {
      const exit = exits.find((x) => x.partnerId === r.s.partnerId)
      return {
        id: r.s.id,
        kind: r.s.kind,
        name: r.s.kind === 'source_unit' ? (r.unitName ?? '—') : r.s.kind === 'partner' ? (r.partnerName ?? '—') : '授权运营单位',
        code: r.unitCode ?? r.partnerCode ?? null,
        state: r.s.state,
        submittedAt: r.s.submittedAt,
        evidence: Number(r.evidence),
        totalHundredths: r.s.totalHundredths,
        passed: r.s.passed,
        publishedAt: r.s.publishedAt,
        exit: exit ? { state: exit.state, exitAt: exit.exitAt, exitOn: formatDay(exit.exitAt) } : null,
      }
    }),
  }
}

export interface SubjectDetail {
  evaluation: { code: string; title: string; period: string; deadlineOn: string; deadlineAt: number }
  subject: SubjectSummary
  scheme: SchemeView
  /** Whether the viewer may still submit (the subject itself, before the deadline, unscored). */
  canSelfAssess: boolean
  /** Whether the bureau may score now. */
  canScore: boolean
  /** The bureau and the subject itself only. */
  selfAssessment: Record<string, string> | null
  evidence: { id: string; fileName: string; mediaType: string; bytes: number; createdAt: number }[] | null
  /** Scores and comments: the bureau always, the subject once published. */
  scores: Record<string, { score: number; comment: string }> | null
  bureauComment: string | null
  /** The figures: as published, else measured now (the bureau and the subject). */
  measured: MeasuredFigure[]
  /** Art. 19, source units only. */
  incentiveBasis: { dimension: string; figures: MeasuredFigure[] }[] | null
}

/** One subject as `actor` may see it, or null (unknown, or not theirs). */
export async function findEvaluationSubject(
  db: Db,
  opts: { actor: Actor; subjectId: string; now?: number },
): Promise<SubjectDetail | null> {
  const found = await loadVisibleSubject(db, opts.actor, opts.subjectId)
  if (!found) return null
  const { subject, evaluation } = found
  const now = opts.now ?? Date.now()
  const bureau = isBureau(opts.actor)
  const itself = isSubjectItself(opts.actor, subject)
  const published = subject.publishedAt !== null
  const scheme = (await findScheme(db, { id: subject.schemeId }))!
  const summary = (await findEvaluation(db, {
    actor: { id: null, label: 'read', role: 'cli' },
    code: evaluation.code,
  }))!.subjects.find((s) => s.id === subject.id)!
  const period: Period = { label: evaluation.period, start: evaluation.periodStart, end: evaluation.periodEnd }
  const measured = published
    ? (JSON.parse(subject.measured ?? '[]') as MeasuredFigure[])
    : bureau || itself
      ? await measureSubject(db, subject, period)
      : []
  const evidence =
    bureau || itself
      ? await db
          .select({
            id: evaluationEvidence.id,
            fileName: evaluationEvidence.fileName,
            mediaType: evaluationEvidence.mediaType,
            bytes: evaluationEvidence.bytes,
            createdAt: evaluationEvidence.createdAt,
          })
          .from(evaluationEvidence)
          .where(eq(evaluationEvidence.subjectId, subject.id))
          .orderBy(evaluationEvidence.createdAt)
      : null
  return {
    evaluation: {
      code: evaluation.code,
      title: evaluation.title,
      period: evaluation.period,
      deadlineOn: evaluation.deadlineOn,
      deadlineAt: evaluation.deadlineAt,
    },
    subject: {
      ...summary,
      totalHundredths: bureau || published ? summary.totalHundredths : null,
      passed: bureau || published ? summary.passed : null,
    },
    scheme,
    canSelfAssess: itself && now < evaluation.deadlineAt && (subject.state === 'open' || subject.state === 'submitted'),
    canScore:
      bureau &&
      opts.actor.role === 'bureau' &&
      subject.state !== 'published' &&
      !(subject.state === 'open' && SELF_ASSESSING_KINDS.includes(subject.kind) && now < evaluation.deadlineAt),
    selfAssessment: bureau || itself ? parseJsonObject<string>(subject.selfAssessment) : null,
    evidence,
    scores: bureau || published ? parseJsonObject<{ score: number; comment: string }>(subject.scores) : null,
    bureauComment: bureau || published ? subject.bureauComment : null,
    measured,
    incentiveBasis:
      subject.kind === 'source_unit'
        ? INCENTIVE_BASIS.map((d) => ({ dimension: d.dimension, figures: measured.filter((f) => d.measures.includes(f.key)) }))
        : null,
  }
}

/**
 * A party's own subjects, newest first: a source unit's, the operator's, a partner's (published only: its assessment is
 * the bureau's until then). Nobody else has any.
 */
export async function listOwnEvaluationSubjects(db: Db, opts: { actor: Actor; now?: number }): Promise<SubjectDetail[]> {
  const { actor } = opts
  const where =
    actor.role === 'source_unit' && actor.sourceUnitId
      ? eq(evaluationSubjects.sourceUnitId, actor.sourceUnitId)
      : actor.role === 'operator'
        ? eq(evaluationSubjects.kind, 'operator')
        : actor.role === 'partner_admin' && actor.partnerId
          ? eq(evaluationSubjects.partnerId, actor.partnerId)
          : null
  if (!where) return []
  const rows: SubjectRow[] = await db
    .select({ s: evaluationSubjects })
    .from(evaluationSubjects)
    .innerJoin(evaluations, eq(evaluations.id, evaluationSubjects.evaluationId))
    .where(where)
    .orderBy(desc(evaluations.openedAt))
    .then((r) => r.map((x) => x.s))
  const details = await Promise.all(
    rows.filter((s) => canSeeSubject(actor, s)).map((s) => findEvaluationSubject(db, { actor, subjectId: s.id, now: opts.now })),
  )
  return details.filter((d): d is SubjectDetail => d !== null)
}
