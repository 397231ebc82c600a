import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { and, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { partnerExits, partners, sourceUnits, users } from '#db/schema/index.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { DAY_MS, formatDay } from '#platform/calendar/shanghai-calendar.ts'
import { userActor } from '#platform/identity/permissions.ts'
import { listNotifications } from '#supervision/inbox/list-notifications.ts'
import { createEvaluationScheme } from '#evaluation/schemes/create-evaluation-scheme.ts'
import { DEFAULT_SCHEMES } from '#evaluation/schemes/default-schemes.ts'
import { openEvaluation } from '#evaluation/open-evaluation.ts'
import { submitSelfAssessment } from '#evaluation/submit-self-assessment.ts'
import { addEvaluationEvidence } from '#evaluation/evidence/add-evaluation-evidence.ts'
import { findEvaluationEvidence } from '#evaluation/evidence/find-evaluation-evidence.ts'
import { scoreEvaluationSubject } from '#evaluation/score-evaluation-subject.ts'
import { publishEvaluationResult } from '#evaluation/publish-evaluation-result.ts'
import { startAssessmentExit } from '#evaluation/start-assessment-exit.ts'
import { findEvaluation, findEvaluationSubject, listOwnEvaluationSubjects } from '#evaluation/find-evaluations.ts'
import { ASSESSMENT_EXIT_NOTICE_DAYS } from '#evaluation/evaluation-rules.ts'
import { startPartnerExit } from '#partner-access/exits/start-partner-exit.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'

const NOW = Date.UTC(2026, 10, 30, 2) // 2026-11-30 10:00 in Shanghai
const PDF = new TextEncoder().encode('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n')
const EXE = new TextEncoder().encode('MZ\x90\x00 this is not a pdf')

async function* chunks(...parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield p
}

type Who = 'bureau' | 'operator' | 'unit' | 'otherUnit' | 'partnerAdmin' | 'partnerDev' | 'otherPartnerAdmin'

async function actorsOf(db: Db): Promise<Record<Who, Actor>> {
  const byName = async (username: string) => userActor((await db.select().from(users).where(eq(users.username, username)))[0]!)
  // A second source unit's person and a second partner's administrator, for the other-party refusals.
  const [other] = await db.select().from(sourceUnits).where(eq(sourceUnits.code, 'tax'))
  const [huimin] = await db.select().from(partners).where(eq(partners.code, 'huimin-service'))
  await db.insert(users).values([
    { username: 'eval.other.unit', displayName: '其他数源单位', role: 'source_unit', passwordHash: 'x', sourceUnitId: other!.id },
    {
      username: 'eval.other.partner',
      displayName: '其他合作方',
      role: 'partner_admin',
      passwordHash: 'x',
      partnerId: huimin!.id,
    },
  ])
  return {
    bureau: await byName('bureau'),
    operator: await byName('operator'),
    unit: await byName('scjg'),
    otherUnit: await byName('eval.other.unit'),
    partnerAdmin: await byName('partner.admin'),
    partnerDev: await byName('partner.dev'),
    otherPartnerAdmin: await byName('eval.other.partner'),
  }
}

describe('evaluations (Art. 18–20, ADR 0034)', () => {
  let t: TestDatabase
  let dir: string
  let a: Record<Who, Actor>
  let code: string
  const subjects: Record<'unit' | 'otherUnit' | 'operator' | 'partner' | 'otherPartner', string> = {} as never

  const texts = (kind: 'source_unit' | 'operator') =>
    Object.fromEntries(DEFAULT_SCHEMES[kind].criteria.map((c) => [c.key, `${c.nameZh}：本期工作情况说明。`]))
  const scores = (kind: 'source_unit' | 'operator' | 'partner', score: number) =>
    Object.fromEntries(DEFAULT_SCHEMES[kind].criteria.map((c) => [c.key, { score, comment: `${c.nameZh} 评语` }]))

  beforeEach(async () => {
    t = await createTestDatabase()
    dir = mkdtempSync(join(tmpdir(), 'sdp-eval-evidence-'))
    a = await actorsOf(t.db)
    for (const kind of ['source_unit', 'operator', 'partner'] as const) {
      const r = await createEvaluationScheme(t.db, {
        actor: a.bureau,
        input: { subjectKind: kind, ...DEFAULT_SCHEMES[kind] },
        now: NOW,
      })
      expect(r.ok).toBe(true)
    }
    const opened = await openEvaluation(t.db, {
      actor: a.bureau,
      now: NOW,
      input: { title: '2026 年度授权运营评估', period: '2026', deadlineOn: formatDay(NOW + 10 * DAY_MS) },
    })
    if (!opened.ok) throw new Error(opened.error.code)
    code = opened.value.code
    const detail = (await findEvaluation(t.db, { actor: a.bureau, code }))!
    const idOf = (kind: string, c: string | null) => detail.subjects.find((s) => s.kind === kind && s.code === c)!.id
    subjects.unit = idOf('source_unit', 'market-regulation')
    subjects.otherUnit = idOf('source_unit', 'tax')
    subjects.operator = idOf('operator', null)
    subjects.partner = idOf('partner', 'shengjing-tech')
    subjects.otherPartner = idOf('partner', 'huimin-service')
  })
  afterEach(() => {
    t.destroy()
    rmSync(dir, { recursive: true, force: true })
  })

  it('from opening to published results: a passing source unit with its incentive basis, a failing operator flagged to the bureau, a failing partner noticed its assessment exit', async () => {
    // The source unit assesses itself and adds evidence before the deadline.
    const submitted = await submitSelfAssessment(t.db, {
      actor: a.unit,
      subjectId: subjects.unit,
      texts: texts('source_unit'),
      now: NOW + DAY_MS,
    })
    expect(submitted).toMatchObject({ ok: true })
    const evidence = await addEvaluationEvidence(t.db, {
      actor: a.unit,
      subjectId: subjects.unit,
      fileName: '自评佐证.pdf',
      content: chunks(PDF),
      declaredBytes: PDF.byteLength,
      directory: dir,
      now: NOW + DAY_MS,
    })
    expect(evidence).toMatchObject({ ok: true, value: { mediaType: 'application/pdf', bytes: PDF.byteLength } })
    expect(readdirSync(dir)).toEqual([evidence.ok && evidence.value.id])
    const listed = (await findEvaluation(t.db, { actor: a.bureau, code }))!.subjects
    expect(listed.find((x) => x.id === subjects.unit)).toMatchObject({ evidence: 1, state: 'submitted' })
    expect(listed.find((x) => x.id === subjects.otherUnit)).toMatchObject({ evidence: 0, state: 'open' })
    expect(
      await submitSelfAssessment(t.db, {
        actor: a.operator,
        subjectId: subjects.operator,
        texts: texts('operator'),
        now: NOW + DAY_MS,
      }),
    ).toMatchObject({ ok: true })

    // Before the deadline the bureau cannot score a self-assessing subject that has not submitted; a partner it can.
    expect(
      await scoreEvaluationSubject(t.db, {
        actor: a.bureau,
        subjectId: subjects.otherUnit,
        input: { scores: scores('source_unit', 50) },
        now: NOW + DAY_MS,
      }),
    ).toMatchObject({ ok: false, error: { kind: 'conflict', code: 'self_assessment_pending' } })
    // Publishing before scoring is refused.
    expect(
      await publishEvaluationResult(t.db, { actor: a.bureau, subjectId: subjects.unit, now: NOW + 2 * DAY_MS }),
    ).toMatchObject({
      ok: false,
      error: { code: 'not_scored' },
    })

    // Weighted totals: every criterion 85 → 85.00 (pass); 40 → 40.00 (fail, under 60).
    const unitScored = await scoreEvaluationSubject(t.db, {
      actor: a.bureau,
      subjectId: subjects.unit,
      input: { scores: { ...scores('source_unit', 85), quality: { score: 75, comment: '数据质量一般' } }, comment: '总体良好' },
      now: NOW + 2 * DAY_MS,
    })
    // 25·85 + 25·85 + 30·75 + 20·85 = 8,200 hundredths.
    expect(unitScored).toEqual({ ok: true, value: { subjectId: subjects.unit, totalHundredths: 8200, passed: true } })
    expect(
      await scoreEvaluationSubject(t.db, {
        actor: a.bureau,
        subjectId: subjects.operator,
        input: { scores: scores('operator', 40) },
        now: NOW + 2 * DAY_MS,
      }),
    ).toMatchObject({ ok: true, value: { totalHundredths: 4000, passed: false } })
    // The pass mark itself passes; one point less fails.
    expect(
      await scoreEvaluationSubject(t.db, {
        actor: a.bureau,
        subjectId: subjects.otherPartner,
        input: { scores: scores('partner', 60) },
        now: NOW + 2 * DAY_MS,
      }),
    ).toMatchObject({ ok: true, value: { totalHundredths: 6000, passed: true } })
    expect(
      await scoreEvaluationSubject(t.db, {
        actor: a.bureau,
        subjectId: subjects.partner,
        input: { scores: scores('partner', 59) },
        now: NOW + 2 * DAY_MS,
      }),
    ).toMatchObject({ ok: true, value: { totalHundredths: 5900, passed: false } })

    // Nothing of a score is visible to the party before publication; a partner does not see its subject at all.
    const before = (await listOwnEvaluationSubjects(t.db, { actor: a.unit, now: NOW + 2 * DAY_MS }))[0]!
    expect(before.scores).toBeNull()
    expect(before.subject.totalHundredths).toBeNull()
    expect((await listOwnEvaluationSubjects(t.db, { actor: a.partnerAdmin })).filter((d) => d.evaluation.code === code)).toEqual(
      [],
    )

    const publishAt = NOW + 3 * DAY_MS
    const unitPublished = await publishEvaluationResult(t.db, { actor: a.bureau, subjectId: subjects.unit, now: publishAt })
    expect(unitPublished).toMatchObject({ ok: true, value: { passed: true, exit: null } })
    const operatorPublished = await publishEvaluationResult(t.db, {
      actor: a.bureau,
      subjectId: subjects.operator,
      now: publishAt,
    })
    expect(operatorPublished).toMatchObject({ ok: true, value: { passed: false, exit: null } })
    const partnerPublished = await publishEvaluationResult(t.db, { actor: a.bureau, subjectId: subjects.partner, now: publishAt })
    expect(partnerPublished).toMatchObject({ ok: true, value: { passed: false, exit: { started: true } } })

    // The failing partner's 考核退出: noticed now, the exit 30 days later, resting on the evaluation's code.
    const [pid] = await t.db.select({ id: partners.id }).from(partners).where(eq(partners.code, 'shengjing-tech'))
    const exits = await t.db.select().from(partnerExits).where(eq(partnerExits.partnerId, pid!.id))
    expect(exits).toHaveLength(1)
    expect(exits[0]).toMatchObject({
      kind: 'assessment',
      state: 'noticed',
      sourceRef: code,
      noticeAt: publishAt,
      exitAt: publishAt + ASSESSMENT_EXIT_NOTICE_DAYS * DAY_MS,
      startedByLabel: 'bureau',
    })
    expect(exits[0]!.reason).toContain(code)
    // A second start (the page's retry) answers that the exit is under way; a passing partner has none.
    expect(await startAssessmentExit(t.db, { actor: a.bureau, subjectId: subjects.partner, now: publishAt })).toMatchObject({
      ok: false,
      error: { code: 'exit_under_way' },
    })
    expect(
      await publishEvaluationResult(t.db, { actor: a.bureau, subjectId: subjects.otherPartner, now: publishAt }),
    ).toMatchObject({
      ok: true,
      value: { passed: true, exit: null },
    })
    const [hid] = await t.db.select({ id: partners.id }).from(partners).where(eq(partners.code, 'huimin-service'))
    expect(await t.db.select().from(partnerExits).where(eq(partnerExits.partnerId, hid!.id))).toEqual([])

    // The inboxes: the unit and the partner are told; the failing operator is flagged to the bureau.
    const kinds = async (actor: Actor) => (await listNotifications(t.db, { actor })).entries.map((e) => e.kind)
    expect(await kinds(a.unit)).toContain('evaluation_result_published')
    expect(await kinds(a.bureau)).toContain('evaluation_operator_failed')
    expect(await kinds(a.partnerAdmin)).toEqual(expect.arrayContaining(['evaluation_result_published', 'partner_exit_noticed']))

    // Each party sees its own result; the source unit's lists the Art. 19 incentive basis from the published figures.
    const own = (await listOwnEvaluationSubjects(t.db, { actor: a.unit }))[0]!
    expect(own.subject).toMatchObject({ state: 'published', totalHundredths: 8200, passed: true })
    expect(own.scores?.quality).toEqual({ score: 75, comment: '数据质量一般' })
    expect(own.incentiveBasis?.map((d) => d.dimension)).toEqual(['approvals', 'calls', 'quality', 'use'])
    expect(own.incentiveBasis?.flatMap((d) => d.figures.map((f) => f.key))).toEqual([
      'demand_items_decided',
      'mean_days_to_decision',
      'calls_on_datasets',
      'failed_loads',
      'validation_errors',
      'fresh_datasets_percent',
      'products_on_data',
    ])
    const partnerOwn = (await listOwnEvaluationSubjects(t.db, { actor: a.partnerAdmin })).filter(
      (d) => d.evaluation.code === code,
    )
    expect(partnerOwn).toHaveLength(1)
    expect(partnerOwn[0]!.subject).toMatchObject({ passed: false, totalHundredths: 5900, exit: { state: 'noticed' } })
    expect(partnerOwn[0]!.selfAssessment).toBeNull()
    expect(partnerOwn[0]!.evidence).toBeNull()
    expect((await listOwnEvaluationSubjects(t.db, { actor: a.operator }))[0]!.subject.passed).toBe(false)

    // A published result is final: no new score, no second publication, and the database itself refuses an edit.
    expect(
      await scoreEvaluationSubject(t.db, {
        actor: a.bureau,
        subjectId: subjects.unit,
        input: { scores: scores('source_unit', 10) },
      }),
    ).toMatchObject({ ok: false, error: { code: 'result_published' } })
    expect(await publishEvaluationResult(t.db, { actor: a.bureau, subjectId: subjects.unit })).toMatchObject({
      ok: false,
      error: { code: 'result_published' },
    })
    await expect(t.client.execute(`UPDATE evaluation_subjects SET passed = 0 WHERE id = '${subjects.unit}'`)).rejects.toThrow(
      /evaluation_result_published/,
    )
  })

  it('refuses a self-assessment or evidence at and after the deadline, with a stable code', async () => {
    const { evaluation } = (await findEvaluation(t.db, { actor: a.bureau, code }))!
    const at = evaluation.deadlineAt
    expect(
      await submitSelfAssessment(t.db, { actor: a.unit, subjectId: subjects.unit, texts: texts('source_unit'), now: at - 1 }),
    ).toMatchObject({
      ok: true,
    })
    expect(
      await submitSelfAssessment(t.db, { actor: a.unit, subjectId: subjects.unit, texts: texts('source_unit'), now: at }),
    ).toMatchObject({
      ok: false,
      error: { kind: 'conflict', code: 'deadline_passed' },
    })
    expect(
      await addEvaluationEvidence(t.db, {
        actor: a.unit,
        subjectId: subjects.unit,
        fileName: 'late.pdf',
        content: chunks(PDF),
        declaredBytes: null,
        directory: dir,
        now: at + DAY_MS,
      }),
    ).toMatchObject({ ok: false, error: { code: 'deadline_passed' } })
    expect(readdirSync(dir).length === 0 || !readdirSync(dir).some((f) => !f.endsWith('.part'))).toBe(true)
    // After the deadline the bureau may score a unit that never submitted.
    expect(
      await scoreEvaluationSubject(t.db, {
        actor: a.bureau,
        subjectId: subjects.otherUnit,
        input: { scores: scores('source_unit', 50) },
        now: at,
      }),
    ).toMatchObject({ ok: true, value: { passed: false } })
  })

  it('refuses a scheme whose weights do not sum to 100, and never edits a version in place', async () => {
    const criteria = DEFAULT_SCHEMES.source_unit.criteria.map((c, i) => (i === 0 ? { ...c, weight: c.weight - 10 } : c))
    const before = (await t.client.execute('SELECT count(*) AS n FROM evaluation_schemes')).rows[0]!.n
    expect(
      await createEvaluationScheme(t.db, { actor: a.bureau, input: { subjectKind: 'source_unit', passMark: 60, criteria } }),
    ).toMatchObject({
      ok: false,
      error: { kind: 'validation', code: 'weights_not_100', fields: { weights: 'weights_not_100' } },
    })
    const over = DEFAULT_SCHEMES.source_unit.criteria.map((c, i) => (i === 0 ? { ...c, weight: c.weight + 1 } : c))
    expect(
      await createEvaluationScheme(t.db, {
        actor: a.bureau,
        input: { subjectKind: 'source_unit', passMark: 60, criteria: over },
      }),
    ).toMatchObject({ ok: false, error: { code: 'weights_not_100' } })
    expect((await t.client.execute('SELECT count(*) AS n FROM evaluation_schemes')).rows[0]!.n).toBe(before)
    // Other malformed schemes: each problem named beside its field.
    const bad = await createEvaluationScheme(t.db, {
      actor: a.bureau,
      input: {
        subjectKind: 'source_unit',
        passMark: 101,
        criteria: [
          { key: 'Bad Key', nameZh: '', nameEn: 'x', weight: 50 },
          { key: 'ok', nameZh: '甲', nameEn: 'A', weight: 50.5, measures: ['no_such_measure'] },
        ],
      },
    })
    expect(bad).toMatchObject({
      ok: false,
      error: {
        code: 'validation_failed',
        fields: {
          passMark: 'invalid',
          'criteria.0.key': 'invalid',
          'criteria.0.nameZh': 'required',
          'criteria.1.weight': 'invalid',
          'criteria.1.measures': 'unknown_measure',
        },
      },
    })
    // A new version replaces the old for evaluations opened from now on; the old one stays as it was.
    const v = await createEvaluationScheme(t.db, {
      actor: a.bureau,
      input: { subjectKind: 'source_unit', ...DEFAULT_SCHEMES.source_unit, passMark: 70 },
    })
    expect(v.ok).toBe(true)
    const opened = await openEvaluation(t.db, {
      actor: a.bureau,
      now: NOW,
      input: { title: '2026 年第四季度评估', period: '2026-Q4', deadlineOn: formatDay(NOW + 5 * DAY_MS), kinds: ['source_unit'] },
    })
    expect(opened.ok).toBe(true)
    const newer = (await findEvaluationSubject(t.db, {
      actor: a.bureau,
      subjectId: (await findEvaluation(t.db, { actor: a.bureau, code: opened.ok ? opened.value.code : '' }))!.subjects[0]!.id,
    }))!
    const older = (await findEvaluationSubject(t.db, { actor: a.bureau, subjectId: subjects.unit }))!
    expect(newer.scheme.passMark).toBe(70)
    expect(older.scheme.passMark).toBe(60)
    expect(newer.scheme.version).toBe(older.scheme.version + 1)
    await expect(t.client.execute('UPDATE evaluation_criteria SET weight = 1')).rejects.toThrow(/evaluation_scheme_versioned/)
    await expect(t.client.execute('UPDATE evaluation_schemes SET pass_mark = 1')).rejects.toThrow(/evaluation_scheme_versioned/)
    await expect(t.client.execute('DELETE FROM evaluation_criteria')).rejects.toThrow(/evaluation_scheme_versioned/)
  })

  it('refuses the wrong role (forbidden) and answers another party’s subject, self-assessment and evidence not_found', async () => {
    await submitSelfAssessment(t.db, { actor: a.unit, subjectId: subjects.unit, texts: texts('source_unit'), now: NOW })
    const up = await addEvaluationEvidence(t.db, {
      actor: a.unit,
      subjectId: subjects.unit,
      fileName: 'e.pdf',
      content: chunks(PDF),
      declaredBytes: null,
      directory: dir,
      now: NOW,
    })
    const evidenceId = up.ok ? up.value.id : ''
    // Wrong roles: nothing to do with it at all.
    for (const actor of [a.partnerAdmin, a.partnerDev, a.bureau]) {
      expect(
        await submitSelfAssessment(t.db, { actor, subjectId: subjects.unit, texts: texts('source_unit'), now: NOW }),
      ).toMatchObject({
        ok: false,
        error: { kind: 'forbidden' },
      })
    }
    for (const actor of [a.unit, a.operator, a.partnerAdmin]) {
      expect(
        await scoreEvaluationSubject(t.db, { actor, subjectId: subjects.unit, input: { scores: scores('source_unit', 100) } }),
      ).toMatchObject({ ok: false, error: { kind: 'forbidden' } })
      expect(await publishEvaluationResult(t.db, { actor, subjectId: subjects.unit })).toMatchObject({
        ok: false,
        error: { kind: 'forbidden' },
      })
      expect(
        await openEvaluation(t.db, { actor, input: { title: 'x评估', period: '2026', deadlineOn: formatDay(NOW + DAY_MS) } }),
      ).toMatchObject({ ok: false, error: { kind: 'forbidden' } })
      expect(
        await createEvaluationScheme(t.db, { actor, input: { subjectKind: 'partner', ...DEFAULT_SCHEMES.partner } }),
      ).toMatchObject({ ok: false, error: { kind: 'forbidden' } })
    }
    // Another party: not found, whatever it asks.
    expect(
      await submitSelfAssessment(t.db, { actor: a.otherUnit, subjectId: subjects.unit, texts: texts('source_unit'), now: NOW }),
    ).toMatchObject({ ok: false, error: { kind: 'not_found', code: 'evaluation_not_found' } })
    expect(
      await submitSelfAssessment(t.db, { actor: a.operator, subjectId: subjects.unit, texts: texts('source_unit'), now: NOW }),
    ).toMatchObject({ ok: false, error: { kind: 'not_found' } })
    expect(
      await submitSelfAssessment(t.db, { actor: a.unit, subjectId: subjects.operator, texts: texts('operator'), now: NOW }),
    ).toMatchObject({ ok: false, error: { kind: 'not_found' } })
    expect(
      await addEvaluationEvidence(t.db, {
        actor: a.otherUnit,
        subjectId: subjects.unit,
        fileName: 'x.pdf',
        content: chunks(PDF),
        declaredBytes: null,
        directory: dir,
        now: NOW,
      }),
    ).toMatchObject({ ok: false, error: { kind: 'not_found' } })
    for (const actor of [a.otherUnit, a.operator, a.partnerAdmin, a.partnerDev]) {
      expect(await findEvaluationSubject(t.db, { actor, subjectId: subjects.unit })).toBeNull()
      expect(await findEvaluationEvidence(t.db, { actor, evidenceId })).toBeNull()
    }
    expect(await findEvaluationEvidence(t.db, { actor: a.unit, evidenceId })).toMatchObject({ id: evidenceId })
    expect(await findEvaluationEvidence(t.db, { actor: a.bureau, evidenceId })).toMatchObject({ id: evidenceId })
    const otherOwn = (await listOwnEvaluationSubjects(t.db, { actor: a.otherUnit })).filter((d) => d.evaluation.code === code)
    expect(otherOwn).toHaveLength(1)
    expect(otherOwn[0]!.selfAssessment).toEqual({})
    expect(otherOwn[0]!.evidence).toEqual([])
    // A partner sees only its own published result, never another's.
    await scoreEvaluationSubject(t.db, {
      actor: a.bureau,
      subjectId: subjects.otherPartner,
      input: { scores: scores('partner', 90) },
    })
    await publishEvaluationResult(t.db, { actor: a.bureau, subjectId: subjects.otherPartner })
    expect(await findEvaluationSubject(t.db, { actor: a.partnerAdmin, subjectId: subjects.otherPartner })).toBeNull()
    expect(await findEvaluationSubject(t.db, { actor: a.otherPartnerAdmin, subjectId: subjects.otherPartner })).not.toBeNull()
    expect(await findEvaluationSubject(t.db, { actor: a.partnerDev, subjectId: subjects.otherPartner })).toBeNull()
    // The bureau alone lists evaluations.
    expect(await findEvaluation(t.db, { actor: a.operator, code })).toBeNull()
    // The bureau starts no assessment exit without a failing published result of that partner.
    expect(
      await startPartnerExit(t.db, {
        actor: a.bureau,
        input: { partnerCode: 'huimin-service', kind: 'assessment', reason: '考核不合格', sourceRef: code },
      }),
    ).toMatchObject({ ok: false, error: { fields: { sourceRef: 'no_failing_result' } } })
  })

  it('refuses hostile input on the forms and uploads, leaving no file behind', async () => {
    const base = texts('source_unit')
    const submit = (t2: Record<string, unknown>) =>
      submitSelfAssessment(t.db, { actor: a.unit, subjectId: subjects.unit, texts: t2, now: NOW })
    expect(await submit({ ...base, approvals: 'x'.repeat(4001) })).toMatchObject({ error: { fields: { approvals: 'too_long' } } })
    expect(await submit({ ...base, calls: '   ' })).toMatchObject({ error: { fields: { calls: 'required' } } })
    expect(await submit({ ...base, use: 'ok\u202Egnp.exe' })).toMatchObject({ error: { fields: { use: 'invalid' } } })
    expect(await submit({ ...base, quality: 'a\u0000b' })).toMatchObject({ error: { fields: { quality: 'invalid' } } })
    expect(await submit({ ...base, __proto__x: 'x' })).toMatchObject({ error: { fields: { __proto__x: 'unknown_criterion' } } })
    expect(await submit({ ...base, quality: 42 })).toMatchObject({ error: { fields: { quality: 'required' } } })
    for (const id of ['../../etc/passwd', '', 'x'.repeat(5000), "' OR 1=1 --"]) {
      expect(await submitSelfAssessment(t.db, { actor: a.unit, subjectId: id, texts: base, now: NOW })).toMatchObject({
        error: { kind: 'not_found' },
      })
    }
    const upload = (parts: Uint8Array[], opts: { declared?: number | null; max?: number } = {}) =>
      addEvaluationEvidence(t.db, {
        actor: a.unit,
        subjectId: subjects.unit,
        fileName: '../../../etc/passwd',
        content: chunks(...parts),
        declaredBytes: opts.declared ?? null,
        directory: dir,
        maxBytes: opts.max,
        now: NOW,
      })
    expect(await upload([EXE])).toMatchObject({ error: { code: 'unsupported_file_type' } })
    expect(await upload([])).toMatchObject({ error: { code: 'file_required' } })
    expect(await upload([PDF], { declared: 11 * 1024 * 1024 })).toMatchObject({ error: { code: 'file_too_large' } })
    expect(await upload([PDF, new Uint8Array(64)], { max: PDF.byteLength + 10 })).toMatchObject({
      error: { code: 'file_too_large' },
    })
    expect(readdirSync(dir)).toEqual([])
    // Scores: not whole numbers in 0–100, unknown criteria, overlong comments.
    await submit(base)
    const score = (s: Record<string, { score: unknown; comment?: unknown }>, comment?: unknown) =>
      scoreEvaluationSubject(t.db, {
        actor: a.bureau,
        subjectId: subjects.unit,
        input: { scores: { ...scores('source_unit', 80), ...s }, comment },
      })
    expect(await score({ approvals: { score: 101 } })).toMatchObject({ error: { fields: { 'score.approvals': 'invalid' } } })
    expect(await score({ approvals: { score: -1 } })).toMatchObject({ error: { fields: { 'score.approvals': 'invalid' } } })
    expect(await score({ approvals: { score: 7.5 } })).toMatchObject({ error: { fields: { 'score.approvals': 'invalid' } } })
    expect(await score({ approvals: { score: '1e2' } })).toMatchObject({ error: { fields: { 'score.approvals': 'invalid' } } })
    expect(await score({ approvals: { score: '' } })).toMatchObject({ error: { fields: { 'score.approvals': 'required' } } })
    expect(await score({ nope: { score: 5 } })).toMatchObject({ error: { fields: { 'score.nope': 'unknown_criterion' } } })
    expect(await score({ use: { score: 5, comment: 'x'.repeat(2001) } })).toMatchObject({
      error: { fields: { 'comment.use': 'too_long' } },
    })
    expect(await score({}, 'x\u0007')).toMatchObject({ error: { fields: { comment: 'invalid' } } })
    expect(await score({ approvals: { score: '90' } })).toMatchObject({ ok: true })
    // Opening: a malformed period, a past deadline, unknown kinds.
    const open = (input: Record<string, unknown>) =>
      openEvaluation(t.db, {
        actor: a.bureau,
        now: NOW,
        input: { title: '评估', period: '2026', deadlineOn: formatDay(NOW + DAY_MS), ...input } as never,
      })
    expect(await open({ period: '2026-Q5' })).toMatchObject({ error: { fields: { period: 'invalid' } } })
    expect(await open({ period: '1999' })).toMatchObject({ error: { fields: { period: 'invalid' } } })
    expect(await open({ deadlineOn: formatDay(NOW - DAY_MS) })).toMatchObject({ error: { fields: { deadlineOn: 'past' } } })
    expect(await open({ deadlineOn: '2026-02-30' })).toMatchObject({ error: { fields: { deadlineOn: 'invalid' } } })
    expect(await open({ kinds: ['auditor'] })).toMatchObject({ error: { fields: { kinds: 'invalid' } } })
    expect(await open({ title: 'x'.repeat(201) })).toMatchObject({ error: { fields: { title: 'too_long' } } })
  })

  it('publishes a result once when two publications race, and starts one exit', async () => {
    await scoreEvaluationSubject(t.db, { actor: a.bureau, subjectId: subjects.partner, input: { scores: scores('partner', 10) } })
    const results = await Promise.all([
      publishEvaluationResult(t.db, { actor: a.bureau, subjectId: subjects.partner }),
      publishEvaluationResult(t.db, { actor: a.bureau, subjectId: subjects.partner }),
    ])
    expect(results.filter((r) => r.ok)).toHaveLength(1)
    expect(results.find((r) => !r.ok)).toMatchObject({ error: { code: 'result_published' } })
    const [pid] = await t.db.select({ id: partners.id }).from(partners).where(eq(partners.code, 'shengjing-tech'))
    expect(
      await t.db
        .select()
        .from(partnerExits)
        .where(and(eq(partnerExits.partnerId, pid!.id), eq(partnerExits.kind, 'assessment'))),
    ).toHaveLength(1)
  })
})
