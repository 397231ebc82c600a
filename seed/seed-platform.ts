import { eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import {
  apiKeys,
  authorizations,
  datasetFields,
  datasets,
  partners,
  plans,
  productDatasets,
  products,
  sourceUnits,
  subscriptions,
  users,
} from '#db/schema/index.ts'
import { recordAudit, systemActor } from '#platform/audit/record-audit.ts'
import { createUser } from '#platform/identity/create-user.ts'
import { addCalendarMonths, startOfNextDay } from '#platform/calendar/shanghai-calendar.ts'
import { makeUscc } from '#platform/codes/uscc.ts'
import { displayPrefixOf, hashApiKey } from '#platform/api-keys/api-key-format.ts'
import { generateDemoCredentials, type DemoCredentials } from './demo-credentials.ts'
import { seedCatalogDemo } from './seed-catalog-demo.ts'
import { seedBillingDemo } from './seed-billing-demo.ts'
import { seedEmergencyDemo } from './seed-emergency-demo.ts'
import { seedRetentionDemo } from './seed-retention-demo.ts'
import { seedCasesDemo } from './seed-cases-demo.ts'
import { seedApplicationsDemo } from './seed-applications-demo.ts'
import { seedAgreementsDemo } from './seed-agreements-demo.ts'
import { seedReportsDemo } from './seed-reports-demo.ts'
import { seedDisclosureDemo } from './seed-disclosure-demo.ts'
import { seedEvaluationsDemo } from './seed-evaluations-demo.ts'
import { seedSandboxDemo } from './seed-sandbox-demo.ts'
import { historyStartOf, seedHistoryDemo, type HistoryOptions } from './seed-history-demo.ts'
import {
  DATASET_FIELDS,
  DATASETS,
  PLANS,
  DEMO_SUBSCRIPTIONS,
  DEMO_USERS,
  PARTNERS,
  PRODUCTS,
  PRODUCT_DATASET_OUTPUTS,
  SOURCE_UNITS,
} from './platform-fixtures.ts'

const seedActor = systemActor('seed')

/**
 * Creates the seeded city's organisations, demo accounts, the skeleton product,
 * its subscription and the demo API key. Idempotent: rows that exist are kept.
 * Every creation is audited like any other state change.
 */
export async function seedPlatform(
  db: Db,
  opts: {
    credentials?: DemoCredentials
    /** A year of demo history (seed/seed-history-demo.ts): first starts of a demo install and db:seed; not the tests' base. */
    history?: HistoryOptions | false
  } = {},
): Promise<{ demoApiKey: string; credentials: DemoCredentials }> {
  // Random unless given: a demo install keeps its own in the data directory, a test run provides one per run.
  const credentials = opts.credentials ?? generateDemoCredentials()
  const unitIds = new Map<string, string>()
  for (const unit of SOURCE_UNITS) {
    const [found] = await db.select({ id: sourceUnits.id }).from(sourceUnits).where(eq(sourceUnits.code, unit.code))
    if (found) {
      unitIds.set(unit.code, found.id)
      continue
    }
    const id = crypto.randomUUID()
    await recordAudit(
      db,
      { actor: seedActor, action: 'source_unit.create', objectType: 'source_unit', objectId: id, detail: { code: unit.code } },
      [db.insert(sourceUnits).values({ id, ...unit })],
    )
    unitIds.set(unit.code, id)
  }

  for (const plan of PLANS) {
    const [found] = await db.select({ code: plans.code }).from(plans).where(eq(plans.code, plan.code))
    if (found) continue
    await recordAudit(db, { actor: seedActor, action: 'plan.create', objectType: 'plan', objectId: plan.code }, [
      db.insert(plans).values(plan),
    ])
  }

  const datasetIds = new Map<string, string>()
  for (const { sourceUnit, ...ds } of DATASETS) {
    const [found] = await db.select({ id: datasets.id }).from(datasets).where(eq(datasets.code, ds.code))
    if (found) {
      datasetIds.set(ds.code, found.id)
      continue
    }
    const id = crypto.randomUUID()
    const fields = DATASET_FIELDS[ds.code] ?? []
    const now = Date.now()
    const authorizationId = crypto.randomUUID()
    // Seeded datasets arrive authorized (as if granted through a demand list) for just under 3 years (Art. 17).
    await recordAudit(
      db,
      { actor: seedActor, action: 'dataset.register', objectType: 'dataset', objectId: id, detail: { code: ds.code } },
      [
        db.insert(datasets).values({ id, ...ds, sourceUnitId: unitIds.get(sourceUnit)! }),
        ...fields.map((f, ordinal) =>
          db
            .insert(datasetFields)
            .values({ datasetId: id, ordinal, name: f.name, labelZh: f.labelZh, type: f.type, piTag: f.piTag ?? null }),
        ),
      ],
    )
    await recordAudit(
      db,
      {
        actor: seedActor,
        action: 'authorization.grant',
        objectType: 'authorization',
        objectId: authorizationId,
        detail: { dataset: ds.code },
      },
      [
        db.insert(authorizations).values({
          id: authorizationId,
          code: `SQ-${ds.code.slice(3)}`,
          datasetId: id,
          deliveryMode: ds.deliveryMode,
          startsAt: now,
          endsAt: now + 3 * 365 * 86_400_000 - 86_400_000,
        }),
      ],
    )
    datasetIds.set(ds.code, id)
  }

  const productIds = new Map<string, string>()
  for (const { datasets: dsCodes, ...product } of PRODUCTS) {
    const [found] = await db.select({ id: products.id }).from(products).where(eq(products.code, product.code))
    if (found) {
      productIds.set(product.code, found.id)
      continue
    }
    const id = crypto.randomUUID()
    await recordAudit(
      db,
      { actor: seedActor, action: 'product.publish', objectType: 'product', objectId: id, detail: { code: product.code } },
      [
        db.insert(products).values({ id, ...product, state: 'published', publishedAt: Date.now() }),
        ...dsCodes.map((code) =>
          db.insert(productDatasets).values({
            productId: id,
            datasetId: datasetIds.get(code)!,
            outputKind: PRODUCT_DATASET_OUTPUTS[product.code]?.[code] ?? null,
          }),
        ),
      ],
    )
    productIds.set(product.code, id)
  }

  const partnerIds = new Map<string, string>()
  for (const [index, partner] of PARTNERS.entries()) {
    const [found] = await db.select({ id: partners.id }).from(partners).where(eq(partners.code, partner.code))
    if (found) {
      partnerIds.set(partner.code, found.id)
      continue
    }
    const id = crypto.randomUUID()
    const uscc = partner.usccDivision
      ? makeUscc({
          registrationAuthority: partner.kind === 'legal_person' ? '9' : '5',
          orgType: '1',
          divisionCode: partner.usccDivision,
          orgCodeBody8: `MA0P${String(index + 1).padStart(4, '0')}`,
        })
      : null
    await recordAudit(
      db,
      { actor: seedActor, action: 'partner.register', objectType: 'partner', objectId: id, detail: { code: partner.code } },
      [db.insert(partners).values({ id, code: partner.code, name: partner.name, kind: partner.kind, uscc })],
    )
    partnerIds.set(partner.code, id)
  }

  for (const user of DEMO_USERS) {
    const [found] = await db.select({ id: users.id }).from(users).where(eq(users.username, user.username))
    if (found) continue
    const created = await createUser(db, {
      actor: seedActor,
      input: {
        username: user.username,
        displayName: user.displayName,
        password: credentials.passwords[user.username]!,
        role: user.role,
        sourceUnitId: user.sourceUnit ? unitIds.get(user.sourceUnit) : null,
        partnerId: user.partner ? partnerIds.get(user.partner) : null,
        organization: user.organization ?? null,
        // Through the last day of the term (the next midnight), counted from the seed's run on the Shanghai calendar.
        accessExpiresAt: user.termMonths ? startOfNextDay(addCalendarMonths(Date.now(), user.termMonths)) : null,
      },
    })
    if (!created.ok) throw new Error(`seed user ${user.username}: ${created.error.message}`)
  }

  for (const sub of DEMO_SUBSCRIPTIONS) {
    const partnerId = partnerIds.get(sub.partner)!
    const productId = productIds.get(sub.product)!
    const existing = await db
      .select({ id: subscriptions.id, productId: subscriptions.productId })
      .from(subscriptions)
      .where(eq(subscriptions.partnerId, partnerId))
    if (existing.some((s) => s.productId === productId)) continue
    const id = crypto.randomUUID()
    await recordAudit(
      db,
      { actor: seedActor, action: 'subscription.create', objectType: 'subscription', objectId: id, detail: { ...sub } },
      [
        db.insert(subscriptions).values({
          id,
          partnerId,
          productId,
          purpose: sub.purpose,
          purposeStatement: sub.purposeStatement ?? null,
          scenario: sub.scenario,
          expectedMonthlyVolume: sub.expectedMonthlyVolume ?? null,
          state: sub.state,
          planCode: sub.planCode,
        }),
      ],
    )
  }

  const demo = {
    key: credentials.apiKey,
    hash: hashApiKey(credentials.apiKey),
    displayPrefix: displayPrefixOf(credentials.apiKey),
  }
  const [foundKey] = await db.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.keyHash, demo.hash))
  if (!foundKey) {
    const id = crypto.randomUUID()
    const partnerId = partnerIds.get('shengjing-tech')!
    await recordAudit(
      db,
      {
        actor: seedActor,
        action: 'api_key.create',
        objectType: 'api_key',
        objectId: id,
        detail: { partnerId, displayPrefix: demo.displayPrefix, name: '演示密钥 Demo key' },
      },
      [
        db
          .insert(apiKeys)
          .values({ id, partnerId, name: '演示密钥 Demo key', keyHash: demo.hash, displayPrefix: demo.displayPrefix }),
      ],
    )
  }
  await seedCatalogDemo(db)
  const history = opts.history || null
  // With a history, prices are in force from its start; its costs (and the proposal costed on them) come after it.
  await seedBillingDemo(db, history ? { pricesFrom: historyStartOf(history.now ?? Date.now()), costsAndProposal: false } : {})
  await seedRetentionDemo(db)
  await seedCasesDemo(db)
  await seedEmergencyDemo(db)
  await seedApplicationsDemo(db)
  await seedAgreementsDemo(db)
  if (history) {
    await seedHistoryDemo(db, history)
    await seedBillingDemo(db, { now: history.now })
    // Pending sandbox exports and a model release in the operator's queues (demo only: tests start without them).
    await seedSandboxDemo(db, history.now)
  }
  await seedEvaluationsDemo(db)
  // Last: the report reads what the other demo seeds recorded.
  await seedReportsDemo(db)
  // Last year's annual disclosure, published (reads the records the seeds above wrote).
  await seedDisclosureDemo(db)
  return { demoApiKey: demo.key, credentials }
}
