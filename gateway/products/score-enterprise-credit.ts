import { and, asc, desc, eq, gte, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '#db/client.ts'
import { cityEnterprises, citySocialSecurity, cityTaxCreditRatings } from '#db/schema/index.ts'
import type { components } from '#api-specs/generated/openapi.d.ts'
import { strictestLevel } from '#catalog/output-rules/output-rules.ts'
import { TtlCache } from '../access/ttl-cache.ts'
import { GatewayError } from '../http/gateway-error.ts'
import { CREDIT_SCORE_MODEL_VERSION, scoreCredit } from './credit-score-model.ts'
import { requireOutput } from './dataset-rules.ts'
import { parseInput, parseUscc } from './parse-input.ts'
import type { ProductOperation } from './product-operation.ts'

type ScoreRequest = components['schemas']['CreditScoreRequest']
type ScoreResult = components['schemas']['CreditScoreResult']

const ENTERPRISE_CREDIT_SCORE_PRODUCT = 'enterprise-credit-score'
/** The tables the model reads: the strictest level of their datasets decides whether a score may leave. */
const INPUTS = [cityEnterprises, cityTaxCreditRatings, citySocialSecurity] as const
/** Months of social-security data the model looks at (the latest ones present). */
const SOCIAL_SECURITY_WINDOW_MONTHS = 3

const bodySchema: z.ZodType<ScoreRequest> = z.object({ uscc: z.string() }).strict()

const findEnterprise = (db: Db) =>
  db
    .select({
      status: cityEnterprises.status,
      foundedOn: cityEnterprises.foundedOn,
      registeredCapitalWan: cityEnterprises.registeredCapitalWan,
    })
    .from(cityEnterprises)
    .where(eq(cityEnterprises.uscc, sql.placeholder('uscc')))
    .limit(1)

const findRatings = (db: Db) =>
  db
    .select({ rating: cityTaxCreditRatings.rating })
    .from(cityTaxCreditRatings)
    .where(eq(cityTaxCreditRatings.uscc, sql.placeholder('uscc')))
    .orderBy(asc(cityTaxCreditRatings.year))

const findContributions = (db: Db) =>
  db
    .select({
      month: citySocialSecurity.month,
      persons: sql<number>`count(distinct ${citySocialSecurity.idCardBidx})`,
      rows: sql<number>`count(*)`,
    })
    .from(citySocialSecurity)
    .where(
      and(eq(citySocialSecurity.employerUscc, sql.placeholder('uscc')), gte(citySocialSecurity.month, sql.placeholder('since'))),
    )
    .groupBy(citySocialSecurity.month)

/**
 * 企业信用评分模型 (model): a 0–1000 score, its band and the main factors, computed here from the registry (L2), tax
 * credit ratings (L3) and social-security contributions (L4). Only the score leaves the platform (scores are allowed
 * at every level); the inputs never do.
 */
export function scoreEnterpriseCreditOperation(db: Db): ProductOperation {
  const enterpriseQuery = findEnterprise(db).prepare()
  const ratingsQuery = findRatings(db).prepare()
  const contributionsQuery = findContributions(db).prepare()
  // The window's months change only when a new month of data lands: cached for a minute.
  const windowCache = new TtlCache<'window', string[]>(60_000)
  const loadWindow = () =>
    windowCache.get('window', async () => {
      const rows = await db
        .selectDistinct({ month: citySocialSecurity.month })
        .from(citySocialSecurity)
        .orderBy(desc(citySocialSecurity.month))
        .limit(SOCIAL_SECURITY_WINDOW_MONTHS)
      return rows.map((r) => r.month).sort()
    })

  return {
    operationId: 'scoreEnterpriseCredit',
    method: 'POST',
    path: '/api/v1/models/enterprise-credit-score/score',
    productCode: ENTERPRISE_CREDIT_SCORE_PRODUCT,
    readsBody: true,
    async handle({ body, datasets, now }) {
      const input = parseInput(bodySchema, body, 'Body must be { "uscc": string }')
      const uscc = parseUscc(input.uscc)
      requireOutput(strictestLevel(INPUTS.map((table) => datasets.require(table).level)), 'score')
      const [enterprise] = await enterpriseQuery.execute({ uscc })
      if (!enterprise) throw new GatewayError('not_found', 'No enterprise with this code')
      const [ratings, window] = await Promise.all([ratingsQuery.execute({ uscc }), loadWindow()])
      const contributions = window.length === 0 ? [] : await contributionsQuery.execute({ uscc, since: window[0]! })
      const inWindow = contributions.filter((c) => window.includes(c.month))
      const latest = inWindow.find((c) => c.month === window.at(-1))
      const result = scoreCredit({
        status: enterprise.status,
        foundedOn: enterprise.foundedOn,
        registeredCapitalWan: enterprise.registeredCapitalWan,
        taxRatings: ratings.map((r) => r.rating),
        socialSecurity: {
          monthsInWindow: window.length,
          monthsWithContributions: inWindow.length,
          latestHeadcount: latest ? Number(latest.persons) : 0,
        },
        asOf: now,
      })
      const answer: ScoreResult = {
        score: result.score,
        band: result.band,
        factors: result.mainFactors.map((f) => ({ code: f.code, impact: f.impact, weight: f.weight })),
        modelVersion: CREDIT_SCORE_MODEL_VERSION,
      }
      const records = 1 + ratings.length + inWindow.reduce((n, c) => n + Number(c.rows), 0)
      return { status: 200, body: answer, meters: { records } }
    },
  }
}
