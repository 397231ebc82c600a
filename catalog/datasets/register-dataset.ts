import { eq } from 'drizzle-orm'
import { randomUUID } from 'node:crypto'
import { z } from 'zod'
import type { Db } from '#db/client.ts'
import {
  DATA_DOMAINS,
  datasetFields,
  datasetGradings,
  datasets,
  DELIVERY_MODES,
  FIELD_TYPES,
  PI_TAGS,
  REFUSED_LEVELS,
  SENSITIVITY_LEVELS,
  sourceUnits,
  UPDATE_FREQUENCIES,
} from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { fieldErrors } from '#platform/validation/field-errors.ts'
import { nextNumberedCode, nextSequenceCode, retryOnCodeRace } from '#catalog/codes/next-sequence-code.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { refuseBelowPersonalFloor } from '#catalog/grading/grading-rules.ts'

export const fieldInputSchema = z.object({
  name: z
    .string()
    .trim()
    .regex(/^[a-z][a-z0-9_]{0,62}$/, 'field_name'),
  labelZh: z.string().trim().max(100).default(''),
  type: z.enum(FIELD_TYPES),
  required: z.boolean().default(false),
  piTag: z.enum(PI_TAGS).nullable().default(null),
})

export const datasetInputSchema = z.object({
  sourceUnitId: z.string().min(1, 'required'),
  /** Optional: `DS-<UNIT>-<NNNN>` is assigned when empty. */
  code: z
    .string()
    .trim()
    .regex(/^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$/, 'code_format')
    .max(40)
    .optional(),
  nameZh: z.string().trim().min(1, 'required').max(100),
  nameEn: z.string().trim().min(1, 'required').max(200),
  description: z.string().trim().max(2000).default(''),
  domain: z.enum(DATA_DOMAINS),
  // Checked by hand below: a refused level gets its own code (Art. 6).
  level: z.string().trim().min(1, 'required'),
  deliveryMode: z.enum(DELIVERY_MODES),
  updateFrequency: z.enum(UPDATE_FREQUENCIES).default('monthly'),
  interfaceUrl: z
    .string()
    .trim()
    .url('url')
    .refine((u) => /^https?:\/\//.test(u), 'url')
    .nullable()
    .optional(),
  pullEveryMinutes: z.number().int().min(0).max(525_600).default(0),
  fields: z.array(fieldInputSchema).min(1, 'fields_required').max(200),
})

export type DatasetInput = z.input<typeof datasetInputSchema>

/** The code's middle part for a source unit: the one its datasets already use, else the initials of its code. */
async function unitAbbreviation(db: Db, unit: { id: string; code: string }): Promise<string> {
  const [existing] = await db.select({ code: datasets.code }).from(datasets).where(eq(datasets.sourceUnitId, unit.id)).limit(1)
  const middle = existing?.code.match(/^DS-([A-Z0-9]+)-\d+$/)?.[1]
  if (middle) return middle
  const parts = unit.code
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter(Boolean)
  const initials = parts.map((p) => p[0]).join('')
  return initials.length >= 2 ? initials : (parts[0] ?? 'X').slice(0, 6)
}

/**
 * Registers a dataset for a source unit (Art. 5, 6, 8): its classification
 * (domain, level L1–L4), delivery mode and field list with personal-data tags.
 * Data graded core or secret is never operated: refused with
 * `level_not_operable`. Assigns the registration code `SYSJ-DS-<YYYY>-<NNNN>`.
 */
export async function registerDataset(
  db: Db,
  opts: { actor: Actor; requestId?: string | null; input: DatasetInput; now?: number },
): Promise<Result<{ id: string; code: string; registrationCode: string }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'dataset.register')
  if (denied) return denied
  const level = String(opts.input.level ?? '').trim()
  if ((REFUSED_LEVELS as readonly string[]).includes(level.toLowerCase())) {
    return fail('validation', 'level_not_operable', `Data graded ${level} is never operated (Art. 6)`, {
      level: 'level_not_operable',
    })
  }
  const parsed = datasetInputSchema.safeParse(opts.input)
  const fields: Record<string, string> = parsed.success ? {} : fieldErrors(parsed.error, { root: '_' })
  if (!(SENSITIVITY_LEVELS as readonly string[]).includes(level)) fields.level ??= 'invalid'
  const input = parsed.success ? parsed.data : null
  if (input) {
    const names = new Set<string>()
    input.fields.forEach((f, i) => {
      if (names.has(f.name)) fields[`fields.${i}.name`] = 'duplicate'
      names.add(f.name)
    })
    if (input.deliveryMode === 'interface' && !input.interfaceUrl) fields.interfaceUrl = 'required'
  }
  if (!input || Object.keys(fields).length > 0)
    return fail('validation', 'invalid_dataset', 'The dataset registration has errors', fields)
  // The personal-data floor (ADR 0037): personal fields are never graded below L2.
  const floor = refuseBelowPersonalFloor(
    level as (typeof SENSITIVITY_LEVELS)[number],
    input.fields.map((f) => f.piTag),
  )
  if (floor) return floor

  const [unit] = await db
    .select({ id: sourceUnits.id, code: sourceUnits.code })
    .from(sourceUnits)
    .where(eq(sourceUnits.id, input.sourceUnitId))
  if (!unit) return fail('validation', 'invalid_dataset', 'Unknown source unit', { sourceUnitId: 'not_found' })
  if (input.code) {
    const [taken] = await db.select({ id: datasets.id }).from(datasets).where(eq(datasets.code, input.code))
    if (taken) return fail('conflict', 'code_taken', `Dataset code ${input.code} is taken`, { code: 'code_taken' })
  }
  const abbreviation = input.code ? null : await unitAbbreviation(db, unit)

  return retryOnCodeRace(async () => {
    const id = randomUUID()
    const code = input.code ?? (await nextNumberedCode(db, datasets.code, `DS-${abbreviation}-`))
    const registrationCode = await nextSequenceCode(db, datasets.registrationCode, 'SYSJ-DS', opts.now)
    await recordAudit(
      db,
      {
        actor: opts.actor,
        action: 'dataset.register',
        objectType: 'dataset',
        objectId: id,
        requestId: opts.requestId,
        detail: {
          code,
          registrationCode,
          level,
          domain: input.domain,
          deliveryMode: input.deliveryMode,
          fields: input.fields.length,
        },
      },
      [
        db.insert(datasets).values({
          id,
          code,
          registrationCode,
          sourceUnitId: unit.id,
          nameZh: input.nameZh,
          nameEn: input.nameEn,
          description: input.description,
          domain: input.domain,
          level: level as (typeof SENSITIVITY_LEVELS)[number],
          deliveryMode: input.deliveryMode,
          updateFrequency: input.updateFrequency,
          interfaceUrl: input.interfaceUrl ?? null,
          pullEveryMinutes: input.deliveryMode === 'interface' ? input.pullEveryMinutes : 0,
          registeredByUserId: opts.actor.id,
        }),
        ...input.fields.map((f, ordinal) =>
          db.insert(datasetFields).values({
            datasetId: id,
            ordinal,
            name: f.name,
            labelZh: f.labelZh,
            type: f.type,
            required: f.required,
            piTag: f.piTag,
          }),
        ),
        // Art. 5: the operator's level is a proposal, in force until the source unit decides (ADR 0037).
        db.insert(datasetGradings).values({
          id: randomUUID(),
          datasetId: id,
          kind: 'proposal',
          level: level as (typeof SENSITIVITY_LEVELS)[number],
          note: 'registration',
          actorId: opts.actor.id,
          actorLabel: opts.actor.label,
          role: opts.actor.role,
          at: opts.now ?? Date.now(),
        }),
      ],
    )
    return ok({ id, code, registrationCode })
  })
}
