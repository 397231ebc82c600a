import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { inArray, sql } from 'drizzle-orm'
import { cityEnterprises, citySocialSecurity, cityTaxCreditRatings, usageEvents } from '#db/schema/index.ts'
import { createProductOperations } from '#gateway/products/index.ts'
import { drainReportExports } from '#gateway/reports/report-jobs.ts'
import { reviewModelRelease } from '#sandbox/models/review-model-release.ts'
import { reviewSandboxExport } from '#sandbox/exports/review-sandbox-export.ts'
import { callGateway } from '#test/support/openapi.ts'
import { demoApiKey, startGateway, type GatewayHarness } from '#test/support/gateway-server.ts'
import { extractPdfText } from '#test/support/pdf-text.ts'
import { plainCity, plainEnterprise } from '#test/support/plain-city.ts'

/**
 * Art. 4, 13: no operation returns a raw record of L3/L4 data, nor the personal fields of the L2 registry. Every
 * operation is called here over enterprises that have tax ratings and social-security contributions, and every
 * body (JSON, CSV, the PDF's extracted text) is searched for the seeded values (the personal ones in clear from the
 * seed generator: the tables hold them sealed).
 */
describe('no operation returns raw L3/L4 records or personal data', () => {
  let h: GatewayHarness
  beforeEach(async () => {
    h = await startGateway()
  })
  afterEach(async () => {
    await drainReportExports()
    await h.stop()
  })

  it('holds for every operation the gateway serves', async () => {
    const db = h.database.db
    // Employers with contributions (L4) and ratings (L3): the richest subjects.
    const employers = await db
      .select({ uscc: citySocialSecurity.employerUscc })
      .from(citySocialSecurity)
      .where(sql`exists (select 1 from city_tax_credit_ratings t where t.uscc = ${citySocialSecurity.employerUscc})`)
      .groupBy(citySocialSecurity.employerUscc)
      .orderBy(sql`count(*) desc`)
      .limit(3)
    const subjects = (
      await db
        .select()
        .from(cityEnterprises)
        .where(
          inArray(
            cityEnterprises.uscc,
            employers.map((e) => e.uscc),
          ),
        )
    ).map((e) => ({ ...e, ...plainEnterprise(e.uscc) }))
    expect(subjects).toHaveLength(3)
    const persons = [
      ...new Map(plainCity().socialSecurity.map((p) => [p.idCard, { idCard: p.idCard, name: p.personName }])).values(),
    ]
    const ratings = await db
      .select()
      .from(cityTaxCreditRatings)
      .where(
        inArray(
          cityTaxCreditRatings.uscc,
          employers.map((e) => e.uscc),
        ),
      )
    const district = subjects[0]!.districtCode

    const bodies: { op: string; text: string }[] = []
    const call = async (op: string, method: 'GET' | 'POST', path: string, body?: unknown) => {
      const { res, body: answer } = await callGateway(h.baseUrl, method, path, { demoKey: demoApiKey, body })
      expect(res.status, `${op} ${path}`).toBeLessThan(300)
      const text = Buffer.isBuffer(answer)
        ? answer.subarray(0, 5).toString() === '%PDF-'
          ? extractPdfText(answer)
          : answer.toString('utf8')
        : JSON.stringify(answer)
      bodies.push({ op, text })
      return answer
    }

    for (const e of subjects) {
      await call('verifyEnterprise', 'POST', '/api/v1/verifications/enterprise', { uscc: e.uscc, name: e.name })
      await call('verifyLegalRepresentative', 'POST', '/api/v1/verifications/legal-representative', {
        uscc: e.uscc,
        personName: e.legalRepName,
        idNumber: e.legalRepIdCard,
      })
      await call('getEnterpriseCreditProfile', 'GET', `/api/v1/services/enterprise-credit-profile/${e.uscc}`)
      await call('scoreEnterpriseCredit', 'POST', '/api/v1/models/enterprise-credit-score/score', { uscc: e.uscc })
      await call('standardizeAddress', 'POST', '/api/v1/tools/address-standardize', { address: e.address })
      await call('validateUscc', 'POST', '/api/v1/tools/uscc-validate', { uscc: e.uscc })
    }
    await call('getTrafficFlow', 'GET', '/api/v1/services/traffic-flow/SY-210102-001?from=2026-10-30&to=2026-10-31')
    for (const view of ['enterprises', 'hospital-visits', 'medical-insurance']) {
      await call('queryAggregate', 'POST', `/api/v1/components/${view}/query`, {
        groupBy: ['district', 'month'],
        metrics: [{ op: 'count' }],
      })
    }
    await call('queryAggregate', 'POST', '/api/v1/components/enterprises/query', {
      groupBy: ['district', 'industry', 'month'],
      metrics: [{ op: 'count' }, { op: 'sum', field: 'registered_capital_wan' }],
      filter: { districts: [district] },
    })
    for (const format of ['pdf', 'csv']) {
      const job = await call('createDistrictEconomyExport', 'POST', '/api/v1/reports/district-economy/exports', {
        district,
        period: '2026',
        format,
      })
      await drainReportExports()
      await call('getDistrictEconomyExport', 'GET', `/api/v1/reports/district-economy/exports/${job.id}`)
      await call('downloadDistrictEconomyExport', 'GET', `/api/v1/reports/district-economy/exports/${job.id}/download`)
    }

    // The data sandbox: a join of the registry and the tax ratings (ADR 0038), and its budget.
    const job = await call('createSandboxJob', 'POST', '/api/v1/sandbox/jobs', {
      from: 'DS-SCJG-0001',
      join: [{ dataset: 'DS-SW-0001', on: 'uscc' }],
      groupBy: ['DS-SCJG-0001.district_code', 'DS-SW-0001.rating', 'DS-SW-0001.year'],
      aggregates: [{ fn: 'count' }, { fn: 'sum', field: 'DS-SCJG-0001.registered_capital_wan' }],
    })
    await call('getSandboxBudget', 'GET', '/api/v1/sandbox/budget')
    // Its export (ADR 0038): held, approved by two operators (L3: the ratings), listed, read and downloaded.
    const exported = await call('requestSandboxExport', 'POST', '/api/v1/sandbox/exports', { jobId: job.jobId })
    for (const reviewer of ['operator-a', 'operator-b']) {
      const r = await reviewSandboxExport(db, {
        actor: { id: reviewer, label: reviewer, role: 'operator' },
        exportId: exported.id,
        decision: 'approve',
        now: Date.now(),
      })
      expect(r.ok).toBe(true)
    }
    await call('listSandboxExports', 'GET', '/api/v1/sandbox/exports')
    await call('getSandboxExport', 'GET', `/api/v1/sandbox/exports/${exported.id}`)
    await call('downloadSandboxExport', 'GET', `/api/v1/sandbox/exports/${exported.id}/download`)
    // Sandbox models (ADR 0044): trained on the same join, released by the operator and the bureau, downloaded once.
    const model = await call('createSandboxModel', 'POST', '/api/v1/sandbox/models', {
      kind: 'decision_tree',
      from: 'DS-SCJG-0001',
      join: [{ dataset: 'DS-SW-0001', on: 'uscc' }],
      features: ['DS-SCJG-0001.registered_capital_wan', 'DS-SCJG-0001.industry', 'DS-SCJG-0001.status'],
      label: { field: 'DS-SW-0001.rating', positive: ['C', 'D'] },
    })
    await call('getSandboxModel', 'GET', `/api/v1/sandbox/models/${model.id}`)
    await call('requestSandboxModelRelease', 'POST', `/api/v1/sandbox/models/${model.id}/release-request`)
    for (const role of ['operator', 'bureau'] as const) {
      const [reviewer] = await db.all<{ id: string }>(sql`select id from users where role = ${role} limit 1`)
      const r = await reviewModelRelease(db, {
        actor: { id: reviewer!.id, label: role, role },
        modelId: model.id,
        decision: 'approve',
        now: Date.now(),
      })
      expect(r.ok).toBe(true)
    }
    await call('downloadSandboxModelArtifact', 'GET', `/api/v1/sandbox/models/${model.id}/artifact`)

    // Every operation was exercised.
    const served = createProductOperations(db)
      .map((op) => op.operationId)
      .sort()
    expect([...new Set(bodies.map((b) => b.op))].sort()).toEqual(served)
    const metered = await db.selectDistinct({ op: usageEvents.operation }).from(usageEvents)
    expect(metered.map((m) => m.op).sort()).toEqual(served)

    const leaks: string[] = []
    const look = (what: string, value: string, except: string[] = []) => {
      for (const b of bodies) if (!except.includes(b.op) && b.text.includes(value)) leaks.push(`${what} ${value} in ${b.op}`)
    }
    for (const e of subjects) {
      look('legal representative ID number', e.legalRepIdCard)
      look('legal representative phone', e.legalRepPhone)
      // The address tool answers the address the caller sent it (standardised): that is the caller's own input.
      look('full address', e.address.replace('沈阳市', ''), ['standardizeAddress'])
      // A name may legitimately be part of the (public) enterprise name; look only where it is not.
      if (!e.name.includes(e.legalRepName) && e.legalRepName.length >= 2) look('legal representative name', e.legalRepName)
    }
    for (const p of persons) {
      look('insured person ID number', p.idCard)
      if ([...p.name].length >= 3) look('insured person name', p.name)
    }
    for (const t of bodies.map((b) => b.text)) {
      if (/"(rating|id_?[cC]ard|person_?[nN]ame|base_?[fF]en|amount_?[fF]en|legal_?[rR]ep_?[pP]hone)"\s*:/.test(t))
        leaks.push(`a raw column in ${t.slice(0, 80)}`)
    }
    // The ratings themselves (year → letter) never appear as rows.
    for (const r of ratings) look('tax rating row', `${r.uscc},${r.year},${r.rating}`)
    expect(leaks, leaks.join('\n')).toEqual([])
    expect(ratings.length).toBeGreaterThan(0)
  })
})
