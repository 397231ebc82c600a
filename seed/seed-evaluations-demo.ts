import { count, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { evaluations, users } from '#db/schema/index.ts'
import { DAY_MS, formatDay, localParts } from '#platform/calendar/shanghai-calendar.ts'
import { userActor } from '#platform/identity/permissions.ts'
import { createEvaluationScheme } from '#evaluation/schemes/create-evaluation-scheme.ts'
import { DEFAULT_SCHEMES } from '#evaluation/schemes/default-schemes.ts'
import { findScheme } from '#evaluation/schemes/find-scheme.ts'
import { openEvaluation } from '#evaluation/open-evaluation.ts'
import { submitSelfAssessment } from '#evaluation/submit-self-assessment.ts'
import { scoreEvaluationSubject } from '#evaluation/score-evaluation-subject.ts'
import { publishEvaluationResult } from '#evaluation/publish-evaluation-result.ts'
import { findEvaluation } from '#evaluation/find-evaluations.ts'

/**
 * One finished evaluation for the demo (ADR 0034), through the same operations as the UI: the default schemes, an
 * evaluation of the last full quarter opened 50 days ago with its deadline 20 days ago, the market-regulation unit's
 * and the operator's self-assessments, every subject scored after the deadline and published (all pass: no exit
 * starts). Skipped when an evaluation exists already.
 */
export async function seedEvaluationsDemo(db: Db, now = Date.now()): Promise<void> {
  const [{ n } = { n: 0 }] = await db.select({ n: count() }).from(evaluations)
  if (n > 0) return
  const byName = async (username: string) => {
    const [user] = await db.select().from(users).where(eq(users.username, username))
    return user ? userActor(user) : null
  }
  const [bureau, operator, unit] = [await byName('bureau'), await byName('operator'), await byName('scjg')]
  if (!bureau || !operator || !unit) return
  const must = <T>(r: { ok: true; value: T } | { ok: false; error: { code: string } }): T => {
    if (!r.ok) throw new Error(`seed evaluations: ${r.error.code}`)
    return r.value
  }
  const openedAt = now - 50 * DAY_MS
  for (const kind of ['source_unit', 'operator', 'partner'] as const) {
    if (!(await findScheme(db, { subjectKind: kind })))
      must(
        await createEvaluationScheme(db, {
          actor: bureau,
          input: { subjectKind: kind, ...DEFAULT_SCHEMES[kind] },
          now: openedAt - DAY_MS,
        }),
      )
  }
  // The quarter before the one the evaluation opened in.
  const { year, month } = localParts(openedAt)
  const q = Math.floor((month - 1) / 3) + 1
  const period = q === 1 ? `${year - 1}-Q4` : `${year}-Q${q - 1}`
  const { code } = must(
    await openEvaluation(db, {
      actor: bureau,
      now: openedAt,
      input: { title: `${period} 公共数据授权运营评估`, period, deadlineOn: formatDay(now - 20 * DAY_MS) },
    }),
  )
  const { subjects } = (await findEvaluation(db, { actor: bureau, code }))!
  const textsOf = (kind: 'source_unit' | 'operator') =>
    Object.fromEntries(
      DEFAULT_SCHEMES[kind].criteria.map((c) => [c.key, `本期${c.nameZh}情况：按要求完成，详见佐证材料与平台记录。`]),
    )
  const unitSubject = subjects.find((s) => s.kind === 'source_unit' && s.code === 'market-regulation')
  if (unitSubject)
    must(
      await submitSelfAssessment(db, {
        actor: unit,
        subjectId: unitSubject.id,
        texts: textsOf('source_unit'),
        now: now - 40 * DAY_MS,
      }),
    )
  const operatorSubject = subjects.find((s) => s.kind === 'operator')
  if (operatorSubject)
    must(
      await submitSelfAssessment(db, {
        actor: operator,
        subjectId: operatorSubject.id,
        texts: textsOf('operator'),
        now: now - 40 * DAY_MS,
      }),
    )
  const scoredAt = now - 15 * DAY_MS
  for (const [i, s] of subjects.entries()) {
    const base = 70 + ((i * 7) % 25)
    const scores = Object.fromEntries(
      DEFAULT_SCHEMES[s.kind].criteria.map((c, j) => [
        c.key,
        { score: Math.min(100, base + j * 3), comment: j === 0 ? '完成良好' : '' },
      ]),
    )
    must(
      await scoreEvaluationSubject(db, {
        actor: bureau,
        subjectId: s.id,
        input: { scores, comment: '总体合格。' },
        now: scoredAt,
      }),
    )
    must(await publishEvaluationResult(db, { actor: bureau, subjectId: s.id, now: scoredAt + 60_000 }))
  }
}
